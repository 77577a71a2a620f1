#define G_LOG_DOMAIN "wire-gateway-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "gateway-test-client.h"

static void
deadline_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
}

void
gw_wait_flag (gboolean *flag)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add_once (GW_TEST_WAIT_MS, deadline_cb, &expired);

  while (!*flag && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  if (!*flag)
    g_error ("Timed out after %d ms waiting on the main loop", GW_TEST_WAIT_MS);
}

void
gw_spin (guint ms)
{
  gboolean expired = FALSE;

  g_timeout_add_once (ms, deadline_cb, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
}

static void
message_cb (SoupWebsocketConnection *ws,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            GwClient                *client)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  g_queue_push_tail (&client->frames, g_strndup (data, len));
}

static void
closed_cb (SoupWebsocketConnection *ws,
           GwClient                *client)
{
  client->closed = TRUE;
  client->close_code = soup_websocket_connection_get_close_code (ws);
  if (client->close_code == 0)
    client->close_code = 1006;
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GwClient *client = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  client->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result,
                                                     &client->error);
  if (client->ws != NULL)
    {
      soup_websocket_connection_set_max_incoming_payload_size (client->ws, 16 * 1024 * 1024);
      g_signal_connect (client->ws, "message", G_CALLBACK (message_cb), client);
      g_signal_connect (client->ws, "closed", G_CALLBACK (closed_cb), client);
    }
  else if (msg != NULL)
    client->http_status = soup_message_get_status (msg);
  client->done = TRUE;
}

static gboolean
accept_any_certificate_cb (SoupMessage          *msg,
                           GTlsCertificate      *certificate,
                           GTlsCertificateFlags  errors,
                           gpointer              user_data)
{
  return TRUE;
}

static char *
http_url (WireGateway *gateway,
          const char  *path)
{
  const char *url = wire_gateway_get_url (gateway);

  if (g_str_has_prefix (url, "wss://"))
    return g_strconcat ("https://", url + strlen ("wss://"), path, NULL);
  return g_strconcat ("http://", url + strlen ("ws://"), path, NULL);
}

GwClient *
gw_client_connect_url (const char *url,
                       const char *origin)
{
  GwClient *client = g_new0 (GwClient, 1);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);

  g_assert_nonnull (msg);
  g_queue_init (&client->frames);
  client->session = soup_session_new ();
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate_cb), NULL);
  soup_session_websocket_connect_async (client->session, msg, origin, NULL, G_PRIORITY_DEFAULT,
                                        NULL, connected_cb, client);
  gw_wait_flag (&client->done);
  return client;
}

GwClient *
gw_client_connect (WireGateway *gateway,
                   const char  *path,
                   const char  *origin)
{
  g_autofree char *url = http_url (gateway, path);

  return gw_client_connect_url (url, origin);
}

void
gw_client_free (GwClient *client)
{
  if (client == NULL)
    return;
  if (client->ws != NULL)
    {
      if (!client->closed)
        {
          soup_websocket_connection_close (client->ws, 1000, NULL);
          gw_wait_flag (&client->closed);
        }
      g_signal_handlers_disconnect_by_data (client->ws, client);
      g_clear_object (&client->ws);
    }
  g_queue_clear_full (&client->frames, g_free);
  g_clear_error (&client->error);
  g_clear_object (&client->session);
  g_free (client);
}

void
gw_client_send (GwClient   *client,
                const char *text)
{
  g_assert_nonnull (client->ws);
  soup_websocket_connection_send_text (client->ws, text);
}

static gboolean
has_frame_or_closed (GwClient *client)
{
  return !g_queue_is_empty (&client->frames) || client->closed;
}

WireEnvelope *
gw_client_next (GwClient *client)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add_once (GW_TEST_WAIT_MS, deadline_cb, &expired);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  WireEnvelope *env;

  while (!has_frame_or_closed (client) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  text = g_queue_pop_head (&client->frames);
  if (text == NULL)
    g_error ("No frame arrived (closed: %d, code %d)", client->closed, client->close_code);
  env = wire_envelope_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  return env;
}

WireEnvelope *
gw_client_next_type (GwClient   *client,
                     const char *type_name,
                     const char *event)
{
  for (;;)
    {
      WireEnvelope *env = gw_client_next (client);

      if (g_strcmp0 (env->type_name, type_name) == 0
          && (event == NULL || g_strcmp0 (env->event, event) == 0))
        return env;
      wire_envelope_unref (env);
    }
}

gboolean
gw_client_has_pending (GwClient *client)
{
  return !g_queue_is_empty (&client->frames);
}

int
gw_client_wait_closed (GwClient *client)
{
  gw_wait_flag (&client->closed);
  return client->close_code;
}

WireEnvelope *
gw_client_send_auth (GwClient           *client,
                     const char         *token,
                     const char         *session_id,
                     const char * const *channels)
{
  g_autofree char *frame = wire_frame_build_auth (token, session_id, channels);

  gw_client_send (client, frame);
  return gw_client_next (client);
}

GwClient *
gw_client_auth (WireGateway        *gateway,
                const char         *path,
                const char         *user,
                const char         *role,
                const char * const *trips,
                const char * const *channels)
{
  g_autofree char *token = wire_gateway_mint_token (gateway, user, role, trips, NULL, 600);
  GwClient *client = gw_client_connect (gateway, path, NULL);
  g_autoptr (WireEnvelope) answer = NULL;

  g_assert_no_error (client->error);
  answer = gw_client_send_auth (client, token, NULL, channels);
  g_assert_cmpstr (answer->type_name, ==, "auth_ok");
  g_assert_cmpint (answer->success, ==, 1);
  return client;
}

typedef struct
{
  gboolean done;
  guint    status;
  GBytes  *body;
} HttpResult;

static void
http_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  HttpResult *res = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  res->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  res->status = msg != NULL ? soup_message_get_status (msg) : 0;
  res->done = TRUE;
}

guint
gw_http (WireGateway  *gateway,
         const char   *method,
         const char   *path,
         const char   *bearer,
         const char   *body,
         char        **out_body)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = http_url (gateway, path);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  HttpResult res = { 0 };

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate_cb), NULL);
  if (bearer != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", bearer, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    value);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, http_done_cb, &res);
  gw_wait_flag (&res.done);
  if (out_body != NULL)
    *out_body = res.body != NULL && g_bytes_get_size (res.body) > 0
                  ? g_strndup (g_bytes_get_data (res.body, NULL), g_bytes_get_size (res.body))
                  : g_strdup ("");
  g_clear_pointer (&res.body, g_bytes_unref);
  return res.status;
}

WireGateway *
gw_gateway_new (const char *first_property,
                ...)
{
  WireGateway *gateway = wire_gateway_new ();
  g_autoptr (GError) error = NULL;
  va_list args;

  va_start (args, first_property);
  if (first_property != NULL)
    g_object_set_valist (G_OBJECT (gateway), first_property, args);
  va_end (args);
  g_assert_true (wire_gateway_listen (gateway, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (wire_gateway_get_port (gateway), >, 0);
  return gateway;
}

static gboolean
no_connections (WireGateway *gateway)
{
  return wire_gateway_get_connection_count (gateway) == 0;
}

void
gw_gateway_finish (WireGateway *gateway)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add_once (GW_TEST_WAIT_MS, deadline_cb, &expired);

  while (!no_connections (gateway) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  g_assert_cmpuint (wire_gateway_get_connection_count (gateway), ==, 0);
  /* Let the gateway release what it closed from idles before checking it is gone. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (gateway);
}

GSocket *
gw_raw_connect (WireGateway *gateway,
                int          rcvbuf)
{
  GSocket *raw = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                               G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (loopback,
                                                               wire_gateway_get_port (gateway));
  g_autoptr (GError) error = NULL;

  if (rcvbuf > 0)
    g_socket_set_option (raw, SOL_SOCKET, SO_RCVBUF, rcvbuf, NULL);
  g_assert_true (g_socket_connect (raw, addr, NULL, &error));
  g_assert_no_error (error);
  return raw;
}

void
gw_raw_upgrade (GSocket     *raw,
                WireGateway *gateway,
                const char  *path,
                GByteArray  *buf)
{
  g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                                              "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                              "Sec-WebSocket-Version: 13\r\n\r\n",
                                              path, wire_gateway_get_port (gateway));
  const char *end;

  g_assert_cmpint (g_socket_send (raw, request, strlen (request), NULL, NULL), ==, strlen (request));
  while (buf->len == 0 ||
         (end = g_strstr_len ((const char *) buf->data, buf->len, "\r\n\r\n")) == NULL)
    g_assert_true (gw_raw_read_some (raw, buf));
  g_assert_true (g_str_has_prefix ((const char *) buf->data, "HTTP/1.1 101"));
  g_byte_array_remove_range (buf, 0, end + 4 - (const char *) buf->data);
}

static gboolean
raw_readable_cb (GSocket      *socket,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
gw_raw_read_some (GSocket    *raw,
                  GByteArray *buf)
{
  guint8 chunk[16384];
  gboolean ready = FALSE;
  GSource *source = g_socket_create_source (raw, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  gssize n;

  /* The gateway runs on this thread's main loop: the wait has to run it. */
  g_source_set_callback (source, G_SOURCE_FUNC (raw_readable_cb), &ready, NULL);
  g_source_attach (source, NULL);
  gw_wait_flag (&ready);
  g_source_destroy (source);
  g_source_unref (source);
  n = g_socket_receive (raw, (char *) chunk, sizeof chunk, NULL, NULL);
  if (n <= 0)
    return FALSE;
  g_byte_array_append (buf, chunk, n);
  return TRUE;
}

gboolean
gw_raw_take_frame (GByteArray  *buf,
                   guint       *out_opcode,
                   GBytes     **out_payload)
{
  guint64 len;
  gsize header = 2;

  if (buf->len < 2)
    return FALSE;
  len = buf->data[1] & 0x7f;
  if (len == 126)
    {
      if (buf->len < 4)
        return FALSE;
      len = ((guint64) buf->data[2] << 8) | buf->data[3];
      header = 4;
    }
  else if (len == 127)
    {
      if (buf->len < 10)
        return FALSE;
      len = 0;
      for (guint i = 0; i < 8; i++)
        len = (len << 8) | buf->data[2 + i];
      header = 10;
    }
  if (buf->len < header + len)
    return FALSE;
  *out_opcode = buf->data[0] & 0x0f;
  *out_payload = g_bytes_new (buf->data + header, len);
  g_byte_array_remove_range (buf, 0, header + len);
  return TRUE;
}

void
gw_raw_send_text (GSocket    *raw,
                  const char *text,
                  gsize       len)
{
  g_autoptr (GByteArray) frame = g_byte_array_new ();
  guint8 head[4] = { 0x81, 0x80 | 126, len >> 8, len & 0xff };
  const guint8 mask[4] = { 0, 0, 0, 0 };

  g_assert_cmpuint (len, <, 65536);
  if (len < 126)
    {
      head[1] = 0x80 | len;
      g_byte_array_append (frame, head, 2);
    }
  else
    g_byte_array_append (frame, head, 4);
  /* A zero mask leaves the bytes as they are. */
  g_byte_array_append (frame, mask, 4);
  g_byte_array_append (frame, (const guint8 *) text, len);
  g_assert_cmpint (g_socket_send (raw, (const char *) frame->data, frame->len, NULL, NULL), ==,
                   frame->len);
}
