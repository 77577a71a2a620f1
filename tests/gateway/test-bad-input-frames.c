#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Bad input from a client after (or instead of) auth that the other gateway tests do not
 * cover: invalid UTF-8 in a text frame, a subscribe to 10 000 channels, a publish id of 10 000
 * characters, an auth flood. Each has a clear answer, and the gateway stays up for the others.
 * Rows of the catalogue in tests/README.md. */

#include "config.h"

#include <string.h>

#include "gateway-test-client.h"

static const char *trips_t1[] = { "t1", NULL };

static gboolean
readable_cb (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A raw client: the gateway runs on this thread's main loop, so every wait runs it. */
static gboolean
read_some (GSocket    *socket,
           GByteArray *buf)
{
  guint8 chunk[4096];
  gboolean ready = FALSE;
  GSource *source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  gssize n;

  g_source_set_callback (source, G_SOURCE_FUNC (readable_cb), &ready, NULL);
  g_source_attach (source, NULL);
  gw_wait_flag (&ready);
  g_source_destroy (source);
  g_source_unref (source);
  n = g_socket_receive (socket, (char *) chunk, sizeof chunk, NULL, NULL);
  if (n <= 0)
    return FALSE;
  g_byte_array_append (buf, chunk, n);
  return TRUE;
}

/* Sends @len bytes as one masked (zero mask) text frame, whatever they are. */
static void
send_raw_text (GSocket    *socket,
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
  g_byte_array_append (frame, mask, 4);
  g_byte_array_append (frame, (const guint8 *) text, len);
  g_assert_cmpint (g_socket_send (socket, (const char *) frame->data, frame->len, NULL, NULL), ==,
                   frame->len);
}

/* libsoup cannot send such a frame, so a raw socket does: text that is not UTF-8 fails the
 * connection with 1007 before the gateway reads it. */
static void
test_invalid_utf8 (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autoptr (GSocket) raw = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (loopback,
                                                               wire_gateway_get_port (gateway));
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  g_autofree char *request = NULL;
  g_autofree char *token = wire_gateway_mint_token (gateway, "u1", NULL, trips_t1, NULL, 600);
  g_autofree char *auth = wire_frame_build_auth (token, NULL, NULL);
  static const char bad[] = "{\"type\":\"heartbeat\",\"x\":\"\xc3\x28\"}";
  gboolean closed_1007 = FALSE;
  const char *end;

  g_assert_true (g_socket_connect (raw, addr, NULL, NULL));
  g_socket_set_blocking (raw, FALSE);
  request = g_strdup_printf ("GET /ws/trips/t1/collab HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                             "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\n\r\n",
                             wire_gateway_get_port (gateway));
  g_socket_send (raw, request, strlen (request), NULL, NULL);
  while (buf->len == 0 ||
         (end = g_strstr_len ((const char *) buf->data, buf->len, "\r\n\r\n")) == NULL)
    g_assert_true (read_some (raw, buf));
  g_assert_true (g_str_has_prefix ((const char *) buf->data, "HTTP/1.1 101"));
  g_byte_array_remove_range (buf, 0, end + 4 - (const char *) buf->data);
  send_raw_text (raw, auth, strlen (auth));
  send_raw_text (raw, bad, sizeof bad - 1);

  /* Frames until the close frame (auth_ok first); its code is 1007. */
  while (!closed_1007)
    {
      guint64 len;
      gsize header = 2;

      if (buf->len >= 2 && (len = buf->data[1] & 0x7f) < 126 && buf->len >= header + len)
        {
          if ((buf->data[0] & 0x0f) == 0x8)
            {
              g_assert_cmpuint (len, >=, 2);
              g_assert_cmpint ((buf->data[2] << 8) | buf->data[3], ==, 1007);
              closed_1007 = TRUE;
            }
          g_byte_array_remove_range (buf, 0, header + len);
          continue;
        }
      if (buf->len >= 4 && (buf->data[1] & 0x7f) == 126 &&
          buf->len >= 4 + (gsize) ((buf->data[2] << 8) | buf->data[3]))
        {
          g_byte_array_remove_range (buf, 0, 4 + ((buf->data[2] << 8) | buf->data[3]));
          continue;
        }
      g_assert_true (read_some (raw, buf));
    }

  g_socket_close (raw, NULL);
  gw_gateway_finish (gateway);
}

/* With the default maxMessageBytes such a frame is closed with 1009 (too big); with room for
 * it, the gateway answers too_large (at most 256 channels a request) and keeps the connection. */
static void
test_subscribe_10000_channels (void)
{
  WireGateway *gateway = gw_gateway_new ("max-message-bytes", 256 * 1024, NULL);
  GwClient *client = gw_client_auth (gateway, "/ws/trips/t1/collab", "u1", NULL, trips_t1, NULL);
  g_autoptr (GString) frame = g_string_new ("{\"type\":\"subscribe\",\"channels\":[");
  g_autoptr (WireEnvelope) answer = NULL;
  g_autoptr (WireEnvelope) ack = NULL;

  for (guint i = 0; i < 10000; i++)
    g_string_append_printf (frame, "%s\"trip:x%u\"", i ? "," : "", i);
  g_string_append (frame, "]}");
  g_assert_cmpuint (frame->len, <, 256 * 1024);
  gw_client_send (client, frame->str);
  answer = gw_client_next_type (client, "error", NULL);
  g_assert_cmpstr (answer->code, ==, "too_large");

  /* The connection stays and still answers. */
  gw_client_send (client, "{\"type\":\"heartbeat\",\"ts\":7}");
  ack = gw_client_next_type (client, "heartbeat_ack", NULL);
  g_assert_cmpint (ack->ts, ==, 7);
  g_assert_false (client->closed);

  gw_client_free (client);
  gw_gateway_finish (gateway);
}

static void
test_publish_id_10000_chars (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  const char *channels[] = { "trip:t1", NULL };
  GwClient *client = gw_client_auth (gateway, "/ws/trips/t1/collab", "u1", NULL, trips_t1,
                                     channels);
  g_autofree char *id = g_strnfill (10000, 'i');
  g_autofree char *frame = g_strdup_printf ("{\"type\":\"publish\",\"id\":\"%s\",\"channel\":"
                                            "\"trip:t1\",\"event\":\"trip_update\","
                                            "\"payload\":{}}", id);
  g_autoptr (WireEnvelope) answer = NULL;

  gw_client_send (client, frame);
  answer = gw_client_next_type (client, "error", NULL);
  g_assert_cmpstr (answer->code, ==, "too_large");
  g_assert_false (client->closed);

  gw_client_free (client);
  gw_gateway_finish (gateway);
}

/* Fifty connections at once, each with a malformed auth request: each is refused with 4000,
 * and a good client still gets in. */
static void
test_auth_flood (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  GwClient *clients[50];
  GwClient *good;

  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      clients[i] = gw_client_connect (gateway, "/ws/trips/t1/collab", NULL);
      gw_client_send (clients[i], "{\"type\":\"auth\",\"token\":42}");
    }
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_assert_cmpint (gw_client_wait_closed (clients[i]), ==, 4000);
      gw_client_free (clients[i]);
    }
  good = gw_client_auth (gateway, "/ws/trips/t1/collab", "u1", NULL, trips_t1, NULL);
  g_assert_false (good->closed);

  gw_client_free (good);
  gw_gateway_finish (gateway);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wire/bad-input/gateway/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/wire/bad-input/gateway/subscribe-10000-channels",
                   test_subscribe_10000_channels);
  g_test_add_func ("/wire/bad-input/gateway/publish-id-10000-chars", test_publish_id_10000_chars);
  g_test_add_func ("/wire/bad-input/gateway/auth-flood", test_auth_flood);
  return g_test_run ();
}
