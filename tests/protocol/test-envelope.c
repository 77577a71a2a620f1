#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-protocol.h"

static WireEnvelope *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  WireEnvelope *env = wire_envelope_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (env);
  return env;
}

static void
assert_parse_fails (const char *text,
                    gsize       len,
                    const char *message_part)
{
  g_autoptr(GError) error = NULL;
  WireEnvelope *env = wire_envelope_parse (text, len, &error);

  if (env != NULL)
    g_error ("parsed but should not: %.*s", (int) len, text);
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME);
  if (message_part != NULL && strstr (error->message, message_part) == NULL)
    g_error ("error “%s” for %.*s does not mention “%s”", error->message, (int) len, text,
             message_part);
}

/* Every text here is valid JSON; the top-level objects also parse as envelopes. */
static const char * const valid_corpus[] = {
  "{}",
  " \t\r\n{ } \n",
  "{\"a\":1}",
  "{\"a\":-0}",
  "{\"a\":0.5e-10}",
  "{\"a\":1E+2,\"b\":-12.75E3}",
  "{\"a\":true,\"b\":false,\"c\":null}",
  "{\"a\":\"\"}",
  "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
  "{\"a\":\"\\u0041\\u00e9\\u20ac\\uD83D\\uDE00\"}",
  "{\"a\":\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"}",
  "{\"a\":[],\"b\":{},\"c\":[[]],\"d\":[{}]}",
  "{\"a\":[1,\"x\",true,null,{\"b\":[2]}]}",
  "{\"\":0}",
  "{\"a\":123456789012345678901234567890}",
  "{\"a\" : 1 , \"b\" : [ 1 , 2 ] }",
  "{\"a\":\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\"}",
};

typedef struct
{
  const char *text;
  const char *why;   /* a part of the expected error message */
} Invalid;

static const Invalid invalid_corpus[] = {
  { "", "empty" },
  { "   ", "empty" },
  { "{", "member name" },
  { "{\"a\"", "“:”" },
  { "{\"a\":", "end of the text" },
  { "{\"a\":1", "“,” or “}”" },
  { "{\"a\":1,}", "member name" },
  { "{,}", "member name" },
  { "{\"a\" 1}", "“:”" },
  { "{a:1}", "member name" },
  { "{'a':1}", "member name" },
  { "{\"a\":1}}", "after the JSON value" },
  { "{\"a\":1} x", "after the JSON value" },
  { "{\"a\":1}{}", "after the JSON value" },
  { "{\"a\":\"abc}", "unterminated string" },
  { "{\"a\":\"\\x\"}", "invalid escape" },
  { "{\"a\":\"\\u12\"}", "four hexadecimal" },
  { "{\"a\":\"\\u12G4\"}", "four hexadecimal" },
  { "{\"a\":\"\\uD800\"}", "surrogate" },
  { "{\"a\":\"\\uD800\\u0041\"}", "surrogate" },
  { "{\"a\":\"\\uDC00\"}", "lone low surrogate" },
  { "{\"a\":\"\\uDFFF\\uD800\"}", "lone low surrogate" },
  { "{\"a\":\"tab\there\"}", "control character" },
  { "{\"a\":\"nl\nhere\"}", "control character" },
  { "{\"a\":\"\xff\"}", "UTF-8" },
  { "{\"a\":\"\xc0\xaf\"}", "UTF-8" },            /* overlong "/" */
  { "{\"a\":\"\xe0\x80\xaf\"}", "UTF-8" },        /* overlong, 3 bytes */
  { "{\"a\":\"\xed\xa0\x80\"}", "UTF-8" },        /* encoded surrogate */
  { "{\"a\":\"\xf4\x90\x80\x80\"}", "UTF-8" },    /* past U+10FFFF */
  { "{\"a\":\"\xc3\"}", "UTF-8" },                /* truncated sequence */
  { "{\"a\":\"\xe2\x82\"}", "UTF-8" },
  { "{\"a\":\x80}", "expected a value" },
  { "{\"a\":01}", "leading zero" },
  { "{\"a\":1.}", "digits must follow" },
  { "{\"a\":.5}", "expected a value" },
  { "{\"a\":1e}", "exponent" },
  { "{\"a\":-}", "invalid number" },
  { "{\"a\":+1}", "expected a value" },
  { "{\"a\":0x10}", "“,” or “}”" },
  { "{\"a\":NaN}", "expected a value" },
  { "{\"a\":tru}", "true" },
  { "{\"a\":nul}", "null" },
  { "{\"a\":True}", "expected a value" },
  { "{\"a\":[1,]}", "expected a value" },
  { "{\"a\":[1 2]}", "“,” or “]”" },
  { "{\"a\":{\"b\":1,}}", "member name" },
  { "{\"a\":[}", "expected a value" },
  { "\xef\xbb\xbf{}", "expected a value" },     /* a BOM is not JSON */
  { "[1,2]", "not a JSON object but an array" },
  { "\"str\"", "not a JSON object but a string" },
  { "42", "not a JSON object but a number" },
  { "null", "not a JSON object but null" },
  { "true", "not a JSON object but a boolean" },
  { "/* c */{}", "expected a value" },
};

static void
test_valid_corpus (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (valid_corpus); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WireEnvelope) env = NULL;
      const char *text = valid_corpus[i];

      g_test_message ("valid: %s", text);
      g_assert_true (wire_json_validate (text, strlen (text), &error));
      g_assert_no_error (error);
      env = parse_ok (text);
      g_assert_cmpuint (env->size, ==, strlen (text));
      /* json-glib agrees with the scanner on every valid object. */
      g_assert_nonnull (wire_envelope_get_object (env));
    }
}

static void
test_invalid_corpus (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_corpus); i++)
    {
      g_autofree char *printable = g_strescape (invalid_corpus[i].text, NULL);

      g_test_message ("invalid: %s", printable);
      assert_parse_fails (invalid_corpus[i].text, strlen (invalid_corpus[i].text),
                          invalid_corpus[i].why);
    }
}

static void
test_error_offset (void)
{
  g_autoptr(GError) error = NULL;
  const char *text = "{\"type\":\"message\",\"id\":\"a\\qb\"}";

  g_assert_null (wire_envelope_parse (text, strlen (text), &error));
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME);
  /* The backslash of the bad escape is at byte 25. */
  g_assert_nonnull (strstr (error->message, "byte 25"));
  g_assert_nonnull (strstr (error->message, "\\q"));
}

static void
test_embedded_nul_and_length (void)
{
  const char text[] = "{\"a\":1}\0garbage";
  g_autoptr(WireEnvelope) env = NULL;

  /* Only @len bytes count: the data needs no terminator… */
  env = wire_envelope_parse (text, 7, NULL);
  g_assert_nonnull (env);
  g_assert_cmpstr (wire_envelope_get_text (env, NULL), ==, "{\"a\":1}");

  /* …and a NUL byte inside @len is garbage after the value. */
  assert_parse_fails (text, sizeof text - 1, "after the JSON value");
  /* Truncations of a valid frame all fail. */
  for (gsize len = 0; len < 7; len++)
    assert_parse_fails (text, len, NULL);
}

static void
test_truncations (void)
{
  const char *text = "{\"type\":\"message\",\"id\":\"m\\u00e9\",\"payload\":{\"a\":[1,2.5e3,"
                     "\"\\ud83d\\ude00\",true,null]},\"timestamp\":17}";
  gsize len = strlen (text);

  wire_envelope_unref (parse_ok (text));

  for (gsize i = 0; i < len; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (wire_envelope_parse (text, i, &error));
      g_assert_error (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME);
      g_assert_false (wire_json_validate (text, i, NULL));
    }
}

static void
test_depth_limit (void)
{
  g_autoptr(GString) ok = g_string_new ("{\"a\":");
  g_autoptr(GString) deep = NULL;
  g_autoptr(WireEnvelope) env = NULL;
  g_autoptr(GError) error = NULL;

  /* The top-level object is level 1; 63 arrays inside make 64 levels. */
  for (int i = 0; i < 63; i++)
    g_string_append_c (ok, '[');
  for (int i = 0; i < 63; i++)
    g_string_append_c (ok, ']');
  g_string_append_c (ok, '}');
  env = parse_ok (ok->str);

  deep = g_string_new ("{\"a\":");
  for (int i = 0; i < 64; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < 64; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  assert_parse_fails (deep->str, deep->len, "nesting deeper than 64");

  /* Far deeper input fails the same way without exhausting the stack. */
  g_string_truncate (deep, 0);
  for (int i = 0; i < 100000; i++)
    g_string_append (deep, "[");
  g_assert_false (wire_json_validate (deep->str, deep->len, &error));
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME);
}

static void
test_validate_any_value (void)
{
  const char *values[] = { "1", "-0.5", "\"s\"", "null", "true", "[]", " [1, {\"a\": \"b\"}] " };
  const char *invalid[] = { "", " ", "1 2", "[", "\"a", "nulll", "01", "{\"a\":}" };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_assert_true (wire_json_validate (values[i], strlen (values[i]), NULL));
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (wire_json_validate (invalid[i], strlen (invalid[i]), &error));
      g_assert_error (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME);
      g_assert_true (g_str_has_prefix (error->message, "Invalid JSON at byte "));
    }
}

static void
test_message_fields (void)
{
  const char *text =
    "{\"type\":\"message\",\"id\":\"m-42\",\"channel\":\"chat:session-123\","
    "\"event\":\"user_message\",\"from\":\"user-123\",\"priority\":\"high\","
    "\"timestamp\":1700000000123,\"payload\":{\"text\":\"hi\",\"n\":[1,2]}}";
  g_autoptr(WireEnvelope) env = parse_ok (text);
  gsize len = 0;
  const char *raw;

  g_assert_cmpint (env->frame_type, ==, WIRE_FRAME_MESSAGE);
  g_assert_cmpstr (env->type_name, ==, "message");
  g_assert_cmpstr (env->id, ==, "m-42");
  g_assert_cmpstr (env->channel, ==, "chat:session-123");
  g_assert_cmpstr (env->event, ==, "user_message");
  g_assert_cmpstr (env->from, ==, "user-123");
  g_assert_true (env->has_priority);
  g_assert_cmpint (env->priority, ==, WIRE_PRIORITY_HIGH);
  g_assert_cmpint (env->timestamp, ==, 1700000000123);
  g_assert_cmpint (env->ts, ==, -1);
  g_assert_cmpint (env->server_time, ==, -1);
  g_assert_cmpint (env->success, ==, -1);
  g_assert_null (env->status);
  g_assert_null (env->code);
  g_assert_null (env->token);
  g_assert_cmpuint (env->size, ==, strlen (text));

  raw = wire_envelope_peek_member (env, "payload", &len);
  g_assert_nonnull (raw);
  g_assert_cmpmem (raw, len, "{\"text\":\"hi\",\"n\":[1,2]}", 23);
  raw = wire_envelope_peek_member (env, "id", &len);
  g_assert_cmpmem (raw, len, "\"m-42\"", 6);
  g_assert_null (wire_envelope_peek_member (env, "nope", &len));
  g_assert_cmpuint (len, ==, 0);
  g_assert_true (wire_envelope_has_member (env, "payload"));
  g_assert_false (wire_envelope_has_member (env, "payloa"));

  raw = wire_envelope_get_text (env, &len);
  g_assert_cmpstr (raw, ==, text);
  g_assert_cmpuint (len, ==, strlen (text));
}

static void
test_auth_ok_fields (void)
{
  g_autoptr(WireEnvelope) env = parse_ok (
    "{\"type\":\"auth_ok\",\"success\":true,\"userId\":\"user-123\",\"sessionId\":\"session-123\","
    "\"connectionId\":\"c-9\",\"availableChannels\":[\"chat:session-123\"],"
    "\"deniedChannels\":[{\"channel\":\"agent:user-9\",\"reason\":\"forbidden\"}],"
    "\"permissions\":[\"read\",\"write\"],\"heartbeatIntervalMs\":30000,"
    "\"maxMessageBytes\":65536,\"serverTime\":1700000000000}");
  g_auto(GStrv) channels = NULL;
  g_auto(GStrv) permissions = NULL;
  g_autoptr(JsonNode) denied = NULL;
  JsonObject *first;

  g_assert_cmpint (env->frame_type, ==, WIRE_FRAME_AUTH_OK);
  g_assert_cmpint (env->success, ==, 1);
  g_assert_cmpstr (env->user_id, ==, "user-123");
  g_assert_cmpstr (env->session_id, ==, "session-123");
  g_assert_cmpstr (env->connection_id, ==, "c-9");
  g_assert_cmpint (env->heartbeat_interval_ms, ==, 30000);
  g_assert_cmpint (env->max_message_bytes, ==, 65536);
  g_assert_cmpint (env->server_time, ==, 1700000000000);

  channels = wire_envelope_dup_member_strv (env, "availableChannels");
  g_assert_nonnull (channels);
  g_assert_cmpuint (g_strv_length (channels), ==, 1);
  g_assert_cmpstr (channels[0], ==, "chat:session-123");
  permissions = wire_envelope_dup_member_strv (env, "permissions");
  g_assert_cmpuint (g_strv_length (permissions), ==, 2);
  g_assert_cmpstr (permissions[1], ==, "write");

  /* Not an array of strings: no strv. */
  g_assert_null (wire_envelope_dup_member_strv (env, "deniedChannels"));
  g_assert_null (wire_envelope_dup_member_strv (env, "userId"));
  g_assert_null (wire_envelope_dup_member_strv (env, "missing"));

  denied = wire_envelope_dup_member_node (env, "deniedChannels");
  g_assert_nonnull (denied);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (denied));
  first = json_array_get_object_element (json_node_get_array (denied), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "reason"), ==, "forbidden");
}

static void
test_error_and_ack_fields (void)
{
  g_autoptr(WireEnvelope) err = parse_ok (
    "{\"type\":\"error\",\"id\":null,\"code\":\"rate_limited\",\"message\":\"Slow down\","
    "\"retryAfterMs\":250}");
  g_autoptr(WireEnvelope) ack = parse_ok ("{\"type\":\"ack\",\"id\":\"p1\","
                                          "\"status\":\"duplicate\"}");
  g_autoptr(WireEnvelope) auth_error = parse_ok (
    "{\"type\":\"auth_error\",\"success\":false,\"error\":{\"code\":\"expired_token\","
    "\"message\":\"Token expired\"}}");
  g_autoptr(JsonNode) error_node = NULL;

  g_assert_cmpint (err->frame_type, ==, WIRE_FRAME_ERROR);
  g_assert_null (err->id);
  g_assert_true (wire_envelope_has_member (err, "id"));
  g_assert_cmpstr (err->code, ==, "rate_limited");
  g_assert_cmpint (wire_error_from_wire_code (err->code), ==, WIRE_ERROR_RATE_LIMITED);
  g_assert_cmpstr (err->message, ==, "Slow down");
  g_assert_cmpint (err->retry_after_ms, ==, 250);

  g_assert_cmpint (ack->frame_type, ==, WIRE_FRAME_ACK);
  g_assert_cmpstr (ack->id, ==, "p1");
  g_assert_cmpstr (ack->status, ==, "duplicate");

  g_assert_cmpint (auth_error->frame_type, ==, WIRE_FRAME_AUTH_ERROR);
  g_assert_cmpint (auth_error->success, ==, 0);
  /* The nested error object's fields are not copied to the top level. */
  g_assert_null (auth_error->code);
  error_node = wire_envelope_dup_member_node (auth_error, "error");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (error_node), "code"),
                   ==, "expired_token");
  /* A dup is the caller's to change (fatal-warnings would catch a sealed node). */
  json_object_set_string_member (json_node_get_object (error_node), "code", "changed");
  g_assert_true (json_object_get_object_member (wire_envelope_get_object (auth_error), "error") !=
                 json_node_get_object (error_node));
}

static void
test_escaped_strings (void)
{
  g_autoptr(WireEnvelope) env = parse_ok (
    "{\"type\":\"publish\",\"id\":\"a\\\"b\\\\c\\/d\\n\",\"channel\":\"chat:\\u0073\\u0031\","
    "\"event\":\"\\u00e9\\u20ac\\ud83d\\ude00\",\"from\":\"caf\xc3\xa9\","
    "\"channels\":[\"x\\ty\",\"\\u00e9\",\"plain\"]}");
  g_auto(GStrv) channels = NULL;

  g_assert_cmpint (env->frame_type, ==, WIRE_FRAME_PUBLISH);
  g_assert_cmpstr (env->id, ==, "a\"b\\c/d\n");
  g_assert_cmpstr (env->channel, ==, "chat:s1");
  g_assert_cmpstr (env->event, ==, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  g_assert_cmpstr (env->from, ==, "caf\xc3\xa9");

  channels = wire_envelope_dup_member_strv (env, "channels");
  g_assert_cmpuint (g_strv_length (channels), ==, 3);
  g_assert_cmpstr (channels[0], ==, "x\ty");
  g_assert_cmpstr (channels[1], ==, "\xc3\xa9");
  g_assert_cmpstr (channels[2], ==, "plain");
}

static void
test_escaped_member_names (void)
{
  /* "\u0069d" is "id": names are compared decoded. */
  g_autoptr(WireEnvelope) env = parse_ok ("{\"\\u0074ype\":\"ack\",\"\\u0069d\":\"x1\","
                                          "\"p\\u0061yload\":{\"k\":1}}");
  gsize len;

  g_autoptr(WireEnvelope) long_name = NULL;

  g_assert_cmpint (env->frame_type, ==, WIRE_FRAME_ACK);
  g_assert_cmpstr (env->id, ==, "x1");
  g_assert_nonnull (wire_envelope_peek_member (env, "payload", &len));
  g_assert_cmpuint (len, ==, 7);

  /* A long escaped name is no field of ours, but it is still a member. */
  long_name = parse_ok ("{\"\\u0069d_with_a_very_long_escaped_member_name\":\"v\"}");
  g_assert_null (long_name->id);
  g_assert_true (wire_envelope_has_member (long_name, "id_with_a_very_long_escaped_member_name"));
}

static void
test_nul_in_string_field (void)
{
  /* A field whose decoded text holds U+0000 is not cut short: it is absent. */
  g_autoptr(WireEnvelope) env = parse_ok ("{\"type\":\"ack\",\"id\":\"a\\u0000b\"}");
  g_autoptr(WireEnvelope) strv = parse_ok ("{\"channels\":[\"a\\u0000b\"]}");

  g_assert_null (env->id);
  g_assert_true (wire_envelope_has_member (env, "id"));
  g_assert_null (wire_envelope_dup_member_strv (strv, "channels"));
}

static void
test_mistyped_fields (void)
{
  g_autoptr(WireEnvelope) env = parse_ok (
    "{\"type\":\"message\",\"id\":17,\"channel\":[\"x\"],\"event\":null,\"from\":{},"
    "\"priority\":\"urgent\",\"timestamp\":\"now\",\"ts\":1.5,\"serverTime\":1e3,"
    "\"retryAfterMs\":99999999999999999999,\"success\":\"yes\",\"heartbeatIntervalMs\":-5}");

  g_assert_null (env->id);
  g_assert_null (env->channel);
  g_assert_null (env->event);
  g_assert_null (env->from);
  g_assert_false (env->has_priority);
  g_assert_cmpint (env->priority, ==, WIRE_PRIORITY_NORMAL);
  g_assert_cmpint (env->timestamp, ==, -1);
  g_assert_cmpint (env->ts, ==, -1);
  g_assert_cmpint (env->server_time, ==, -1);
  g_assert_cmpint (env->retry_after_ms, ==, -1);
  g_assert_cmpint (env->success, ==, -1);
  /* Negative integers are kept as sent; the caller judges them. */
  g_assert_cmpint (env->heartbeat_interval_ms, ==, -5);
}

static void
test_integer_limits (void)
{
  g_autoptr(WireEnvelope) max = parse_ok ("{\"ts\":9223372036854775807,"
                                          "\"timestamp\":-9223372036854775808}");
  g_autoptr(WireEnvelope) over = parse_ok ("{\"ts\":9223372036854775808,"
                                           "\"timestamp\":-9223372036854775809}");

  g_assert_cmpint (max->ts, ==, G_MAXINT64);
  g_assert_cmpint (max->timestamp, ==, G_MININT64);
  g_assert_cmpint (over->ts, ==, -1);
  g_assert_cmpint (over->timestamp, ==, -1);
}

static void
test_duplicate_members_last_wins (void)
{
  g_autoptr(WireEnvelope) env = parse_ok (
    "{\"type\":\"ack\",\"id\":\"first\",\"payload\":1,\"id\":\"second\",\"payload\":[2],"
    "\"type\":\"message\",\"ts\":5,\"ts\":\"x\"}");
  gsize len;
  const char *raw;

  g_assert_cmpint (env->frame_type, ==, WIRE_FRAME_MESSAGE);
  g_assert_cmpstr (env->id, ==, "second");
  /* The last member is absent-by-type, so the earlier number does not survive either. */
  g_assert_cmpint (env->ts, ==, -1);
  raw = wire_envelope_peek_member (env, "payload", &len);
  g_assert_cmpmem (raw, len, "[2]", 3);
  /* json-glib agrees. */
  g_assert_cmpstr (json_object_get_string_member (wire_envelope_get_object (env), "id"), ==,
                   "second");
}

static void
test_frame_types (void)
{
  static const struct { const char *text; WireFrameType type; } cases[] = {
    { "{\"type\":\"auth\",\"token\":\"t\"}", WIRE_FRAME_AUTH },
    { "{\"token\":\"t\",\"channels\":[]}", WIRE_FRAME_AUTH },
    { "{\"channels\":[]}", WIRE_FRAME_UNKNOWN },
    { "{\"type\":\"bogus\",\"token\":\"t\"}", WIRE_FRAME_UNKNOWN },
    { "{\"type\":\"unknown\"}", WIRE_FRAME_UNKNOWN },
    { "{\"type\":\"Message\"}", WIRE_FRAME_UNKNOWN },
    { "{\"type\":\"auth_ok\"}", WIRE_FRAME_AUTH_OK },
    { "{\"type\":\"auth_error\"}", WIRE_FRAME_AUTH_ERROR },
    { "{\"type\":\"heartbeat\",\"ts\":1}", WIRE_FRAME_HEARTBEAT },
    { "{\"type\":\"heartbeat_ack\"}", WIRE_FRAME_HEARTBEAT_ACK },
    { "{\"type\":\"subscribe\"}", WIRE_FRAME_SUBSCRIBE },
    { "{\"type\":\"subscribed\"}", WIRE_FRAME_SUBSCRIBED },
    { "{\"type\":\"unsubscribe\"}", WIRE_FRAME_UNSUBSCRIBE },
    { "{\"type\":\"unsubscribed\"}", WIRE_FRAME_UNSUBSCRIBED },
    { "{\"type\":\"publish\"}", WIRE_FRAME_PUBLISH },
    { "{\"type\":\"ack\"}", WIRE_FRAME_ACK },
    { "{\"type\":\"message\"}", WIRE_FRAME_MESSAGE },
    { "{\"type\":\"error\"}", WIRE_FRAME_ERROR },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WireEnvelope) env = parse_ok (cases[i].text);

      g_assert_cmpint (env->frame_type, ==, cases[i].type);
      if (cases[i].type != WIRE_FRAME_UNKNOWN && env->type_name != NULL)
        {
          g_assert_cmpstr (wire_frame_type_to_string (cases[i].type), ==, env->type_name);
          g_assert_cmpint (wire_frame_type_from_string (env->type_name), ==, cases[i].type);
        }
    }

  g_assert_cmpint (wire_frame_type_from_string (NULL), ==, WIRE_FRAME_UNKNOWN);
}

static void
test_boxed_and_refcount (void)
{
  WireEnvelope *env = parse_ok ("{\"type\":\"heartbeat\",\"ts\":3}");
  WireEnvelope *copy;
  GValue value = G_VALUE_INIT;

  g_assert_true (G_TYPE_IS_BOXED (WIRE_TYPE_ENVELOPE));
  g_value_init (&value, WIRE_TYPE_ENVELOPE);
  g_value_set_boxed (&value, env);
  copy = g_value_dup_boxed (&value);
  g_assert_true (copy == env);
  g_value_unset (&value);
  wire_envelope_unref (copy);

  g_assert_true (wire_envelope_ref (env) == env);
  wire_envelope_unref (env);
  g_assert_cmpint (env->ts, ==, 3);
  wire_envelope_unref (env);
}

static void
test_object_cached (void)
{
  g_autoptr(WireEnvelope) env = parse_ok ("{\"type\":\"message\",\"payload\":{\"a\":[1,2,3]}}");
  g_autofree char *pretty = NULL;
  JsonObject *object;

  object = wire_envelope_get_object (env);
  g_assert_nonnull (object);
  g_assert_true (wire_envelope_get_object (env) == object);
  g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, "message");

  pretty = wire_envelope_to_pretty_string (env);
  g_assert_nonnull (strstr (pretty, "\n"));
  g_assert_nonnull (strstr (pretty, "\"payload\""));
  g_assert_true (wire_json_validate (pretty, strlen (pretty), NULL));
}

static void
test_large_object (void)
{
  g_autoptr(GString) text = g_string_new ("{");
  g_autoptr(WireEnvelope) env = NULL;
  gsize len;
  const char *raw;

  /* More members than the scanner keeps on its stack. */
  for (int i = 0; i < 200; i++)
    g_string_append_printf (text, "%s\"k%d\":[%d]", i > 0 ? "," : "", i, i);
  g_string_append (text, ",\"id\":\"late\"}");

  env = parse_ok (text->str);
  g_assert_cmpstr (env->id, ==, "late");

  /* The same with an error at the very end: nothing leaks (the sanitizer build checks). */
  assert_parse_fails (text->str, text->len - 1, "end of the text");
  raw = wire_envelope_peek_member (env, "k0", &len);
  g_assert_cmpmem (raw, len, "[0]", 3);
  raw = wire_envelope_peek_member (env, "k199", &len);
  g_assert_cmpmem (raw, len, "[199]", 5);
}

static void
test_round_trip_with_writer (void)
{
  const char *channels[] = { "chat:s1", "trip:\"quoted\"", NULL };
  g_autofree char *auth = wire_frame_build_auth ("tok.en.sig", "s1", channels);
  g_autofree char *publish = wire_frame_build_publish ("p-1", "chat:s1", "user_message",
                                                       WIRE_PRIORITY_CRITICAL,
                                                       "{\"text\":\"a\\nb\"}");
  g_autoptr(WireEnvelope) a = parse_ok (auth);
  g_autoptr(WireEnvelope) p = parse_ok (publish);
  g_auto(GStrv) got = wire_envelope_dup_member_strv (a, "channels");
  g_autoptr(JsonNode) payload = wire_envelope_dup_member_node (p, "payload");

  g_assert_cmpint (a->frame_type, ==, WIRE_FRAME_AUTH);
  g_assert_cmpstr (a->token, ==, "tok.en.sig");
  g_assert_cmpstr (a->session_id, ==, "s1");
  g_assert_cmpstrv (got, channels);

  g_assert_cmpint (p->frame_type, ==, WIRE_FRAME_PUBLISH);
  g_assert_cmpint (p->priority, ==, WIRE_PRIORITY_CRITICAL);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (payload), "text"), ==,
                   "a\nb");
}

static const char *
json_glib_string (JsonObject *object,
                  const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Random damage to valid frames, from a fixed seed: the scanner never reads out of bounds (the
 * sanitizer build checks), envelope parse and validation agree, and whatever the scanner accepts
 * json-glib reads the same way. */
static void
test_mutations (void)
{
  static const char * const seeds[] = {
    "{\"type\":\"message\",\"id\":\"m-1\",\"channel\":\"chat:s1\",\"event\":\"user_message\","
    "\"from\":\"user-1\",\"priority\":\"high\",\"timestamp\":1700000000000,"
    "\"payload\":{\"text\":\"h\\u00e9 \\ud83d\\ude00 caf\xc3\xa9\",\"n\":[1,-2.5e3,true,null]}}",
    "{\"type\":\"auth_ok\",\"success\":true,\"userId\":\"u\",\"availableChannels\":[\"a:b\"],"
    "\"deniedChannels\":[{\"channel\":\"x:y\",\"reason\":\"forbidden\"}],\"serverTime\":0}",
    "{\"type\":\"error\",\"id\":null,\"code\":\"rate_limited\",\"message\":\"a\\\"b\\\\c\\n\","
    "\"retryAfterMs\":100}",
  };
  static const char interesting[] = "{}[]\":,\\u0123456789-+.eEtfnrl \x80\xc3\xa9\xed\xf4\xff";
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);
  guint accepted = 0;

  for (guint round = 0; round < 20000; round++)
    {
      const char *seed = seeds[round % G_N_ELEMENTS (seeds)];
      g_autoptr(GString) text = g_string_new (seed);
      g_autoptr(WireEnvelope) env = NULL;
      g_autoptr(GError) error = NULL;
      guint n_edits = g_rand_int_range (rand, 1, 4);
      gboolean valid;

      for (guint e = 0; e < n_edits && text->len > 0; e++)
        {
          guint pos = g_rand_int_range (rand, 0, text->len);
          char c = interesting[g_rand_int_range (rand, 0, sizeof interesting - 1)];

          switch (g_rand_int_range (rand, 0, 4))
            {
            case 0:
              text->str[pos] = c;
              break;
            case 1:
              g_string_erase (text, pos, 1);
              break;
            case 2:
              g_string_insert_c (text, pos, c);
              break;
            default:
              g_string_truncate (text, pos);
              break;
            }
        }

      /* The exact length, so a damaged text is not read past its end. */
      {
        g_autofree char *exact = g_memdup2 (text->str, text->len);

        env = wire_envelope_parse (exact, text->len, &error);
        valid = wire_json_validate (exact, text->len, NULL);
      }

      if (env == NULL)
        {
          g_assert_error (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME);
          /* Only a valid non-object may validate without parsing as an envelope. */
          if (valid)
            g_assert_nonnull (strstr (error->message, "not a JSON object"));
          continue;
        }

      accepted++;
      g_assert_true (valid);
      {
        JsonObject *object = wire_envelope_get_object (env);

        g_assert_nonnull (object);
        g_assert_cmpstr (env->type_name, ==, json_glib_string (object, "type"));
        g_assert_cmpstr (env->id, ==, json_glib_string (object, "id"));
        g_assert_cmpstr (env->channel, ==, json_glib_string (object, "channel"));
        g_assert_cmpstr (env->message, ==, json_glib_string (object, "message"));
      }
    }

  /* Some mutations keep the frame valid (inside strings, digits): both paths were exercised. */
  g_test_message ("%u of 20000 mutated frames still valid", accepted);
  g_assert_cmpuint (accepted, >, 100);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/envelope/valid-corpus", test_valid_corpus);
  g_test_add_func ("/wire/envelope/invalid-corpus", test_invalid_corpus);
  g_test_add_func ("/wire/envelope/error-offset", test_error_offset);
  g_test_add_func ("/wire/envelope/length-and-nul", test_embedded_nul_and_length);
  g_test_add_func ("/wire/envelope/truncations", test_truncations);
  g_test_add_func ("/wire/envelope/depth-limit", test_depth_limit);
  g_test_add_func ("/wire/envelope/validate-any-value", test_validate_any_value);
  g_test_add_func ("/wire/envelope/message-fields", test_message_fields);
  g_test_add_func ("/wire/envelope/auth-ok-fields", test_auth_ok_fields);
  g_test_add_func ("/wire/envelope/error-and-ack-fields", test_error_and_ack_fields);
  g_test_add_func ("/wire/envelope/escaped-strings", test_escaped_strings);
  g_test_add_func ("/wire/envelope/escaped-member-names", test_escaped_member_names);
  g_test_add_func ("/wire/envelope/nul-in-string-field", test_nul_in_string_field);
  g_test_add_func ("/wire/envelope/mistyped-fields", test_mistyped_fields);
  g_test_add_func ("/wire/envelope/integer-limits", test_integer_limits);
  g_test_add_func ("/wire/envelope/duplicate-members-last-wins", test_duplicate_members_last_wins);
  g_test_add_func ("/wire/envelope/frame-types", test_frame_types);
  g_test_add_func ("/wire/envelope/boxed-refcount", test_boxed_and_refcount);
  g_test_add_func ("/wire/envelope/object-cached", test_object_cached);
  g_test_add_func ("/wire/envelope/large-object", test_large_object);
  g_test_add_func ("/wire/envelope/round-trip-with-writer", test_round_trip_with_writer);
  g_test_add_func ("/wire/envelope/mutations", test_mutations);

  return g_test_run ();
}
