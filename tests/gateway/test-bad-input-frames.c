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

/* libsoup cannot send such a frame, so a raw socket does: text that is not UTF-8 fails the
 * connection with 1007 before the gateway reads it. */
static void
test_invalid_utf8 (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autoptr (GSocket) raw = gw_raw_connect (gateway, 0);
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  g_autofree char *token = wire_gateway_mint_token (gateway, "u1", NULL, trips_t1, NULL, 600);
  g_autofree char *auth = wire_frame_build_auth (token, NULL, NULL);
  static const char bad[] = "{\"type\":\"heartbeat\",\"x\":\"\xc3\x28\"}";
  gboolean closed_1007 = FALSE;

  gw_raw_upgrade (raw, gateway, "/ws/trips/t1/collab", buf);
  gw_raw_send_text (raw, auth, strlen (auth));
  gw_raw_send_text (raw, bad, sizeof bad - 1);

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
      g_assert_true (gw_raw_read_some (raw, buf));
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
