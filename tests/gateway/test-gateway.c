#define G_LOG_DOMAIN "wire-gateway-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "gateway-test-client.h"

/* PROTOCOL.md §1–§6, row by row, against the real gateway on 127.0.0.1:0 with raw libsoup
 * clients. */

static const char * const trips_t1[] = { "t1", NULL };

static char *
mint (WireGateway *gateway,
      const char  *user)
{
  return wire_gateway_mint_token (gateway, user, NULL, trips_t1, NULL, 600);
}

static JsonObject *
payload_object (WireEnvelope *env,
                JsonNode    **out_node)
{
  *out_node = wire_envelope_dup_member_node (env, "payload");
  g_assert_nonnull (*out_node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*out_node));
  return json_node_get_object (*out_node);
}

/* §1: health, GET and HEAD, without auth. */
static void
test_health (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autofree char *body = NULL;
  g_autofree char *head_body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GwClient) client = NULL;
  JsonObject *obj;

  client = gw_client_connect (gateway, "/ws/chat/s1", NULL);
  g_assert_cmpuint (gw_http (gateway, "GET", "/api/health", NULL, NULL, &body), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
  obj = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "ok");
  g_assert_cmpint (json_object_get_int_member (obj, "connections"), ==, 1);
  g_assert_true (json_object_has_member (obj, "uptimeMs"));
  g_assert_cmpuint (gw_http (gateway, "HEAD", "/api/health", NULL, NULL, &head_body), ==, 200);
  g_assert_cmpstr (head_body, ==, "");
  g_assert_cmpuint (gw_http (gateway, "POST", "/api/health", NULL, "{}", NULL), ==, 405);

  g_clear_pointer (&client, gw_client_free);
  gw_gateway_finish (gateway);
}

/* §1: any other path or id is refused at the upgrade with 404. */
static void
test_unknown_path (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  const char *paths[] = { "/ws/unknown/x", "/ws/chat/bad%20id", "/ws/trips/t1", "/ws/chat/",
                          "/ws/agent-status/" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr (GwClient) client = gw_client_connect (gateway, paths[i], NULL);

      g_assert_null (client->ws);
      g_assert_cmpuint (client->http_status, ==, 404);
    }
  gw_gateway_finish (gateway);
}

/* §2.5: the success frame. */
static void
test_auth_ok (void)
{
  WireGateway *gateway = gw_gateway_new ("heartbeat-interval-ms", 20000, NULL);
  g_autoptr (GwClient) client = gw_client_connect (gateway, "/ws/chat/session-123", NULL);
  g_autofree char *token = mint (gateway, "user-123");
  const char *channels[] = { "chat:session-123", "agent:user-123", "agent:user-9", NULL };
  g_autoptr (WireEnvelope) ok = gw_client_send_auth (client, token, "session-123", channels);
  g_autoptr (WireEnvelope) ack = NULL;
  g_auto (GStrv) available = NULL;
  g_autoptr (JsonNode) denied = NULL;
  g_autoptr (JsonNode) permissions = NULL;
  g_auto (GStrv) ids = NULL;
  JsonObject *first;

  g_assert_cmpstr (ok->type_name, ==, "auth_ok");
  g_assert_cmpint (ok->success, ==, 1);
  g_assert_cmpstr (ok->user_id, ==, "user-123");
  g_assert_cmpstr (ok->session_id, ==, "session-123");
  g_assert_true (g_str_has_prefix (ok->connection_id, "c-"));
  g_assert_cmpint (ok->heartbeat_interval_ms, ==, 20000);
  g_assert_cmpint (ok->max_message_bytes, ==, WIRE_DEFAULT_MAX_MESSAGE_BYTES);
  g_assert_cmpint (ok->server_time, >, 1600000000000);
  available = wire_envelope_dup_member_strv (ok, "availableChannels");
  g_assert_cmpuint (g_strv_length (available), ==, 2);
  g_assert_cmpstr (available[0], ==, "chat:session-123");
  g_assert_cmpstr (available[1], ==, "agent:user-123");
  denied = wire_envelope_dup_member_node (ok, "deniedChannels");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (denied)), ==, 1);
  first = json_array_get_object_element (json_node_get_array (denied), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "channel"), ==, "agent:user-9");
  g_assert_cmpstr (json_object_get_string_member (first, "reason"), ==, "forbidden");
  permissions = wire_envelope_dup_member_node (ok, "permissions");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (permissions)), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (permissions), 1), ==,
                   "write");

  ids = wire_gateway_dup_connection_ids (gateway);
  g_assert_cmpuint (g_strv_length (ids), ==, 1);
  g_assert_cmpstr (ids[0], ==, ok->connection_id);

  /* §4: heartbeat with and without ts. */
  gw_client_send (client, "{\"type\":\"heartbeat\",\"ts\":42}");
  ack = gw_client_next (client);
  g_assert_cmpstr (ack->type_name, ==, "heartbeat_ack");
  g_assert_cmpint (ack->ts, ==, 42);
  g_assert_cmpint (ack->server_time, >, 0);
  g_clear_pointer (&ack, wire_envelope_unref);
  gw_client_send (client, "{\"type\":\"heartbeat\"}");
  ack = gw_client_next (client);
  g_assert_cmpstr (ack->type_name, ==, "heartbeat_ack");
  g_assert_cmpint (ack->ts, ==, -1);

  g_clear_pointer (&client, gw_client_free);
  gw_gateway_finish (gateway);
}

/* An auth request without "type" (the guide's shape) and without channels: the endpoint's own
 * channel is subscribed; read-only channels give no "write" permission. */
static void
test_auth_default_channel (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autoptr (GwClient) client = gw_client_connect (gateway, "/ws/agent-status/u1", NULL);
  g_autofree char *token = mint (gateway, "u1");
  g_autofree char *frame = g_strdup_printf ("{\"token\":\"%s\"}", token);
  g_autoptr (WireEnvelope) ok = NULL;
  g_auto (GStrv) available = NULL;
  g_autoptr (JsonNode) permissions = NULL;

  gw_client_send (client, frame);
  ok = gw_client_next (client);
  g_assert_cmpstr (ok->type_name, ==, "auth_ok");
  available = wire_envelope_dup_member_strv (ok, "availableChannels");
  g_assert_cmpstrv (available, ((const char * const[]) { "agent:u1", NULL }));
  permissions = wire_envelope_dup_member_node (ok, "permissions");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (permissions)), ==, 1);

  g_clear_pointer (&client, gw_client_free);
  gw_gateway_finish (gateway);
}

static void
expect_refused (WireGateway *gateway,
                const char  *path,
                const char  *first_frame,
                const char  *code,
                int          close_code)
{
  g_autoptr (GwClient) client = gw_client_connect (gateway, path, NULL);
  g_autoptr (WireEnvelope) answer = NULL;
  g_autoptr (JsonNode) error = NULL;

  g_assert_nonnull (client->ws);
  gw_client_send (client, first_frame);
  answer = gw_client_next (client);
  g_assert_cmpstr (answer->type_name, ==, "auth_error");
  g_assert_cmpint (answer->success, ==, 0);
  error = wire_envelope_dup_member_node (answer, "error");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (error), "code"), ==,
                   code);
  g_assert_true (json_object_has_member (json_node_get_object (error), "message"));
  g_assert_cmpint (gw_client_wait_closed (client), ==, close_code);
}

static char *
auth_frame (const char *token,
            const char *session_id)
{
  return wire_frame_build_auth (token, session_id, NULL);
}

/* §2.6: bad_request → 4000. */
static void
test_auth_bad_request (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);

  expect_refused (gateway, "/ws/chat/s1", "not json", "bad_request", 4000);
  expect_refused (gateway, "/ws/chat/s1", "[1,2]", "bad_request", 4000);
  expect_refused (gateway, "/ws/chat/s1", "{\"type\":\"auth\"}", "bad_request", 4000);
  expect_refused (gateway, "/ws/chat/s1", "{\"type\":\"heartbeat\",\"ts\":1}", "bad_request",
                  4000);
  expect_refused (gateway, "/ws/chat/s1", "{\"type\":\"auth\",\"token\":\"x\",\"channels\":3}",
                  "bad_request", 4000);
  gw_gateway_finish (gateway);
}

static char *
forge (const char *header_json,
       const char *claims_json,
       const char *signature)
{
  g_autofree char *h = wire_base64url_encode ((const guint8 *) header_json, strlen (header_json));
  g_autofree char *c = wire_base64url_encode ((const guint8 *) claims_json, strlen (claims_json));

  return g_strdup_printf ("%s.%s.%s", h, c, signature);
}

/* §2.3, §2.6: invalid_token and expired_token → 4001. */
static void
test_auth_invalid_token (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autoptr (WireGateway) other = wire_gateway_new ();
  g_autofree char *foreign = NULL;
  g_autofree char *expired = NULL;
  g_autofree char *none = NULL;
  g_autofree char *huge = NULL;
  g_autofree char *claims = NULL;
  g_autofree char *frame = NULL;
  GString *big;

  wire_gateway_set_secret (other, (const guint8 *) "another secret", 14);
  foreign = wire_gateway_mint_token (other, "u1", NULL, NULL, NULL, 600);
  frame = auth_frame (foreign, NULL);
  expect_refused (gateway, "/ws/notifications/u1", frame, "invalid_token", 4001);
  g_clear_pointer (&frame, g_free);

  /* Expired beyond the 30 s leeway. */
  expired = wire_gateway_mint_token (gateway, "u1", NULL, NULL, NULL, -120);
  frame = auth_frame (expired, NULL);
  expect_refused (gateway, "/ws/notifications/u1", frame, "expired_token", 4001);
  g_clear_pointer (&frame, g_free);

  claims = g_strdup_printf ("{\"sub\":\"u1\",\"exp\":%" G_GINT64_FORMAT "}",
                            g_get_real_time () / G_USEC_PER_SEC + 600);
  none = forge ("{\"alg\":\"none\",\"typ\":\"JWT\"}", claims, "");
  frame = auth_frame (none, NULL);
  expect_refused (gateway, "/ws/notifications/u1", frame, "invalid_token", 4001);
  g_clear_pointer (&frame, g_free);

  frame = auth_frame ("not-a-jwt", NULL);
  expect_refused (gateway, "/ws/notifications/u1", frame, "invalid_token", 4001);
  g_clear_pointer (&frame, g_free);

  big = g_string_new (NULL);
  while (big->len < WIRE_JWT_MAX_BYTES + 10)
    g_string_append (big, "aaaaaaaaaa");
  huge = forge ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, big->str);
  g_string_free (big, TRUE);
  frame = auth_frame (huge, NULL);
  expect_refused (gateway, "/ws/notifications/u1", frame, "invalid_token", 4001);

  gw_gateway_finish (gateway);
}

/* §2.4: path checks → forbidden 4003. */
static void
test_auth_forbidden (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autofree char *token = mint (gateway, "u1");
  const char *s_only[] = { "s1", NULL };
  g_autofree char *limited = wire_gateway_mint_token (gateway, "u1", NULL, NULL, s_only, 600);
  g_autofree char *frame = auth_frame (token, NULL);
  g_autofree char *mismatch = auth_frame (token, "s2");
  g_autofree char *limited_frame = auth_frame (limited, NULL);

  expect_refused (gateway, "/ws/agent-status/u2", frame, "forbidden", 4003);
  expect_refused (gateway, "/ws/notifications/u2", frame, "forbidden", 4003);
  expect_refused (gateway, "/ws/trips/t2/collab", frame, "forbidden", 4003);
  expect_refused (gateway, "/ws/chat/s1", mismatch, "forbidden", 4003);
  expect_refused (gateway, "/ws/chat/s9", limited_frame, "forbidden", 4003);
  expect_refused (gateway, "/ws/admin", frame, "forbidden", 4003);

  /* The same token passes the checks where they hold. */
  {
    g_autoptr (GwClient) ok = gw_client_connect (gateway, "/ws/chat/s1", NULL);
    g_autoptr (WireEnvelope) answer = gw_client_send_auth (ok, limited, "s1", NULL);

    g_assert_cmpstr (answer->type_name, ==, "auth_ok");
  }
  gw_gateway_finish (gateway);
}

/* §2.1: no first frame within authTimeoutMs → 4008. */
static void
test_auth_timeout (void)
{
  WireGateway *gateway = gw_gateway_new ("auth-timeout-ms", 150, NULL);
  g_autoptr (GwClient) client = gw_client_connect (gateway, "/ws/chat/s1", NULL);

  g_assert_nonnull (client->ws);
  g_assert_cmpint (gw_client_wait_closed (client), ==, 4008);
  g_clear_pointer (&client, gw_client_free);
  gw_gateway_finish (gateway);
}

/* §1 slot rules: the same user supersedes (4009), a second user on a 1-slot is refused 4029. */
static void
test_slot_supersede (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autoptr (GwClient) first = gw_client_auth (gateway, "/ws/agent-status/u1", "u1", NULL, NULL,
                                               NULL);
  g_autoptr (GwClient) second = gw_client_auth (gateway, "/ws/agent-status/u1", "u1", NULL, NULL,
                                                NULL);
  g_autoptr (GwClient) chat_a = NULL;
  g_autoptr (GwClient) chat_b = NULL;
  g_autoptr (WireEnvelope) ack = NULL;
  g_autoptr (WireEnvelope) refused = NULL;
  g_autofree char *token_b = mint (gateway, "u2");

  g_assert_cmpint (gw_client_wait_closed (first), ==, 4009);
  gw_client_send (second, "{\"type\":\"heartbeat\",\"ts\":1}");
  ack = gw_client_next (second);
  g_assert_cmpstr (ack->type_name, ==, "heartbeat_ack");

  chat_a = gw_client_auth (gateway, "/ws/chat/shared", "u1", NULL, NULL, NULL);
  chat_b = gw_client_connect (gateway, "/ws/chat/shared", NULL);
  refused = gw_client_send_auth (chat_b, token_b, NULL, NULL);
  g_assert_cmpstr (refused->type_name, ==, "auth_error");
  g_assert_cmpint (gw_client_wait_closed (chat_b), ==, 4029);
  g_assert_false (chat_a->closed);

  g_clear_pointer (&first, gw_client_free);
  g_clear_pointer (&second, gw_client_free);
  g_clear_pointer (&chat_a, gw_client_free);
  g_clear_pointer (&chat_b, gw_client_free);
  gw_gateway_finish (gateway);
}

/* §1: 3 distinct users per trip; the 4th is refused 4029; a returning user supersedes. */
static void
test_slot_trip_full (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  GwClient *users[3];
  g_autoptr (GwClient) fourth = NULL;
  g_autoptr (GwClient) again = NULL;
  g_autoptr (WireEnvelope) refused = NULL;
  g_autofree char *token = mint (gateway, "u4");

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *user = g_strdup_printf ("u%u", i + 1);

      users[i] = gw_client_auth (gateway, "/ws/trips/t1/collab", user, NULL, trips_t1, NULL);
    }
  fourth = gw_client_connect (gateway, "/ws/trips/t1/collab", NULL);
  refused = gw_client_send_auth (fourth, token, NULL, NULL);
  g_assert_cmpstr (refused->type_name, ==, "auth_error");
  g_assert_cmpint (gw_client_wait_closed (fourth), ==, 4029);

  again = gw_client_auth (gateway, "/ws/trips/t1/collab", "u2", NULL, trips_t1, NULL);
  g_assert_cmpint (gw_client_wait_closed (users[1]), ==, 4009);
  g_assert_false (users[0]->closed);
  g_assert_false (users[2]->closed);

  for (guint i = 0; i < 3; i++)
    gw_client_free (users[i]);
  g_clear_pointer (&fourth, gw_client_free);
  g_clear_pointer (&again, gw_client_free);
  gw_gateway_finish (gateway);
}

/* §3, §4: subscribe grants what policy allows and says why it denies; unsubscribe. */
static void
test_subscribe_unsubscribe (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  const char *none[] = { NULL };
  g_autoptr (GwClient) client = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, trips_t1,
                                                none);
  g_autoptr (WireEnvelope) subscribed = NULL;
  g_autoptr (WireEnvelope) unsubscribed = NULL;
  g_autoptr (JsonNode) denied = NULL;
  g_auto (GStrv) granted = NULL;
  g_auto (GStrv) removed = NULL;
  JsonArray *array;

  gw_client_send (client, "{\"type\":\"subscribe\",\"channels\":[\"trip:t1\",\"trip:t2\","
                          "\"notifications:u1\",\"notifications:u2\",\"admin:sessions\","
                          "\"nonsense\",\"chat:s1\"]}");
  subscribed = gw_client_next (client);
  g_assert_cmpstr (subscribed->type_name, ==, "subscribed");
  granted = wire_envelope_dup_member_strv (subscribed, "channels");
  g_assert_cmpstrv (granted, ((const char * const[]) { "trip:t1", "notifications:u1", "chat:s1",
                                                        NULL }));
  denied = wire_envelope_dup_member_node (subscribed, "denied");
  array = json_node_get_array (denied);
  g_assert_cmpuint (json_array_get_length (array), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                  "channel"), ==, "trip:t2");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 2),
                                                  "channel"), ==, "admin:sessions");

  gw_client_send (client, "{\"type\":\"unsubscribe\",\"channels\":[\"trip:t1\",\"trip:t9\"]}");
  unsubscribed = gw_client_next_type (client, "unsubscribed", NULL);
  removed = wire_envelope_dup_member_strv (unsubscribed, "channels");
  g_assert_cmpstrv (removed, ((const char * const[]) { "trip:t1", NULL }));

  g_clear_pointer (&client, gw_client_free);
  gw_gateway_finish (gateway);
}

static char *
publish_frame (const char *id,
               const char *channel,
               const char *event)
{
  return wire_frame_build_publish (id, channel, event, WIRE_PRIORITY_HIGH, "{\"x\":1}");
}

/* §4: publish → ack, delivery to the others (never back), duplicates acked and not delivered. */
static void
test_publish_deliver_dedup (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autoptr (GwClient) a = gw_client_auth (gateway, "/ws/trips/t1/collab", "u1", NULL, trips_t1,
                                           NULL);
  g_autoptr (GwClient) b = gw_client_auth (gateway, "/ws/trips/t1/collab", "u2", NULL, trips_t1,
                                           NULL);
  g_autoptr (WireEnvelope) ack = NULL;
  g_autoptr (WireEnvelope) delivered = NULL;
  g_autoptr (WireEnvelope) dup = NULL;
  g_autoptr (WireEnvelope) second = NULL;
  g_autoptr (JsonNode) payload = NULL;
  g_autofree char *p1 = publish_frame ("m-1", "trip:t1", "trip_update");
  g_autofree char *p2 = publish_frame ("m-2", "trip:t1", "cursor_move");

  gw_client_send (a, p1);
  ack = gw_client_next_type (a, "ack", NULL);
  g_assert_cmpstr (ack->id, ==, "m-1");
  g_assert_cmpstr (ack->status, ==, "ok");
  delivered = gw_client_next_type (b, "message", "trip_update");
  g_assert_cmpstr (delivered->id, ==, "m-1");
  g_assert_cmpstr (delivered->channel, ==, "trip:t1");
  g_assert_cmpstr (delivered->from, ==, "u1");
  g_assert_true (delivered->has_priority);
  g_assert_cmpint (delivered->priority, ==, WIRE_PRIORITY_HIGH);
  g_assert_cmpint (delivered->timestamp, >, 0);
  g_assert_cmpint (json_object_get_int_member (payload_object (delivered, &payload), "x"), ==, 1);

  /* The re-sent id is acknowledged as a duplicate and not delivered: the next message b sees is
   * m-2. A second connection of the same user shares the dedup memory. */
  gw_client_send (a, p1);
  dup = gw_client_next_type (a, "ack", NULL);
  g_assert_cmpstr (dup->id, ==, "m-1");
  g_assert_cmpstr (dup->status, ==, "duplicate");
  gw_client_send (a, p2);
  second = gw_client_next_type (b, "message", NULL);
  while (g_strcmp0 (second->event, "presence") == 0)
    {
      wire_envelope_unref (second);
      second = gw_client_next_type (b, "message", NULL);
    }
  g_assert_cmpstr (second->id, ==, "m-2");
  /* The publisher never gets its own message back. */
  {
    g_autoptr (WireEnvelope) ack2 = gw_client_next_type (a, "ack", NULL);

    g_assert_cmpstr (ack2->id, ==, "m-2");
    while (gw_client_has_pending (a))
      {
        g_autoptr (WireEnvelope) other = gw_client_next (a);

        g_assert_false (g_strcmp0 (other->type_name, "message") == 0
                        && g_strcmp0 (other->from, "u1") == 0);
      }
  }

  g_clear_pointer (&a, gw_client_free);
  g_clear_pointer (&b, gw_client_free);
  gw_gateway_finish (gateway);
}

/* §4: ids are remembered for dedupTtlMs, then forgotten (and the gateway drops the memory). */
static void
test_dedup_ttl (void)
{
  WireGateway *gateway = gw_gateway_new ("dedup-ttl-ms", 300, NULL);
  g_autoptr (GwClient) a = gw_client_auth (gateway, "/ws/trips/t1/collab", "u1", NULL, trips_t1,
                                           NULL);
  g_autofree char *p1 = publish_frame ("ttl-1", "trip:t1", "trip_update");
  g_autoptr (WireEnvelope) first = NULL;
  g_autoptr (WireEnvelope) dup = NULL;
  g_autoptr (WireEnvelope) later = NULL;

  gw_client_send (a, p1);
  first = gw_client_next_type (a, "ack", NULL);
  g_assert_cmpstr (first->status, ==, "ok");
  gw_client_send (a, p1);
  dup = gw_client_next_type (a, "ack", NULL);
  g_assert_cmpstr (dup->status, ==, "duplicate");
  /* Past the TTL (and a sweep) the id is new again. */
  gw_spin (1500);
  gw_client_send (a, p1);
  later = gw_client_next_type (a, "ack", NULL);
  g_assert_cmpstr (later->status, ==, "ok");

  g_clear_pointer (&a, gw_client_free);
  gw_gateway_finish (gateway);
}

static void
expect_error (GwClient   *client,
              const char *frame,
              const char *id,
              const char *code)
{
  g_autoptr (WireEnvelope) err = NULL;

  gw_client_send (client, frame);
  err = gw_client_next_type (client, "error", NULL);
  g_assert_cmpstr (err->code, ==, code);
  g_assert_cmpstr (err->id, ==, id);
  g_assert_nonnull (err->message);
}

/* §4: every error code, none of which closes the connection. */
static void
test_error_codes (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  const char *channels[] = { "chat:s1", "agent:u1", "trip:t1", NULL };
  g_autoptr (GwClient) client = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, trips_t1,
                                                channels);
  g_autofree char *not_subscribed = publish_frame ("e-1", "notifications:u1", "notification");
  g_autofree char *denied = publish_frame ("e-2", "agent:u1", "status_update");
  g_autofree char *event = publish_frame ("e-3", "trip:t1", "delete_everything");
  g_autofree char *long_id = g_strnfill (WIRE_MAX_PUBLISH_ID_LEN + 1, 'x');
  g_autofree char *too_large = publish_frame (long_id, "chat:s1", "user_message");
  g_autoptr (WireEnvelope) ack = NULL;

  expect_error (client, "{oops", NULL, "bad_frame");
  expect_error (client, "\"a string\"", NULL, "bad_frame");
  expect_error (client, "{\"type\":\"publish\",\"id\":\"e-0\",\"channel\":\"chat:s1\"}", "e-0",
                "bad_frame");
  expect_error (client, "{\"type\":\"publish\",\"id\":\"e-9\",\"channel\":\"chat:s1\","
                        "\"event\":\"user_message\",\"payload\":[1]}", "e-9", "bad_frame");
  expect_error (client, "{\"type\":\"subscribe\"}", NULL, "bad_frame");
  expect_error (client, "{\"type\":\"teleport\"}", NULL, "unknown_type");
  expect_error (client, not_subscribed, "e-1", "not_subscribed");
  expect_error (client, denied, "e-2", "publish_denied");
  expect_error (client, event, "e-3", "forbidden_event");
  expect_error (client, too_large, NULL, "too_large");

  /* Still open and answering. */
  gw_client_send (client, "{\"type\":\"heartbeat\",\"ts\":7}");
  ack = gw_client_next_type (client, "heartbeat_ack", NULL);
  g_assert_cmpint (ack->ts, ==, 7);
  g_assert_false (client->closed);

  g_clear_pointer (&client, gw_client_free);
  gw_gateway_finish (gateway);
}

/* §3: chat is limited to 10 msg/s with a burst of 10: the 11th in a row is rate_limited with a
 * retryAfterMs, and the limit does not count re-sent ids. */
static void
test_rate_limit (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autoptr (GwClient) client = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);
  guint acked = 0, limited = 0;
  gint64 retry_after = -1;

  for (guint i = 0; i < 15; i++)
    {
      g_autofree char *id = g_strdup_printf ("r-%u", i);
      g_autofree char *frame = wire_frame_build_publish (id, "chat:s1", "typing_start",
                                                         WIRE_PRIORITY_LOW, NULL);

      gw_client_send (client, frame);
    }
  while (acked + limited < 15)
    {
      g_autoptr (WireEnvelope) env = gw_client_next (client);

      if (g_strcmp0 (env->type_name, "ack") == 0)
        acked++;
      else if (g_strcmp0 (env->type_name, "error") == 0)
        {
          g_assert_cmpstr (env->code, ==, "rate_limited");
          retry_after = env->retry_after_ms;
          limited++;
        }
    }
  /* The bucket refills while the frames travel, so allow a few more than the burst. */
  g_assert_cmpuint (acked, >=, 10);
  g_assert_cmpuint (limited, >=, 1);
  g_assert_cmpint (retry_after, >, 0);
  g_assert_cmpint (retry_after, <=, 1000);

  g_clear_pointer (&client, gw_client_free);
  gw_gateway_finish (gateway);
}

/* --no-rate-limits lifts them. */
static void
test_rate_limit_off (void)
{
  WireGateway *gateway = gw_gateway_new ("rate-limits", FALSE, NULL);
  g_autoptr (GwClient) client = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *id = g_strdup_printf ("r-%u", i);
      g_autofree char *frame = wire_frame_build_publish (id, "chat:s1", "typing_stop",
                                                         WIRE_PRIORITY_LOW, NULL);

      gw_client_send (client, frame);
    }
  for (guint i = 0; i < 40; i++)
    {
      g_autoptr (WireEnvelope) env = gw_client_next (client);

      g_assert_cmpstr (env->type_name, ==, "ack");
    }
  g_clear_pointer (&client, gw_client_free);
  gw_gateway_finish (gateway);
}

/* §4: 20 bad frames within 10 s close with 1008. */
static void
test_bad_frame_flood (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autoptr (GwClient) client = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);

  for (guint i = 0; i < 19; i++)
    gw_client_send (client, "garbage");
  for (guint i = 0; i < 19; i++)
    {
      g_autoptr (WireEnvelope) err = gw_client_next (client);

      g_assert_cmpstr (err->code, ==, "bad_frame");
    }
  g_assert_false (client->closed);
  gw_client_send (client, "garbage");
  g_assert_cmpint (gw_client_wait_closed (client), ==, 1008);

  g_clear_pointer (&client, gw_client_free);
  gw_gateway_finish (gateway);
}

/* §6: a frame over maxMessageBytes → 1009; a binary frame → 1003. */
static void
test_too_big_and_binary (void)
{
  WireGateway *gateway = gw_gateway_new ("max-message-bytes", 1024, NULL);
  g_autoptr (GwClient) big = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);
  g_autoptr (GwClient) bin = gw_client_auth (gateway, "/ws/chat/s2", "u1", NULL, NULL, NULL);
  g_autofree char *filler = g_strnfill (2000, 'a');
  g_autofree char *frame = g_strdup_printf ("{\"type\":\"heartbeat\",\"pad\":\"%s\"}", filler);

  gw_client_send (big, frame);
  g_assert_cmpint (gw_client_wait_closed (big), ==, 1009);

  soup_websocket_connection_send_binary (bin->ws, "\x01\x02", 2);
  g_assert_cmpint (gw_client_wait_closed (bin), ==, 1003);

  g_clear_pointer (&big, gw_client_free);
  g_clear_pointer (&bin, gw_client_free);
  gw_gateway_finish (gateway);
}

/* §5: nothing received for three heartbeat intervals → 4010; heartbeats keep it open. */
static void
test_idle_close (void)
{
  WireGateway *gateway = gw_gateway_new ("heartbeat-interval-ms", 100, NULL);
  g_autoptr (GwClient) idle = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);

  g_assert_cmpint (gw_client_wait_closed (idle), ==, 4010);
  g_clear_pointer (&idle, gw_client_free);
  gw_gateway_finish (gateway);
}

/* §3: an admin subscribes read-only to any channel and sees its traffic; the admin feed gives a
 * snapshot, then session_opened, session_updated and session_closed. */
static void
test_admin (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  const char *channels[] = { "admin:sessions", "chat:s1", NULL };
  g_autoptr (GwClient) user = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);
  g_autoptr (GwClient) admin = gw_client_auth (gateway, "/ws/admin", "root", "admin", NULL,
                                               channels);
  g_autoptr (GwClient) late = NULL;
  g_autoptr (WireEnvelope) snapshot = NULL;
  g_autoptr (WireEnvelope) opened = NULL;
  g_autoptr (WireEnvelope) updated = NULL;
  g_autoptr (WireEnvelope) closed = NULL;
  g_autoptr (WireEnvelope) seen = NULL;
  g_autoptr (WireEnvelope) denied = NULL;
  g_autoptr (JsonNode) snap_payload = NULL;
  g_autoptr (JsonNode) opened_payload = NULL;
  g_autoptr (JsonNode) updated_payload = NULL;
  g_autoptr (JsonNode) closed_payload = NULL;
  g_autofree char *user_publish = publish_frame ("a-1", "chat:s1", "user_message");
  g_autofree char *admin_publish = publish_frame ("a-2", "chat:s1", "user_message");
  g_autofree char *late_id = NULL;
  JsonArray *connections;
  JsonObject *entry = NULL;

  snapshot = gw_client_next_type (admin, "message", "sessions");
  g_assert_cmpstr (snapshot->channel, ==, "admin:sessions");
  connections = json_object_get_array_member (payload_object (snapshot, &snap_payload),
                                              "connections");
  g_assert_cmpuint (json_array_get_length (connections), ==, 2);
  for (guint i = 0; i < 2; i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (connections, i),
                                                  "userId"), "u1") == 0)
      entry = json_array_get_object_element (connections, i);
  g_assert_nonnull (entry);
  g_assert_cmpstr (json_object_get_string_member (entry, "type"), ==, "chat");
  g_assert_cmpstr (json_object_get_string_member (entry, "path"), ==, "/ws/chat/s1");
  g_assert_cmpstr (json_object_get_string_member (entry, "sessionId"), ==, "s1");
  g_assert_cmpstr (json_object_get_string_member (entry, "remote"), ==, "127.0.0.1");
  for (const char * const *m = (const char * const[]) { "connectionId", "channels", "connectedAt",
                                                         "lastMessageAt", "messagesIn",
                                                         "messagesOut", "bytesIn", "bytesOut",
                                                         NULL };
       *m != NULL; m++)
    g_assert_true (json_object_has_member (entry, *m));

  /* Read-only: the admin sees the user's message, and may not publish. */
  gw_client_send (user, user_publish);
  seen = gw_client_next_type (admin, "message", "user_message");
  g_assert_cmpstr (seen->from, ==, "u1");
  gw_client_send (admin, admin_publish);
  denied = gw_client_next_type (admin, "error", NULL);
  g_assert_cmpstr (denied->code, ==, "publish_denied");

  /* Deltas. */
  late = gw_client_auth (gateway, "/ws/notifications/u7", "u7", NULL, NULL, NULL);
  opened = gw_client_next_type (admin, "message", "session_opened");
  late_id = g_strdup (json_object_get_string_member (payload_object (opened, &opened_payload),
                                                     "connectionId"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (opened_payload),
                                                  "userId"), ==, "u7");
  gw_client_send (late, "{\"type\":\"heartbeat\",\"ts\":1}");
  updated = gw_client_next_type (admin, "message", "session_updated");
  g_assert_cmpint (json_object_get_int_member (payload_object (updated, &updated_payload),
                                               "messagesIn"), >=, 1);
  g_clear_pointer (&late, gw_client_free);
  closed = gw_client_next_type (admin, "message", "session_closed");
  g_assert_cmpstr (json_object_get_string_member (payload_object (closed, &closed_payload),
                                                  "connectionId"), ==, late_id);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (closed_payload), "code"), ==,
                   1000);

  g_clear_pointer (&user, gw_client_free);
  g_clear_pointer (&admin, gw_client_free);
  gw_gateway_finish (gateway);
}

/* Origin allow-list: no Origin (native clients) and allowed ones pass; others get 4003. */
static void
test_origin (void)
{
  const char *origins[] = { "https://app.example", NULL };
  WireGateway *gateway = gw_gateway_new ("allowed-origins", origins, NULL);
  g_autofree char *token = mint (gateway, "u1");
  g_autofree char *frame = auth_frame (token, NULL);

  {
    g_autoptr (GwClient) allowed = gw_client_connect (gateway, "/ws/chat/s1",
                                                      "https://app.example");
    g_autoptr (WireEnvelope) ok = gw_client_send_auth (allowed, token, NULL, NULL);

    g_assert_cmpstr (ok->type_name, ==, "auth_ok");
  }
  {
    g_autoptr (GwClient) evil = gw_client_connect (gateway, "/ws/chat/s2", "https://evil.example");
    g_autoptr (WireEnvelope) refused = gw_client_next (evil);
    g_autoptr (JsonNode) error = wire_envelope_dup_member_node (refused, "error");

    g_assert_cmpstr (refused->type_name, ==, "auth_error");
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (error), "code"), ==,
                     "forbidden");
    g_assert_cmpint (gw_client_wait_closed (evil), ==, 4003);
  }
  {
    g_autoptr (GwClient) native = gw_client_connect (gateway, "/ws/chat/s3", NULL);
    g_autoptr (WireEnvelope) ok = gw_client_send_auth (native, token, NULL, NULL);

    g_assert_cmpstr (ok->type_name, ==, "auth_ok");
  }
  gw_gateway_finish (gateway);
}

/* Shutdown closes every connection with 1001. */
static void
test_shutdown (void)
{
  WireGateway *gateway = gw_gateway_new (NULL);
  g_autoptr (GwClient) a = gw_client_auth (gateway, "/ws/chat/s1", "u1", NULL, NULL, NULL);
  g_autoptr (GwClient) b = gw_client_connect (gateway, "/ws/chat/s2", NULL);

  wire_gateway_shutdown (gateway);
  g_assert_cmpint (gw_client_wait_closed (a), ==, 1001);
  g_assert_cmpint (gw_client_wait_closed (b), ==, 1001);
  g_clear_pointer (&a, gw_client_free);
  g_clear_pointer (&b, gw_client_free);
  gw_gateway_finish (gateway);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/gateway/health", test_health);
  g_test_add_func ("/wire/gateway/unknown-path", test_unknown_path);
  g_test_add_func ("/wire/gateway/auth/ok", test_auth_ok);
  g_test_add_func ("/wire/gateway/auth/default-channel", test_auth_default_channel);
  g_test_add_func ("/wire/gateway/auth/bad-request", test_auth_bad_request);
  g_test_add_func ("/wire/gateway/auth/invalid-token", test_auth_invalid_token);
  g_test_add_func ("/wire/gateway/auth/forbidden", test_auth_forbidden);
  g_test_add_func ("/wire/gateway/auth/timeout", test_auth_timeout);
  g_test_add_func ("/wire/gateway/slot/supersede", test_slot_supersede);
  g_test_add_func ("/wire/gateway/slot/trip-full", test_slot_trip_full);
  g_test_add_func ("/wire/gateway/channels/subscribe", test_subscribe_unsubscribe);
  g_test_add_func ("/wire/gateway/publish/deliver-dedup", test_publish_deliver_dedup);
  g_test_add_func ("/wire/gateway/publish/dedup-ttl", test_dedup_ttl);
  g_test_add_func ("/wire/gateway/publish/error-codes", test_error_codes);
  g_test_add_func ("/wire/gateway/publish/rate-limit", test_rate_limit);
  g_test_add_func ("/wire/gateway/publish/rate-limit-off", test_rate_limit_off);
  g_test_add_func ("/wire/gateway/limits/bad-frame-flood", test_bad_frame_flood);
  g_test_add_func ("/wire/gateway/limits/too-big-and-binary", test_too_big_and_binary);
  g_test_add_func ("/wire/gateway/limits/idle", test_idle_close);
  g_test_add_func ("/wire/gateway/admin", test_admin);
  g_test_add_func ("/wire/gateway/origin", test_origin);
  g_test_add_func ("/wire/gateway/shutdown", test_shutdown);

  return g_test_run ();
}
