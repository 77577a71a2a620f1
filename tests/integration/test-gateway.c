#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The client against the real gateway, in-process on 127.0.0.1 with a free port: the
 * handshake with real JWTs, the close codes of PROTOCOL.md §6 through fault injection, the
 * supersede and slot rules, heartbeats, half-open links, publishing and exactly-once. */

#include "config.h"

#include <string.h>

#include "wire-core.h"
#include "wire-gateway.h"
#include "wire-test-util.h"

typedef struct
{
  WireGateway *gateway;
  WireConfig  *config;
  GPtrArray   *connections;   /* WireConnection, finalised in teardown */
  char        *token;         /* user-1, trips t1 */
  guint        token_calls;
  guint        refresh_calls;
  char        *refresh_token;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *trips[] = { "t1", NULL };

  fx->gateway = wire_gateway_new ();
  g_assert_true (wire_gateway_listen (fx->gateway, "127.0.0.1", 0, &error));
  g_assert_no_error (error);

  fx->config = wire_config_new ();
  g_object_set (fx->config,
                "reconnect-base-delay-ms", 20,
                "reconnect-max-delay-ms", 200,
                "jitter", WIRE_JITTER_NONE,
                NULL);
  fx->connections = g_ptr_array_new ();
  fx->token = wire_gateway_mint_token (fx->gateway, "user-1", NULL, trips, NULL, 3600);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  for (guint i = 0; i < fx->connections->len; i++)
    wire_connection_shutdown (g_ptr_array_index (fx->connections, i));
  for (guint i = 0; i < fx->connections->len; i++)
    g_assert_finalize_object (g_ptr_array_index (fx->connections, i));
  g_ptr_array_unref (fx->connections);

  wire_gateway_shutdown (fx->gateway);
  g_assert_finalize_object (fx->gateway);
  g_assert_finalize_object (fx->config);
  g_free (fx->token);
  g_free (fx->refresh_token);
}

static WireConnection *
new_connection (Fixture            *fx,
                const char         *path,
                const char         *token,
                const char * const *channels)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strconcat (wire_gateway_get_url (fx->gateway), path, NULL);
  WireConnection *connection;

  connection = wire_connection_new (fx->config, NULL, url, &error);
  g_assert_no_error (error);
  if (token != NULL)
    wire_connection_set_token (connection, token);
  if (channels != NULL)
    wire_connection_set_channels (connection, channels);
  g_ptr_array_add (fx->connections, connection);
  return connection;
}

static void
apply_fault (Fixture    *fx,
             const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (wire_gateway_apply_fault (fx->gateway, json_node_get_object (node), &error));
  g_assert_no_error (error);
}

#define STATE(c) wire_connection_get_state (c)

static void
test_auth_ok (Fixture       *fx,
              gconstpointer  data)
{
  const char *channels[] = { "agent:user-1", "agent:user-2", NULL };
  const char *granted[] = { "agent:user-1", NULL };
  WireConnection *c = new_connection (fx, "/ws/agent-status/user-1", fx->token, NULL);
  g_auto(GStrv) ids = NULL;
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GError) error = NULL;

  /* The policy refuses agent:user-2 locally; the gateway would too. */
  g_assert_false (wire_connection_subscribe (c, channels, &error));
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  wire_connection_set_channels (c, granted);

  wire_connection_connect (c);
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_CONNECTED);

  g_assert_cmpstr (wire_connection_get_user_id (c), ==, "user-1");
  g_assert_cmpstrv (wire_connection_get_available_channels (c), granted);
  ids = wire_gateway_dup_connection_ids (fx->gateway);
  g_assert_cmpuint (g_strv_length (ids), ==, 1);
  g_assert_cmpstr (ids[0], ==, wire_connection_get_connection_id (c));
  g_assert_cmpint (wire_connection_get_token_expiry (c), >=, now_s + 3500);
  g_assert_cmpint (wire_connection_get_token_expiry (c), <=, now_s + 3700);

  wire_connection_disconnect (c);
  WIRE_TEST_WAIT_UNTIL (wire_gateway_get_connection_count (fx->gateway) == 0);
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
  return g_strdup ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.bm90LXRoZS1zaWduYXR1cmU");
}

static void
test_bad_token_refresh_once (Fixture       *fx,
                             gconstpointer  data)
{
  WireConnection *c = new_connection (fx, "/ws/agent-status/user-1", NULL, NULL);

  fx->refresh_token = g_strdup ("still.not.valid");
  wire_connection_set_token_func (c, token_func, fx, NULL);
  wire_connection_connect (c);
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_ERROR);

  wire_test_spin_ms (300);
  g_assert_cmpint (STATE (c), ==, WIRE_CONNECTION_ERROR);
  g_assert_cmpuint (fx->token_calls, ==, 2);
  g_assert_cmpuint (fx->refresh_calls, ==, 1);
  g_assert_cmpint (wire_connection_get_last_close_code (c), ==, 4001);
  g_assert_nonnull (wire_connection_get_last_error (c));
}

static void
test_bad_token_refresh_succeeds (Fixture       *fx,
                                 gconstpointer  data)
{
  WireConnection *c = new_connection (fx, "/ws/agent-status/user-1", NULL, NULL);

  fx->refresh_token = g_strdup (fx->token);
  wire_connection_set_token_func (c, token_func, fx, NULL);
  wire_connection_connect (c);
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_CONNECTED);
  g_assert_cmpuint (fx->refresh_calls, ==, 1);
  g_assert_cmpint (wire_test_last_transition_to (c, WIRE_CONNECTION_RECONNECTING)->close_code, ==,
                   4001);
}

static void
test_expired_token (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *expired = wire_gateway_mint_token (fx->gateway, "user-1", NULL, NULL, NULL,
                                                      -3600);
  WireConnection *c = new_connection (fx, "/ws/agent-status/user-1", expired, NULL);

  wire_connection_connect (c);
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_ERROR);
  g_assert_cmpint (wire_connection_get_last_close_code (c), ==, 4001);
  g_test_message ("%s", wire_connection_get_last_error (c));
  g_assert_nonnull (strstr (wire_connection_get_last_error (c), "expired"));
}

static void
test_forbidden_path (Fixture       *fx,
                     gconstpointer  data)
{
  WireConnection *c = new_connection (fx, "/ws/agent-status/user-2", fx->token, NULL);

  wire_connection_connect (c);
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_ERROR);
  g_assert_cmpint (wire_connection_get_last_close_code (c), ==, 4003);
  g_assert_nonnull (strstr (wire_connection_get_last_error (c), "forbidden"));
}

typedef struct
{
  int                 code;
  WireConnectionState state;
  gboolean            reconnects;
} CloseCase;

/* PROTOCOL.md §6 (1006 is the drop test's). */
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
  { 4001, WIRE_CONNECTION_ERROR, FALSE },    /* a static token: no source to refresh from */
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
  const char *channels[] = { "agent:user-1", NULL };
  WireConnection *c = new_connection (fx, "/ws/agent-status/user-1", fx->token, channels);

  for (guint i = 0; i < G_N_ELEMENTS (close_cases); i++)
    {
      const CloseCase *cc = &close_cases[i];
      g_autofree char *fault = NULL;
      g_autofree char *before = NULL;
      const WireTransition *row;

      g_test_message ("close %d", cc->code);
      wire_connection_connect (c);
      WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_CONNECTED);
      before = g_strdup (wire_connection_get_connection_id (c));

      fault = g_strdup_printf ("{\"action\":\"close\",\"code\":%d}", cc->code);
      apply_fault (fx, fault);
      WIRE_TEST_WAIT_UNTIL (STATE (c) != WIRE_CONNECTION_CONNECTED);
      g_assert_cmpint (STATE (c), ==, cc->state);
      g_assert_cmpint (wire_connection_get_last_close_code (c), ==, cc->code);
      row = wire_test_last_transition_to (c, cc->state);
      g_assert_cmpint (row->close_code, ==, cc->code);

      if (cc->code == 1013)
        {
          g_assert_cmpint (row->delay_ms, >=, 5000);
          wire_connection_reconnect_now (c);
        }

      if (cc->reconnects)
        {
          WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_CONNECTED);
          g_assert_cmpstr (wire_connection_get_connection_id (c), !=, before);
        }
      else
        {
          wire_test_spin_ms (300);
          g_assert_cmpint (STATE (c), ==, cc->state);
          WIRE_TEST_WAIT_UNTIL (wire_gateway_get_connection_count (fx->gateway) == 0);
        }
      wire_connection_disconnect (c);
      WIRE_TEST_WAIT_UNTIL (wire_gateway_get_connection_count (fx->gateway) == 0);
    }
}

static void
test_drop_reconnects (Fixture       *fx,
                      gconstpointer  data)
{
  WireConnection *c = new_connection (fx, "/ws/agent-status/user-1", fx->token, NULL);
  GPtrArray *rows;
  guint n;

  wire_connection_connect (c);
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_CONNECTED);
  n = wire_connection_get_transitions (c)->len;

  apply_fault (fx, "{\"action\":\"drop\",\"target\":\"all\"}");
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_RECONNECTING);
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_CONNECTED);

  /* connected → reconnecting (1006) → connecting → authenticating → connected */
  rows = wire_connection_get_transitions (c);
  g_assert_cmpuint (rows->len, ==, n + 4);
  g_assert_cmpint (((WireTransition *) rows->pdata[n])->from, ==, WIRE_CONNECTION_CONNECTED);
  g_assert_cmpint (((WireTransition *) rows->pdata[n])->to, ==, WIRE_CONNECTION_RECONNECTING);
  g_assert_cmpint (((WireTransition *) rows->pdata[n])->close_code, ==, 1006);
  g_assert_cmpuint (((WireTransition *) rows->pdata[n])->attempt, ==, 1);
  g_assert_cmpint (((WireTransition *) rows->pdata[n])->delay_ms, ==, 20);
  g_assert_cmpint (((WireTransition *) rows->pdata[n + 1])->to, ==, WIRE_CONNECTION_CONNECTING);
  g_assert_cmpint (((WireTransition *) rows->pdata[n + 2])->to, ==,
                   WIRE_CONNECTION_AUTHENTICATING);
  g_assert_cmpint (((WireTransition *) rows->pdata[n + 3])->to, ==, WIRE_CONNECTION_CONNECTED);
}

static void
test_heartbeat_rtt (Fixture       *fx,
                    gconstpointer  data)
{
  WireConnection *c = new_connection (fx, "/ws/agent-status/user-1", fx->token, NULL);
  WireMetrics metrics;

  g_object_set (fx->config, "heartbeat-interval-ms", 40, NULL);
  wire_connection_connect (c);
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_CONNECTED);
  WIRE_TEST_WAIT_UNTIL ((wire_connection_get_metrics (c, &metrics),
                         metrics.rtt_last_ms >= 0 && metrics.rtt_p95_ms >= 0));
  g_assert_cmpint (metrics.rtt_p95_ms, >=, metrics.rtt_p50_ms);
  g_assert_cmpint (metrics.rtt_p50_ms, >=, 0);
}

static void
test_half_open (Fixture       *fx,
                gconstpointer  data)
{
  WireConnection *c = new_connection (fx, "/ws/agent-status/user-1", fx->token, NULL);
  const WireTransition *row;
  g_autofree char *before = NULL;

  g_object_set (fx->config, "heartbeat-interval-ms", 50, "heartbeat-timeout-ms", 300, NULL);
  wire_connection_connect (c);
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_CONNECTED);
  before = g_strdup (wire_connection_get_connection_id (c));

  apply_fault (fx, "{\"action\":\"stall\",\"ms\":60000}");
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_RECONNECTING);
  row = wire_test_last_transition_to (c, WIRE_CONNECTION_RECONNECTING);
  g_assert_cmpint (row->close_code, ==, 1006);
  g_assert_nonnull (strstr (row->reason, "half-open"));

  /* The new connection supersedes the stalled one at the gateway. */
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_CONNECTED);
  g_assert_cmpstr (wire_connection_get_connection_id (c), !=, before);
  apply_fault (fx, "{\"action\":\"clear\"}");
}

static void
test_supersede_stays_disconnected (Fixture       *fx,
                                   gconstpointer  data)
{
  WireConnection *first = new_connection (fx, "/ws/notifications/user-1", fx->token, NULL);
  WireConnection *second = new_connection (fx, "/ws/notifications/user-1", fx->token, NULL);

  wire_connection_connect (first);
  WIRE_TEST_WAIT_UNTIL (STATE (first) == WIRE_CONNECTION_CONNECTED);
  wire_connection_connect (second);
  WIRE_TEST_WAIT_UNTIL (STATE (second) == WIRE_CONNECTION_CONNECTED &&
                        STATE (first) == WIRE_CONNECTION_DISCONNECTED);
  g_assert_cmpint (wire_connection_get_last_close_code (first), ==, 4009);

  /* Never fight: the first one does not come back. */
  wire_test_spin_ms (300);
  g_assert_cmpint (STATE (first), ==, WIRE_CONNECTION_DISCONNECTED);
  g_assert_cmpint (STATE (second), ==, WIRE_CONNECTION_CONNECTED);
  g_assert_cmpuint (wire_gateway_get_connection_count (fx->gateway), ==, 1);
}

static void
test_slot_full_reconnects (Fixture       *fx,
                           gconstpointer  data)
{
  const char *trips[] = { "t1", NULL };
  const char *users[] = { "user-a", "user-b", "user-c", "user-d" };
  WireConnection *c[4];
  const WireTransition *row;

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *token = wire_gateway_mint_token (fx->gateway, users[i], NULL, trips, NULL,
                                                        3600);

      c[i] = new_connection (fx, "/ws/trips/t1/collab", token, NULL);
    }
  for (guint i = 0; i < 3; i++)
    {
      wire_connection_connect (c[i]);
      WIRE_TEST_WAIT_UNTIL (STATE (c[i]) == WIRE_CONNECTION_CONNECTED);
    }

  wire_connection_connect (c[3]);
  WIRE_TEST_WAIT_UNTIL ((row = wire_test_last_transition_to (c[3], WIRE_CONNECTION_RECONNECTING))
                        != NULL);
  g_assert_cmpint (row->close_code, ==, 4029);
  g_assert_cmpint (wire_connection_get_last_close_code (c[3]), ==, 4029);

  /* A slot frees up: the backoff brings the fourth one in. */
  wire_connection_disconnect (c[0]);
  WIRE_TEST_WAIT_UNTIL (STATE (c[3]) == WIRE_CONNECTION_CONNECTED);
}

typedef struct
{
  gboolean    done;
  gboolean    ok;
  const char *status;
  GError     *error;
} PublishResult;

static void
publish_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PublishResult *r = user_data;

  r->ok = wire_connection_publish_finish (WIRE_CONNECTION (source), result, &r->status,
                                          &r->error);
  r->done = TRUE;
}

static void
count_message_cb (WireConnection *connection,
                  WireEnvelope   *env,
                  GHashTable     *seen)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (seen, env->id));

  g_hash_table_insert (seen, g_strdup (env->id), GUINT_TO_POINTER (n + 1));
}

static void
test_publish_acked (Fixture       *fx,
                    gconstpointer  data)
{
  const char *channels[] = { "chat:s1", NULL };
  const char *sessions[] = { "s1", NULL };
  g_autofree char *token = wire_gateway_mint_token (fx->gateway, "user-1", NULL, NULL, sessions,
                                                    3600);
  WireConnection *c = new_connection (fx, "/ws/chat/s1", token, channels);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  PublishResult r = { 0 };
  g_autofree char *id = NULL;
  WireMetrics metrics;

  g_signal_connect (c, "message", G_CALLBACK (count_message_cb), seen);
  wire_connection_connect (c);
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_CONNECTED);

  id = wire_connection_publish_async (c, "chat:s1", "user_message", WIRE_PRIORITY_NORMAL,
                                      "{\"text\":\"hello\"}", NULL, publish_done_cb, &r);
  g_assert_nonnull (id);
  WIRE_TEST_WAIT_UNTIL (r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpstr (r.status, ==, "ok");

  /* The chat service answers from the assistant. */
  WIRE_TEST_WAIT_UNTIL (g_hash_table_size (seen) > 0);
  wire_connection_get_metrics (c, &metrics);
  g_assert_cmpuint (metrics.messages_sent, ==, 1);
  g_assert_cmpuint (metrics.messages_received, >=, 1);
}

typedef struct
{
  Fixture        *fx;
  WireConnection *connection;
  guint           sent;
} DropOnSend;

static void
drop_on_first_send_cb (WireConnection *connection,
                       const char     *id,
                       const char     *channel,
                       const char     *event,
                       WirePriority    priority,
                       guint           size,
                       DropOnSend     *drop)
{
  g_autofree char *fault = NULL;

  if (drop->sent++ > 0)
    return;
  fault = g_strdup_printf ("{\"action\":\"drop\",\"target\":\"%s\"}",
                           wire_connection_get_connection_id (connection));
  apply_fault (drop->fx, fault);
}

static void
queue_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  PublishResult *r = user_data;

  r->ok = wire_message_queue_enqueue_finish (WIRE_MESSAGE_QUEUE (source), result, &r->status,
                                             &r->error);
  r->done = TRUE;
}

static void
test_exactly_once (Fixture       *fx,
                   gconstpointer  data)
{
  const char *channels[] = { "trip:t1", NULL };
  const char *trips[] = { "t1", NULL };
  g_autofree char *token_b = wire_gateway_mint_token (fx->gateway, "user-2", NULL, trips, NULL,
                                                      3600);
  WireConnection *a = new_connection (fx, "/ws/trips/t1/collab", fx->token, channels);
  WireConnection *b = new_connection (fx, "/ws/trips/t1/collab", token_b, channels);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  DropOnSend drop = { fx, a, 0 };
  PublishResult r = { 0 };
  PublishResult again = { 0 };
  g_autofree char *id = NULL;
  gulong handler;

  g_signal_connect (b, "message", G_CALLBACK (count_message_cb), seen);
  wire_connection_connect (a);
  wire_connection_connect (b);
  WIRE_TEST_WAIT_UNTIL (STATE (a) == WIRE_CONNECTION_CONNECTED &&
                        STATE (b) == WIRE_CONNECTION_CONNECTED);

  /* The link drops as soon as the publish is written: it is re-sent with its id after the
   * reconnect, and delivered once whichever copy the gateway saw. */
  handler = g_signal_connect (a, "publish-sent", G_CALLBACK (drop_on_first_send_cb), &drop);
  id = wire_connection_publish_async (a, "trip:t1", "trip_update", WIRE_PRIORITY_HIGH,
                                      "{\"field\":\"title\",\"value\":\"Lisbon\"}", NULL,
                                      publish_done_cb, &r);
  WIRE_TEST_WAIT_UNTIL (r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_test_message ("re-sent publish completed with status %s after %u sends", r.status, drop.sent);
  g_assert_cmpuint (drop.sent, >=, 2);
  g_assert_nonnull (wire_test_last_transition_to (a, WIRE_CONNECTION_RECONNECTING));
  g_signal_handler_disconnect (a, handler);
  WIRE_TEST_WAIT_UNTIL (g_hash_table_contains (seen, id));

  /* The same id once more: the gateway remembers it, answers duplicate, delivers nothing. */
  wire_message_queue_enqueue_async (wire_connection_get_queue (a), id, "trip:t1", "trip_update",
                                    WIRE_PRIORITY_HIGH, "{}", NULL, queue_done_cb, &again);
  WIRE_TEST_WAIT_UNTIL (again.done);
  g_assert_no_error (again.error);
  g_assert_cmpstr (again.status, ==, "duplicate");

  /* A marker published after both: once it is in, nothing else is still on its way. */
  {
    PublishResult marker = { 0 };
    g_autofree char *marker_id = NULL;

    marker_id = wire_connection_publish_async (a, "trip:t1", "trip_update", WIRE_PRIORITY_HIGH,
                                               "{}", NULL, publish_done_cb, &marker);
    WIRE_TEST_WAIT_UNTIL (marker.done && g_hash_table_contains (seen, marker_id));
  }
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (seen, id)), ==, 1);
}

static void
test_admin_inspection (Fixture       *fx,
                       gconstpointer  data)
{
  const char *channels[] = { "admin:sessions", "chat:s9", NULL };
  g_autofree char *admin_token = wire_gateway_mint_token (fx->gateway, "ops", "admin", NULL, NULL,
                                                          3600);
  WireConnection *c = new_connection (fx, "/ws/admin", admin_token, channels);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) stats = NULL;
  PublishResult r = { 0 };
  g_autofree char *id = NULL;
  gboolean found = FALSE;

  g_signal_connect (c, "message", G_CALLBACK (count_message_cb), seen);
  wire_connection_connect (c);
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_CONNECTED);
  g_assert_true (g_strv_contains (wire_connection_get_available_channels (c), "chat:s9"));
  g_assert_true (g_strv_contains (wire_connection_get_available_channels (c), "admin:sessions"));

  stats = wire_connection_dup_channel_stats (c);
  for (guint i = 0; i < stats->len; i++)
    {
      WireChannelStats *st = g_ptr_array_index (stats, i);

      if (g_str_equal (st->channel, "chat:s9"))
        {
          found = TRUE;
          g_assert_true (st->subscribed);
          g_assert_true (st->read_only);
        }
    }
  g_assert_true (found);

  /* Inspection is read-only: refused before it reaches the wire. */
  id = wire_connection_publish_async (c, "chat:s9", "user_message", WIRE_PRIORITY_NORMAL, "{}",
                                      NULL, publish_done_cb, &r);
  g_assert_null (id);
  WIRE_TEST_WAIT_UNTIL (r.done);
  g_assert_error (r.error, WIRE_ERROR, WIRE_ERROR_PUBLISH_DENIED);
  g_clear_error (&r.error);
}

/* A gateway that answers upgrades with 503 for a while is retried, not given up on. */
static void
test_refused_upgrade_retries (Fixture       *fx,
                              gconstpointer  data)
{
  WireConnection *c = new_connection (fx, "/ws/agent-status/user-1", fx->token, NULL);
  GPtrArray *rows;
  gboolean saw_503 = FALSE;

  wire_connection_connect (c);
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_CONNECTED);

  apply_fault (fx, "{\"action\":\"refuse\",\"ms\":3000}");
  apply_fault (fx, "{\"action\":\"drop\"}");
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_RECONNECTING);
  WIRE_TEST_WAIT_UNTIL (STATE (c) == WIRE_CONNECTION_CONNECTED);

  rows = wire_connection_get_transitions (c);
  for (guint i = 0; i < rows->len; i++)
    {
      WireTransition *row = g_ptr_array_index (rows, i);

      if (row->to == WIRE_CONNECTION_RECONNECTING && row->reason != NULL &&
          strstr (row->reason, "HTTP 503") != NULL)
        saw_503 = TRUE;
      g_assert_cmpint (row->to, !=, WIRE_CONNECTION_ERROR);
    }
  g_assert_true (saw_503);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/wire/integration/gateway/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)

  ADD ("auth-ok", test_auth_ok);
  ADD ("bad-token-refresh-once", test_bad_token_refresh_once);
  ADD ("bad-token-refresh-succeeds", test_bad_token_refresh_succeeds);
  ADD ("expired-token", test_expired_token);
  ADD ("forbidden-path", test_forbidden_path);
  ADD ("close-codes", test_close_codes);
  ADD ("drop-reconnects", test_drop_reconnects);
  ADD ("heartbeat-rtt", test_heartbeat_rtt);
  ADD ("half-open", test_half_open);
  ADD ("supersede-stays-disconnected", test_supersede_stays_disconnected);
  ADD ("slot-full-reconnects", test_slot_full_reconnects);
  ADD ("publish-acked", test_publish_acked);
  ADD ("exactly-once", test_exactly_once);
  ADD ("admin-inspection", test_admin_inspection);
  ADD ("refused-upgrade-retries", test_refused_upgrade_retries);

  return g_test_run ();
}
