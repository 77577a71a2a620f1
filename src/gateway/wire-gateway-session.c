#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-gateway-session.h"
#include "wire-gateway-auth.h"
#include "wire-gateway-outbox.h"
#include "wire-admin-feed.h"
#include "wire-message-router.h"

typedef enum
{
  STATE_AWAITING_AUTH,
  STATE_OPEN,
  STATE_CLOSING,
  STATE_CLOSED,
} SessionState;

/* One subscription: read-only for an admin looking in; its own token bucket when the channel
 * has a rate limit (PROTOCOL.md §3: per connection and channel). */
typedef struct
{
  gboolean        read_only;
  gboolean        limited;
  WireTokenBucket bucket;
} Subscription;

struct _WireGatewaySession
{
  GObject                  parent_instance;

  WireGateway             *gateway;      /* borrowed: the gateway owns its sessions */
  SoupWebsocketConnection *ws;
  WireOutbox              *outbox;
  SessionState             state;
  WireEndpointKind         kind;
  char                    *slot_id;
  char                    *path;
  char                    *remote;
  char                    *connection_id;
  char                    *session_id;
  WireJwtClaims           *claims;
  GHashTable              *channels;     /* name → Subscription */

  gint64                   connected_at_ms;
  gint64                   last_message_at_ms;
  gint64                   last_rx_us;
  gint64                   stall_until_us;
  guint64                  messages_in;
  guint64                  messages_out;
  guint64                  bytes_in;
  guint64                  bytes_out;
  int                      close_code;

  gint64                   bad_frames[WIRE_BAD_FRAME_FLOOD_COUNT];
  guint                    bad_frame_next;

  gint64                   started_us;
  guint                    close_guard_id;
};

/* A peer that reads nothing never lets the close frame out, and libsoup waits for it forever:
 * past this the socket is dropped. */
#define CLOSE_GUARD_S 5

enum
{
  SIGNAL_AUTHENTICATED,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (WireGatewaySession, wire_gateway_session, G_TYPE_OBJECT)

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
close_guard_cb (gpointer user_data)
{
  WireGatewaySession *self = user_data;

  self->close_guard_id = 0;
  if (self->state == STATE_CLOSING)
    wire_outbox_drop (self->outbox);
}

static void
unsubscribe_all (WireGatewaySession *self)
{
  WireMessageRouter *router = wire_gateway_get_router (self->gateway);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, g_strdup (key));
  g_hash_table_remove_all (self->channels);
  for (guint i = 0; i < names->len; i++)
    wire_message_router_unsubscribe (router, self, g_ptr_array_index (names, i));
}

static void
ws_closed_cb (SoupWebsocketConnection *ws,
              WireGatewaySession      *self)
{
  G_GNUC_UNUSED g_autoptr (WireGatewaySession) hold = g_object_ref (self);
  int code;

  if (self->state == STATE_CLOSED)
    return;

  code = self->close_code != 0 ? self->close_code : soup_websocket_connection_get_close_code (ws);
  if (code == 0)
    code = WIRE_CLOSE_ABNORMAL;
  self->close_code = code;
  self->state = STATE_CLOSED;
  g_clear_handle_id (&self->close_guard_id, g_source_remove);
  wire_outbox_clear (self->outbox);
  unsubscribe_all (self);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, code);
}

/* Every frame handed to libsoup counts for the admin feed. */
static void
pushed_cb (gpointer user_data,
           gsize    len)
{
  WireGatewaySession *self = user_data;
  WireAdminFeed *feed = wire_gateway_get_admin_feed (self->gateway);

  self->messages_out++;
  self->bytes_out += len;
  self->last_message_at_ms = now_ms ();
  if (feed != NULL)
    wire_admin_feed_touch (feed, self);
}

void
wire_gateway_session_send_text (WireGatewaySession *self,
                                const char         *text,
                                gsize               len)
{
  const WireGatewayConfig *config;

  g_return_if_fail (WIRE_IS_GATEWAY_SESSION (self));
  g_return_if_fail (text != NULL);

  if (self->outbox == NULL || (self->state != STATE_OPEN && self->state != STATE_AWAITING_AUTH))
    return;
  /* A stalled connection answers nothing, as a half-open socket would. */
  if (self->stall_until_us > g_get_monotonic_time ())
    return;

  config = wire_gateway_get_config (self->gateway);
  if (!wire_outbox_send (self->outbox, text, len, config->latency_ms,
                         config->outgoing_limit_bytes))
    {
      wire_gateway_log_event (self->gateway, self, "outgoing_limit", "slow reader",
                              WIRE_CLOSE_TRY_AGAIN_LATER);
      g_message ("Closing %s: more than %u bytes unsent", self->connection_id,
                 config->outgoing_limit_bytes);
      wire_gateway_session_close (self, WIRE_CLOSE_TRY_AGAIN_LATER, "Outgoing limit reached");
    }
}

static void
send_owned (WireGatewaySession *self,
            char               *text)
{
  wire_gateway_session_send_text (self, text, strlen (text));
  g_free (text);
}

void
wire_gateway_session_close (WireGatewaySession *self,
                            int                 code,
                            const char         *reason)
{
  g_return_if_fail (WIRE_IS_GATEWAY_SESSION (self));

  if (self->state == STATE_CLOSING || self->state == STATE_CLOSED)
    return;
  self->state = STATE_CLOSING;
  self->close_code = code;
  /* Frames held back by a latency fault go out before the close frame. */
  wire_outbox_flush (self->outbox);
  if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      if (wire_outbox_libsoup_sends (code))
        soup_websocket_connection_close (self->ws, code, reason);
      else
        wire_outbox_close_raw (self->outbox, code);
    }
  if (self->close_guard_id == 0)
    self->close_guard_id = g_timeout_add_once (CLOSE_GUARD_S * 1000, close_guard_cb, self);
}

void
wire_gateway_session_drop (WireGatewaySession *self)
{
  g_return_if_fail (WIRE_IS_GATEWAY_SESSION (self));

  if (self->state == STATE_CLOSED)
    return;
  self->close_code = WIRE_CLOSE_ABNORMAL;
  self->state = STATE_CLOSING;
  wire_outbox_drop (self->outbox);
}

void
wire_gateway_session_stall (WireGatewaySession *self,
                            guint               ms)
{
  g_return_if_fail (WIRE_IS_GATEWAY_SESSION (self));

  self->stall_until_us = g_get_monotonic_time () + (gint64) ms * 1000;
  wire_outbox_clear (self->outbox);
}

void
wire_gateway_session_clear_stall (WireGatewaySession *self)
{
  g_return_if_fail (WIRE_IS_GATEWAY_SESSION (self));

  self->stall_until_us = 0;
}

static void
send_error (WireGatewaySession *self,
            const char         *id,
            const char         *code,
            const char         *message,
            gint64              retry_after_ms)
{
  send_owned (self, wire_frame_build_error (id, code, message, retry_after_ms));
}

/* PROTOCOL.md §4: 20 bad frames within 10 s close the connection with 1008. */
static gboolean
count_bad_frame (WireGatewaySession *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 oldest;

  /* A ring of the last 20 times: after storing this one, the next slot holds the oldest. */
  self->bad_frames[self->bad_frame_next] = now;
  self->bad_frame_next = (self->bad_frame_next + 1) % WIRE_BAD_FRAME_FLOOD_COUNT;
  oldest = self->bad_frames[self->bad_frame_next];
  if (oldest != 0 && now - oldest <= (gint64) WIRE_BAD_FRAME_FLOOD_WINDOW_MS * 1000)
    {
      wire_gateway_log_event (self->gateway, self, "bad_frame_flood", NULL,
                              WIRE_CLOSE_POLICY_VIOLATION);
      wire_gateway_session_close (self, WIRE_CLOSE_POLICY_VIOLATION, "Too many bad frames");
      return TRUE;
    }
  return FALSE;
}

static void
bad_frame (WireGatewaySession *self,
           const char         *id,
           const char         *code,
           const char         *message)
{
  send_error (self, id, code, message, -1);
  count_bad_frame (self);
}

static void
refuse_auth (WireGatewaySession *self,
             const char         *code,
             const char         *message,
             int                 close_code)
{
  wire_gateway_log_event (self->gateway, self, "refused", code, close_code);
  send_owned (self, wire_frame_build_auth_error (code, message));
  wire_gateway_session_close (self, close_code, message);
}

static void
fill_identity (WireGatewaySession *self,
               WireIdentity       *who)
{
  memset (who, 0, sizeof *who);
  who->user_id = self->claims->sub;
  who->is_admin = wire_jwt_claims_is_admin (self->claims);
  who->trips = (const char * const *) self->claims->trips;
  who->sessions = (const char * const *) self->claims->sessions;
  who->session_id = self->session_id;
}

/* Subscribes to @channel when policy allows it; otherwise appends {channel, reason} to
 * @denied (a JSON array being written). */
static gboolean
try_subscribe (WireGatewaySession *self,
               const char         *channel,
               GString            *denied,
               GPtrArray          *added)
{
  WireChannelPolicy *policy = wire_gateway_get_policy (self->gateway);
  const WireGatewayConfig *config = wire_gateway_get_config (self->gateway);
  g_autoptr (GError) error = NULL;
  WireIdentity who;
  gboolean read_only = FALSE;
  Subscription *sub;

  fill_identity (self, &who);
  if (!wire_channel_policy_can_subscribe (policy, channel, &who, &read_only, &error))
    {
      if (denied->str[denied->len - 1] != '[')
        g_string_append_c (denied, ',');
      g_string_append (denied, "{\"channel\":");
      wire_json_append_string (denied, channel);
      g_string_append (denied, ",\"reason\":");
      wire_json_append_string (denied, "forbidden");
      g_string_append_c (denied, '}');
      return FALSE;
    }

  if (g_hash_table_contains (self->channels, channel))
    return TRUE;

  sub = g_new0 (Subscription, 1);
  sub->read_only = read_only;
  if (config->rate_limits && !read_only)
    {
      const WireChannelRule *rule = wire_channel_policy_lookup (policy, channel);

      if (rule != NULL && rule->rate_per_sec > 0)
        {
          sub->limited = TRUE;
          wire_token_bucket_init (&sub->bucket, rule->rate_per_sec, rule->burst,
                                  g_get_monotonic_time ());
        }
    }
  g_hash_table_insert (self->channels, g_strdup (channel), sub);
  g_ptr_array_add (added, g_strdup (channel));
  return TRUE;
}

/* The router learns of new subscriptions only after the reply went out, so that whatever the
 * services send a newcomer (a snapshot, a presence list) arrives after auth_ok/subscribed. */
static void
announce_subscriptions (WireGatewaySession *self,
                        GPtrArray          *added)
{
  WireMessageRouter *router = wire_gateway_get_router (self->gateway);

  for (guint i = 0; i < added->len; i++)
    if (g_hash_table_contains (self->channels, g_ptr_array_index (added, i)))
      wire_message_router_subscribe (router, self, g_ptr_array_index (added, i));
}

/* The channel an endpoint is about, subscribed when the auth request names none. */
static char *
default_channel (WireGatewaySession *self)
{
  switch (self->kind)
    {
    case WIRE_ENDPOINT_CHAT:
      return g_strconcat ("chat:", self->slot_id, NULL);
    case WIRE_ENDPOINT_AGENT_STATUS:
      return g_strconcat ("agent:", self->slot_id, NULL);
    case WIRE_ENDPOINT_TRIP_COLLAB:
      return g_strconcat ("trip:", self->slot_id, NULL);
    case WIRE_ENDPOINT_NOTIFICATIONS:
      return g_strconcat ("notifications:", self->slot_id, NULL);
    case WIRE_ENDPOINT_ADMIN:
    default:
      return g_strdup ("admin:sessions");
    }
}

static gboolean
strv_contains_opt (char       **strv,
                   const char  *str)
{
  return strv != NULL && g_strv_contains ((const char * const *) strv, str);
}

/* Called by the gateway's single sweep timer (one timer for thousands of connections costs far
 * less than one each): the auth timeout (4008) and the idle close (4010). */
void
wire_gateway_session_check_timeouts (WireGatewaySession *self,
                                     gint64              now_us)
{
  const WireGatewayConfig *config;

  g_return_if_fail (WIRE_IS_GATEWAY_SESSION (self));

  config = wire_gateway_get_config (self->gateway);
  if (self->state == STATE_AWAITING_AUTH
      && now_us - self->started_us >= (gint64) config->auth_timeout_ms * 1000)
    {
      wire_gateway_log_event (self->gateway, self, "refused", "auth_timeout",
                              WIRE_CLOSE_AUTH_TIMEOUT);
      wire_gateway_session_close (self, WIRE_CLOSE_AUTH_TIMEOUT, "No auth request in time");
    }
  else if (self->state == STATE_OPEN)
    {
      gint64 idle_us = (gint64) config->heartbeat_interval_ms * WIRE_IDLE_HEARTBEATS * 1000;
      gint64 since = MAX (self->last_rx_us, self->stall_until_us);

      if (now_us - since >= idle_us)
        {
          wire_gateway_log_event (self->gateway, self, "idle", NULL, WIRE_CLOSE_IDLE);
          wire_gateway_session_close (self, WIRE_CLOSE_IDLE, "Idle");
        }
    }
}

static void
handle_auth (WireGatewaySession *self,
             const char         *data,
             gsize               len)
{
  const WireGatewayConfig *config = wire_gateway_get_config (self->gateway);
  g_autoptr (WireEnvelope) env = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) requested = NULL;
  g_autoptr (GString) frame = NULL;
  g_autoptr (GString) denied = NULL;
  g_autoptr (GPtrArray) granted = NULL;
  g_autoptr (GPtrArray) added = g_ptr_array_new_with_free_func (g_free);
  gboolean can_write = FALSE;
  const char *refusal = NULL;
  int code = 0;

  env = wire_envelope_parse (data, len, NULL);
  self->claims = wire_gateway_authenticate (config->secret, self->kind, self->slot_id, env,
                                            &refusal, &code, &error);
  if (self->claims == NULL)
    {
      refuse_auth (self, refusal, error->message, code);
      return;
    }
  if (wire_envelope_has_member (env, "channels"))
    requested = wire_envelope_dup_member_strv (env, "channels");

  if (self->kind == WIRE_ENDPOINT_CHAT)
    self->session_id = g_strdup (self->slot_id);
  else if (env->session_id != NULL
           && (self->claims->sessions == NULL
               || strv_contains_opt (self->claims->sessions, env->session_id)))
    self->session_id = g_strdup (env->session_id);

  if (!wire_gateway_admit (self->gateway, self, &code))
    {
      refuse_auth (self, "slot_full", "The connection limit of this slot is reached", code);
      return;
    }

  self->state = STATE_OPEN;
  if (requested == NULL)
    {
      requested = g_new0 (char *, 2);
      requested[0] = default_channel (self);
    }

  granted = g_ptr_array_new ();
  denied = g_string_new ("[");
  for (guint i = 0; requested[i] != NULL; i++)
    if (try_subscribe (self, requested[i], denied, added))
      {
        Subscription *sub = g_hash_table_lookup (self->channels, requested[i]);
        const WireChannelRule *rule;

        g_ptr_array_add (granted, requested[i]);
        rule = wire_channel_policy_lookup (wire_gateway_get_policy (self->gateway), requested[i]);
        if (rule != NULL && rule->can_publish && !sub->read_only)
          can_write = TRUE;
      }
  g_string_append_c (denied, ']');
  g_ptr_array_add (granted, NULL);

  frame = g_string_new ("{\"type\":\"auth_ok\",\"success\":true,\"userId\":");
  wire_json_append_string (frame, self->claims->sub);
  g_string_append (frame, ",\"sessionId\":");
  if (self->session_id != NULL)
    wire_json_append_string (frame, self->session_id);
  else
    g_string_append (frame, "null");
  g_string_append (frame, ",\"connectionId\":");
  wire_json_append_string (frame, self->connection_id);
  g_string_append (frame, ",\"availableChannels\":");
  wire_json_append_strv (frame, (const char * const *) granted->pdata);
  g_string_append (frame, ",\"deniedChannels\":");
  g_string_append_len (frame, denied->str, denied->len);
  g_string_append_printf (frame,
                          ",\"permissions\":[\"read\"%s],\"heartbeatIntervalMs\":%u,"
                          "\"maxMessageBytes\":%u,\"serverTime\":%" G_GINT64_FORMAT "}",
                          can_write ? ",\"write\"" : "", config->heartbeat_interval_ms,
                          config->max_message_bytes, now_ms ());
  wire_gateway_session_send_text (self, frame->str, frame->len);
  announce_subscriptions (self, added);
  /* Resume extension: replays what this client missed, after auth_ok, before live messages. */
  wire_message_router_resume (wire_gateway_get_router (self->gateway), self, env);

  wire_gateway_log_event (self->gateway, self, "authenticated", NULL, 0);
  g_signal_emit (self, signals[SIGNAL_AUTHENTICATED], 0);
}

static void
handle_channels (WireGatewaySession *self,
                 WireEnvelope       *env,
                 gboolean            subscribe)
{
  g_auto (GStrv) channels = wire_envelope_dup_member_strv (env, "channels");
  g_autoptr (GString) frame = NULL;
  g_autoptr (GPtrArray) done = NULL;
  g_autoptr (GPtrArray) added = g_ptr_array_new_with_free_func (g_free);

  if (channels == NULL)
    {
      bad_frame (self, NULL, "bad_frame", "channels must be an array of strings");
      return;
    }
  if (g_strv_length (channels) > 256)
    {
      send_error (self, NULL, "too_large", "At most 256 channels per request", -1);
      return;
    }

  done = g_ptr_array_new ();
  if (subscribe)
    {
      g_autoptr (GString) denied = g_string_new ("[");

      for (guint i = 0; channels[i] != NULL; i++)
        if (try_subscribe (self, channels[i], denied, added))
          g_ptr_array_add (done, channels[i]);
      g_string_append_c (denied, ']');
      g_ptr_array_add (done, NULL);
      frame = g_string_new ("{\"type\":\"subscribed\",\"channels\":");
      wire_json_append_strv (frame, (const char * const *) done->pdata);
      g_string_append (frame, ",\"denied\":");
      g_string_append_len (frame, denied->str, denied->len);
      g_string_append_c (frame, '}');
    }
  else
    {
      for (guint i = 0; channels[i] != NULL; i++)
        if (g_hash_table_remove (self->channels, channels[i]))
          {
            wire_message_router_unsubscribe (wire_gateway_get_router (self->gateway), self,
                                             channels[i]);
            g_ptr_array_add (done, channels[i]);
          }
      g_ptr_array_add (done, NULL);
      frame = g_string_new ("{\"type\":\"unsubscribed\",\"channels\":");
      wire_json_append_strv (frame, (const char * const *) done->pdata);
      g_string_append_c (frame, '}');
    }
  wire_gateway_session_send_text (self, frame->str, frame->len);
  announce_subscriptions (self, added);
  /* Resume extension: replays what this client missed, after "subscribed". */
  if (subscribe)
    wire_message_router_resume (wire_gateway_get_router (self->gateway), self, env);
}

static void
handle_publish (WireGatewaySession *self,
                WireEnvelope       *env)
{
  WireMessageRouter *router = wire_gateway_get_router (self->gateway);
  g_autoptr (GError) error = NULL;
  Subscription *sub;
  const char *payload;
  gsize payload_len = 0;
  gint64 retry_after_ms = 0;

  if (env->id == NULL || env->id[0] == '\0' || env->channel == NULL || env->event == NULL)
    {
      bad_frame (self, env->id, "bad_frame", "A publish needs id, channel and event");
      return;
    }
  if (strlen (env->id) > WIRE_MAX_PUBLISH_ID_LEN)
    {
      send_error (self, NULL, "too_large", "A publish id has at most 128 characters", -1);
      return;
    }
  payload = wire_envelope_peek_member (env, "payload", &payload_len);
  if ((payload != NULL && (payload_len == 0 || payload[0] != '{'))
      || (wire_envelope_has_member (env, "priority") && !env->has_priority))
    {
      bad_frame (self, env->id, "bad_frame", "payload must be an object and priority one of "
                                             "critical, high, normal, low");
      return;
    }

  sub = g_hash_table_lookup (self->channels, env->channel);
  if (sub == NULL)
    {
      send_error (self, env->id, "not_subscribed", "Subscribe to the channel before publishing",
                  -1);
      return;
    }
  if (sub->read_only)
    {
      send_error (self, env->id, "publish_denied", "An admin subscription is read-only", -1);
      return;
    }
  if (!wire_channel_policy_can_publish (wire_gateway_get_policy (self->gateway), env->channel,
                                        env->event, &error))
    {
      send_error (self, env->id, wire_error_to_wire_code (error->code), error->message, -1);
      return;
    }

  /* A re-sent id costs no rate token: it is answered, never delivered again. */
  if (wire_message_router_is_duplicate (router, self->claims->sub, env->id))
    {
      send_owned (self, wire_frame_build_ack (env->id, "duplicate"));
      return;
    }
  if (sub->limited && !wire_token_bucket_take (&sub->bucket, g_get_monotonic_time (),
                                               &retry_after_ms))
    {
      send_error (self, env->id, "rate_limited", "Too many messages on this channel",
                  MAX (retry_after_ms, 1));
      return;
    }

  send_owned (self, wire_frame_build_ack (env->id, "ok"));
  wire_message_router_publish (router, self, env);
}

static void
handle_frame (WireGatewaySession *self,
              const char         *data,
              gsize               len)
{
  g_autoptr (WireEnvelope) env = NULL;
  g_autoptr (GError) error = NULL;

  env = wire_envelope_parse (data, len, &error);
  if (env == NULL)
    {
      bad_frame (self, NULL, "bad_frame", error->message);
      return;
    }

  switch (env->frame_type)
    {
    case WIRE_FRAME_HEARTBEAT:
      send_owned (self, wire_frame_build_heartbeat_ack (env->ts, now_ms ()));
      break;
    case WIRE_FRAME_SUBSCRIBE:
      handle_channels (self, env, TRUE);
      break;
    case WIRE_FRAME_UNSUBSCRIBE:
      handle_channels (self, env, FALSE);
      break;
    case WIRE_FRAME_PUBLISH:
      handle_publish (self, env);
      break;
    case WIRE_FRAME_AUTH:
      bad_frame (self, NULL, "bad_frame", "Already authenticated");
      break;
    case WIRE_FRAME_UNKNOWN:
    case WIRE_FRAME_AUTH_OK:
    case WIRE_FRAME_AUTH_ERROR:
    case WIRE_FRAME_HEARTBEAT_ACK:
    case WIRE_FRAME_SUBSCRIBED:
    case WIRE_FRAME_UNSUBSCRIBED:
    case WIRE_FRAME_ACK:
    case WIRE_FRAME_MESSAGE:
    case WIRE_FRAME_ERROR:
    default:
      if (env->type_name == NULL)
        bad_frame (self, NULL, "bad_frame", "The frame has no type");
      else
        bad_frame (self, NULL, "unknown_type", "The gateway does not accept this frame type");
      break;
    }
}

static void
ws_message_cb (SoupWebsocketConnection *ws,
               SoupWebsocketDataType    type,
               GBytes                  *message,
               WireGatewaySession      *self)
{
  G_GNUC_UNUSED g_autoptr (WireGatewaySession) hold = g_object_ref (self);
  WireAdminFeed *feed;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  gint64 now = g_get_monotonic_time ();

  if (self->state != STATE_OPEN && self->state != STATE_AWAITING_AUTH)
    return;
  if (self->stall_until_us > now)
    return;

  self->last_rx_us = now;
  self->messages_in++;
  self->bytes_in += len;
  self->last_message_at_ms = now_ms ();
  feed = wire_gateway_get_admin_feed (self->gateway);
  if (feed != NULL && self->state == STATE_OPEN)
    wire_admin_feed_touch (feed, self);

  if (len > wire_gateway_get_config (self->gateway)->max_message_bytes)
    {
      wire_gateway_log_event (self->gateway, self, "too_big", NULL, WIRE_CLOSE_TOO_BIG);
      wire_gateway_session_close (self, WIRE_CLOSE_TOO_BIG, "Frame larger than maxMessageBytes");
      return;
    }
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      wire_gateway_log_event (self->gateway, self, "binary_frame", NULL,
                              WIRE_CLOSE_UNSUPPORTED_DATA);
      wire_gateway_session_close (self, WIRE_CLOSE_UNSUPPORTED_DATA, "Binary frames are not "
                                                                     "accepted");
      return;
    }

  if (self->state == STATE_AWAITING_AUTH)
    handle_auth (self, data, len);
  else
    handle_frame (self, data, len);
}

static void
ws_error_cb (SoupWebsocketConnection *ws,
             GError                  *error,
             WireGatewaySession      *self)
{
  g_debug ("%s: %s", self->connection_id, error->message);
}

void
wire_gateway_session_start (WireGatewaySession *self,
                            int                 refuse_code,
                            const char         *refuse_reason)
{
  const WireGatewayConfig *config;

  g_return_if_fail (WIRE_IS_GATEWAY_SESSION (self));

  config = wire_gateway_get_config (self->gateway);
  g_signal_connect (self->ws, "message", G_CALLBACK (ws_message_cb), self);
  g_signal_connect (self->ws, "closed", G_CALLBACK (ws_closed_cb), self);
  g_signal_connect (self->ws, "error", G_CALLBACK (ws_error_cb), self);
  /* libsoup's own limit closes before the frame was read, and the unread rest turns the close
   * into a reset the client never sees as 1009. So libsoup only stops what is absurd, and a
   * frame past maxMessageBytes is read in full and closed with 1009 here. */
  soup_websocket_connection_set_max_incoming_payload_size (
    self->ws, MAX ((guint64) config->max_message_bytes * 4, 1024 * 1024));
  soup_websocket_connection_set_keepalive_interval (self->ws, 0);

  if (refuse_code != 0)
    {
      refuse_auth (self, "forbidden", refuse_reason, refuse_code);
      return;
    }
  self->started_us = g_get_monotonic_time ();
}

static void
wire_gateway_session_dispose (GObject *object)
{
  WireGatewaySession *self = WIRE_GATEWAY_SESSION (object);

  g_clear_handle_id (&self->close_guard_id, g_source_remove);
  g_clear_pointer (&self->outbox, wire_outbox_free);
  if (self->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ws, self);
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, WIRE_CLOSE_GOING_AWAY, NULL);
      g_clear_object (&self->ws);
    }
  if (self->state != STATE_CLOSED && self->channels != NULL)
    unsubscribe_all (self);

  G_OBJECT_CLASS (wire_gateway_session_parent_class)->dispose (object);
}

static void
wire_gateway_session_finalize (GObject *object)
{
  WireGatewaySession *self = WIRE_GATEWAY_SESSION (object);

  g_clear_pointer (&self->channels, g_hash_table_unref);
  g_clear_pointer (&self->claims, wire_jwt_claims_free);
  g_free (self->slot_id);
  g_free (self->path);
  g_free (self->remote);
  g_free (self->connection_id);
  g_free (self->session_id);

  G_OBJECT_CLASS (wire_gateway_session_parent_class)->finalize (object);
}

static void
wire_gateway_session_class_init (WireGatewaySessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wire_gateway_session_dispose;
  object_class->finalize = wire_gateway_session_finalize;

  signals[SIGNAL_AUTHENTICATED] = g_signal_new ("authenticated", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 0);
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
wire_gateway_session_init (WireGatewaySession *self)
{
  static guint counter;

  self->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->connection_id = g_strdup_printf ("c-%u-%08x", ++counter, g_random_int ());
  self->connected_at_ms = now_ms ();
  self->last_rx_us = g_get_monotonic_time ();
}

WireGatewaySession *
wire_gateway_session_new (WireGateway             *gateway,
                          SoupWebsocketConnection *ws,
                          GSocket                 *socket,
                          WireEndpointKind         kind,
                          const char              *slot_id,
                          const char              *remote)
{
  WireGatewaySession *self;

  g_return_val_if_fail (WIRE_IS_GATEWAY (gateway), NULL);
  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (ws), NULL);

  self = g_object_new (WIRE_TYPE_GATEWAY_SESSION, NULL);
  self->gateway = gateway;
  self->ws = g_object_ref (ws);
  self->outbox = wire_outbox_new (ws, socket, pushed_cb, self);
  self->kind = kind;
  self->slot_id = g_strdup (slot_id);
  self->remote = g_strdup (remote);
  self->path = wire_endpoint_build_path (kind, slot_id);
  return self;
}

const char *
wire_gateway_session_get_connection_id (WireGatewaySession *self)
{
  g_return_val_if_fail (WIRE_IS_GATEWAY_SESSION (self), NULL);
  return self->connection_id;
}

const char *
wire_gateway_session_get_user_id (WireGatewaySession *self)
{
  g_return_val_if_fail (WIRE_IS_GATEWAY_SESSION (self), NULL);
  return self->claims != NULL ? self->claims->sub : NULL;
}

const char *
wire_gateway_session_get_session_id (WireGatewaySession *self)
{
  g_return_val_if_fail (WIRE_IS_GATEWAY_SESSION (self), NULL);
  return self->session_id;
}

const char *
wire_gateway_session_get_slot_id (WireGatewaySession *self)
{
  g_return_val_if_fail (WIRE_IS_GATEWAY_SESSION (self), NULL);
  return self->slot_id;
}

WireEndpointKind
wire_gateway_session_get_kind (WireGatewaySession *self)
{
  g_return_val_if_fail (WIRE_IS_GATEWAY_SESSION (self), WIRE_ENDPOINT_ADMIN);
  return self->kind;
}

gboolean
wire_gateway_session_is_authenticated (WireGatewaySession *self)
{
  g_return_val_if_fail (WIRE_IS_GATEWAY_SESSION (self), FALSE);
  return self->state == STATE_OPEN;
}

gboolean
wire_gateway_session_is_admin (WireGatewaySession *self)
{
  g_return_val_if_fail (WIRE_IS_GATEWAY_SESSION (self), FALSE);
  return self->claims != NULL && wire_jwt_claims_is_admin (self->claims);
}

gboolean
wire_gateway_session_is_open (WireGatewaySession *self)
{
  g_return_val_if_fail (WIRE_IS_GATEWAY_SESSION (self), FALSE);
  return self->state == STATE_OPEN || self->state == STATE_AWAITING_AUTH;
}

gboolean
wire_gateway_session_has_channel (WireGatewaySession *self,
                                  const char         *channel)
{
  g_return_val_if_fail (WIRE_IS_GATEWAY_SESSION (self), FALSE);
  return g_hash_table_contains (self->channels, channel);
}

gsize
wire_gateway_session_get_queued_bytes (WireGatewaySession *self)
{
  g_return_val_if_fail (WIRE_IS_GATEWAY_SESSION (self), 0);
  return self->outbox != NULL ? wire_outbox_get_queued_bytes (self->outbox) : 0;
}

static void
append_nullable (GString    *out,
                 const char *str)
{
  if (str != NULL)
    wire_json_append_string (out, str);
  else
    g_string_append (out, "null");
}

void
wire_gateway_session_append_json (WireGatewaySession *self,
                                  GString            *out)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (WIRE_IS_GATEWAY_SESSION (self));

  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);

  g_string_append (out, "{\"connectionId\":");
  wire_json_append_string (out, self->connection_id);
  g_string_append (out, ",\"type\":");
  wire_json_append_string (out, wire_endpoint_kind_to_string (self->kind));
  g_string_append (out, ",\"path\":");
  append_nullable (out, self->path);
  g_string_append (out, ",\"userId\":");
  append_nullable (out, wire_gateway_session_get_user_id (self));
  g_string_append (out, ",\"sessionId\":");
  append_nullable (out, self->session_id);
  g_string_append (out, ",\"channels\":");
  wire_json_append_strv (out, (const char * const *) names->pdata);
  g_string_append_printf (out,
                          ",\"connectedAt\":%" G_GINT64_FORMAT ",\"lastMessageAt\":%" G_GINT64_FORMAT
                          ",\"messagesIn\":%" G_GUINT64_FORMAT ",\"messagesOut\":%" G_GUINT64_FORMAT
                          ",\"bytesIn\":%" G_GUINT64_FORMAT ",\"bytesOut\":%" G_GUINT64_FORMAT
                          ",\"remote\":",
                          self->connected_at_ms, self->last_message_at_ms, self->messages_in,
                          self->messages_out, self->bytes_in, self->bytes_out);
  append_nullable (out, self->remote);
  g_string_append_c (out, '}');
}

static gboolean
has_exactly_channels (WireGatewaySession *self,
                      const char * const *channels)
{
  guint n = 0;

  for (; channels[n] != NULL; n++)
    if (!g_hash_table_contains (self->channels, channels[n]))
      return FALSE;
  return g_hash_table_size (self->channels) == n;
}

void
wire_gateway_session_reset_for_testing (WireGatewaySession *self,
                                        const char * const *channels)
{
  GHashTableIter iter;
  Subscription *sub;
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (WIRE_IS_GATEWAY_SESSION (self));
  g_return_if_fail (channels != NULL);

  memset (self->bad_frames, 0, sizeof self->bad_frames);
  self->bad_frame_next = 0;
  if (self->state != STATE_OPEN)
    return;

  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &sub))
    if (sub->limited)
      wire_token_bucket_init (&sub->bucket, sub->bucket.rate, sub->bucket.burst, now);

  if (!has_exactly_channels (self, channels))
    {
      g_autoptr (GString) denied = g_string_new ("[");
      g_autoptr (GPtrArray) added = g_ptr_array_new_with_free_func (g_free);

      unsubscribe_all (self);
      for (guint i = 0; channels[i] != NULL; i++)
        try_subscribe (self, channels[i], denied, added);
      announce_subscriptions (self, added);
    }
}
