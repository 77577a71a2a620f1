#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* A slow consumer: a raw client that completes the WebSocket handshake and auth by hand, then
 * reads nothing while a publisher floods its channel. The gateway's backlog for it stays bounded
 * (outgoing-limit-bytes plus at most one frame, checked after every publish), the connection is
 * closed with 1013 as PROTOCOL.md §6 says, and the publisher is unaffected. */

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "gateway-test-client.h"
#include "wire-gateway-private.h"
#include "wire-gateway-session.h"

#define LIMIT_BYTES (256 * 1024)

static const char *trips_t1[] = { "t1", NULL };

static gboolean
readable_cb (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The gateway runs on this thread's main loop: every wait runs it. FALSE at EOF. */
static gboolean
read_some (GSocket    *socket,
           GByteArray *buf)
{
  guint8 chunk[16384];
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

/* Takes one unmasked server frame off the front of @buf: TRUE with its opcode and payload. */
static gboolean
take_frame (GByteArray  *buf,
            guint       *out_opcode,
            GByteArray **out_payload)
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
  *out_payload = g_byte_array_new ();
  g_byte_array_append (*out_payload, buf->data + header, len);
  g_byte_array_remove_range (buf, 0, header + len);
  return TRUE;
}

static void
send_masked_text (GSocket    *socket,
                  const char *text)
{
  gsize len = strlen (text);
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
  /* A zero mask leaves the text as it is. */
  g_byte_array_append (frame, mask, 4);
  g_byte_array_append (frame, (const guint8 *) text, len);
  g_assert_cmpint (g_socket_send (socket, (const char *) frame->data, frame->len, NULL, NULL), ==,
                   frame->len);
}

static void
test_slow_consumer_bounded_then_1013 (void)
{
  WireGateway *gateway = gw_gateway_new ("rate-limits", FALSE, "outgoing-limit-bytes",
                                         LIMIT_BYTES, NULL);
  g_autoptr (GSocket) raw = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (loopback,
                                                               wire_gateway_get_port (gateway));
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  g_autofree char *token = wire_gateway_mint_token (gateway, "slow", NULL, trips_t1, NULL, 600);
  g_autofree char *auth = wire_frame_build_auth (token, NULL, NULL);
  g_autofree char *filler = g_strnfill (16 * 1024, 'z');
  g_autofree char *request = NULL;
  g_autofree char *slow_id = NULL;
  g_auto (GStrv) ids = NULL;
  const char *channels[] = { "trip:t1", NULL };
  GwClient *publisher;
  gsize most_queued = 0;
  guint published = 0;
  gboolean saw_close = FALSE;
  const char *end;

  /* A small receive window, so that the kernel does not soak up megabytes first. */
  g_socket_set_option (raw, SOL_SOCKET, SO_RCVBUF, 4096, NULL);
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
  send_masked_text (raw, auth);
  while (buf->len == 0 || g_strstr_len ((const char *) buf->data, buf->len, "auth_ok") == NULL)
    g_assert_true (read_some (raw, buf));
  ids = wire_gateway_dup_connection_ids (gateway);
  g_assert_cmpuint (g_strv_length (ids), ==, 1);
  slow_id = g_strdup (ids[0]);

  /* From here the slow client reads nothing while the publisher floods its channel. */
  publisher = gw_client_auth (gateway, "/ws/trips/t1/collab", "pub", NULL, trips_t1, channels);
  for (;;)
    {
      WireGatewaySession *slow = wire_gateway_lookup_session (gateway, slow_id);
      g_autofree char *frame = NULL;

      if (slow == NULL || !wire_gateway_session_is_open (slow))
        break;
      most_queued = MAX (most_queued, wire_gateway_session_get_queued_bytes (slow));
      /* Bounded: the limit plus the one frame that crossed it. */
      g_assert_cmpuint (wire_gateway_session_get_queued_bytes (slow), <=, LIMIT_BYTES + 65536);
      g_assert_cmpuint (published, <, 20000);

      frame = g_strdup_printf ("{\"type\":\"publish\",\"id\":\"p-%u\",\"channel\":\"trip:t1\","
                               "\"event\":\"trip_update\",\"payload\":{\"pad\":\"%s\"}}",
                               published++, filler);
      gw_client_send (publisher, frame);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  g_test_message ("closed after %u publishes; most queued %" G_GSIZE_FORMAT " bytes", published,
                  most_queued);

  /* Reading again, the slow client finds its backlog's head, then the close frame: 1013. */
  while (!saw_close)
    {
      g_autoptr (GByteArray) payload = NULL;
      guint opcode = 0;

      if (!take_frame (buf, &opcode, &payload))
        {
          g_assert_true (read_some (raw, buf));
          continue;
        }
      if (opcode == 0x8)
        {
          g_assert_cmpuint (payload->len, >=, 2);
          g_assert_cmpint ((payload->data[0] << 8) | payload->data[1], ==, 1013);
          saw_close = TRUE;
        }
    }
  g_assert_false (publisher->closed);

  g_socket_close (raw, NULL);
  gw_client_free (publisher);
  gw_gateway_finish (gateway);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wire/bad-input/gateway/slow-consumer-bounded-then-1013",
                   test_slow_consumer_bounded_then_1013);
  return g_test_run ();
}
