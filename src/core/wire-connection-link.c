#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* WireConnection's link: one attempt at opening the WebSocket (token, upgrade, auth frame),
 * writing to it, keeping it alive (heartbeats, half-open detection, idle timeout) and ending it.
 * What follows a lost link is the state machine's decision, in wire-connection.c. */

#include "config.h"

#include <string.h>

#include "wire-connection-private.h"
#include "wire-handshake.h"

/* Writing and teardown */

gboolean
wire_connection_send_text (WireConnection *self,
                           const char     *text,
                           gsize           len)
{
  if (!wire_link_send_text (self->link, text, len))
    return FALSE;

  self->bytes_sent += len;
  return TRUE;
}

gboolean
wire_connection_send_owned_text (WireConnection *self,
                                 char           *text)
{
  gboolean ret = wire_connection_send_text (self, text, strlen (text));

  g_free (text);
  return ret;
}

static void
stop_timers (WireConnection *self)
{
  g_clear_handle_id (&self->connect_timeout_source, g_source_remove);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  wire_heartbeat_stop (&self->heartbeat);
}

/* Ends the link, if any, without deciding what comes next. An upgrade in progress is
 * cancelled; an open socket is closed with @code, and the I/O thread runs its close handshake
 * so that the gateway sees the code. */
void
wire_connection_teardown_link (WireConnection *self,
                               gushort         code,
                               const char     *reason)
{
  stop_timers (self);

  if (self->link != NULL)
    wire_link_close (g_steal_pointer (&self->link), code, reason);

  wire_message_queue_set_online (self->queue, FALSE);
}

/* Heartbeats, half-open detection, idle timeout */

static void
heartbeat_send_cb (gint64   ts,
                   gpointer user_data)
{
  WireConnection *self = user_data;

  wire_connection_send_owned_text (self, wire_frame_build_heartbeat (ts));
}

static void
heartbeat_dead_cb (guint    timeout_ms,
                   gpointer user_data)
{
  WireConnection *self = user_data;
  g_autofree char *reason = NULL;
  gint64 read_us = self->link != NULL ? wire_link_get_last_read_us (self->link) : 0;

  /* Frames were read within the timeout and wait for this thread: the link is alive. Tearing
   * it down would drop them, and the gateway would send them again on resume. The next
   * heartbeat arms the watchdog again. */
  if (read_us > 0 && g_get_monotonic_time () - read_us < (gint64) timeout_ms * 1000)
    {
      wire_heartbeat_saw_traffic (&self->heartbeat, read_us);
      return;
    }

  reason = g_strdup_printf ("Nothing received for %u ms after a heartbeat (half-open link)",
                            timeout_ms);
  g_object_ref (self);
  wire_connection_handle_link_lost (self, WIRE_CLOSE_ABNORMAL, reason);
  g_object_unref (self);
}

/* The configured interval, else the gateway's, else the protocol's default. */
void
wire_connection_start_heartbeat (WireConnection *self)
{
  gint64 interval = wire_config_get_heartbeat_interval_ms (self->config);

  if (interval == 0)
    interval = self->gateway_heartbeat_ms > 0 ? self->gateway_heartbeat_ms
                                              : WIRE_DEFAULT_HEARTBEAT_MS;
  interval = MIN (interval, G_MAXUINT);
  if (self->heartbeat_interval_ms != interval)
    {
      self->heartbeat_interval_ms = interval;
      wire_connection_notify (self, WIRE_CONNECTION_PROP_HEARTBEAT_INTERVAL_MS);
    }
  wire_heartbeat_start (&self->heartbeat, (guint) interval,
                        wire_config_get_heartbeat_timeout_ms (self->config));
}

void
wire_connection_init_heartbeat (WireConnection *self)
{
  wire_heartbeat_init (&self->heartbeat, heartbeat_send_cb, heartbeat_dead_cb, self);
}

static gboolean
idle_cb (gpointer user_data)
{
  WireConnection *self = user_data;
  gint64 idle_ms = wire_config_get_idle_timeout_ms (self->config);
  gint64 quiet_ms = (g_get_monotonic_time () - self->last_activity_us) / 1000;
  g_autofree char *reason = NULL;

  self->idle_source = 0;
  if (idle_ms == 0)
    return G_SOURCE_REMOVE;
  if (quiet_ms < idle_ms)
    {
      wire_connection_schedule_idle_check (self, idle_ms - quiet_ms);
      return G_SOURCE_REMOVE;
    }

  reason = g_strdup_printf ("No messages for %" G_GINT64_FORMAT " ms (idle timeout)", idle_ms);
  wire_connection_teardown_link (self, SOUP_WEBSOCKET_CLOSE_NORMAL, "idle");
  wire_connection_set_last_close_code (self, WIRE_CLOSE_NORMAL);
  wire_connection_set_state (self, WIRE_CONNECTION_DISCONNECTED, WIRE_CLOSE_NORMAL, reason, 0, -1);
  return G_SOURCE_REMOVE;
}

void
wire_connection_schedule_idle_check (WireConnection *self,
                                     gint64          delay_ms)
{
  g_clear_handle_id (&self->idle_source, g_source_remove);
  if (wire_config_get_idle_timeout_ms (self->config) > 0)
    self->idle_source = g_timeout_add ((guint) MAX (delay_ms, 1), idle_cb, self);
}

/* Opening the link */

static gboolean
connect_timeout_cb (gpointer user_data)
{
  WireConnection *self = user_data;
  g_autofree char *reason = NULL;

  self->connect_timeout_source = 0;
  reason = g_strdup_printf ("No answer within %u ms (open and authentication)",
                            wire_config_get_connect_timeout_ms (self->config));
  self->errors++;
  g_object_ref (self);
  wire_connection_handle_link_lost (self, 0, reason);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void
link_open_failed_cb (guint         status,
                     const char   *reason_phrase,
                     const GError *error,
                     gpointer      user_data)
{
  WireConnection *self = user_data;
  g_autofree char *reason = NULL;

  /* Nothing follows on this link. */
  wire_link_close (g_steal_pointer (&self->link), 0, NULL);

  self->errors++;
  if (status >= 400)
    reason = g_strdup_printf ("The gateway refused the upgrade: HTTP %u %s", status,
                              reason_phrase ? reason_phrase : "");
  else
    reason = g_strdup_printf ("Cannot connect: %s", error ? error->message : "unknown error");

  g_object_ref (self);
  /* A path, user or Origin the gateway refuses stays refused; anything else may pass. */
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN ||
      status == SOUP_STATUS_NOT_FOUND)
    wire_connection_enter_error (self, 0, reason);
  else
    wire_connection_handle_link_lost (self, 0, reason);
  g_object_unref (self);
}

static void
link_opened_cb (gpointer user_data)
{
  WireConnection *self = user_data;
  g_autofree char *auth = NULL;

  self->peer_close_code = 0;
  wire_heartbeat_saw_traffic (&self->heartbeat, g_get_monotonic_time ());

  auth = wire_connection_build_auth_frame (self);
  wire_connection_send_text (self, auth, strlen (auth));

  wire_connection_set_state (self, WIRE_CONNECTION_AUTHENTICATING, 0, NULL,
                             wire_backoff_get_attempt (self->backoff), -1);
}

static const WireLinkCallbacks link_callbacks = {
  .opened = link_opened_cb,
  .open_failed = link_open_failed_cb,
  .frame = wire_connection_receive_frame,
  .error = wire_connection_receive_error,
  .closed = wire_connection_receive_closed,
};

void
wire_connection_open_direct_link (WireConnection          *self,
                                  SoupWebsocketConnection *ws)
{
  wire_connection_teardown_link (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  self->link = wire_link_new_direct (ws, &link_callbacks, self);
  link_opened_cb (self);
}

void
wire_connection_start_attempt (WireConnection *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  gboolean refresh = self->refresh_pending;
  SoupMessage *msg;
  guint timeout_ms;

  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  self->waiting_for_network = FALSE;

  if (self->monitor != NULL &&
      wire_network_monitor_get_status (self->monitor) == WIRE_NETWORK_OFFLINE)
    {
      self->waiting_for_network = TRUE;
      wire_network_monitor_probe_now (self->monitor);
      wire_connection_set_state (self, WIRE_CONNECTION_RECONNECTING, 0, "Waiting for the network",
                                 wire_backoff_get_attempt (self->backoff), -1);
      return;
    }

  wire_connection_teardown_link (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);

  self->refresh_pending = FALSE;
  token = wire_connection_obtain_token (self, refresh);
  if (token == NULL || *token == '\0')
    {
      wire_connection_enter_error (self, refresh ? WIRE_CLOSE_INVALID_TOKEN : 0,
                                   refresh
                                     ? "The token was refused and the token source has no new one"
                                     : "No token: set a token or a token source");
      return;
    }
  g_free (self->current_token);
  self->current_token = g_steal_pointer (&token);
  wire_connection_update_claims (self, self->current_token);
  g_clear_pointer (&self->auth_error, g_free);

  msg = wire_handshake_build_message (self->uri, self->config, &error);
  if (msg == NULL)
    {
      wire_connection_enter_error (self, 0, error->message);
      return;
    }

  if (self->state == WIRE_CONNECTION_RECONNECTING)
    self->reconnects_total++;

  timeout_ms = wire_config_get_connect_timeout_ms (self->config);
  if (timeout_ms > 0)
    self->connect_timeout_source = g_timeout_add (timeout_ms, connect_timeout_cb, self);

  self->link = wire_link_open (msg, self->max_incoming, &link_callbacks, self);

  wire_connection_set_state (self, WIRE_CONNECTION_CONNECTING, 0, NULL,
                             wire_backoff_get_attempt (self->backoff), -1);
}

