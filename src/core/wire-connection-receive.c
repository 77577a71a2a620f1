#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* WireConnection's receive path: every frame the gateway sends, parsed once and dispatched;
 * deliveries take a fast path of their own. */

#include "config.h"

#include <string.h>

#include "wire-connection-private.h"

static void
handle_error_frame (WireConnection *self,
                    WireEnvelope   *env)
{
  self->errors++;
  /* Resume extension: the gateway no longer keeps what was missed on this channel (counted as
   * an error, with a message); continue from where the channel stands now. */
  if (env->id == NULL && g_strcmp0 (env->code, "resume_gap") == 0)
    wire_connection_note_resume_seq (self, env, env->channel);
  if (env->id != NULL)
    {
      wire_message_queue_handle_error (self->queue, env->id, env->code, env->message,
                                       env->retry_after_ms);
    }
  else
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf ("Gateway error %s: %s", env->code ? env->code : "?",
                                 env->message ? env->message : "");
      wire_connection_set_last_error (self, message);
    }
}

/* The hot path: one delivered message. No allocation beyond the envelope and the dedup entry,
 * no GObject notify; the signal is emitted only when somebody listens. */
static inline void
handle_delivery (WireConnection *self,
                 WireEnvelope   *env,
                 gint64          now_us)
{
  wire_connection_note_resume_seq (self, env, env->channel);
  if (env->id != NULL &&
      wire_dedup_cache_check_and_insert (self->dedup, env->id, now_us / 1000))
    {
      self->dedup_hits++;
      return;
    }

  self->messages_received++;
  self->last_message_us = now_us;
  self->last_activity_us = now_us;

  if (env->channel != NULL)
    {
      WireChannelEntry *entry = self->last_entry;

      /* Deliveries come in runs on one channel: a compare is cheaper than a hash. */
      if (entry == NULL || strcmp (entry->channel, env->channel) != 0)
        {
          entry = g_hash_table_lookup (self->channel_stats, env->channel);
          if (G_UNLIKELY (entry == NULL))
            entry = wire_connection_ensure_channel (self, env->channel);
          self->last_entry = entry;
        }
      entry->messages_in++;
      entry->last_event_us = now_us;
      if (env->event != NULL &&
          (entry->last_event == NULL || strcmp (entry->last_event, env->event) != 0))
        {
          g_free (entry->last_event);
          entry->last_event = g_strdup (env->event);
        }
    }

  /* Last: a handler may drop the last reference to the connection. GLib's emission checks
   * for handlers itself, so a has_handler_pending() first would only lock twice. */
  g_signal_emit (self, wire_connection_signals[WIRE_CONNECTION_SIGNAL_MESSAGE], 0, env);
}

static void
handle_control_frame (WireConnection *self,
                      WireEnvelope   *env,
                      gint64          now_us)
{
  if (self->state == WIRE_CONNECTION_AUTHENTICATING)
    {
      if (env->frame_type == WIRE_FRAME_AUTH_OK && env->success != 0)
        wire_connection_handle_auth_ok (self, env);
      else if (env->frame_type == WIRE_FRAME_AUTH_ERROR ||
               (env->frame_type == WIRE_FRAME_AUTH_OK && env->success == 0))
        wire_connection_handle_auth_error (self, env);
      else
        g_debug ("Ignoring a %s frame before authentication",
                 env->type_name ? env->type_name : "typeless");
      return;
    }

  if (self->state != WIRE_CONNECTION_CONNECTED)
    return;

  switch (env->frame_type)
    {
    case WIRE_FRAME_HEARTBEAT_ACK:
      wire_heartbeat_ack (&self->heartbeat, env->ts, now_us);
      break;
    case WIRE_FRAME_ACK:
      if (env->id != NULL)
        wire_message_queue_handle_ack (self->queue, env->id, env->status ? env->status : "ok");
      break;
    case WIRE_FRAME_ERROR:
      handle_error_frame (self, env);
      break;
    case WIRE_FRAME_SUBSCRIBED:
      wire_connection_handle_subscription_answer (self, env, TRUE);
      break;
    case WIRE_FRAME_UNSUBSCRIBED:
      wire_connection_handle_subscription_answer (self, env, FALSE);
      break;
    case WIRE_FRAME_MESSAGE:
    case WIRE_FRAME_UNKNOWN:
    case WIRE_FRAME_AUTH:
    case WIRE_FRAME_AUTH_OK:
    case WIRE_FRAME_AUTH_ERROR:
    case WIRE_FRAME_HEARTBEAT:
    case WIRE_FRAME_SUBSCRIBE:
    case WIRE_FRAME_UNSUBSCRIBE:
    case WIRE_FRAME_PUBLISH:
    default:
      /* Unknown or client-side frame types are ignored (forward compatibility). */
      break;
    }
}

void
wire_connection_receive_frame (int       type,
                               GBytes   *message,
                               gint64    received_us,
                               gpointer  user_data)
{
  WireConnection *self = user_data;
  g_autoptr(WireEnvelope) env = NULL;
  g_autoptr(GError) error = NULL;
  guint frame_signal = wire_connection_signals[WIRE_CONNECTION_SIGNAL_FRAME];
  /* When the I/O thread read it: heartbeat round trips and activity times do not include
   * the wait for this thread. */
  gint64 now_us = received_us;
  const char *data;
  gsize len;

  data = g_bytes_get_data (message, &len);
  wire_heartbeat_saw_traffic (&self->heartbeat, now_us);
  self->bytes_received += len;

  if (G_UNLIKELY (type != SOUP_WEBSOCKET_DATA_TEXT))
    {
      /* PROTOCOL.md: every frame is text. Count it and carry on. */
      self->errors++;
      g_debug ("%s: ignoring a binary frame of %" G_GSIZE_FORMAT " bytes", self->url, len);
      return;
    }

  env = wire_envelope_parse (data, len, &error);
  if (G_UNLIKELY (env == NULL))
    {
      self->errors++;
      g_debug ("%s: ignoring a bad frame: %s", self->url, error->message);
      return;
    }

  if (G_LIKELY (env->frame_type == WIRE_FRAME_MESSAGE &&
                self->state == WIRE_CONNECTION_CONNECTED))
    {
      /* The hot path touches nothing after the message signal (see handle_delivery). */
      if (g_signal_has_handler_pending (self, frame_signal, 0, FALSE))
        g_signal_emit (self, frame_signal, 0, env);
      handle_delivery (self, env, now_us);
      return;
    }

  /* A handler may drop the last reference to the connection. */
  g_object_ref (self);
  handle_control_frame (self, env, now_us);
  if (g_signal_has_handler_pending (self, frame_signal, 0, FALSE))
    g_signal_emit (self, frame_signal, 0, env);
  g_object_unref (self);
}

void
wire_connection_receive_error (const GError *error,
                               int           peer_close_code,
                               gpointer      user_data)
{
  WireConnection *self = user_data;

  /* libsoup 3.2 answers a close code it does not know (1012, 1013) with a protocol error and
   * later reports the code of the exchange that follows; the peer's own code was read when
   * the error came. */
  if (self->peer_close_code == 0)
    self->peer_close_code = peer_close_code;
  self->errors++;
  wire_connection_set_last_error (self, error->message);
}

void
wire_connection_receive_closed (int         close_code,
                                const char *close_data,
                                gpointer    user_data)
{
  WireConnection *self = user_data;
  int code = close_code;
  g_autofree char *reason = g_strdup (close_data);

  if (self->peer_close_code != 0 && self->peer_close_code != SOUP_WEBSOCKET_CLOSE_NO_STATUS)
    {
      code = self->peer_close_code;
      g_clear_pointer (&reason, g_free);
    }

  /* No close frame from the peer: the link simply went away. */
  if (code == 0 || code == SOUP_WEBSOCKET_CLOSE_NO_STATUS)
    code = WIRE_CLOSE_ABNORMAL;

  g_object_ref (self);
  wire_connection_handle_link_lost (self, code, reason);
  g_object_unref (self);
}
