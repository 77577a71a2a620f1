#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* WireConnection: what it knows per channel (counters, last event, resume position), the
 * channels it asks for and those the gateway granted, and subscribing to them. */

#include "config.h"

#include <string.h>

#include "wire-connection-private.h"

void
wire_channel_stats_free (WireChannelStats *stats)
{
  if (stats == NULL)
    return;
  g_free (stats->channel);
  g_free (stats->last_event);
  g_free (stats);
}

void
wire_channel_entry_free (gpointer data)
{
  WireChannelEntry *entry = data;

  g_free (entry->channel);
  g_free (entry->last_event);
  g_free (entry);
}

WireChannelEntry *
wire_connection_ensure_channel (WireConnection *self,
                                const char     *channel)
{
  WireChannelEntry *entry = g_hash_table_lookup (self->channel_stats, channel);

  if (entry == NULL)
    {
      entry = g_new0 (WireChannelEntry, 1);
      entry->channel = g_strdup (channel);
      g_hash_table_insert (self->channel_stats, entry->channel, entry);
    }
  return entry;
}

static gboolean
strv_ptr_array_remove (GPtrArray  *array,
                       const char *str)
{
  for (guint i = 0; i < array->len; i++)
    if (g_str_equal (g_ptr_array_index (array, i), str))
      {
        g_ptr_array_remove_index (array, i);
        return TRUE;
      }
  return FALSE;
}

static void
update_available (WireConnection *self)
{
  g_strfreev (self->available_strv);
  self->available_strv = g_strdupv ((char **) wire_str_ptr_array_as_strv (self->granted));
  wire_connection_notify (self, WIRE_CONNECTION_PROP_AVAILABLE_CHANNELS);
}

char **
wire_dup_denied_channels (WireEnvelope *env,
                          const char   *member)
{
  g_autoptr(JsonNode) node = wire_envelope_dup_member_node (env, member);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return g_strv_builder_end (builder);

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (item))
        {
          JsonObject *obj = json_node_get_object (item);
          const char *channel = json_object_get_string_member_with_default (obj, "channel", "?");
          const char *reason = json_object_get_string_member_with_default (obj, "reason", "denied");

          g_autofree char *line = g_strdup_printf ("%s: %s", channel, reason);

          g_strv_builder_add (builder, line);
        }
      else if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (item));
    }
  return g_strv_builder_end (builder);
}

static void
mark_granted (WireConnection      *self,
              const char * const  *channels)
{
  WireIdentity who = { 0 };
  gboolean have_identity = wire_connection_fill_identity (self, &who);

  for (guint i = 0; channels != NULL && channels[i] != NULL; i++)
    {
      WireChannelEntry *entry = wire_connection_ensure_channel (self, channels[i]);
      gboolean read_only = FALSE;

      entry->subscribed = TRUE;
      if (have_identity)
        wire_channel_policy_can_subscribe (self->policy, channels[i], &who, &read_only, NULL);
      entry->read_only = read_only;
      if (!wire_str_ptr_array_contains (self->granted, channels[i]))
        g_ptr_array_add (self->granted, g_strdup (channels[i]));
    }
}

/* A denied channel is not asked for again on the next reconnect. */
static void
forget_denied (WireConnection      *self,
               const char * const  *denied)
{
  for (guint i = 0; denied != NULL && denied[i] != NULL; i++)
    {
      g_autofree char *channel = g_strdup (denied[i]);
      char *colon = strstr (channel, ": ");

      if (colon != NULL)
        *colon = '\0';
      strv_ptr_array_remove (self->wanted, channel);
    }
}

/* A new session: the channels granted are exactly those of its auth_ok. */
void
wire_connection_reset_granted (WireConnection     *self,
                               const char * const *available,
                               const char * const *denied)
{
  GHashTableIter iter;
  WireChannelEntry *entry;

  g_hash_table_iter_init (&iter, self->channel_stats);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    entry->subscribed = FALSE;
  g_ptr_array_set_size (self->granted, 0);
  mark_granted (self, available);
  forget_denied (self, denied);
  update_available (self);
}

void
wire_connection_handle_subscription_answer (WireConnection *self,
                                            WireEnvelope   *env,
                                            gboolean        subscribed)
{
  g_auto(GStrv) channels = wire_envelope_dup_member_strv (env, "channels");

  if (subscribed)
    {
      g_auto(GStrv) denied = wire_dup_denied_channels (env, "denied");

      mark_granted (self, (const char * const *) channels);
      forget_denied (self, (const char * const *) denied);
      update_available (self);
      g_signal_emit (self, wire_connection_signals[WIRE_CONNECTION_SIGNAL_SUBSCRIBED], 0,
                     channels ? channels : (char *[]) { NULL }, denied);
    }
  else
    {
      for (guint i = 0; channels != NULL && channels[i] != NULL; i++)
        {
          WireChannelEntry *entry = g_hash_table_lookup (self->channel_stats, channels[i]);

          if (entry != NULL)
            entry->subscribed = FALSE;
          strv_ptr_array_remove (self->granted, channels[i]);
        }
      update_available (self);
    }
}

/* Resume extension (docs/protocol-extensions.md): a gateway that keeps a channel's history
 * numbers its messages ("seq"); the last number seen goes into the next auth request's
 * "resume", duplicate or not. A v1 gateway sends no "seq" and this does nothing. */
void
wire_connection_note_resume_seq (WireConnection *self,
                                 WireEnvelope   *env,
                                 const char     *channel)
{
  gsize len = 0;
  const char *text = wire_envelope_peek_member (env, "seq", &len);
  WireChannelEntry *entry;
  char buf[24];
  char *end = NULL;
  guint64 seq;

  if (text == NULL || channel == NULL || len == 0 || len >= sizeof buf)
    return;
  memcpy (buf, text, len);
  buf[len] = '\0';
  seq = g_ascii_strtoull (buf, &end, 10);
  if (end == buf || *end != '\0')
    return;
  entry = g_hash_table_lookup (self->channel_stats, channel);
  if (entry == NULL)
    entry = wire_connection_ensure_channel (self, channel);
  entry->resume_seq = seq;
}

/* Resume extension: {"channel":lastSeq,…} for every wanted channel (0 when none seen yet,
 * which asks the gateway to start keeping the channel's history), or NULL. */
char *
wire_connection_build_resume (WireConnection *self)
{
  g_autoptr(GString) out = NULL;

  if (self->wanted->len == 0)
    return NULL;
  out = g_string_new ("{");
  for (guint i = 0; i < self->wanted->len; i++)
    {
      const char *channel = g_ptr_array_index (self->wanted, i);
      WireChannelEntry *entry = g_hash_table_lookup (self->channel_stats, channel);

      if (out->len > 1)
        g_string_append_c (out, ',');
      wire_json_append_string (out, channel);
      g_string_append_printf (out, ":%" G_GUINT64_FORMAT, entry != NULL ? entry->resume_seq : 0);
    }
  g_string_append_c (out, '}');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Checks @channels against the policy, as far as the token tells who we are. */
static gboolean
check_subscribe (WireConnection     *self,
                 const char * const *channels,
                 GError            **error)
{
  WireIdentity who = { 0 };
  gboolean have_identity = wire_connection_fill_identity (self, &who);

  for (guint i = 0; channels[i] != NULL; i++)
    {
      g_autofree char *prefix = NULL;
      g_autofree char *id = NULL;

      if (!wire_channel_split (channels[i], &prefix, &id) &&
          wire_channel_policy_lookup (self->policy, channels[i]) == NULL)
        {
          g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                       "“%s” is not a channel name (expected prefix:id)", channels[i]);
          return FALSE;
        }
      if (have_identity &&
          !wire_channel_policy_can_subscribe (self->policy, channels[i], &who, NULL, error))
        return FALSE;
    }
  return TRUE;
}

void
wire_connection_set_channels (WireConnection     *self,
                              const char * const *channels)
{
  g_return_if_fail (WIRE_IS_CONNECTION (self));

  g_ptr_array_set_size (self->wanted, 0);
  for (guint i = 0; channels != NULL && channels[i] != NULL; i++)
    if (!wire_str_ptr_array_contains (self->wanted, channels[i]))
      g_ptr_array_add (self->wanted, g_strdup (channels[i]));
  wire_connection_notify (self, WIRE_CONNECTION_PROP_CHANNELS);
}

gboolean
wire_connection_subscribe (WireConnection     *self,
                           const char * const *channels,
                           GError            **error)
{
  g_autoptr(GPtrArray) fresh = g_ptr_array_new ();

  g_return_val_if_fail (WIRE_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (channels != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_subscribe (self, channels, error))
    return FALSE;

  for (guint i = 0; channels[i] != NULL; i++)
    if (!wire_str_ptr_array_contains (self->wanted, channels[i]))
      {
        g_ptr_array_add (self->wanted, g_strdup (channels[i]));
        g_ptr_array_add (fresh, (gpointer) channels[i]);
      }
  if (fresh->len == 0)
    return TRUE;

  wire_connection_notify (self, WIRE_CONNECTION_PROP_CHANNELS);
  /* Not connected: the auth frame of the next connection asks for them. */
  if (self->state == WIRE_CONNECTION_CONNECTED)
    {
      const char * const *subscribe = wire_str_ptr_array_as_strv (fresh);

      wire_connection_send_owned_text (self, wire_frame_build_channels ("subscribe", subscribe));
    }
  return TRUE;
}

gboolean
wire_connection_unsubscribe (WireConnection     *self,
                             const char * const *channels,
                             GError            **error)
{
  gboolean changed = FALSE;

  g_return_val_if_fail (WIRE_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (channels != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; channels[i] != NULL; i++)
    changed |= strv_ptr_array_remove (self->wanted, channels[i]);
  if (changed)
    wire_connection_notify (self, WIRE_CONNECTION_PROP_CHANNELS);

  if (self->state == WIRE_CONNECTION_CONNECTED)
    wire_connection_send_owned_text (self, wire_frame_build_channels ("unsubscribe", channels));
  return TRUE;
}

const char * const *
wire_connection_get_available_channels (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), NULL);
  return (const char * const *) self->available_strv;
}

GPtrArray *
wire_connection_dup_channel_stats (WireConnection *self)
{
  GPtrArray *result;
  GHashTableIter iter;
  WireChannelEntry *entry;

  g_return_val_if_fail (WIRE_IS_CONNECTION (self), NULL);

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) wire_channel_stats_free);
  g_hash_table_iter_init (&iter, self->channel_stats);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      WireChannelStats *stats = g_new0 (WireChannelStats, 1);

      stats->channel = g_strdup (entry->channel);
      stats->subscribed = entry->subscribed;
      stats->read_only = entry->read_only;
      stats->messages_in = entry->messages_in;
      stats->messages_out = entry->messages_out;
      stats->last_event = g_strdup (entry->last_event);
      stats->last_event_at_ms = wire_real_ms_from_monotonic_us (entry->last_event_us);
      g_ptr_array_add (result, stats);
    }
  return result;
}

