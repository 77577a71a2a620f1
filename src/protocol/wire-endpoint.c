#define G_LOG_DOMAIN "wire-protocol"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-endpoint.h"
#include "wire-error.h"

/* PROTOCOL.md §1. A path is PREFIX + id + SUFFIX; admin has no id. */
static const struct
{
  const char *name;
  const char *prefix;
  const char *suffix;
  guint       limit;
  const char *slot_label;
} endpoints[WIRE_N_ENDPOINT_KINDS] = {
  [WIRE_ENDPOINT_CHAT]          = { "chat", "/ws/chat/", "", 1, "session" },
  [WIRE_ENDPOINT_AGENT_STATUS]  = { "agent-status", "/ws/agent-status/", "", 1, "user" },
  [WIRE_ENDPOINT_TRIP_COLLAB]   = { "trip-collab", "/ws/trips/", "/collab", 3, "trip" },
  [WIRE_ENDPOINT_NOTIFICATIONS] = { "notifications", "/ws/notifications/", "", 1, "user" },
  [WIRE_ENDPOINT_ADMIN]         = { "admin", "/ws/admin", NULL, 0, NULL },
};

static inline gboolean
id_char_is_valid (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-';
}

static gboolean
id_is_valid_len (const char *id,
                 gsize       len)
{
  if (len == 0 || len > WIRE_ID_MAX_LEN)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    if (!id_char_is_valid (id[i]))
      return FALSE;

  return TRUE;
}

/**
 * wire_id_is_valid:
 * @id: (nullable): an id
 *
 * Returns: %TRUE when @id matches `[A-Za-z0-9_-]{1,64}`.
 */
gboolean
wire_id_is_valid (const char *id)
{
  gsize len;

  if (id == NULL)
    return FALSE;

  /* Bounded scan: a very long string is refused without reading all of it. */
  for (len = 0; len <= WIRE_ID_MAX_LEN && id[len] != '\0'; len++)
    ;

  return id_is_valid_len (id, len);
}

gboolean
wire_endpoint_parse_path (const char        *path,
                          WireEndpointKind  *out_kind,
                          char             **out_slot_id,
                          GError           **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (path == NULL)
    {
      g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT, "No path given");
      return FALSE;
    }

  for (guint kind = 0; kind < WIRE_N_ENDPOINT_KINDS; kind++)
    {
      const char *prefix = endpoints[kind].prefix;
      const char *suffix = endpoints[kind].suffix;
      gsize prefix_len = strlen (prefix);
      gsize path_len;
      gsize suffix_len;
      gsize id_len;

      if (strncmp (path, prefix, prefix_len) != 0)
        continue;

      if (suffix == NULL)
        {
          if (path[prefix_len] != '\0')
            continue;

          if (out_kind != NULL)
            *out_kind = (WireEndpointKind) kind;
          if (out_slot_id != NULL)
            *out_slot_id = NULL;
          return TRUE;
        }

      path_len = strlen (path);
      suffix_len = strlen (suffix);
      if (path_len < prefix_len + suffix_len ||
          strcmp (path + path_len - suffix_len, suffix) != 0)
        continue;

      id_len = path_len - prefix_len - suffix_len;
      if (!id_is_valid_len (path + prefix_len, id_len))
        {
          g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                       "Invalid %s id in path “%s”: ids are 1 to %d characters of "
                       "A–Z, a–z, 0–9, “_” and “-”",
                       endpoints[kind].slot_label, path, WIRE_ID_MAX_LEN);
          return FALSE;
        }

      if (out_kind != NULL)
        *out_kind = (WireEndpointKind) kind;
      if (out_slot_id != NULL)
        *out_slot_id = g_strndup (path + prefix_len, id_len);
      return TRUE;
    }

  g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
               "Unknown endpoint path “%s”", path);
  return FALSE;
}

char *
wire_endpoint_build_path (WireEndpointKind  kind,
                          const char       *slot_id)
{
  g_return_val_if_fail ((guint) kind < WIRE_N_ENDPOINT_KINDS, NULL);

  if (endpoints[kind].suffix == NULL)
    return g_strdup (endpoints[kind].prefix);

  if (!wire_id_is_valid (slot_id))
    return NULL;

  return g_strconcat (endpoints[kind].prefix, slot_id, endpoints[kind].suffix, NULL);
}

guint
wire_endpoint_limit (WireEndpointKind kind)
{
  g_return_val_if_fail ((guint) kind < WIRE_N_ENDPOINT_KINDS, 0);

  return endpoints[kind].limit;
}

const char *
wire_endpoint_kind_to_string (WireEndpointKind kind)
{
  g_return_val_if_fail ((guint) kind < WIRE_N_ENDPOINT_KINDS, NULL);

  return endpoints[kind].name;
}

gboolean
wire_endpoint_kind_from_string (const char       *str,
                                WireEndpointKind *out_kind)
{
  if (str == NULL)
    return FALSE;

  for (guint kind = 0; kind < WIRE_N_ENDPOINT_KINDS; kind++)
    {
      if (strcmp (str, endpoints[kind].name) == 0)
        {
          if (out_kind != NULL)
            *out_kind = (WireEndpointKind) kind;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
wire_endpoint_slot_label (WireEndpointKind kind)
{
  g_return_val_if_fail ((guint) kind < WIRE_N_ENDPOINT_KINDS, NULL);

  return endpoints[kind].slot_label;
}
