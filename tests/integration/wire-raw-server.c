#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-protocol.h"
#include "wire-raw-server.h"

static void
send_owned (SoupWebsocketConnection *ws,
            char                    *text)
{
  if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (ws, text);
  g_free (text);
}

static void
handle_auth (WireRawServer           *self,
             SoupWebsocketConnection *ws,
             WireEnvelope            *env)
{
  const char *token = env->token ? env->token : "";
  g_auto(GStrv) channels = wire_envelope_dup_member_strv (env, "channels");

  self->auths++;
  g_ptr_array_add (self->tokens, g_strdup (token));
  g_free (self->last_auth_text);
  self->last_auth_text = g_strdup (wire_envelope_get_text (env, NULL));

  if (!self->answer_auth)
    return;

  if (g_str_has_prefix (token, "bad"))
    {
      send_owned (ws, wire_frame_build_auth_error ("invalid_token", "The token is not valid"));
      soup_websocket_connection_close (ws, WIRE_CLOSE_INVALID_TOKEN, "invalid_token");
    }
  else if (g_str_has_prefix (token, "forbidden"))
    {
      send_owned (ws, wire_frame_build_auth_error ("forbidden", "Not yours"));
      soup_websocket_connection_close (ws, WIRE_CLOSE_FORBIDDEN, "forbidden");
    }
  else if (g_str_has_prefix (token, "good"))
    {
      g_autoptr(GString) out = g_string_new ("{\"type\":\"auth_ok\",\"success\":true,");

      g_string_append (out, "\"userId\":\"user-1\",\"connectionId\":\"c-raw-");
      g_string_append_printf (out, "%u\",\"availableChannels\":", self->upgrades);
      wire_json_append_strv (out, (const char * const *) channels);
      g_string_append_printf (out, ",\"deniedChannels\":[],\"permissions\":[\"read\",\"write\"],"
                              "\"heartbeatIntervalMs\":%" G_GINT64_FORMAT ","
                              "\"maxMessageBytes\":65536,\"serverTime\":%" G_GINT64_FORMAT "}",
                              self->heartbeat_interval_ms, g_get_real_time () / 1000);
      soup_websocket_connection_send_text (ws, out->str);
    }
  else
    {
      send_owned (ws, wire_frame_build_auth_error ("bad_request", "Unknown token kind"));
      soup_websocket_connection_close (ws, WIRE_CLOSE_BAD_REQUEST, "bad_request");
    }
}

static void
socket_message_cb (SoupWebsocketConnection *ws,
                   int                      type,
                   GBytes                  *message,
                   WireRawServer           *self)
{
  g_autoptr(WireEnvelope) env = NULL;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  env = wire_envelope_parse (data, len, NULL);
  if (env == NULL)
    return;

  switch (env->frame_type)
    {
    case WIRE_FRAME_AUTH:
      handle_auth (self, ws, env);
      break;
    case WIRE_FRAME_HEARTBEAT:
      self->heartbeats++;
      if (self->answer_heartbeats)
        send_owned (ws, wire_frame_build_heartbeat_ack (env->ts, g_get_real_time () / 1000));
      break;
    case WIRE_FRAME_PUBLISH:
      g_ptr_array_add (self->publish_ids, g_strdup (env->id));
      if (self->ack_publishes)
        send_owned (ws, wire_frame_build_ack (env->id, "ok"));
      break;
    case WIRE_FRAME_SUBSCRIBE:
      {
        g_auto(GStrv) channels = wire_envelope_dup_member_strv (env, "channels");

        send_owned (ws, wire_frame_build_channels ("subscribed", (const char * const *) channels));
      }
      break;
    default:
      break;
    }
}

static void
websocket_cb (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  WireRawServer *self = user_data;

  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  self->upgrades++;
  g_free (self->last_test_header);
  self->last_test_header = g_strdup (soup_message_headers_get_one (headers, "X-Wirescope-Test"));
  self->last_extensions = g_list_length (soup_websocket_connection_get_extensions (connection));
  g_ptr_array_add (self->sockets, g_object_ref (connection));
  g_signal_connect (connection, "message", G_CALLBACK (socket_message_cb), self);
}

static gboolean
unpause_cb (gpointer user_data)
{
  SoupServerMessage *msg = user_data;

  soup_server_message_unpause (msg);
  g_object_unref (msg);
  return G_SOURCE_REMOVE;
}

static void
health_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  WireRawServer *self = user_data;
  static const char body[] = "{\"status\":\"ok\"}";

  soup_server_message_set_status (msg, self->health_status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    body, strlen (body));
  if (self->health_delay_ms > 0)
    {
      soup_server_message_pause (msg);
      g_timeout_add (self->health_delay_ms, unpause_cb, g_object_ref (msg));
    }
}

WireRawServer *
wire_raw_server_new (void)
{
  return wire_raw_server_new_full (NULL);
}

WireRawServer *
wire_raw_server_new_full (GTlsCertificate *certificate)
{
  WireRawServer *self = g_new0 (WireRawServer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;
  guint port;

  self->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  self->publish_ids = g_ptr_array_new_with_free_func (g_free);
  self->tokens = g_ptr_array_new_with_free_func (g_free);
  self->answer_auth = TRUE;
  self->answer_heartbeats = TRUE;
  self->ack_publishes = TRUE;
  self->health_status = SOUP_STATUS_OK;
  self->heartbeat_interval_ms = 30000;

  self->server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (self->server, "/api/health", health_cb, self, NULL);
  soup_server_add_websocket_handler (self->server, "/ws", NULL, NULL, websocket_cb, self, NULL);

  /* Our own socket: soup_server_listen_local() leaks its address in libsoup 3.2. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  soup_server_listen_socket (self->server, socket,
                             certificate ? SOUP_SERVER_LISTEN_HTTPS : 0, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  self->url = g_strdup_printf ("%s://127.0.0.1:%u", certificate ? "wss" : "ws", port);
  self->health_uri = g_strdup_printf ("%s://127.0.0.1:%u/api/health",
                                      certificate ? "https" : "http", port);
  return self;
}

void
wire_raw_server_free (WireRawServer *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->sockets->len; i++)
    {
      SoupWebsocketConnection *ws = g_ptr_array_index (self->sockets, i);

      g_signal_handlers_disconnect_by_data (ws, self);
    }
  g_ptr_array_unref (self->sockets);
  soup_server_disconnect (self->server);
  g_assert_finalize_object (self->server);
  g_ptr_array_unref (self->publish_ids);
  g_ptr_array_unref (self->tokens);
  g_free (self->last_auth_text);
  g_free (self->last_test_header);
  g_free (self->url);
  g_free (self->health_uri);
  g_free (self);
}

char *
wire_raw_server_url (WireRawServer *self,
                     const char    *path)
{
  return g_strconcat (self->url, path, NULL);
}

static SoupWebsocketConnection *
newest_open (WireRawServer *self)
{
  for (guint i = self->sockets->len; i > 0; i--)
    {
      SoupWebsocketConnection *ws = g_ptr_array_index (self->sockets, i - 1);

      if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
        return ws;
    }
  g_error ("The raw server has no open socket");
  return NULL;
}

guint
wire_raw_server_open_count (WireRawServer *self)
{
  guint n = 0;

  for (guint i = 0; i < self->sockets->len; i++)
    if (soup_websocket_connection_get_state (g_ptr_array_index (self->sockets, i)) ==
        SOUP_WEBSOCKET_STATE_OPEN)
      n++;
  return n;
}

void
wire_raw_server_send_text (WireRawServer *self,
                           const char    *text)
{
  soup_websocket_connection_send_text (newest_open (self), text);
}

void
wire_raw_server_send_binary (WireRawServer *self,
                             const guint8  *data,
                             gsize          len)
{
  soup_websocket_connection_send_binary (newest_open (self), data, len);
}

/* libsoup 3.2 refuses to send the registered codes it does not know (1012, 1013, 1014 and the
 * rest below 3000 outside its list) and sends 1002 instead; gateways elsewhere do send them, so
 * the frame is written by hand. */
static gboolean
libsoup_can_send (gushort code)
{
  return code <= 1003 || (code >= 1007 && code <= 1011) || code >= 3000;
}

void
wire_raw_server_close (WireRawServer *self,
                       gushort        code,
                       const char    *reason)
{
  SoupWebsocketConnection *ws = newest_open (self);
  g_autoptr(GError) error = NULL;
  guint8 frame[2 + 2 + 123];
  gsize reason_len = reason ? MIN (strlen (reason), 123) : 0;
  GOutputStream *out;

  if (libsoup_can_send (code))
    {
      soup_websocket_connection_close (ws, code, reason);
      return;
    }

  frame[0] = 0x88;                        /* FIN + close */
  frame[1] = (guint8) (2 + reason_len);   /* unmasked: server to client */
  frame[2] = code >> 8;
  frame[3] = code & 0xff;
  if (reason_len > 0)
    memcpy (frame + 4, reason, reason_len);
  out = g_io_stream_get_output_stream (soup_websocket_connection_get_io_stream (ws));
  g_output_stream_write_all (out, frame, 4 + reason_len, NULL, NULL, &error);
  g_assert_no_error (error);
}

void
wire_raw_server_drop (WireRawServer *self)
{
  SoupWebsocketConnection *ws = newest_open (self);
  GIOStream *stream = soup_websocket_connection_get_io_stream (ws);

  g_signal_handlers_disconnect_by_data (ws, self);
  g_io_stream_close (stream, NULL, NULL);
}
