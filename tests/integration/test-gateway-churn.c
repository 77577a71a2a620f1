#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Churn against the real gateway, in-process: many connections open, authenticate, subscribe,
 * publish and go away, as in the soak (tests/soak). Afterwards every table that grows with
 * connections, users and channels must shrink back to where it started: anything kept per
 * connection, per user or per channel beyond its lifetime (and its TTL) is memory that grows for
 * as long as the gateway runs. */

#include "config.h"

#include <string.h>

#include "wire-core.h"
#include "wire-gateway.h"
#include "wire-gateway-private.h"
#include "wire-test-util.h"

#define ROUNDS            3
#define PER_ROUND         20
#define DEDUP_TTL_MS      3000

typedef struct
{
  WireGateway *gateway;
  WireConfig  *config;
  guint        acks;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr (GError) error = NULL;

  /* Demo traffic on, as in the soak; a dedup TTL short enough that what is kept for it expires
   * within the test, and long enough that a round's publishes (acknowledged over a second or
   * more under valgrind) are all still remembered when the round is counted. */
  fx->gateway = g_object_new (WIRE_TYPE_GATEWAY, "demo", TRUE, "seed", (gint64) 1,
                              "demo-tick-ms", 50, "dedup-ttl-ms", DEDUP_TTL_MS, NULL);
  g_assert_true (wire_gateway_listen (fx->gateway, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  fx->config = wire_config_new ();
  g_object_set (fx->config, "probe-interval-ms", 0, "reconnect-base-delay-ms", 50,
                "reconnect-max-delay-ms", 200, "jitter", WIRE_JITTER_NONE, NULL);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  wire_gateway_shutdown (fx->gateway);
  g_assert_finalize_object (fx->gateway);
  g_assert_finalize_object (fx->config);
}

static WireGatewayTableSizes
sizes (Fixture *fx)
{
  WireGatewayTableSizes out;

  wire_gateway_get_table_sizes (fx->gateway, &out);
  return out;
}

static WireConnection *
open_connection (Fixture    *fx,
                 const char *path,
                 const char *user,
                 const char *channel)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *url = g_strconcat (wire_gateway_get_url (fx->gateway), path, NULL);
  g_autofree char *token = wire_gateway_mint_token (fx->gateway, user, NULL, NULL, NULL, 3600);
  const char *channels[] = { channel, NULL };
  WireConnection *connection = wire_connection_new (fx->config, NULL, url, &error);

  g_assert_no_error (error);
  wire_connection_set_token (connection, token);
  wire_connection_set_channels (connection, channels);
  wire_connection_connect (connection);
  return connection;
}

static gboolean
all_connected (GPtrArray *connections)
{
  for (guint i = 0; i < connections->len; i++)
    if (wire_connection_get_state (g_ptr_array_index (connections, i))
        != WIRE_CONNECTION_CONNECTED)
      return FALSE;
  return TRUE;
}

static void
close_all (Fixture   *fx,
           GPtrArray *connections)
{
  for (guint i = 0; i < connections->len; i++)
    wire_connection_shutdown (g_ptr_array_index (connections, i));
  WIRE_TEST_WAIT_UNTIL (wire_gateway_get_connection_count (fx->gateway) == 0);
  for (guint i = 0; i < connections->len; i++)
    g_assert_finalize_object (g_ptr_array_index (connections, i));
  g_ptr_array_set_size (connections, 0);
}

static gboolean
sockets_released (Fixture *fx)
{
  WireGatewayTableSizes now = sizes (fx);

  return now.accepted_sockets == 0 && now.graveyard == 0;
}

/* The soak's churn: agent-status and notifications connections that come and go, with the demo
 * services talking to them. Every socket the gateway accepted must be released once its
 * connection is gone; libsoup 3.2 keeps each one alive unless the gateway lets it go. */
static void
test_sockets_released (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr (GPtrArray) connections = g_ptr_array_new ();
  WireGatewayTableSizes after;

  for (guint round = 0; round < ROUNDS; round++)
    {
      for (guint i = 0; i < PER_ROUND; i++)
        {
          g_autofree char *user = g_strdup_printf ("churn-%u", i);
          g_autofree char *path = g_strdup_printf ("/ws/%s/%s",
                                                   i % 2 ? "notifications" : "agent-status",
                                                   user);
          g_autofree char *channel = g_strdup_printf ("%s:%s", i % 2 ? "notifications" : "agent",
                                                      user);

          g_ptr_array_add (connections, open_connection (fx, path, user, channel));
        }
      WIRE_TEST_WAIT_UNTIL (all_connected (connections));
      /* Each connection is alive on the gateway's side, socket and all. */
      g_assert_cmpuint (sizes (fx).sessions, ==, PER_ROUND);
      g_assert_cmpuint (sizes (fx).accepted_sockets, >=, PER_ROUND);
      close_all (fx, connections);
    }

  WIRE_TEST_WAIT_UNTIL (sockets_released (fx));
  after = sizes (fx);
  g_assert_cmpuint (after.sessions, ==, 0);
  g_assert_cmpuint (after.slots, ==, 0);
  g_assert_cmpuint (after.channels, ==, 0);
}

static void
publish_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Fixture *fx = user_data;
  g_autoptr (GError) error = NULL;
  const char *status = NULL;

  g_assert_true (wire_connection_publish_finish (WIRE_CONNECTION (source), result, &status,
                                                 &error));
  g_assert_no_error (error);
  g_assert_cmpstr (status, ==, "ok");
  fx->acks++;
}

static gboolean
channel_state_expired (Fixture *fx)
{
  WireGatewayTableSizes now = sizes (fx);

  return now.dedup_users == 0 && now.histories == 0;
}

/* Chat churn: every connection is a new chat session (a new channel), resumes it as the client
 * does on every auth, and publishes. Publish ids are kept per user and a channel's resume
 * history per channel, both for the dedup TTL: once that has passed with nobody on the channel,
 * neither may be left behind, or every session ever seen costs memory for good. */
static void
test_channel_state_expires (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr (GPtrArray) connections = g_ptr_array_new ();
  WireGatewayTableSizes during;
  guint serial = 0;

  for (guint round = 0; round < ROUNDS; round++)
    {
      fx->acks = 0;
      for (guint i = 0; i < PER_ROUND; i++)
        {
          g_autofree char *user = g_strdup_printf ("user-%u", ++serial);
          g_autofree char *session = g_strdup_printf ("s-%u", serial);
          g_autofree char *path = g_strconcat ("/ws/chat/", session, NULL);
          g_autofree char *channel = g_strconcat ("chat:", session, NULL);

          g_ptr_array_add (connections, open_connection (fx, path, user, channel));
        }
      WIRE_TEST_WAIT_UNTIL (all_connected (connections));
      for (guint i = 0; i < connections->len; i++)
        {
          WireConnection *connection = g_ptr_array_index (connections, i);
          g_autofree char *channel = g_strconcat ("chat:",
                                                  wire_connection_get_slot_id (connection), NULL);
          g_autofree char *id = wire_connection_publish_async (connection, channel,
                                                               "user_message",
                                                               WIRE_PRIORITY_NORMAL,
                                                               "{\"text\":\"hello\"}", NULL,
                                                               publish_cb, fx);

          g_assert_nonnull (id);
        }
      WIRE_TEST_WAIT_UNTIL (fx->acks == PER_ROUND);
      /* The client resumed every channel at auth, and every user published. */
      during = sizes (fx);
      g_assert_cmpuint (during.histories, >=, PER_ROUND);
      g_assert_cmpuint (during.dedup_users, >=, PER_ROUND);
      close_all (fx, connections);
    }

  WIRE_TEST_WAIT_UNTIL (sizes (fx).channels == 0 && sizes (fx).slots == 0);
  /* Past the TTL, with nobody left to resume or re-send. */
  WIRE_TEST_WAIT_UNTIL (channel_state_expired (fx));
}

static WireConnection *
open_trip_connection (Fixture    *fx,
                      const char *user)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *url = g_strconcat (wire_gateway_get_url (fx->gateway), "/ws/trips/t1/collab",
                                      NULL);
  const char *trips[] = { "t1", NULL };
  const char *channels[] = { "trip:t1", NULL };
  g_autofree char *token = wire_gateway_mint_token (fx->gateway, user, NULL, trips, NULL, 3600);
  WireConnection *connection = wire_connection_new (fx->config, NULL, url, &error);

  g_assert_no_error (error);
  wire_connection_set_token (connection, token);
  wire_connection_set_channels (connection, channels);
  wire_connection_connect (connection);
  return connection;
}

static void
trip_message_cb (WireConnection *connection,
                 WireEnvelope   *env,
                 gpointer        user_data)
{
  guint *updates = user_data;

  if (g_strcmp0 (env->event, "trip_update") == 0 && g_strcmp0 (env->from, "bob") == 0)
    (*updates)++;
}

static gboolean
told_of_gap (WireConnection *connection)
{
  const char *error = wire_connection_get_last_error (connection);

  return error != NULL && strstr (error, "resume_gap") != NULL;
}

/* What forgetting an idle history means for a client: a channel with somebody on it keeps its
 * history however quiet it is; once forgotten, a client that comes back with a number from
 * before is told of a gap, and then gets the channel's messages again. */
static void
test_resume_after_history_expired (Fixture       *fx,
                                   gconstpointer  data)
{
  g_autoptr (WireConnection) alice = open_trip_connection (fx, "alice");
  g_autoptr (WireConnection) bob = open_trip_connection (fx, "bob");
  g_autofree char *id = NULL;
  guint updates = 0;

  g_signal_connect (alice, "message", G_CALLBACK (trip_message_cb), &updates);
  WIRE_TEST_WAIT_UNTIL (wire_connection_get_state (alice) == WIRE_CONNECTION_CONNECTED &&
                        wire_connection_get_state (bob) == WIRE_CONNECTION_CONNECTED);
  g_assert_cmpuint (sizes (fx).histories, ==, 1);
  /* Quiet, but subscribed: kept past several TTLs (the sweep runs once a second). */
  wire_test_spin_ms (1500 + 3 * DEDUP_TTL_MS);
  g_assert_cmpuint (sizes (fx).histories, ==, 1);

  fx->acks = 0;
  id = wire_connection_publish_async (bob, "trip:t1", "trip_update", WIRE_PRIORITY_NORMAL,
                                      "{\"field\":\"title\",\"value\":\"Lisbon\"}", NULL,
                                      publish_cb, fx);
  g_assert_nonnull (id);
  WIRE_TEST_WAIT_UNTIL (fx->acks == 1 && updates == 1);
  g_assert_false (told_of_gap (alice));

  wire_connection_disconnect (alice);
  wire_connection_shutdown (bob);
  WIRE_TEST_WAIT_UNTIL (wire_gateway_get_connection_count (fx->gateway) == 0);
  WIRE_TEST_WAIT_UNTIL (sizes (fx).histories == 0);

  /* Alice resumes from message 1 of a history that is gone. */
  wire_connection_connect (alice);
  WIRE_TEST_WAIT_UNTIL (told_of_gap (alice));
  g_assert_cmpint (wire_connection_get_state (alice), ==, WIRE_CONNECTION_CONNECTED);
  g_assert_cmpuint (sizes (fx).histories, ==, 1);

  g_clear_pointer (&id, g_free);
  g_clear_object (&bob);
  bob = open_trip_connection (fx, "bob");
  WIRE_TEST_WAIT_UNTIL (wire_connection_get_state (bob) == WIRE_CONNECTION_CONNECTED);
  id = wire_connection_publish_async (bob, "trip:t1", "trip_update", WIRE_PRIORITY_NORMAL,
                                      "{\"field\":\"title\",\"value\":\"Porto\"}", NULL,
                                      publish_cb, fx);
  WIRE_TEST_WAIT_UNTIL (fx->acks == 2 && updates == 2);

  wire_connection_shutdown (alice);
  wire_connection_shutdown (bob);
  WIRE_TEST_WAIT_UNTIL (wire_gateway_get_connection_count (fx->gateway) == 0);
  g_assert_finalize_object (g_steal_pointer (&alice));
  g_assert_finalize_object (g_steal_pointer (&bob));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/wire/gateway-churn/sockets-released", Fixture, NULL, fixture_setup,
              test_sockets_released, fixture_teardown);
  g_test_add ("/wire/gateway-churn/channel-state-expires", Fixture, NULL, fixture_setup,
              test_channel_state_expires, fixture_teardown);
  g_test_add ("/wire/gateway-churn/resume-after-history-expired", Fixture, NULL, fixture_setup,
              test_resume_after_history_expired, fixture_teardown);
  return g_test_run ();
}
