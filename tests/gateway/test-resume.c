#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The resume extension (docs/protocol-extensions.md) on the gateway: a subscriber that comes
 * back with "resume" gets exactly the messages it missed, in order, before live ones; a gap the
 * history no longer covers is said with a resume_gap error; without "resume" nothing changes. */

#include "config.h"

#include <string.h>

#include "gateway-test-client.h"

static const char *trips_t1[] = { "t1", NULL };

static guint64
seq_of (WireEnvelope *env)
{
  gsize len = 0;
  const char *text = wire_envelope_peek_member (env, "seq", &len);
  g_autofree char *copy = NULL;

  if (text == NULL)
    return 0;
  copy = g_strndup (text, len);
  return g_ascii_strtoull (copy, NULL, 10);
}

static void
publish (GwClient   *client,
         const char *id)
{
  g_autofree char *frame = g_strdup_printf ("{\"type\":\"publish\",\"id\":\"%s\",\"channel\":"
                                            "\"trip:t1\",\"event\":\"trip_update\","
                                            "\"payload\":{}}", id);
  g_autoptr (WireEnvelope) ack = NULL;

  gw_client_send (client, frame);
  ack = gw_client_next_type (client, "ack", NULL);
  g_assert_cmpstr (ack->id, ==, id);
  g_assert_cmpstr (ack->status, ==, "ok");
}

/* The next trip_update delivery: asserts its id and seq. */
static void
expect_message (GwClient   *client,
                const char *id,
                guint64     seq)
{
  g_autoptr (WireEnvelope) env = gw_client_next_type (client, "message", "trip_update");

  g_assert_cmpstr (env->id, ==, id);
  g_assert_cmpuint (seq_of (env), ==, seq);
}

static GwClient *
resume_client (WireGateway *gateway,
               const char  *user,
               guint64      after)
{
  const char *channels[] = { "trip:t1", NULL };
  GwClient *client = gw_client_connect (gateway, "/ws/trips/t1/collab", NULL);
  g_autofree char *token = wire_gateway_mint_token (gateway, user, NULL, trips_t1, NULL, 3600);
  g_autoptr (GString) auth = g_string_new ("{\"type\":\"auth\",\"token\":");
  g_autoptr (WireEnvelope) ok = NULL;

  wire_json_append_string (auth, token);
  g_string_append (auth, ",\"channels\":");
  wire_json_append_strv (auth, channels);
  g_string_append_printf (auth, ",\"resume\":{\"trip:t1\":%" G_GUINT64_FORMAT "}}", after);
  gw_client_send (client, auth->str);
  ok = gw_client_next_type (client, "auth_ok", NULL);
  g_assert_true (ok->success == 1);
  return client;
}

static void
test_replays_missed (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  const char *channels[] = { "trip:t1", NULL };
  GwClient *publisher = gw_client_auth (gateway, "/ws/trips/t1/collab", "u1", NULL, trips_t1,
                                        channels);
  GwClient *subscriber = resume_client (gateway, "u2", 0);

  publish (publisher, "m1");
  expect_message (subscriber, "m1", 1);

  /* The subscriber goes away; two messages are published while it is gone. */
  gw_client_free (subscriber);
  publish (publisher, "m2");
  publish (publisher, "m3");

  subscriber = resume_client (gateway, "u2", 1);
  expect_message (subscriber, "m2", 2);
  expect_message (subscriber, "m3", 3);
  /* Then live ones, and never m1 again. */
  publish (publisher, "m4");
  expect_message (subscriber, "m4", 4);

  /* The publisher resuming gets nothing back of its own. */
  gw_client_free (publisher);
  publisher = resume_client (gateway, "u1", 0);
  gw_spin (200);
  while (gw_client_has_pending (publisher))
    {
      g_autoptr (WireEnvelope) env = gw_client_next (publisher);

      g_assert_false (env->frame_type == WIRE_FRAME_MESSAGE &&
                      g_strcmp0 (env->event, "trip_update") == 0);
    }

  gw_client_free (publisher);
  gw_client_free (subscriber);
  gw_gateway_finish (gateway);
}

static void
test_gap_is_said (void)
{
  WireGateway *gateway = gw_gateway_new ("dedup-ttl-ms", 100, NULL);
  const char *channels[] = { "trip:t1", NULL };
  GwClient *publisher = gw_client_auth (gateway, "/ws/trips/t1/collab", "u1", NULL, trips_t1,
                                        channels);
  GwClient *subscriber = resume_client (gateway, "u2", 0);
  g_autoptr (WireEnvelope) gap = NULL;

  gw_client_free (subscriber);
  publish (publisher, "m1");
  publish (publisher, "m2");
  /* Past the history's age bound (the dedup TTL): both are forgotten. */
  gw_spin (400);

  subscriber = resume_client (gateway, "u2", 0);
  gap = gw_client_next_type (subscriber, "error", NULL);
  g_assert_cmpstr (gap->code, ==, "resume_gap");
  g_assert_cmpstr (gap->channel, ==, "trip:t1");
  g_assert_cmpuint (seq_of (gap), ==, 2);
  publish (publisher, "m3");
  expect_message (subscriber, "m3", 3);

  gw_client_free (publisher);
  gw_client_free (subscriber);
  gw_gateway_finish (gateway);
}

/* Without "resume" anywhere, frames are PROTOCOL.md v1's: no "seq". */
static void
test_v1_unchanged (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  const char *channels[] = { "trip:t1", NULL };
  GwClient *publisher = gw_client_auth (gateway, "/ws/trips/t1/collab", "u1", NULL, trips_t1,
                                        channels);
  GwClient *subscriber = gw_client_auth (gateway, "/ws/trips/t1/collab", "u2", NULL, trips_t1,
                                         channels);
  g_autoptr (WireEnvelope) env = NULL;

  publish (publisher, "m1");
  env = gw_client_next_type (subscriber, "message", "trip_update");
  g_assert_cmpstr (env->id, ==, "m1");
  g_assert_false (wire_envelope_has_member (env, "seq"));

  gw_client_free (publisher);
  gw_client_free (subscriber);
  gw_gateway_finish (gateway);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wire/resume/replays-missed", test_replays_missed);
  g_test_add_func ("/wire/resume/gap-is-said", test_gap_is_said);
  g_test_add_func ("/wire/resume/v1-unchanged", test_v1_unchanged);
  return g_test_run ();
}
