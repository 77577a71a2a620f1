#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-message-router.h"

/* Past this many remembered ids a user's oldest are forgotten early (counted by the cache):
 * memory stays bounded under a publish flood with the full TTL. */
#define DEDUP_MAX_ENTRIES_PER_USER 200000

/* Resume extension (docs/protocol-extensions.md). A channel keeps a history only once a client
 * asked to resume it ("resume" on auth or subscribe): from then on its client publishes carry a
 * per-channel "seq" and the last ones stay here, bounded by count, by bytes and by the dedup
 * TTL, so that a client coming back gets what it missed, in order, before live messages.
 * Channels nobody resumes, and peers that ignore the extension, see PROTOCOL.md v1 exactly. */
#define HISTORY_MAX_ENTRIES 4096
#define HISTORY_MAX_BYTES   (4 * 1024 * 1024)

typedef struct
{
  guint64 seq;
  gint64  at_ms;
  char   *from;       /* the publishing user: a replay never goes back to that user */
  gsize   len;
  char   *text;       /* the message frame, "seq" included */
} HistoryEntry;

typedef struct
{
  guint64 last_seq;
  gsize   bytes;
  gint64  active_ms;  /* last time it had a subscriber, a message or a resume */
  GQueue  entries;    /* HistoryEntry, oldest first */
} ChannelHistory;

static char *history_record (WireMessageRouter *self,
                             const char        *channel,
                             const char        *from,
                             char              *frame);

struct _WireMessageRouter
{
  GObject      parent_instance;

  WireGateway *gateway;        /* borrowed: the gateway owns the router */
  GHashTable  *subscribers;    /* channel → GPtrArray of WireGatewaySession (borrowed) */
  GHashTable  *dedup;          /* user id → WireDedupCache */
  GHashTable  *history;        /* channel → ChannelHistory (resume extension) */
  guint64      next_message_id;
  guint64      delivered;
};

enum
{
  SIGNAL_PUBLISHED,
  SIGNAL_SUBSCRIBED,
  SIGNAL_UNSUBSCRIBED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (WireMessageRouter, wire_message_router, G_TYPE_OBJECT)

/* "trip:t1" → the quark of "trip", the detail services connect to. */
static GQuark
channel_detail (const char *channel)
{
  const char *colon = strchr (channel, ':');
  char prefix[64];
  gsize len;

  if (colon == NULL)
    return g_quark_try_string (channel);
  len = MIN ((gsize) (colon - channel), sizeof prefix - 1);
  memcpy (prefix, channel, len);
  prefix[len] = '\0';
  return g_quark_try_string (prefix);
}

void
wire_message_router_subscribe (WireMessageRouter  *self,
                               WireGatewaySession *session,
                               const char         *channel)
{
  GPtrArray *list;

  g_return_if_fail (WIRE_IS_MESSAGE_ROUTER (self));
  g_return_if_fail (WIRE_IS_GATEWAY_SESSION (session));

  list = g_hash_table_lookup (self->subscribers, channel);
  if (list == NULL)
    {
      list = g_ptr_array_new ();
      g_hash_table_insert (self->subscribers, g_strdup (channel), list);
    }
  if (g_ptr_array_find (list, session, NULL))
    return;
  g_ptr_array_add (list, session);
  g_signal_emit (self, signals[SIGNAL_SUBSCRIBED], channel_detail (channel), session, channel);
}

void
wire_message_router_unsubscribe (WireMessageRouter  *self,
                                 WireGatewaySession *session,
                                 const char         *channel)
{
  GPtrArray *list;

  g_return_if_fail (WIRE_IS_MESSAGE_ROUTER (self));

  list = g_hash_table_lookup (self->subscribers, channel);
  if (list == NULL || !g_ptr_array_remove_fast (list, session))
    return;
  if (list->len == 0)
    g_hash_table_remove (self->subscribers, channel);
  g_signal_emit (self, signals[SIGNAL_UNSUBSCRIBED], channel_detail (channel), session, channel);
}

GPtrArray *
wire_message_router_get_subscribers (WireMessageRouter *self,
                                     const char        *channel)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_ROUTER (self), NULL);
  return g_hash_table_lookup (self->subscribers, channel);
}

guint
wire_message_router_count_subscribers (WireMessageRouter *self,
                                       const char        *channel)
{
  GPtrArray *list;

  g_return_val_if_fail (WIRE_IS_MESSAGE_ROUTER (self), 0);
  list = g_hash_table_lookup (self->subscribers, channel);
  return list != NULL ? list->len : 0;
}

GPtrArray *
wire_message_router_dup_channels (WireMessageRouter *self,
                                  const char        *prefix)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (WIRE_IS_MESSAGE_ROUTER (self), out);

  g_hash_table_iter_init (&iter, self->subscribers);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix))
      g_ptr_array_add (out, g_strdup (key));
  g_ptr_array_sort (out, (GCompareFunc) g_strcmp0);
  return out;
}

static WireDedupCache *
dedup_for (WireMessageRouter *self,
           const char        *user_id,
           gboolean           create)
{
  WireDedupCache *cache = g_hash_table_lookup (self->dedup, user_id);

  if (cache == NULL && create)
    {
      const WireGatewayConfig *config = wire_gateway_get_config (self->gateway);

      cache = wire_dedup_cache_new (config->dedup_ttl_ms, DEDUP_MAX_ENTRIES_PER_USER);
      g_hash_table_insert (self->dedup, g_strdup (user_id), cache);
    }
  return cache;
}

gboolean
wire_message_router_is_duplicate (WireMessageRouter *self,
                                  const char        *user_id,
                                  const char        *id)
{
  WireDedupCache *cache;

  g_return_val_if_fail (WIRE_IS_MESSAGE_ROUTER (self), FALSE);

  cache = dedup_for (self, user_id, FALSE);
  return cache != NULL && wire_dedup_cache_contains (cache, id, g_get_real_time () / 1000);
}

static void
deliver (WireMessageRouter  *self,
         const char         *channel,
         WireGatewaySession *except,
         WireGatewaySession *only,
         const char         *text,
         gsize               len)
{
  GPtrArray *list;

  if (only != NULL)
    {
      wire_gateway_session_send_text (only, text, len);
      self->delivered++;
      return;
    }
  list = g_hash_table_lookup (self->subscribers, channel);
  if (list == NULL)
    return;
  /* Sending may close a slow reader, which unsubscribes it: walk a copy. */
  {
    g_autoptr (GPtrArray) copy = g_ptr_array_new_full (list->len, g_object_unref);

    for (guint i = 0; i < list->len; i++)
      g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (list, i)));
    for (guint i = 0; i < copy->len; i++)
      {
        WireGatewaySession *session = g_ptr_array_index (copy, i);

        if (session == except)
          continue;
        wire_gateway_session_send_text (session, text, len);
        self->delivered++;
      }
  }
}

void
wire_message_router_publish (WireMessageRouter  *self,
                             WireGatewaySession *from,
                             WireEnvelope       *envelope)
{
  const char *payload;
  gsize payload_len = 0;
  g_autofree char *payload_text = NULL;
  g_autofree char *frame = NULL;
  const char *user_id;

  g_return_if_fail (WIRE_IS_MESSAGE_ROUTER (self));
  g_return_if_fail (envelope != NULL && envelope->id != NULL && envelope->channel != NULL);

  user_id = wire_gateway_session_get_user_id (from);
  wire_dedup_cache_check_and_insert (dedup_for (self, user_id, TRUE), envelope->id,
                                     g_get_real_time () / 1000);

  payload = wire_envelope_peek_member (envelope, "payload", &payload_len);
  if (payload != NULL)
    payload_text = g_strndup (payload, payload_len);
  frame = wire_frame_build_message (envelope->id, envelope->channel, envelope->event, user_id,
                                    envelope->has_priority ? envelope->priority
                                                           : WIRE_PRIORITY_NORMAL,
                                    g_get_real_time () / 1000, payload_text);
  frame = history_record (self, envelope->channel, user_id, g_steal_pointer (&frame));
  deliver (self, envelope->channel, from, NULL, frame, strlen (frame));
  g_signal_emit (self, signals[SIGNAL_PUBLISHED], channel_detail (envelope->channel), from,
                 envelope->channel, envelope->event, payload_text);
}

static void
history_entry_free (HistoryEntry *entry)
{
  g_free (entry->from);
  g_free (entry->text);
  g_free (entry);
}

static void
channel_history_free (gpointer data)
{
  ChannelHistory *history = data;

  g_queue_clear_full (&history->entries, (GDestroyNotify) history_entry_free);
  g_free (history);
}

/* Forgets what is past the count, byte or age bound, oldest first. */
static void
history_trim (WireMessageRouter *self,
              ChannelHistory    *history,
              gint64             now_ms)
{
  gint64 ttl_ms = wire_gateway_get_config (self->gateway)->dedup_ttl_ms;
  HistoryEntry *entry;

  while ((entry = g_queue_peek_head (&history->entries)) != NULL &&
         (history->entries.length > HISTORY_MAX_ENTRIES || history->bytes > HISTORY_MAX_BYTES ||
          entry->at_ms + ttl_ms < now_ms))
    {
      g_queue_pop_head (&history->entries);
      history->bytes -= entry->len;
      history_entry_free (entry);
    }
}

/* Numbers @frame (a message object) for its channel and keeps it, when the channel has a
 * history. Returns the frame to deliver: the numbered copy, or @frame itself. */
static char *
history_record (WireMessageRouter *self,
                const char        *channel,
                const char        *from,
                char              *frame)
{
  ChannelHistory *history = g_hash_table_lookup (self->history, channel);
  HistoryEntry *entry;
  gsize len = strlen (frame);
  gint64 now = g_get_real_time () / 1000;

  if (history == NULL || len < 2 || frame[len - 1] != '}')
    return frame;
  history->active_ms = now;
  entry = g_new0 (HistoryEntry, 1);
  entry->seq = ++history->last_seq;
  entry->at_ms = now;
  entry->from = g_strdup (from);
  entry->text = g_strdup_printf ("%.*s,\"seq\":%" G_GUINT64_FORMAT "}", (int) (len - 1), frame,
                                 entry->seq);
  entry->len = strlen (entry->text);
  g_queue_push_tail (&history->entries, entry);
  history->bytes += entry->len;
  history_trim (self, history, now);
  g_free (frame);
  return g_strdup (entry->text);
}

static void
resume_channel (WireMessageRouter  *self,
                WireGatewaySession *session,
                const char         *channel,
                guint64             after)
{
  ChannelHistory *history = g_hash_table_lookup (self->history, channel);
  const char *user = wire_gateway_session_get_user_id (session);
  HistoryEntry *head;
  guint64 first;

  if (history == NULL)
    {
      /* The first resume of a channel starts its history: nothing before it can be replayed. */
      history = g_new0 (ChannelHistory, 1);
      g_queue_init (&history->entries);
      g_hash_table_insert (self->history, g_strdup (channel), history);
    }
  history->active_ms = g_get_real_time () / 1000;
  history_trim (self, history, history->active_ms);
  if (after == history->last_seq)
    return;

  head = g_queue_peek_head (&history->entries);
  first = head != NULL ? head->seq : history->last_seq + 1;
  /* Evicted, or numbered by another gateway run: say so instead of losing messages silently.
   * "seq" is where this channel stands now, so the client can continue from there. */
  if (after > history->last_seq || first > after + 1)
    {
      g_autoptr (GString) frame = g_string_new ("{\"type\":\"error\",\"id\":null,"
                                                "\"code\":\"resume_gap\",\"message\":"
                                                "\"Messages missed on this channel are no longer "
                                                "kept\",\"channel\":");

      wire_json_append_string (frame, channel);
      if (after > history->last_seq)
        g_string_append (frame, ",\"missed\":null");
      else
        g_string_append_printf (frame, ",\"missed\":%" G_GUINT64_FORMAT, first - after - 1);
      g_string_append_printf (frame, ",\"seq\":%" G_GUINT64_FORMAT "}", history->last_seq);
      wire_gateway_session_send_text (session, frame->str, frame->len);
      if (after > history->last_seq)
        return;
    }

  for (GList *l = history->entries.head; l != NULL; l = l->next)
    {
      HistoryEntry *entry = l->data;

      if (entry->seq <= after || g_strcmp0 (entry->from, user) == 0)
        continue;
      wire_gateway_session_send_text (session, entry->text, entry->len);
      self->delivered++;
    }
}

void
wire_message_router_resume (WireMessageRouter  *self,
                            WireGatewaySession *session,
                            WireEnvelope       *envelope)
{
  g_autoptr (JsonNode) node = NULL;
  JsonObject *resume;
  JsonObjectIter iter;
  const char *channel;
  JsonNode *value;

  g_return_if_fail (WIRE_IS_MESSAGE_ROUTER (self));
  g_return_if_fail (WIRE_IS_GATEWAY_SESSION (session));

  if (envelope == NULL || !wire_envelope_has_member (envelope, "resume"))
    return;
  node = wire_envelope_dup_member_node (envelope, "resume");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  resume = json_node_get_object (node);
  json_object_iter_init (&iter, resume);
  while (json_object_iter_next (&iter, &channel, &value))
    {
      gint64 after;

      /* Only channels this connection holds, with a count: anything else is ignored, as
       * unknown fields are. */
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_INT64)
        continue;
      after = json_node_get_int (value);
      if (after < 0 || !wire_gateway_session_has_channel (session, channel))
        continue;
      resume_channel (self, session, channel, (guint64) after);
    }
}

static void
emit_internal (WireMessageRouter  *self,
               WireGatewaySession *only,
               const char         *channel,
               const char         *event,
               const char         *from,
               WirePriority        priority,
               const char         *payload_json)
{
  g_autofree char *id = NULL;
  g_autofree char *frame = NULL;

  if (only == NULL && !g_hash_table_contains (self->subscribers, channel))
    return;
  id = g_strdup_printf ("g-%" G_GUINT64_FORMAT, ++self->next_message_id);
  frame = wire_frame_build_message (id, channel, event, from, priority,
                                    g_get_real_time () / 1000, payload_json);
  deliver (self, channel, NULL, only, frame, strlen (frame));
}

void
wire_message_router_emit (WireMessageRouter *self,
                          const char        *channel,
                          const char        *event,
                          const char        *from,
                          WirePriority       priority,
                          const char        *payload_json)
{
  g_return_if_fail (WIRE_IS_MESSAGE_ROUTER (self));
  emit_internal (self, NULL, channel, event, from, priority, payload_json);
}

void
wire_message_router_emit_to (WireMessageRouter  *self,
                             WireGatewaySession *session,
                             const char         *channel,
                             const char         *event,
                             const char         *from,
                             WirePriority        priority,
                             const char         *payload_json)
{
  g_return_if_fail (WIRE_IS_MESSAGE_ROUTER (self));
  g_return_if_fail (WIRE_IS_GATEWAY_SESSION (session));
  emit_internal (self, session, channel, event, from, priority, payload_json);
}

void
wire_message_router_expire (WireMessageRouter *self,
                            gint64             now_ms)
{
  GHashTableIter iter;
  gpointer key, value;
  gint64 ttl_ms;

  g_return_if_fail (WIRE_IS_MESSAGE_ROUTER (self));

  /* A user who stopped publishing leaves an empty cache behind once the TTL has passed:
   * forget it, so that memory follows the active users, not every user ever seen. */
  g_hash_table_iter_init (&iter, self->dedup);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      wire_dedup_cache_expire (value, now_ms);
      if (wire_dedup_cache_size (value) == 0)
        g_hash_table_iter_remove (&iter);
    }

  /* A history holds its messages for the TTL at most, busy or not. One that kept nothing and had
   * nobody on its channel for a whole TTL is forgotten, or every channel ever resumed (each chat
   * session) would stay for good. A client back later with a number past the new count is told
   * of a gap ("missed": null), as after a gateway restart; one that had seen nothing there is
   * told nothing of messages that had expired anyway. The TTL bounds what resume promises, as
   * it bounds publish-id dedup. */
  ttl_ms = wire_gateway_get_config (self->gateway)->dedup_ttl_ms;
  g_hash_table_iter_init (&iter, self->history);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ChannelHistory *history = value;

      history_trim (self, history, now_ms);
      if (g_hash_table_contains (self->subscribers, key))
        history->active_ms = now_ms;
      else if (g_queue_is_empty (&history->entries) && now_ms - history->active_ms >= ttl_ms)
        g_hash_table_iter_remove (&iter);
    }
}

guint64
wire_message_router_get_delivered (WireMessageRouter *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_ROUTER (self), 0);
  return self->delivered;
}

void
wire_message_router_get_table_sizes (WireMessageRouter *self,
                                     guint             *out_channels,
                                     guint             *out_dedup_users,
                                     guint             *out_histories)
{
  g_return_if_fail (WIRE_IS_MESSAGE_ROUTER (self));

  *out_channels = g_hash_table_size (self->subscribers);
  *out_dedup_users = g_hash_table_size (self->dedup);
  *out_histories = g_hash_table_size (self->history);
}

static void
wire_message_router_finalize (GObject *object)
{
  WireMessageRouter *self = WIRE_MESSAGE_ROUTER (object);

  g_clear_pointer (&self->subscribers, g_hash_table_unref);
  g_clear_pointer (&self->dedup, g_hash_table_unref);
  g_clear_pointer (&self->history, g_hash_table_unref);

  G_OBJECT_CLASS (wire_message_router_parent_class)->finalize (object);
}

static void
wire_message_router_class_init (WireMessageRouterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wire_message_router_finalize;

  /* The details services use, known before any channel is seen. */
  g_quark_from_static_string ("chat");
  g_quark_from_static_string ("agent");
  g_quark_from_static_string ("trip");
  g_quark_from_static_string ("notifications");
  g_quark_from_static_string ("admin");

  signals[SIGNAL_PUBLISHED] = g_signal_new ("published", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL,
                                            NULL, G_TYPE_NONE, 4, WIRE_TYPE_GATEWAY_SESSION,
                                            G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_SUBSCRIBED] = g_signal_new ("subscribed", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL,
                                             NULL, G_TYPE_NONE, 2, WIRE_TYPE_GATEWAY_SESSION,
                                             G_TYPE_STRING);
  signals[SIGNAL_UNSUBSCRIBED] = g_signal_new ("unsubscribed", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL,
                                               NULL, NULL, G_TYPE_NONE, 2,
                                               WIRE_TYPE_GATEWAY_SESSION, G_TYPE_STRING);
}

static void
wire_message_router_init (WireMessageRouter *self)
{
  self->subscribers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_ptr_array_unref);
  self->dedup = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) wire_dedup_cache_free);
  self->history = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, channel_history_free);
}

WireMessageRouter *
wire_message_router_new (WireGateway *gateway)
{
  WireMessageRouter *self;

  g_return_val_if_fail (WIRE_IS_GATEWAY (gateway), NULL);

  self = g_object_new (WIRE_TYPE_MESSAGE_ROUTER, NULL);
  self->gateway = gateway;
  return self;
}
