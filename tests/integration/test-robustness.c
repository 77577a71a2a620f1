#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The client against a scripted loopback server (wire-raw-server.c): the state machine, the
 * close-code policy, heartbeats and half-open detection, and what the real gateway never sends
 * (binary frames, malformed JSON, duplicates, silence). */

#include "config.h"

#include <string.h>

#include "wire-core.h"
#include "wire-raw-server.h"
#include "wire-test-util.h"

typedef struct
{
  WireRawServer  *server;
  WireConfig     *config;
  WireConnection *connection;
  GPtrArray      *messages;       /* ids of delivered messages */
  guint           token_calls;
  guint           refresh_calls;
  const char     *refresh_token;  /* what the token func returns when asked to refresh */
} Fixture;

static void
message_cb (WireConnection *connection,
            WireEnvelope   *env,
            Fixture        *fx)
{
  g_ptr_array_add (fx->messages, g_strdup (env->id));
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  fx->server = wire_raw_server_new ();
  fx->config = wire_config_new ();
  g_object_set (fx->config,
                "reconnect-base-delay-ms", 20,
                "reconnect-max-delay-ms", 200,
                "jitter", WIRE_JITTER_NONE,
                NULL);
  fx->messages = g_ptr_array_new_with_free_func (g_free);
}

static WireConnection *
fixture_connect (Fixture    *fx,
                 const char *path,
                 const char *token)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = wire_raw_server_url (fx->server, path);

  fx->connection = wire_connection_new (fx->config, NULL, url, &error);
  g_assert_no_error (error);
  if (token != NULL)
    wire_connection_set_token (fx->connection, token);
  g_signal_connect (fx->connection, "message", G_CALLBACK (message_cb), fx);
  return fx->connection;
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  if (fx->connection != NULL)
    {
      wire_connection_shutdown (fx->connection);
      g_assert_finalize_object (fx->connection);
    }
  g_assert_finalize_object (fx->config);
  g_clear_pointer (&fx->server, wire_raw_server_free);
  g_ptr_array_unref (fx->messages);
}

#define STATE(fx) wire_connection_get_state ((fx)->connection)

static void
test_auth_ok (Fixture       *fx,
              gconstpointer  data)
{
  const char *channels[] = { "chat:s1", NULL };
  GPtrArray *rows;

  fixture_connect (fx, "/ws/chat/s1", "good");
  wire_connection_set_channels (fx->connection, channels);
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);

  g_assert_cmpstr (wire_connection_get_connection_id (fx->connection), ==, "c-raw-1");
  g_assert_cmpstr (wire_connection_get_user_id (fx->connection), ==, "user-1");
  g_assert_cmpstrv (wire_connection_get_available_channels (fx->connection), channels);
  g_assert_cmpint (wire_connection_get_kind (fx->connection), ==, WIRE_ENDPOINT_CHAT);
  g_assert_cmpstr (wire_connection_get_slot_id (fx->connection), ==, "s1");

  /* The auth frame comes first and carries the chat session and the channels. */
  g_assert_cmpuint (fx->server->auths, ==, 1);
  g_assert_nonnull (strstr (fx->server->last_auth_text, "\"sessionId\":\"s1\""));
  g_assert_nonnull (strstr (fx->server->last_auth_text, "\"chat:s1\""));

  rows = wire_connection_get_transitions (fx->connection);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpint (((WireTransition *) rows->pdata[0])->to, ==, WIRE_CONNECTION_CONNECTING);
  g_assert_cmpint (((WireTransition *) rows->pdata[1])->to, ==, WIRE_CONNECTION_AUTHENTICATING);
  g_assert_cmpint (((WireTransition *) rows->pdata[2])->to, ==, WIRE_CONNECTION_CONNECTED);

  wire_connection_disconnect (fx->connection);
  g_assert_cmpint (STATE (fx), ==, WIRE_CONNECTION_DISCONNECTED);
  g_assert_cmpint (wire_connection_get_last_close_code (fx->connection), ==, 1000);
  /* The gateway is told: the server side sees the close. */
  WIRE_TEST_WAIT_UNTIL (wire_raw_server_open_count (fx->server) == 0);
}

static void
test_bad_server_input (Fixture       *fx,
                       gconstpointer  data)
{
  static const guint8 binary[] = { 0x00, 0xff, 0x10 };
  WireMetrics metrics;

  fixture_connect (fx, "/ws/notifications/user-1", "good");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);

  wire_raw_server_send_binary (fx->server, binary, sizeof binary);
  wire_raw_server_send_text (fx->server, "");
  wire_raw_server_send_text (fx->server, "{\"type\":\"message\",\"id\":");
  wire_raw_server_send_text (fx->server, "[1,2,3]");
  wire_raw_server_send_text (fx->server, "not json at all");
  wire_raw_server_send_text (fx->server, "{\"type\":\"from_the_future\",\"x\":1}");
  wire_raw_server_send_text (fx->server, "{\"type\":\"ack\",\"id\":\"nobody-sent-this\"}");
  wire_raw_server_send_text (fx->server,
                             "{\"type\":\"message\",\"id\":\"m1\",\"channel\":\"notifications:user-1\","
                             "\"event\":\"notification\",\"payload\":{\"title\":\"hi\"}}");
  WIRE_TEST_WAIT_UNTIL (fx->messages->len == 1);

  g_assert_cmpint (STATE (fx), ==, WIRE_CONNECTION_CONNECTED);
  g_assert_cmpstr (g_ptr_array_index (fx->messages, 0), ==, "m1");
  wire_connection_get_metrics (fx->connection, &metrics);
  g_assert_cmpuint (metrics.messages_received, ==, 1);
  /* The binary frame and the four that are not JSON objects. */
  g_assert_cmpuint (metrics.errors, >=, 5);
  g_assert_cmpuint (fx->server->upgrades, ==, 1);
}

static void
test_dedup (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) stats = NULL;
  WireMetrics metrics;
  const char *frame_a = "{\"type\":\"message\",\"id\":\"dup-1\",\"channel\":\"chat:s1\","
                        "\"event\":\"assistant_message\",\"payload\":{}}";
  const char *frame_b = "{\"type\":\"message\",\"id\":\"dup-2\",\"channel\":\"chat:s1\","
                        "\"event\":\"typing_stop\",\"payload\":{}}";

  fixture_connect (fx, "/ws/chat/s1", "good");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);

  wire_raw_server_send_text (fx->server, frame_a);
  wire_raw_server_send_text (fx->server, frame_a);
  wire_raw_server_send_text (fx->server, frame_b);
  wire_raw_server_send_text (fx->server, frame_a);
  WIRE_TEST_WAIT_UNTIL (fx->messages->len == 2 &&
                        (wire_connection_get_metrics (fx->connection, &metrics),
                         metrics.dedup_hits == 2));

  g_assert_cmpstr (g_ptr_array_index (fx->messages, 0), ==, "dup-1");
  g_assert_cmpstr (g_ptr_array_index (fx->messages, 1), ==, "dup-2");
  g_assert_cmpuint (metrics.messages_received, ==, 2);
  g_assert_cmpint (metrics.last_message_at_ms, >, 0);

  stats = wire_connection_dup_channel_stats (fx->connection);
  g_assert_cmpuint (stats->len, ==, 1);
  g_assert_cmpstr (((WireChannelStats *) stats->pdata[0])->channel, ==, "chat:s1");
  g_assert_cmpuint (((WireChannelStats *) stats->pdata[0])->messages_in, ==, 2);
  g_assert_cmpstr (((WireChannelStats *) stats->pdata[0])->last_event, ==, "typing_stop");
}

/* PROTOCOL.md §6, row by row. */
typedef struct
{
  gushort             code;
  WireConnectionState state;       /* right after the close */
  gboolean            reconnects;
} CloseCase;

static const CloseCase close_cases[] = {
  { 1000, WIRE_CONNECTION_DISCONNECTED, FALSE },
  { 1001, WIRE_CONNECTION_RECONNECTING, TRUE },
  { 1003, WIRE_CONNECTION_ERROR, FALSE },
  { 1008, WIRE_CONNECTION_ERROR, FALSE },
  { 1009, WIRE_CONNECTION_RECONNECTING, TRUE },
  { 1011, WIRE_CONNECTION_RECONNECTING, TRUE },
  { 1012, WIRE_CONNECTION_RECONNECTING, TRUE },
  { 1013, WIRE_CONNECTION_RECONNECTING, TRUE },
  { 4000, WIRE_CONNECTION_ERROR, FALSE },
  { 4001, WIRE_CONNECTION_ERROR, FALSE },   /* static token: nothing to refresh */
  { 4003, WIRE_CONNECTION_ERROR, FALSE },
  { 4008, WIRE_CONNECTION_RECONNECTING, TRUE },
  { 4009, WIRE_CONNECTION_DISCONNECTED, FALSE },
  { 4010, WIRE_CONNECTION_RECONNECTING, TRUE },
  { 4029, WIRE_CONNECTION_RECONNECTING, TRUE },
};

static void
test_close_codes (Fixture       *fx,
                  gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (close_cases); i++)
    {
      const CloseCase *c = &close_cases[i];
      const WireTransition *row;
      guint upgrades;

      g_test_message ("close code %u", c->code);
      if (fx->connection == NULL)
        fixture_connect (fx, "/ws/agent-status/user-1", "good");
      wire_connection_connect (fx->connection);
      WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
      upgrades = fx->server->upgrades;

      wire_raw_server_close (fx->server, c->code, "test");
      WIRE_TEST_WAIT_UNTIL (STATE (fx) != WIRE_CONNECTION_CONNECTED);
      g_assert_cmpint (STATE (fx), ==, c->state);
      g_assert_cmpint (wire_connection_get_last_close_code (fx->connection), ==, c->code);

      row = wire_test_last_transition_to (fx->connection, c->state);
      g_assert_nonnull (row);
      g_assert_cmpint (row->close_code, ==, c->code);
      g_assert_cmpint (row->from, ==, WIRE_CONNECTION_CONNECTED);

      if (c->code == 1013)
        {
          /* At least 5 s: shown in the row, not waited for. */
          g_assert_cmpint (row->delay_ms, >=, 5000);
          wire_connection_reconnect_now (fx->connection);
        }

      if (c->reconnects)
        {
          WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
          g_assert_cmpuint (fx->server->upgrades, ==, upgrades + 1);
        }
      else
        {
          /* Several backoff delays long: long enough to see a reconnect that should not be. */
          wire_test_spin_ms (300);
          g_assert_cmpint (STATE (fx), ==, c->state);
          g_assert_cmpuint (fx->server->upgrades, ==, upgrades);
          if (c->state == WIRE_CONNECTION_ERROR)
            g_assert_nonnull (wire_connection_get_last_error (fx->connection));
        }
      wire_connection_disconnect (fx->connection);
    }
}

static char *
token_func (gpointer user_data,
            gboolean refresh)
{
  Fixture *fx = user_data;

  fx->token_calls++;
  if (refresh)
    {
      fx->refresh_calls++;
      return g_strdup (fx->refresh_token);
    }
  return g_strdup ("bad-first");
}

static void
test_token_refresh (Fixture       *fx,
                    gconstpointer  data)
{
  const WireTransition *row;

  fixture_connect (fx, "/ws/agent-status/user-1", NULL);
  fx->refresh_token = "good-refreshed";
  wire_connection_set_token_func (fx->connection, token_func, fx, NULL);
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);

  g_assert_cmpuint (fx->token_calls, ==, 2);
  g_assert_cmpuint (fx->refresh_calls, ==, 1);
  g_assert_cmpuint (fx->server->tokens->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fx->server->tokens, 0), ==, "bad-first");
  g_assert_cmpstr (g_ptr_array_index (fx->server->tokens, 1), ==, "good-refreshed");
  row = wire_test_last_transition_to (fx->connection, WIRE_CONNECTION_RECONNECTING);
  g_assert_nonnull (row);
  g_assert_cmpint (row->close_code, ==, 4001);
}

static void
test_token_refresh_fails (Fixture       *fx,
                          gconstpointer  data)
{
  fixture_connect (fx, "/ws/agent-status/user-1", NULL);
  fx->refresh_token = "bad-again";
  wire_connection_set_token_func (fx->connection, token_func, fx, NULL);
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_ERROR);

  /* Asked once for a fresh token, and no more. */
  wire_test_spin_ms (300);
  g_assert_cmpint (STATE (fx), ==, WIRE_CONNECTION_ERROR);
  g_assert_cmpuint (fx->refresh_calls, ==, 1);
  g_assert_cmpuint (fx->server->auths, ==, 2);
  g_assert_cmpint (wire_connection_get_last_close_code (fx->connection), ==, 4001);
  g_assert_nonnull (strstr (wire_connection_get_last_error (fx->connection), "invalid_token"));
}

static void
test_forbidden (Fixture       *fx,
                gconstpointer  data)
{
  fixture_connect (fx, "/ws/agent-status/user-2", "forbidden");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_ERROR);
  g_assert_cmpint (wire_connection_get_last_close_code (fx->connection), ==, 4003);
  g_assert_nonnull (strstr (wire_connection_get_last_error (fx->connection), "forbidden"));
  wire_test_spin_ms (200);
  g_assert_cmpuint (fx->server->upgrades, ==, 1);
}

static void
test_connect_timeout (Fixture       *fx,
                      gconstpointer  data)
{
  const WireTransition *row;

  g_object_set (fx->config, "connect-timeout-ms", 200, NULL);
  fx->server->answer_auth = FALSE;
  fixture_connect (fx, "/ws/agent-status/user-1", "good");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_RECONNECTING);

  row = wire_test_last_transition_to (fx->connection, WIRE_CONNECTION_RECONNECTING);
  g_assert_cmpint (row->from, ==, WIRE_CONNECTION_AUTHENTICATING);
  g_assert_nonnull (strstr (row->reason, "200 ms"));

  fx->server->answer_auth = TRUE;
  g_object_set (fx->config, "connect-timeout-ms", 20000, NULL);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
  g_assert_cmpuint (fx->server->upgrades, >=, 2);
}

static void
test_heartbeat_rtt (Fixture       *fx,
                    gconstpointer  data)
{
  WireMetrics metrics;

  g_object_set (fx->config, "heartbeat-interval-ms", 30, NULL);
  fixture_connect (fx, "/ws/agent-status/user-1", "good");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
  WIRE_TEST_WAIT_UNTIL (fx->server->heartbeats >= 3 &&
                        (wire_connection_get_metrics (fx->connection, &metrics),
                         metrics.rtt_last_ms >= 0 && metrics.rtt_p95_ms >= 0));

  g_assert_cmpint (metrics.rtt_p50_ms, >=, 0);
  g_assert_cmpint (metrics.rtt_p95_ms, >=, metrics.rtt_p50_ms);
  g_object_get (fx->connection, "heartbeat-interval-ms", &metrics.rtt_last_ms, NULL);
  g_assert_cmpint (metrics.rtt_last_ms, ==, 30);
}

static void
test_heartbeat_interval_from_gateway (Fixture       *fx,
                                      gconstpointer  data)
{
  gint64 interval = 0;

  g_object_set (fx->config, "heartbeat-interval-ms", 0, NULL);
  fx->server->heartbeat_interval_ms = 40;
  fixture_connect (fx, "/ws/agent-status/user-1", "good");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
  WIRE_TEST_WAIT_UNTIL (fx->server->heartbeats >= 2);
  g_object_get (fx->connection, "heartbeat-interval-ms", &interval, NULL);
  g_assert_cmpint (interval, ==, 40);
}

static void
test_half_open (Fixture       *fx,
                gconstpointer  data)
{
  const WireTransition *row;

  g_object_set (fx->config, "heartbeat-interval-ms", 50, "heartbeat-timeout-ms", 200, NULL);
  fx->server->answer_heartbeats = FALSE;
  fixture_connect (fx, "/ws/agent-status/user-1", "good");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_RECONNECTING);

  row = wire_test_last_transition_to (fx->connection, WIRE_CONNECTION_RECONNECTING);
  g_assert_cmpint (row->close_code, ==, 1006);
  g_assert_nonnull (strstr (row->reason, "half-open"));

  fx->server->answer_heartbeats = TRUE;
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
  g_assert_cmpuint (fx->server->upgrades, >=, 2);
}

static void
test_drop_reconnects (Fixture       *fx,
                      gconstpointer  data)
{
  const WireTransition *row;
  WireMetrics metrics;

  fixture_connect (fx, "/ws/agent-status/user-1", "good");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);

  wire_raw_server_drop (fx->server);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_RECONNECTING);
  row = wire_test_last_transition_to (fx->connection, WIRE_CONNECTION_RECONNECTING);
  g_assert_cmpint (row->close_code, ==, 1006);
  g_assert_cmpuint (row->attempt, ==, 1);
  g_assert_cmpint (row->delay_ms, ==, 20);

  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
  g_assert_cmpstr (wire_connection_get_connection_id (fx->connection), ==, "c-raw-2");
  wire_connection_get_metrics (fx->connection, &metrics);
  g_assert_cmpuint (metrics.reconnects_total, ==, 1);

  /* A new base delay applies to the next backoff. The link was up for less than
   * reset-after, so this is the second attempt: 40 × 2. */
  g_object_set (fx->config, "reconnect-base-delay-ms", 40, NULL);
  wire_raw_server_drop (fx->server);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_RECONNECTING);
  row = wire_test_last_transition_to (fx->connection, WIRE_CONNECTION_RECONNECTING);
  g_assert_cmpuint (row->attempt, ==, 2);
  g_assert_cmpint (row->delay_ms, ==, 80);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
}

static void
publish_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GError **out = user_data;
  const char *status = NULL;
  GError *error = NULL;

  if (wire_connection_publish_finish (WIRE_CONNECTION (source), result, &status, &error))
    *out = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, status); /* success marker */
  else
    *out = error;
}

static void
test_publish_resent_after_drop (Fixture       *fx,
                                gconstpointer  data)
{
  const char *channels[] = { "chat:s1", NULL };
  g_autofree char *id = NULL;
  GError *outcome = NULL;

  fx->server->ack_publishes = FALSE;
  fixture_connect (fx, "/ws/chat/s1", "good");
  wire_connection_set_channels (fx->connection, channels);
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);

  id = wire_connection_publish_async (fx->connection, "chat:s1", "user_message",
                                      WIRE_PRIORITY_NORMAL, "{\"text\":\"hello\"}", NULL,
                                      publish_done_cb, &outcome);
  g_assert_nonnull (id);
  WIRE_TEST_WAIT_UNTIL (fx->server->publish_ids->len == 1);
  g_assert_cmpstr (g_ptr_array_index (fx->server->publish_ids, 0), ==, id);

  /* Unacknowledged when the link goes: the same id goes out again on the next link. */
  fx->server->ack_publishes = TRUE;
  wire_raw_server_drop (fx->server);
  WIRE_TEST_WAIT_UNTIL (outcome != NULL);
  g_assert_error (outcome, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_cmpstr (outcome->message, ==, "ok");
  g_clear_error (&outcome);
  g_assert_cmpuint (fx->server->publish_ids->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fx->server->publish_ids, 1), ==, id);
}

static void
test_publish_too_large_1009 (Fixture       *fx,
                             gconstpointer  data)
{
  const char *channels[] = { "chat:s1", NULL };
  g_autofree char *id = NULL;
  GError *outcome = NULL;

  fx->server->ack_publishes = FALSE;
  fixture_connect (fx, "/ws/chat/s1", "good");
  wire_connection_set_channels (fx->connection, channels);
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);

  id = wire_connection_publish_async (fx->connection, "chat:s1", "user_message",
                                      WIRE_PRIORITY_HIGH, "{\"text\":\"big\"}", NULL,
                                      publish_done_cb, &outcome);
  WIRE_TEST_WAIT_UNTIL (fx->server->publish_ids->len == 1);
  wire_raw_server_close (fx->server, 1009, "too big");

  WIRE_TEST_WAIT_UNTIL (outcome != NULL);
  g_assert_error (outcome, WIRE_ERROR, WIRE_ERROR_TOO_LARGE);
  g_clear_error (&outcome);
  /* The offending message failed; the connection itself carries on. */
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
  g_assert_cmpuint (fx->server->publish_ids->len, ==, 1);
}

static void
expect_refusal (Fixture    *fx,
                const char *channel,
                const char *event,
                const char *payload,
                WireError   code)
{
  g_autofree char *id = NULL;
  GError *outcome = NULL;

  id = wire_connection_publish_async (fx->connection, channel, event, WIRE_PRIORITY_NORMAL,
                                      payload, NULL, publish_done_cb, &outcome);
  g_assert_null (id);
  WIRE_TEST_WAIT_UNTIL (outcome != NULL);
  g_assert_error (outcome, WIRE_ERROR, (int) code);
  g_test_message ("refused as expected: %s", outcome->message);
  g_clear_error (&outcome);
}

static void
test_policy_refusals (Fixture       *fx,
                      gconstpointer  data)
{
  const char *channels[] = { "chat:s1", "agent:user-1", NULL };
  g_autoptr(GString) huge = g_string_new ("{\"text\":\"");

  fixture_connect (fx, "/ws/chat/s1", "good");
  wire_connection_set_channels (fx->connection, channels);
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);

  expect_refusal (fx, "agent:user-1", "status_update", NULL, WIRE_ERROR_PUBLISH_DENIED);
  expect_refusal (fx, "chat:s1", "delete_everything", NULL, WIRE_ERROR_FORBIDDEN_EVENT);
  expect_refusal (fx, "chat:other", "user_message", NULL, WIRE_ERROR_NOT_SUBSCRIBED);
  expect_refusal (fx, "chat:s1", "user_message", "[1,2]", WIRE_ERROR_BAD_FRAME);
  expect_refusal (fx, "chat:s1", "user_message", "{\"a\":", WIRE_ERROR_BAD_FRAME);
  for (guint i = 0; i < 70000; i++)
    g_string_append_c (huge, 'x');
  g_string_append (huge, "\"}");
  expect_refusal (fx, "chat:s1", "user_message", huge->str, WIRE_ERROR_TOO_LARGE);

  /* None of them reached the wire. */
  wire_test_spin_ms (100);
  g_assert_cmpuint (fx->server->publish_ids->len, ==, 0);
}

static void
test_resubscribe_after_reconnect (Fixture       *fx,
                                  gconstpointer  data)
{
  const char *channels[] = { "chat:s1", NULL };
  const char *more[] = { "trip:t1", NULL };
  g_autoptr(GError) error = NULL;
  gboolean subscribed = FALSE;

  fixture_connect (fx, "/ws/chat/s1", "good");
  wire_connection_set_channels (fx->connection, channels);
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);

  g_signal_connect_swapped (fx->connection, "subscribed",
                            G_CALLBACK (wire_test_timeout_flag_cb), &subscribed);
  g_assert_true (wire_connection_subscribe (fx->connection, more, &error));
  g_assert_no_error (error);
  WIRE_TEST_WAIT_UNTIL (subscribed);
  g_assert_true (g_strv_contains (wire_connection_get_available_channels (fx->connection),
                                  "trip:t1"));

  wire_raw_server_drop (fx->server);
  WIRE_TEST_WAIT_UNTIL (fx->server->auths == 2 && STATE (fx) == WIRE_CONNECTION_CONNECTED);
  g_assert_nonnull (strstr (fx->server->last_auth_text, "\"trip:t1\""));
  g_assert_nonnull (strstr (fx->server->last_auth_text, "\"chat:s1\""));
}

static void
test_network_offline (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = wire_raw_server_url (fx->server, "/ws/agent-status/user-1");
  WireNetworkMonitor *monitor = wire_network_monitor_new ();
  const WireTransition *row;
  guint upgrades;

  /* A backoff far longer than the test: only the network's return can bring it back. */
  g_object_set (fx->config, "reconnect-base-delay-ms", 600000, "reconnect-max-delay-ms", 600000,
                NULL);
  /* Latency is not the point here: no loaded machine makes this probe unstable. */
  g_object_set (monitor, "unstable-threshold-ms", 100000, "slow-threshold-ms", 200000, NULL);
  wire_network_monitor_set_probe_uri (monitor, fx->server->health_uri);
  wire_network_monitor_probe_now (monitor);
  WIRE_TEST_WAIT_UNTIL (wire_network_monitor_get_status (monitor) == WIRE_NETWORK_ONLINE);

  fx->connection = wire_connection_new (fx->config, monitor, url, &error);
  g_assert_no_error (error);
  wire_connection_set_token (fx->connection, "good");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);

  fx->server->health_status = SOUP_STATUS_SERVICE_UNAVAILABLE;
  wire_network_monitor_probe_now (monitor);
  WIRE_TEST_WAIT_UNTIL (wire_network_monitor_get_status (monitor) == WIRE_NETWORK_OFFLINE);

  upgrades = fx->server->upgrades;
  wire_raw_server_drop (fx->server);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_RECONNECTING);
  row = wire_test_last_transition_to (fx->connection, WIRE_CONNECTION_RECONNECTING);
  g_assert_cmpint (row->delay_ms, ==, -1);

  /* Offline: no attempts. */
  wire_test_spin_ms (300);
  g_assert_cmpint (STATE (fx), ==, WIRE_CONNECTION_RECONNECTING);
  g_assert_cmpuint (fx->server->upgrades, ==, upgrades);

  /* Back: at once, not after the ten-minute backoff. */
  fx->server->health_status = SOUP_STATUS_OK;
  wire_network_monitor_probe_now (monitor);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
  g_assert_cmpuint (fx->server->upgrades, ==, upgrades + 1);

  wire_connection_shutdown (fx->connection);
  g_assert_finalize_object (g_steal_pointer (&fx->connection));
  g_assert_finalize_object (monitor);
}

static void
test_gives_up (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  /* A port nobody listens on: take one from a server and stop it. */
  {
    g_autoptr(WireRawServer) gone = wire_raw_server_new ();

    url = wire_raw_server_url (gone, "/ws/agent-status/user-1");
  }

  g_object_set (fx->config, "reconnect-max-attempts", 3, NULL);
  fx->connection = wire_connection_new (fx->config, NULL, url, &error);
  g_assert_no_error (error);
  wire_connection_set_token (fx->connection, "good");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_ERROR);
  g_assert_nonnull (strstr (wire_connection_get_last_error (fx->connection), "Gave up after 3"));
}

static void
test_idle_timeout (Fixture       *fx,
                   gconstpointer  data)
{
  const WireTransition *row;

  g_object_set (fx->config, "idle-timeout-ms", 150, NULL);
  fixture_connect (fx, "/ws/agent-status/user-1", "good");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_DISCONNECTED);
  row = wire_test_last_transition_to (fx->connection, WIRE_CONNECTION_DISCONNECTED);
  g_assert_nonnull (strstr (row->reason, "idle"));
}

/* LeakSanitizer of GCC 12 crashes ("Tracer caught signal 11") walking the dynamic TLS of
 * GnuTLS, which glib-networking loads as a module: the TLS tests run in the normal build only. */
static gboolean
skip_tls_under_lsan (void)
{
#if defined(__SANITIZE_ADDRESS__)
  g_test_skip ("LeakSanitizer cannot walk GnuTLS's dynamic TLS; covered by the normal build");
  return TRUE;
#else
  return FALSE;
#endif
}

static WireRawServer *
new_tls_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cert = g_test_build_filename (G_TEST_DIST, "integration", "test-cert.pem",
                                                 NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_DIST, "integration", "test-key.pem", NULL);
  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_files (cert, key, &error);

  g_assert_no_error (error);
  return wire_raw_server_new_full (certificate);
}

static void
test_tls_ca_file (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *cert = g_test_build_filename (G_TEST_DIST, "integration", "test-cert.pem",
                                                 NULL);

  if (skip_tls_under_lsan ())
    return;

  wire_raw_server_free (fx->server);
  fx->server = new_tls_server ();
  g_assert_true (g_str_has_prefix (fx->server->url, "wss://"));

  g_object_set (fx->config, "ca-file", cert, NULL);
  fixture_connect (fx, "/ws/agent-status/user-1", "good");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
}

static void
test_tls_untrusted (Fixture       *fx,
                    gconstpointer  data)
{
  if (skip_tls_under_lsan ())
    return;

  wire_raw_server_free (fx->server);
  fx->server = new_tls_server ();

  /* Neither the system store nor a CA file vouches for the certificate. */
  g_object_set (fx->config, "reconnect-max-attempts", 1, NULL);
  fixture_connect (fx, "/ws/agent-status/user-1", "good");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_ERROR);
  g_test_message ("%s", wire_connection_get_last_error (fx->connection));
  g_assert_cmpuint (fx->server->auths, ==, 0);
}

static void
test_tls_insecure (Fixture       *fx,
                   gconstpointer  data)
{
  if (skip_tls_under_lsan ())
    return;

  wire_raw_server_free (fx->server);
  fx->server = new_tls_server ();

  g_object_set (fx->config, "insecure", TRUE, NULL);
  fixture_connect (fx, "/ws/agent-status/user-1", "good");
  g_test_expect_message ("wire-core", G_LOG_LEVEL_WARNING, "*certificate checks are OFF*");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
  g_test_assert_expected_messages ();
}

static void
test_extra_headers (Fixture       *fx,
                    gconstpointer  data)
{
  const char *headers[] = { "X-Wirescope-Test:  hello there ", NULL };
  const char *bad[] = { "no colon here", NULL };

  g_object_set (fx->config, "extra-headers", headers, NULL);
  fixture_connect (fx, "/ws/agent-status/user-1", "good");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
  g_assert_cmpstr (fx->server->last_test_header, ==, "hello there");

  wire_connection_disconnect (fx->connection);
  g_object_set (fx->config, "extra-headers", bad, NULL);
  wire_connection_connect (fx->connection);
  g_assert_cmpint (STATE (fx), ==, WIRE_CONNECTION_ERROR);
  g_assert_nonnull (strstr (wire_connection_get_last_error (fx->connection), "no colon here"));
}

static void
test_permessage_deflate (Fixture       *fx,
                         gconstpointer  data)
{
  fixture_connect (fx, "/ws/agent-status/user-1", "good");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);
  g_assert_cmpuint (fx->server->last_extensions, ==, 1);

  /* Turned off in the settings: the next handshake does not offer it. */
  g_object_set (fx->config, "permessage-deflate", FALSE, NULL);
  wire_connection_reconnect_now (fx->connection);
  WIRE_TEST_WAIT_UNTIL (fx->server->upgrades == 2 && STATE (fx) == WIRE_CONNECTION_CONNECTED);
  g_assert_cmpuint (fx->server->last_extensions, ==, 0);
}

/* dedup-ttl-ms applies at once, to the ids seen from then on. */
static void
test_dedup_ttl_setting (Fixture       *fx,
                        gconstpointer  data)
{
  const char *frame_x = "{\"type\":\"message\",\"id\":\"ttl-x\",\"channel\":\"chat:s1\","
                        "\"event\":\"e\",\"payload\":{}}";
  const char *frame_y = "{\"type\":\"message\",\"id\":\"ttl-y\",\"channel\":\"chat:s1\","
                        "\"event\":\"e\",\"payload\":{}}";
  WireMetrics metrics;

  g_object_set (fx->config, "dedup-ttl-ms", 1, NULL);
  fixture_connect (fx, "/ws/chat/s1", "good");
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);

  /* Remembered for 1 ms only: the same id a little later is new again. */
  wire_raw_server_send_text (fx->server, frame_x);
  WIRE_TEST_WAIT_UNTIL (fx->messages->len == 1);
  wire_test_spin_ms (50);
  wire_raw_server_send_text (fx->server, frame_x);
  WIRE_TEST_WAIT_UNTIL (fx->messages->len == 2);

  g_object_set (fx->config, "dedup-ttl-ms", 300000, NULL);
  wire_raw_server_send_text (fx->server, frame_y);
  WIRE_TEST_WAIT_UNTIL (fx->messages->len == 3);
  wire_test_spin_ms (50);
  wire_raw_server_send_text (fx->server, frame_y);
  WIRE_TEST_WAIT_UNTIL ((wire_connection_get_metrics (fx->connection, &metrics),
                         metrics.dedup_hits == 1));
  g_assert_cmpuint (fx->messages->len, ==, 3);
}

/* Pending operations hold no reference: a connection dropped while it connects, authenticates
 * or waits to reconnect is finalised at once, and nothing fires afterwards. */
static void
test_lifetime (Fixture       *fx,
               gconstpointer  data)
{
  WireConnection *c;

  /* Connecting. */
  fixture_connect (fx, "/ws/agent-status/user-1", "good");
  wire_connection_connect (fx->connection);
  g_assert_cmpint (STATE (fx), ==, WIRE_CONNECTION_CONNECTING);
  g_assert_finalize_object (g_steal_pointer (&fx->connection));
  wire_test_spin_ms (100);

  /* Authenticating: the server never answers. */
  fx->server->answer_auth = FALSE;
  c = fixture_connect (fx, "/ws/agent-status/user-1", "good");
  wire_connection_connect (c);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_AUTHENTICATING);
  g_assert_finalize_object (g_steal_pointer (&fx->connection));
  WIRE_TEST_WAIT_UNTIL (wire_raw_server_open_count (fx->server) == 0);

  /* Disconnected by hand while connecting, then connected again. */
  fx->server->answer_auth = TRUE;
  c = fixture_connect (fx, "/ws/agent-status/user-1", "good");
  wire_connection_connect (c);
  wire_connection_disconnect (c);
  g_assert_cmpint (STATE (fx), ==, WIRE_CONNECTION_DISCONNECTED);
  wire_connection_connect (c);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);

  /* Waiting out a backoff. */
  g_object_set (fx->config, "reconnect-base-delay-ms", 600000, "reconnect-max-delay-ms", 600000,
                NULL);
  wire_raw_server_drop (fx->server);
  WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_RECONNECTING);
  g_assert_finalize_object (g_steal_pointer (&fx->connection));
  wire_test_spin_ms (100);
}

/* The guide's policy for a poor network: unstable → at least 2 s between attempts, slow → at
 * least 5 s, whatever the backoff says. The probe's latency is set by the test server. */
static guint64
probe_count (WireNetworkMonitor *monitor)
{
  guint64 n = 0;

  g_object_get (monitor, "probe-count", &n, NULL);
  return n;
}

/* Probes and waits for that probe's verdict (or that of the probe already running, which
 * started after the settings changed). */
static void
probe_and_wait (WireNetworkMonitor *monitor)
{
  guint64 before = probe_count (monitor);

  wire_network_monitor_probe_now (monitor);
  WIRE_TEST_WAIT_UNTIL (probe_count (monitor) > before);
}

static void
test_network_slow_unstable (Fixture       *fx,
                            gconstpointer  data)
{
  /* Thresholds far below the probe's 300 ms for the status wanted, far above it otherwise,
   * so that a loaded machine cannot change the verdict. */
  static const struct
  {
    guint             unstable_threshold_ms;
    guint             slow_threshold_ms;
    WireNetworkStatus status;
    gint64            min_delay_ms;
  } cases[] = {
    { 100, 100000, WIRE_NETWORK_UNSTABLE, 2000 },
    { 50, 100, WIRE_NETWORK_SLOW, 5000 },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *url = wire_raw_server_url (fx->server, "/ws/agent-status/user-1");
  WireNetworkMonitor *monitor = wire_network_monitor_new ();

  wire_network_monitor_set_probe_uri (monitor, fx->server->health_uri);
  fx->connection = wire_connection_new (fx->config, monitor, url, &error);
  g_assert_no_error (error);
  wire_connection_set_token (fx->connection, "good");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const WireTransition *row;

      fx->server->health_delay_ms = 0;
      g_object_set (monitor, "unstable-threshold-ms", 100000, "slow-threshold-ms", 200000, NULL);
      probe_and_wait (monitor);
      g_assert_cmpint (wire_network_monitor_get_status (monitor), ==, WIRE_NETWORK_ONLINE);
      wire_connection_connect (fx->connection);
      WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_CONNECTED);

      fx->server->health_delay_ms = 300;
      g_object_set (monitor,
                    "unstable-threshold-ms", cases[i].unstable_threshold_ms,
                    "slow-threshold-ms", cases[i].slow_threshold_ms,
                    NULL);
      probe_and_wait (monitor);
      g_assert_cmpint (wire_network_monitor_get_status (monitor), ==, cases[i].status);

      wire_raw_server_drop (fx->server);
      WIRE_TEST_WAIT_UNTIL (STATE (fx) == WIRE_CONNECTION_RECONNECTING);
      row = wire_test_last_transition_to (fx->connection, WIRE_CONNECTION_RECONNECTING);
      g_test_message ("%s: reconnect in %" G_GINT64_FORMAT " ms",
                      wire_network_status_to_string (cases[i].status), row->delay_ms);
      g_assert_cmpint (row->delay_ms, >=, cases[i].min_delay_ms);
      wire_connection_disconnect (fx->connection);
    }

  wire_connection_shutdown (fx->connection);
  g_assert_finalize_object (g_steal_pointer (&fx->connection));
  g_assert_finalize_object (monitor);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/wire/integration/raw/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("auth-ok", test_auth_ok);
  ADD ("bad-server-input", test_bad_server_input);
  ADD ("dedup", test_dedup);
  ADD ("dedup-ttl-setting", test_dedup_ttl_setting);
  ADD ("close-codes", test_close_codes);
  ADD ("token-refresh", test_token_refresh);
  ADD ("token-refresh-fails", test_token_refresh_fails);
  ADD ("forbidden", test_forbidden);
  ADD ("connect-timeout", test_connect_timeout);
  ADD ("heartbeat-rtt", test_heartbeat_rtt);
  ADD ("heartbeat-interval-from-gateway", test_heartbeat_interval_from_gateway);
  ADD ("half-open", test_half_open);
  ADD ("drop-reconnects", test_drop_reconnects);
  ADD ("publish-resent-after-drop", test_publish_resent_after_drop);
  ADD ("publish-too-large-1009", test_publish_too_large_1009);
  ADD ("policy-refusals", test_policy_refusals);
  ADD ("resubscribe-after-reconnect", test_resubscribe_after_reconnect);
  ADD ("network-offline", test_network_offline);
  ADD ("network-slow-unstable", test_network_slow_unstable);
  ADD ("gives-up", test_gives_up);
  ADD ("idle-timeout", test_idle_timeout);
  ADD ("tls-ca-file", test_tls_ca_file);
  ADD ("tls-untrusted", test_tls_untrusted);
  ADD ("tls-insecure", test_tls_insecure);
  ADD ("extra-headers", test_extra_headers);
  ADD ("permessage-deflate", test_permessage_deflate);
  ADD ("lifetime", test_lifetime);

  return g_test_run ();
}
