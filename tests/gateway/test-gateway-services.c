#define G_LOG_DOMAIN "wire-gateway-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <signal.h>
#include <sys/socket.h>

#include <glib/gstdio.h>

#include "gateway-test-client.h"

/* PROTOCOL.md §7 (faults), §8 (services and demo traffic), TLS, the slow-reader limit and the
 * wirescope-gateway command line. */

static const char * const trips_t1[] = { "t1", NULL };

static JsonObject *
parse_object (const char *json,
              JsonNode  **out_node)
{
  g_autoptr (GError) error = NULL;

  *out_node = json_from_string (json, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*out_node));
  return json_node_get_object (*out_node);
}

static gboolean
apply (WireGateway *gateway,
       const char  *json,
       GError     **error)
{
  g_autoptr (JsonNode) node = NULL;
  JsonObject *fault = parse_object (json, &node);

  return wire_gateway_apply_fault (gateway, fault, error);
}

static void
apply_ok (WireGateway *gateway,
          const char  *json)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (apply (gateway, json, &error));
  g_assert_no_error (error);
}

static WireEnvelope *
heartbeat (GwClient *client,
           gint64    ts)
{
  g_autofree char *frame = wire_frame_build_heartbeat (ts);

  gw_client_send (client, frame);
  return gw_client_next_type (client, "heartbeat_ack", NULL);
}

/* §7 drop: the TCP connection ends without a close frame (1006); by connection id or all. */
static void
test_fault_drop (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autoptr (GwClient) a = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);
  g_autoptr (GwClient) b = gw_client_auth (gateway, "/ws/chat/s2", "u1", NULL, NULL, NULL);
  g_autoptr (WireEnvelope) ack = NULL;
  g_auto (GStrv) ids = wire_gateway_dup_connection_ids (gateway);
  g_autofree char *fault = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (g_strv_length (ids), ==, 2);
  /* Find a's id: the one that is not b's after b is dropped would be circular, so drop both
   * one at a time and check that exactly one client went each time. */
  fault = g_strdup_printf ("{\"action\":\"drop\",\"target\":\"%s\"}", ids[0]);
  apply_ok (gateway, fault);
  while (!a->closed && !b->closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (a->closed ? a->close_code : b->close_code, ==, 1006);
  ack = heartbeat (a->closed ? b : a, 3);
  g_assert_cmpint (ack->ts, ==, 3);

  apply_ok (gateway, "{\"action\":\"drop\",\"target\":\"all\"}");
  g_assert_cmpint (gw_client_wait_closed (a->closed ? b : a), ==, 1006);

  g_assert_false (apply (gateway, "{\"action\":\"drop\",\"target\":\"c-nobody\"}", &error));
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT);

  g_clear_pointer (&a, gw_client_free);
  g_clear_pointer (&b, gw_client_free);
  gw_gateway_finish (gateway);
}

/* §7 close: with the code asked for. */
static void
test_fault_close (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autoptr (GwClient) a = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);
  g_autoptr (GError) error = NULL;

  apply_ok (gateway, "{\"action\":\"close\",\"code\":1012,\"target\":\"all\"}");
  g_assert_cmpint (gw_client_wait_closed (a), ==, 1012);
  g_assert_false (apply (gateway, "{\"action\":\"close\",\"code\":1006}", &error));
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT);

  g_clear_pointer (&a, gw_client_free);
  gw_gateway_finish (gateway);
}

/* §7 stall: frames sent during the stall are never answered; clear ends it. */
static void
test_fault_stall (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autoptr (GwClient) a = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);
  g_autoptr (WireEnvelope) ack = NULL;
  g_autofree char *hb = wire_frame_build_heartbeat (1);
  g_autoptr (GError) error = NULL;

  apply_ok (gateway, "{\"action\":\"stall\",\"ms\":60000,\"target\":\"all\"}");
  gw_client_send (a, hb);
  gw_spin (300);
  g_assert_false (gw_client_has_pending (a));
  apply_ok (gateway, "{\"action\":\"clear\"}");
  ack = heartbeat (a, 2);
  g_assert_cmpint (ack->ts, ==, 2);
  g_assert_false (a->closed);

  g_assert_false (apply (gateway, "{\"action\":\"stall\"}", &error));
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT);

  g_clear_pointer (&a, gw_client_free);
  gw_gateway_finish (gateway);
}

/* §7 latency: every frame and the health answer wait at least that long. */
static void
test_fault_latency (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autoptr (GwClient) a = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);
  g_autoptr (WireEnvelope) ack = NULL;
  g_autoptr (WireEnvelope) ack2 = NULL;
  g_autoptr (WireEnvelope) ack3 = NULL;
  gint64 start;

  apply_ok (gateway, "{\"action\":\"latency\",\"ms\":250}");
  start = g_get_monotonic_time ();
  ack = heartbeat (a, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);
  ack2 = heartbeat (a, 2);
  g_assert_cmpint (ack2->ts, ==, 2);
  start = g_get_monotonic_time ();
  g_assert_cmpuint (gw_http (gateway, "GET", "/api/health", NULL, NULL, NULL), ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);

  apply_ok (gateway, "{\"action\":\"clear\"}");
  ack3 = heartbeat (a, 3);
  g_assert_cmpint (ack3->ts, ==, 3);

  g_clear_pointer (&a, gw_client_free);
  gw_gateway_finish (gateway);
}

/* §7 refuse: new upgrades get 503 until it ends (or clear). */
static void
test_fault_refuse (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autoptr (GError) error = NULL;

  apply_ok (gateway, "{\"action\":\"refuse\",\"ms\":60000}");
  {
    g_autoptr (GwClient) refused = gw_client_connect (gateway, "/ws/chat/s1", NULL);

    g_assert_null (refused->ws);
    g_assert_cmpuint (refused->http_status, ==, 503);
  }
  apply_ok (gateway, "{\"action\":\"clear\"}");
  {
    g_autoptr (GwClient) ok = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);
  }
  g_assert_false (apply (gateway, "{\"action\":\"explode\"}", &error));
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (apply (gateway, "{}", &error));
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT);
  gw_gateway_finish (gateway);
}

/* §7: POST /api/faults exists only with faults on, and only for an admin token. */
static void
test_fault_endpoint (void)
{
  WireGateway *off = gw_gateway_new (NULL);
  WireGateway *gateway = gw_gateway_new ("faults", TRUE, NULL);
  g_autofree char *admin = wire_gateway_mint_token (gateway, "root", "admin", NULL, NULL, 600);
  g_autofree char *user = wire_gateway_mint_token (gateway, "u1", NULL, NULL, NULL, 600);
  g_autofree char *off_admin = wire_gateway_mint_token (off, "root", "admin", NULL, NULL, 600);
  const char *refuse = "{\"action\":\"refuse\",\"ms\":60000}";

  g_assert_cmpuint (gw_http (off, "POST", "/api/faults", off_admin, refuse, NULL), ==, 404);
  g_assert_cmpuint (gw_http (gateway, "POST", "/api/faults", NULL, refuse, NULL), ==, 403);
  g_assert_cmpuint (gw_http (gateway, "POST", "/api/faults", user, refuse, NULL), ==, 403);
  g_assert_cmpuint (gw_http (gateway, "POST", "/api/faults", off_admin, refuse, NULL), ==, 403);
  g_assert_cmpuint (gw_http (gateway, "POST", "/api/faults", admin, "nope", NULL), ==, 400);
  g_assert_cmpuint (gw_http (gateway, "POST", "/api/faults", admin, "{\"action\":\"x\"}", NULL),
                    ==, 400);
  g_assert_cmpuint (gw_http (gateway, "POST", "/api/faults", admin, refuse, NULL), ==, 200);
  {
    g_autoptr (GwClient) refused = gw_client_connect (gateway, "/ws/chat/s1", NULL);

    g_assert_cmpuint (refused->http_status, ==, 503);
  }
  g_assert_cmpuint (gw_http (gateway, "POST", "/api/faults", admin, "{\"action\":\"clear\"}",
                             NULL), ==, 200);
  {
    g_autoptr (GwClient) ok = gw_client_connect (gateway, "/ws/chat/s1", NULL);

    g_assert_nonnull (ok->ws);
  }
  gw_gateway_finish (off);
  gw_gateway_finish (gateway);
}

/* Waits for the events in @events (in any order) on @client; returns the first payload of
 * @keep_event, if asked. */
static void
expect_events (GwClient           *client,
               const char * const *events,
               const char         *from)
{
  g_autoptr (GHashTable) missing = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; events[i] != NULL; i++)
    g_hash_table_add (missing, (gpointer) events[i]);
  while (g_hash_table_size (missing) > 0)
    {
      g_autoptr (WireEnvelope) env = gw_client_next_type (client, "message", NULL);

      if (g_hash_table_remove (missing, env->event) && from != NULL)
        g_assert_cmpstr (env->from, ==, from);
    }
}

/* §8 without demo: the chat service answers a user_message. */
static void
test_chat_service (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autoptr (GwClient) client = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);
  g_autofree char *frame = wire_frame_build_publish ("q-1", "chat:s1", "user_message",
                                                     WIRE_PRIORITY_NORMAL,
                                                     "{\"text\":\"Where should we eat?\"}");
  g_autoptr (WireEnvelope) typing = NULL;
  g_autoptr (WireEnvelope) reply = NULL;
  g_autoptr (WireEnvelope) stop = NULL;
  g_autoptr (JsonNode) payload = NULL;

  gw_client_send (client, frame);
  typing = gw_client_next_type (client, "message", NULL);
  g_assert_cmpstr (typing->event, ==, "typing_start");
  g_assert_cmpstr (typing->from, ==, "assistant");
  reply = gw_client_next_type (client, "message", NULL);
  g_assert_cmpstr (reply->event, ==, "assistant_message");
  payload = wire_envelope_dup_member_node (reply, "payload");
  g_assert_cmpuint (strlen (json_object_get_string_member (json_node_get_object (payload),
                                                           "text")), >, 0);
  stop = gw_client_next_type (client, "message", NULL);
  g_assert_cmpstr (stop->event, ==, "typing_stop");

  g_clear_pointer (&client, gw_client_free);
  gw_gateway_finish (gateway);
}

/* §8 with demo: each service produces each of its event types. */
static void
test_demo_services (void)
{
  WireGateway *gateway = gw_gateway_new ("demo", TRUE, "demo-tick-ms", 20, "seed", (gint64) 7,
                                         NULL);
  g_autoptr (GwClient) agent = gw_client_auth (gateway, "/ws/agent-status/u1", "u1", NULL, NULL,
                                               NULL);
  g_autoptr (GwClient) notes = gw_client_auth (gateway, "/ws/notifications/u1", "u1", NULL, NULL,
                                               NULL);
  g_autoptr (GwClient) trip = gw_client_auth (gateway, "/ws/trips/t1/collab", "u1", NULL,
                                              trips_t1, NULL);
  g_autoptr (GwClient) chat = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);
  g_autofree char *ask = wire_frame_build_publish ("q-1", "chat:s1", "user_message",
                                                   WIRE_PRIORITY_NORMAL, "{\"text\":\"hi\"}");
  g_autoptr (WireEnvelope) presence = NULL;
  g_autoptr (JsonNode) presence_payload = NULL;
  g_autoptr (WireEnvelope) note = NULL;
  JsonObject *obj;
  int last_progress = -1;
  gboolean started = FALSE;

  /* Agent: task_start, then status_update with rising progress 0–100, then task_complete. */
  for (;;)
    {
      g_autoptr (WireEnvelope) env = gw_client_next_type (agent, "message", NULL);
      g_autoptr (JsonNode) payload = wire_envelope_dup_member_node (env, "payload");
      JsonObject *p = json_node_get_object (payload);

      g_assert_cmpstr (env->from, ==, "agent");
      if (g_str_equal (env->event, "task_start"))
        {
          started = TRUE;
          last_progress = 0;
          g_assert_true (json_object_has_member (p, "taskId"));
        }
      else if (started && g_str_equal (env->event, "status_update"))
        {
          int progress = json_object_get_int_member (p, "progress");

          g_assert_cmpint (progress, >, last_progress);
          g_assert_cmpint (progress, <, 100);
          last_progress = progress;
        }
      else if (started && g_str_equal (env->event, "task_complete"))
        {
          g_assert_cmpint (json_object_get_int_member (p, "progress"), ==, 100);
          g_assert_cmpint (last_progress, >, 0);
          break;
        }
    }

  note = gw_client_next_type (notes, "message", "notification");
  obj = json_node_get_object (presence_payload = wire_envelope_dup_member_node (note, "payload"));
  g_assert_nonnull (json_object_get_string_member (obj, "level"));
  g_assert_nonnull (json_object_get_string_member (obj, "title"));
  g_assert_nonnull (json_object_get_string_member (obj, "body"));
  g_clear_pointer (&presence_payload, json_node_unref);

  /* Trip: presence names the user and the two simulated collaborators, who edit and move. */
  presence = gw_client_next_type (trip, "message", "presence");
  obj = json_node_get_object (presence_payload = wire_envelope_dup_member_node (presence,
                                                                                "payload"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "users")), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (obj, "joined"), ==, "u1");
  expect_events (trip, (const char * const[]) { "trip_update", "cursor_move", NULL }, NULL);

  /* Chat streams its answer. */
  gw_client_send (chat, ask);
  expect_events (chat, (const char * const[]) { "typing_start", "assistant_chunk",
                                                "assistant_message", "typing_stop", NULL },
                 "assistant");

  g_clear_pointer (&agent, gw_client_free);
  g_clear_pointer (&notes, gw_client_free);
  g_clear_pointer (&trip, gw_client_free);
  g_clear_pointer (&chat, gw_client_free);
  gw_gateway_finish (gateway);
}

static char *
first_task_payload (gint64 seed)
{
  WireGateway *gateway = gw_gateway_new ("demo", TRUE, "demo-tick-ms", 10, "seed", seed, NULL);
  g_autoptr (GwClient) agent = gw_client_auth (gateway, "/ws/agent-status/u1", "u1", NULL, NULL,
                                               NULL);
  GString *out = g_string_new (NULL);

  /* The task name and the progress steps of the first task come from the seeded generator. */
  for (;;)
    {
      g_autoptr (WireEnvelope) env = gw_client_next_type (agent, "message", NULL);
      g_autoptr (JsonNode) payload = wire_envelope_dup_member_node (env, "payload");
      JsonObject *p = json_node_get_object (payload);

      g_string_append_printf (out, "%s:%s:%" G_GINT64_FORMAT ";", env->event,
                              json_object_get_string_member (p, "name"),
                              json_object_get_int_member (p, "progress"));
      if (g_str_equal (env->event, "task_complete"))
        break;
    }
  g_clear_pointer (&agent, gw_client_free);
  gw_gateway_finish (gateway);
  return g_string_free (out, FALSE);
}

/* --seed N makes the demo traffic repeatable. */
static void
test_demo_seed (void)
{
  g_autofree char *a = first_task_payload (42);
  g_autofree char *b = first_task_payload (42);

  g_assert_cmpstr (a, ==, b);
  g_assert_true (g_str_has_prefix (a, "task_start:"));
}

/* A reader that stops reading is cut off with 1013 once its unsent backlog passes the limit;
 * the publisher is unaffected. */
static void
test_slow_reader (void)
{
  WireGateway *gateway = gw_gateway_new ("rate-limits", FALSE, "outgoing-limit-bytes", 256 * 1024,
                                         NULL);
  /* A small receive window so that the kernel does not soak up megabytes first. */
  g_autoptr (GSocket) raw = gw_raw_connect (gateway, 4096);
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  g_autoptr (GwClient) publisher = gw_client_auth (gateway, "/ws/trips/t1/collab", "pub", NULL,
                                                   trips_t1, NULL);
  g_autofree char *token = wire_gateway_mint_token (gateway, "slow", NULL, trips_t1, NULL, 600);
  g_autofree char *auth = wire_frame_build_auth (token, NULL, NULL);
  g_autofree char *filler = g_strnfill (16 * 1024, 'z');
  g_autofree char *payload = g_strdup_printf ("{\"pad\":\"%s\"}", filler);
  g_autofree char *slow_id = NULL;
  guint opcode = 0;
  guint published = 0;
  gboolean saw_close = FALSE;

  gw_raw_upgrade (raw, gateway, "/ws/trips/t1/collab", buf);
  gw_raw_send_text (raw, auth, strlen (auth));
  for (;;)
    {
      g_autoptr (GBytes) frame = NULL;

      while (!gw_raw_take_frame (buf, &opcode, &frame))
        g_assert_true (gw_raw_read_some (raw, buf));
      if (opcode == 1 && g_strstr_len (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame),
                                       "auth_ok") != NULL)
        break;
    }
  {
    g_auto (GStrv) ids = wire_gateway_dup_connection_ids (gateway);

    g_assert_cmpuint (g_strv_length (ids), ==, 2);
  }

  /* Now the slow reader reads nothing while the publisher sends until the gateway gives up on
   * it (it leaves the list of open connections at once; the publisher stays). */
  for (;;)
    {
      g_auto (GStrv) ids = wire_gateway_dup_connection_ids (gateway);

      if (g_strv_length (ids) == 1)
        break;
      g_assert_cmpuint (published, <, 20000);
      for (guint i = 0; i < 20; i++)
        {
          g_autofree char *id = g_strdup_printf ("p-%u", published++);
          g_autofree char *frame = wire_frame_build_publish (id, "trip:t1", "trip_update",
                                                             WIRE_PRIORITY_NORMAL, payload);

          gw_client_send (publisher, frame);
        }
      while (g_main_context_iteration (NULL, FALSE))
        ;
      gw_spin (5);
    }
  g_assert_false (publisher->closed);

  /* Reading again, the slow reader finds the backlog that was already on its way, then the
   * close frame with 1013. */
  while (!saw_close)
    {
      g_autoptr (GBytes) frame = NULL;

      while (!gw_raw_take_frame (buf, &opcode, &frame))
        if (!gw_raw_read_some (raw, buf))
          break;
      if (frame == NULL)
        break;
      if (opcode == 8)
        {
          const guint8 *p = g_bytes_get_data (frame, NULL);

          g_assert_cmpuint (g_bytes_get_size (frame), >=, 2);
          g_assert_cmpuint ((p[0] << 8) | p[1], ==, 1013);
          saw_close = TRUE;
        }
    }
  g_assert_true (saw_close);
  g_socket_close (raw, NULL);

  g_clear_pointer (&publisher, gw_client_free);
  gw_gateway_finish (gateway);
}

/* Half-finished handshakes: TCP without a request, or half a request, is cut off after the
 * handshake timeout instead of holding a descriptor for ever. */
static void
test_half_handshake (void)
{
  WireGateway *gateway = gw_gateway_new ("handshake-timeout-ms", 300, NULL);
  g_autoptr (GSocket) silent = gw_raw_connect (gateway, 0);
  g_autoptr (GSocket) partial = gw_raw_connect (gateway, 0);
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  const char *half = "GET /ws/chat/s1 HTTP/1.1\r\nHost: 127.0.0.1\r\n";

  g_socket_send (partial, half, strlen (half), NULL, NULL);
  /* gw_raw_read_some returns FALSE at EOF (or a reset): the gateway closed them. */
  g_assert_false (gw_raw_read_some (silent, buf));
  g_assert_false (gw_raw_read_some (partial, buf));
  g_assert_cmpuint (buf->len, ==, 0);

  /* A client that completes the upgrade and authenticates in time is not affected. */
  {
    g_autoptr (GwClient) ok = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);
    g_autoptr (WireEnvelope) ack = NULL;

    gw_client_send (ok, "{\"type\":\"heartbeat\",\"ts\":9}");
    ack = gw_client_next_type (ok, "heartbeat_ack", NULL);
    g_assert_cmpint (ack->ts, ==, 9);
  }
  g_socket_close (silent, NULL);
  g_socket_close (partial, NULL);
  gw_gateway_finish (gateway);
}

typedef struct
{
  gboolean done;
  gboolean ok;
} WaitResult;

static void
wait_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  WaitResult *res = user_data;

  res->ok = g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  res->done = TRUE;
}

static void
wait_process (GSubprocess *process)
{
  WaitResult res = { 0 };

  g_subprocess_wait_async (process, NULL, wait_done_cb, &res);
  gw_wait_flag (&res.done);
  g_assert_true (res.ok);
}

/* wss:// with a certificate made at test time. */
static void
test_tls_body (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("wire-gateway-tls-XXXXXX", &error);
  g_autofree char *cert_path = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key_path = g_build_filename (dir, "key.pem", NULL);
  g_autoptr (GSubprocess) openssl = NULL;
  g_autoptr (GTlsCertificate) cert = NULL;
  WireGateway *gateway;
  g_autofree char *body = NULL;

  g_assert_no_error (error);
  openssl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                              "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key_path,
                              "-out", cert_path, "-days", "1", "-subj", "/CN=127.0.0.1", NULL);
  if (openssl == NULL)
    {
      g_test_skip ("openssl is not available to make a certificate");
      return;
    }
  wait_process (openssl);
  g_assert_cmpint (g_subprocess_get_exit_status (openssl), ==, 0);
  cert = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_assert_no_error (error);

  /* A TLS handshake under a sanitizer on a busy machine can take seconds. */
  gateway = gw_gateway_new ("tls-certificate", cert, "handshake-timeout-ms", 120000, NULL);
  g_assert_true (g_str_has_prefix (wire_gateway_get_url (gateway), "wss://127.0.0.1:"));
  {
    g_autoptr (GwClient) client = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);
    g_autoptr (WireEnvelope) ack = NULL;

    gw_client_send (client, "{\"type\":\"heartbeat\",\"ts\":5}");
    ack = gw_client_next_type (client, "heartbeat_ack", NULL);
    g_assert_cmpint (ack->ts, ==, 5);
  }
  g_assert_cmpuint (gw_http (gateway, "GET", "/api/health", NULL, NULL, &body), ==, 200);
  g_assert_nonnull (strstr (body, "\"status\":\"ok\""));
  gw_gateway_finish (gateway);

  g_unlink (cert_path);
  g_unlink (key_path);
  g_rmdir (dir);
}

/* LeakSanitizer crashes at exit ("Tracer caught signal 11") on the dynamic thread-local storage
 * of glib-networking's GnuTLS module, whatever the code under test does. The TLS check
 * therefore runs in a child process of this test with leak detection off; everything else
 * in this suite keeps it on. */
static void
test_tls (void)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *asan = NULL;
  g_autofree char *out = NULL;

  g_assert_nonnull (self_exe);
  asan = g_strconcat (g_getenv ("ASAN_OPTIONS") != NULL ? g_getenv ("ASAN_OPTIONS") : "",
                      ":detect_leaks=0", NULL);
  g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan, TRUE);
  g_subprocess_launcher_setenv (launcher, "WIRE_GATEWAY_TEST_TLS_CHILD", "1", TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, self_exe, "-p", "/wire/gateway/tls-child",
                                       NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (child, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (child) || g_subprocess_get_exit_status (child) != 0)
    g_error ("The TLS check failed:\n%s", out);
  if (strstr (out, "# SKIP") != NULL)
    g_test_skip ("openssl is not available to make a certificate");
  else
    g_assert_nonnull (strstr (out, "ok 1 /wire/gateway/tls-child"));
}

static char *
gateway_binary (void)
{
  return g_test_build_filename (G_TEST_BUILT, "..", "src", "gateway", "wirescope-gateway", NULL);
}

/* wirescope-gateway mint-token prints a token the gateway accepts. */
static void
test_cli_mint_token (void)
{
  g_autofree char *binary = gateway_binary ();
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GSubprocess) no_secret = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (WireJwtClaims) claims = NULL;

  g_subprocess_launcher_setenv (launcher, "WIRESCOPE_GATEWAY_SECRET", "s3cret", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, binary, "mint-token", "--user", "u1",
                                         "--role", "admin", "--trips", "a,b", "--ttl", "60",
                                         NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_strstrip (out);
  claims = wire_jwt_verify_hs256 (out, (const guint8 *) "s3cret", 6,
                                  g_get_real_time () / G_USEC_PER_SEC, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (claims->sub, ==, "u1");
  g_assert_true (wire_jwt_claims_is_admin (claims));
  g_assert_cmpstrv (claims->trips, ((const char * const[]) { "a", "b", NULL }));

  g_subprocess_launcher_unsetenv (launcher, "WIRESCOPE_GATEWAY_SECRET");
  no_secret = g_subprocess_launcher_spawn (launcher, &error, binary, "mint-token", "--user", "u1",
                                           NULL);
  g_assert_no_error (error);
  wait_process (no_secret);
  g_assert_cmpint (g_subprocess_get_exit_status (no_secret), !=, 0);
}

typedef struct
{
  gboolean done;
  char    *line;
} LineResult;

static void
line_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  LineResult *res = user_data;

  res->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                         NULL, NULL);
  res->done = TRUE;
}

/* wirescope-gateway prints "listening on ws://HOST:PORT", serves, logs JSON, and on SIGTERM
 * closes every connection with 1001 and exits 0. */
static void
test_cli_serve (void)
{
  g_autofree char *binary = gateway_binary ();
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (WireGateway) signer = wire_gateway_new ();
  g_autoptr (GwClient) client = NULL;
  g_autoptr (WireEnvelope) ok = NULL;
  g_autofree char *token = NULL;
  LineResult res = { 0 };
  char stderr_buf[65536];
  gsize stderr_len = 0;
  guint64 port = 0;

  g_subprocess_launcher_setenv (launcher, "WIRESCOPE_GATEWAY_SECRET", "s3cret", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, binary, "--listen", "127.0.0.1:0",
                                         "--log-json", "--no-rate-limits", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, line_cb, &res);
  gw_wait_flag (&res.done);
  g_assert_nonnull (res.line);
  g_assert_true (g_str_has_prefix (res.line, "listening on ws://127.0.0.1:"));
  g_assert_true (g_ascii_string_to_unsigned (res.line + strlen ("listening on ws://127.0.0.1:"),
                                             10, 1, 65535, &port, NULL));

  /* Talk to it with a token signed by the same secret. */
  wire_gateway_set_secret (signer, (const guint8 *) "s3cret", 6);
  token = wire_gateway_mint_token (signer, "u1", NULL, NULL, NULL, 60);
  {
    g_autofree char *http = g_strdup_printf ("http://127.0.0.1:%u/ws/chat/s1", (guint) port);

    client = gw_client_connect_url (http, NULL);
  }
  ok = gw_client_send_auth (client, token, NULL, NULL);
  g_assert_cmpstr (ok->type_name, ==, "auth_ok");

  g_subprocess_send_signal (process, SIGTERM);
  g_assert_cmpint (gw_client_wait_closed (client), ==, 1001);
  wait_process (process);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_input_stream_read_all (g_subprocess_get_stderr_pipe (process), stderr_buf,
                           sizeof stderr_buf - 1, &stderr_len, NULL, NULL);
  stderr_buf[stderr_len] = '\0';
  g_assert_nonnull (strstr (stderr_buf, "--no-rate-limits"));
  g_assert_nonnull (strstr (stderr_buf, "\"event\":\"opened\""));
  g_assert_nonnull (strstr (stderr_buf, "\"event\":\"authenticated\""));
  g_assert_nonnull (strstr (stderr_buf, "\"code\":1001"));
  g_clear_pointer (&client, gw_client_free);
  g_free (res.line);
}

/* Without a secret the gateway makes one up and says how to mint tokens for it; --secret-file
 * gives mint-token the same secret (a trailing newline is not part of it). */
static void
test_cli_secrets (void)
{
  g_autofree char *binary = gateway_binary ();
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GSubprocess) mint = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (WireJwtClaims) claims = NULL;
  g_autofree char *dir = g_dir_make_tmp ("wire-gateway-secret-XXXXXX", NULL);
  g_autofree char *secret_file = g_build_filename (dir, "secret", NULL);
  g_autofree char *out = NULL;
  char stderr_buf[65536];
  gsize stderr_len = 0;
  LineResult res = { 0 };

  g_subprocess_launcher_unsetenv (launcher, "WIRESCOPE_GATEWAY_SECRET");
  process = g_subprocess_launcher_spawn (launcher, &error, binary, "--listen", "127.0.0.1:0",
                                         NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, line_cb, &res);
  gw_wait_flag (&res.done);
  g_assert_true (g_str_has_prefix (res.line, "listening on ws://127.0.0.1:"));
  g_subprocess_send_signal (process, SIGINT);
  wait_process (process);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_input_stream_read_all (g_subprocess_get_stderr_pipe (process), stderr_buf,
                           sizeof stderr_buf - 1, &stderr_len, NULL, NULL);
  stderr_buf[stderr_len] = '\0';
  g_assert_nonnull (strstr (stderr_buf, "WIRESCOPE_GATEWAY_SECRET="));
  g_assert_nonnull (strstr (stderr_buf, "mint-token --user"));
  g_free (res.line);

  g_assert_true (g_file_set_contents (secret_file, "from-a-file\n", -1, NULL));
  mint = g_subprocess_launcher_spawn (launcher, &error, binary, "mint-token", "--user", "u9",
                                      "--secret-file", secret_file, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (mint, NULL, NULL, &out, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (mint), ==, 0);
  g_strstrip (out);
  claims = wire_jwt_verify_hs256 (out, (const guint8 *) "from-a-file", 11,
                                  g_get_real_time () / G_USEC_PER_SEC, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (claims->sub, ==, "u9");
  g_unlink (secret_file);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/gateway/fault/drop", test_fault_drop);
  g_test_add_func ("/wire/gateway/fault/close", test_fault_close);
  g_test_add_func ("/wire/gateway/fault/stall", test_fault_stall);
  g_test_add_func ("/wire/gateway/fault/latency", test_fault_latency);
  g_test_add_func ("/wire/gateway/fault/refuse", test_fault_refuse);
  g_test_add_func ("/wire/gateway/fault/endpoint", test_fault_endpoint);
  g_test_add_func ("/wire/gateway/service/chat", test_chat_service);
  g_test_add_func ("/wire/gateway/service/demo", test_demo_services);
  g_test_add_func ("/wire/gateway/service/demo-seed", test_demo_seed);
  g_test_add_func ("/wire/gateway/limits/slow-reader", test_slow_reader);
  g_test_add_func ("/wire/gateway/limits/half-handshake", test_half_handshake);
  if (g_getenv ("WIRE_GATEWAY_TEST_TLS_CHILD") != NULL)
    g_test_add_func ("/wire/gateway/tls-child", test_tls_body);
  else
    g_test_add_func ("/wire/gateway/tls", test_tls);
  g_test_add_func ("/wire/gateway/cli/mint-token", test_cli_mint_token);
  g_test_add_func ("/wire/gateway/cli/serve", test_cli_serve);
  g_test_add_func ("/wire/gateway/cli/secrets", test_cli_secrets);

  return g_test_run ();
}
