#define G_LOG_DOMAIN "wire-cli"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "wire-cli-config-options.h"

typedef struct
{
  WireConfig *config;
  GArray     *entries;   /* GOptionEntry, zero-terminated */
  GPtrArray  *headers;   /* char *, --header values so far */
} OptionData;

/* Help texts for the flags people reach for; any other unsigned setting gets its property blurb. */
static const struct
{
  const char *name;
  const char *description;
  const char *arg;
} known_flags[] = {
  { "reconnect-max-attempts", "Give up after N reconnect attempts (0 = never give up)", "N" },
  { "reconnect-base-delay-ms", "Backoff base delay", "MS" },
  { "reconnect-max-delay-ms", "Backoff cap", "MS" },
  { "reset-after-ms", "A connection up this long resets the attempt count", "MS" },
  { "heartbeat-interval-ms", "Heartbeat period (0 = the gateway's)", "MS" },
  { "heartbeat-timeout-ms", "Silence after a heartbeat that means the link is dead", "MS" },
  { "probe-interval-ms", "Health probe period", "MS" },
  { "slow-threshold-ms", "Probe latency above which the network is slow", "MS" },
  { "unstable-threshold-ms", "Probe latency above which the network is unstable", "MS" },
  { "connect-timeout-ms", "Limit for opening and authenticating", "MS" },
  { "idle-timeout-ms", "Close a connection with no traffic for this long (0 = off)", "MS" },
  { "queue-capacity", "Most messages the publish queue holds", "N" },
  { "max-retries", "Re-sends of an unacknowledged publish before it fails", "N" },
  { "retry-delay-ms", "Retry delay (multiplied by the retry count)", "MS" },
  { "ack-timeout-ms", "Wait this long for an ack before re-sending", "MS" },
  { "dedup-ttl-ms", "How long received message ids are remembered", "MS" },
  { "max-connections", "Pool limit on connections", "N" },
  { "max-connections-per-host", "Pool limit on connections to one host", "N" },
};

static OptionData *
option_data_from_group (gpointer data)
{
  return data;
}

static void
option_data_free (gpointer data)
{
  OptionData *od = data;

  g_clear_object (&od->config);
  g_array_unref (od->entries);
  g_ptr_array_unref (od->headers);
  g_free (od);
}

static const char *
flag_name (const char *option_name)
{
  /* GOption hands the callback "--name" (or "-x"). */
  while (*option_name == '-')
    option_name++;
  return option_name;
}

static gboolean
set_uint_cb (const char  *option_name,
             const char  *value,
             gpointer     data,
             GError     **error)
{
  OptionData *od = option_data_from_group (data);
  const char *name = flag_name (option_name);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (od->config), name);
  GParamSpecUInt *uspec;
  guint64 v = 0;
  g_autoptr (GError) local_error = NULL;

  g_assert (pspec != NULL && G_IS_PARAM_SPEC_UINT (pspec));
  uspec = G_PARAM_SPEC_UINT (pspec);

  if (!g_ascii_string_to_unsigned (value, 10, uspec->minimum, uspec->maximum, &v, &local_error))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--%s: “%s” is not a whole number from %u to %u", name, value,
                   uspec->minimum, uspec->maximum);
      return FALSE;
    }

  g_object_set (od->config, name, (guint) v, NULL);
  return TRUE;
}

static gboolean
set_enum_cb (const char  *option_name,
             const char  *value,
             gpointer     data,
             GError     **error)
{
  OptionData *od = option_data_from_group (data);
  const char *name = flag_name (option_name);

  if (g_str_equal (name, "jitter"))
    {
      WireJitter jitter;

      if (!wire_jitter_from_string (value, &jitter))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--jitter: unknown mode “%s” (use none, equal or full)", value);
          return FALSE;
        }
      g_object_set (od->config, "jitter", jitter, NULL);
    }
  else
    {
      WireOverflowPolicy policy;

      g_assert (g_str_equal (name, "overflow"));
      if (!wire_overflow_policy_from_string (value, &policy))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--overflow: unknown policy “%s” (use reject-new or drop-lowest)",
                       value);
          return FALSE;
        }
      g_object_set (od->config, "overflow", policy, NULL);
    }
  return TRUE;
}

static gboolean
set_string_cb (const char  *option_name,
               const char  *value,
               gpointer     data,
               GError     **error)
{
  OptionData *od = option_data_from_group (data);
  const char *name = flag_name (option_name);

  if (g_str_equal (name, "ca-file"))
    {
      if (!g_file_test (value, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--ca-file: “%s” is not a readable file", value);
          return FALSE;
        }
      g_object_set (od->config, "ca-file", value, NULL);
    }
  else if (g_str_equal (name, "health-path"))
    {
      if (value[0] != '/')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--health-path: “%s” must start with “/”", value);
          return FALSE;
        }
      g_object_set (od->config, "health-path", value, NULL);
    }
  else
    {
      const char *colon = strchr (value, ':');
      g_autofree char *header_name = NULL;

      g_assert (g_str_equal (name, "header"));
      if (colon == NULL || colon == value)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--header: “%s” is not of the form “Name: value”", value);
          return FALSE;
        }
      header_name = g_strstrip (g_strndup (value, (gsize) (colon - value)));
      if (g_ascii_strcasecmp (header_name, "Authorization") == 0
          || g_ascii_strncasecmp (header_name, "Sec-WebSocket-", 14) == 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--header: “%s” is set by the connection itself", header_name);
          return FALSE;
        }
      /* Keep the NULL terminator last. */
      g_ptr_array_insert (od->headers, (int) od->headers->len - 1, g_strdup (value));
      g_object_set (od->config, "extra-headers", (char **) od->headers->pdata, NULL);
    }
  return TRUE;
}

static gboolean
set_flag_cb (const char  *option_name,
             const char  *value,
             gpointer     data,
             GError     **error)
{
  OptionData *od = option_data_from_group (data);
  const char *name = flag_name (option_name);

  if (g_str_equal (name, "insecure"))
    {
      fprintf (stderr,
               "wirescope-cli: WARNING: --insecure accepts ANY certificate. The connection can be "
               "read and altered by anyone on the path, and the token can be stolen. Use "
               "--ca-file instead.\n");
      g_object_set (od->config, "insecure", TRUE, NULL);
    }
  else
    {
      g_assert (g_str_equal (name, "no-deflate"));
      g_object_set (od->config, "permessage-deflate", FALSE, NULL);
    }
  return TRUE;
}

static void
add_entry (OptionData *od,
           const char *long_name,
           GOptionArg  arg,
           gpointer    callback,
           const char *description,
           const char *arg_description)
{
  GOptionEntry entry = { 0 };

  entry.long_name = long_name;
  entry.arg = arg;
  entry.arg_data = callback;
  entry.description = description;
  entry.arg_description = arg_description;
  if (arg == G_OPTION_ARG_NONE)
    entry.flags = G_OPTION_FLAG_NO_ARG;
  g_array_append_val (od->entries, entry);
}

GOptionGroup *
wire_cli_config_option_group_new (WireConfig *config)
{
  OptionData *od;
  GOptionGroup *group;
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs = 0;

  g_return_val_if_fail (WIRE_IS_CONFIG (config), NULL);

  od = g_new0 (OptionData, 1);
  od->config = g_object_ref (config);
  od->entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  od->headers = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (od->headers, NULL);

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (config), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      const char *description = NULL;
      const char *arg = "N";

      if (!G_IS_PARAM_SPEC_UINT (pspecs[i]) || !(pspecs[i]->flags & G_PARAM_WRITABLE))
        continue;
      for (guint k = 0; k < G_N_ELEMENTS (known_flags); k++)
        {
          if (g_str_equal (known_flags[k].name, pspecs[i]->name))
            {
              description = known_flags[k].description;
              arg = known_flags[k].arg;
            }
        }
      if (description == NULL)
        description = g_param_spec_get_blurb (pspecs[i]);
      add_entry (od, pspecs[i]->name, G_OPTION_ARG_CALLBACK, set_uint_cb, description, arg);
    }

  add_entry (od, "jitter", G_OPTION_ARG_CALLBACK, set_enum_cb,
             "Backoff jitter: none, equal (delay × U[0.5,1]) or full (U[0,delay])", "MODE");
  add_entry (od, "overflow", G_OPTION_ARG_CALLBACK, set_enum_cb,
             "When the queue is full: reject-new or drop-lowest", "POLICY");
  add_entry (od, "health-path", G_OPTION_ARG_CALLBACK, set_string_cb,
             "Path of the gateway's health probe", "PATH");
  add_entry (od, "ca-file", G_OPTION_ARG_CALLBACK, set_string_cb,
             "Also trust the CA certificates in this PEM file", "FILE");
  add_entry (od, "insecure", G_OPTION_ARG_CALLBACK, set_flag_cb,
             "Accept any TLS certificate (dangerous: for testing only)", NULL);
  add_entry (od, "header", G_OPTION_ARG_CALLBACK, set_string_cb,
             "Add a handshake header (repeatable)", "“NAME: VALUE”");
  add_entry (od, "no-deflate", G_OPTION_ARG_CALLBACK, set_flag_cb,
             "Do not negotiate permessage-deflate", NULL);

  group = g_option_group_new ("settings", "Connection settings (override the saved settings)",
                              "Show the connection settings", od, option_data_free);
  g_option_group_add_entries (group, (GOptionEntry *) (gpointer) od->entries->data);
  return group;
}
