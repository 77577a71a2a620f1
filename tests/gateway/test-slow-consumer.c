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

static void
test_slow_consumer_bounded_then_1013 (void)
{
  WireGateway *gateway = gw_gateway_new ("rate-limits", FALSE, "outgoing-limit-bytes",
                                         LIMIT_BYTES, NULL);
  /* A small receive window, so that the kernel does not soak up megabytes first. */
  g_autoptr (GSocket) raw = gw_raw_connect (gateway, 4096);
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  g_autofree char *token = wire_gateway_mint_token (gateway, "slow", NULL, trips_t1, NULL, 600);
  g_autofree char *auth = wire_frame_build_auth (token, NULL, NULL);
  g_autofree char *filler = g_strnfill (16 * 1024, 'z');
  g_autofree char *slow_id = NULL;
  g_auto (GStrv) ids = NULL;
  const char *channels[] = { "trip:t1", NULL };
  GwClient *publisher;
  gsize most_queued = 0;
  guint published = 0;
  gboolean saw_close = FALSE;

  gw_raw_upgrade (raw, gateway, "/ws/trips/t1/collab", buf);
  gw_raw_send_text (raw, auth, strlen (auth));
  while (buf->len == 0 || g_strstr_len ((const char *) buf->data, buf->len, "auth_ok") == NULL)
    g_assert_true (gw_raw_read_some (raw, buf));
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
      g_autoptr (GBytes) payload = NULL;
      guint opcode = 0;

      if (!gw_raw_take_frame (buf, &opcode, &payload))
        {
          g_assert_true (gw_raw_read_some (raw, buf));
          continue;
        }
      if (opcode == 0x8)
        {
          gsize size;
          const guint8 *data = g_bytes_get_data (payload, &size);

          g_assert_cmpuint (size, >=, 2);
          g_assert_cmpint ((data[0] << 8) | data[1], ==, 1013);
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
