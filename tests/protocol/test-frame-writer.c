#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-protocol.h"

static char *
escape (const char *str)
{
  GString *out = g_string_new (NULL);

  wire_json_append_string (out, str);
  return g_string_free (out, FALSE);
}

static void
test_escaping (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "", "\"\"" },
    { "plain", "\"plain\"" },
    { "q\"b\\s/", "\"q\\\"b\\\\s/\"" },
    { "\n\r\t\b\f", "\"\\u000a\\u000d\\u0009\\u0008\\u000c\"" },
    { "\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\"" },
    { "caf\xc3\xa9 \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"" },
    /* Invalid UTF-8 never reaches the wire: it becomes U+FFFD. */
    { "a\xff" "b", "\"a\xef\xbf\xbd" "b\"" },
    { "\xc3", "\"\xef\xbf\xbd\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = escape (cases[i].in);

      g_assert_cmpstr (got, ==, cases[i].out);
      g_assert_true (wire_json_validate (got, strlen (got), NULL));
    }

  {
    g_autofree char *null_str = escape (NULL);

    g_assert_cmpstr (null_str, ==, "null");
  }
}

static void
test_every_byte_round_trips (void)
{
  char text[128];
  g_autofree char *json = NULL;
  g_autoptr(GString) frame = g_string_new ("{\"id\":");
  g_autoptr(WireEnvelope) env = NULL;

  /* Every ASCII character, controls included, survives escaping and the scanner. */
  for (int i = 1; i < 128; i++)
    text[i - 1] = (char) i;
  text[127] = '\0';

  wire_json_append_string (frame, text);
  g_string_append_c (frame, '}');
  env = wire_envelope_parse (frame->str, frame->len, NULL);
  g_assert_nonnull (env);
  g_assert_cmpstr (env->id, ==, text);
}

static void
test_strv (void)
{
  const char *channels[] = { "a", "b\"c", NULL };
  g_autoptr(GString) out = g_string_new (NULL);

  wire_json_append_strv (out, NULL);
  g_assert_cmpstr (out->str, ==, "[]");
  g_string_truncate (out, 0);
  wire_json_append_strv (out, channels);
  g_assert_cmpstr (out->str, ==, "[\"a\",\"b\\\"c\"]");
}

/* PROTOCOL.md §2 and §4, byte for byte. */
static void
test_shapes (void)
{
  const char *channels[] = { "chat:session-123", "agent:user-456", NULL };
  struct { char *got; const char *want; } cases[] = {
    { wire_frame_build_auth ("T", "session-123", channels),
      "{\"type\":\"auth\",\"token\":\"T\",\"sessionId\":\"session-123\","
      "\"channels\":[\"chat:session-123\",\"agent:user-456\"]}" },
    { wire_frame_build_auth ("T", NULL, NULL),
      "{\"type\":\"auth\",\"token\":\"T\"}" },
    { wire_frame_build_heartbeat (1700000000000),
      "{\"type\":\"heartbeat\",\"ts\":1700000000000}" },
    { wire_frame_build_heartbeat (-1),
      "{\"type\":\"heartbeat\"}" },
    { wire_frame_build_channels ("subscribe", channels),
      "{\"type\":\"subscribe\",\"channels\":[\"chat:session-123\",\"agent:user-456\"]}" },
    { wire_frame_build_channels ("unsubscribed", NULL),
      "{\"type\":\"unsubscribed\",\"channels\":[]}" },
    { wire_frame_build_publish ("p-1", "trip:t1", "cursor_move", WIRE_PRIORITY_LOW,
                                "{\"x\":1}"),
      "{\"type\":\"publish\",\"id\":\"p-1\",\"channel\":\"trip:t1\",\"event\":\"cursor_move\","
      "\"priority\":\"low\",\"payload\":{\"x\":1}}" },
    { wire_frame_build_publish ("p-2", "chat:s", "typing_start", WIRE_PRIORITY_NORMAL, NULL),
      "{\"type\":\"publish\",\"id\":\"p-2\",\"channel\":\"chat:s\",\"event\":\"typing_start\","
      "\"priority\":\"normal\",\"payload\":{}}" },
    { wire_frame_build_heartbeat_ack (5, 1700000000000),
      "{\"type\":\"heartbeat_ack\",\"ts\":5,\"serverTime\":1700000000000}" },
    { wire_frame_build_heartbeat_ack (-1, 7),
      "{\"type\":\"heartbeat_ack\",\"serverTime\":7}" },
    { wire_frame_build_ack ("p-1", "ok"),
      "{\"type\":\"ack\",\"id\":\"p-1\",\"status\":\"ok\"}" },
    { wire_frame_build_ack ("p-1", "duplicate"),
      "{\"type\":\"ack\",\"id\":\"p-1\",\"status\":\"duplicate\"}" },
    { wire_frame_build_error ("p-9", "rate_limited", "Too fast", 120),
      "{\"type\":\"error\",\"id\":\"p-9\",\"code\":\"rate_limited\",\"message\":\"Too fast\","
      "\"retryAfterMs\":120}" },
    { wire_frame_build_error (NULL, "bad_frame", "Not JSON", -1),
      "{\"type\":\"error\",\"id\":null,\"code\":\"bad_frame\",\"message\":\"Not JSON\"}" },
    { wire_frame_build_message ("m-1", "chat:s", "assistant_message", "assistant",
                                WIRE_PRIORITY_HIGH, 1700000000001, "{\"text\":\"hi\"}"),
      "{\"type\":\"message\",\"id\":\"m-1\",\"channel\":\"chat:s\",\"event\":\"assistant_message\","
      "\"from\":\"assistant\",\"priority\":\"high\",\"timestamp\":1700000000001,"
      "\"payload\":{\"text\":\"hi\"}}" },
    { wire_frame_build_message (NULL, "admin:sessions", "sessions", NULL, WIRE_PRIORITY_NORMAL,
                                -1, "{\"connections\":[]}"),
      "{\"type\":\"message\",\"channel\":\"admin:sessions\",\"event\":\"sessions\","
      "\"priority\":\"normal\",\"payload\":{\"connections\":[]}}" },
    { wire_frame_build_auth_error ("expired_token", "Token \"expired\""),
      "{\"type\":\"auth_error\",\"success\":false,\"error\":{\"code\":\"expired_token\","
      "\"message\":\"Token \\\"expired\\\"\"}}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpstr (cases[i].got, ==, cases[i].want);
      g_assert_true (wire_json_validate (cases[i].got, strlen (cases[i].got), NULL));
      g_free (cases[i].got);
    }
}

static void
test_integers (void)
{
  static const struct { gint64 value; const char *text; } cases[] = {
    { 0, "0" },
    { 7, "7" },
    { -7, "-7" },
    { 1700000000000, "1700000000000" },
    { G_MAXINT64, "9223372036854775807" },
    { G_MININT64, "-9223372036854775808" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *frame = wire_frame_build_heartbeat_ack (1, cases[i].value);
      g_autofree char *want = g_strdup_printf ("{\"type\":\"heartbeat_ack\",\"ts\":1,"
                                               "\"serverTime\":%s}", cases[i].text);
      g_autoptr(WireEnvelope) env = NULL;

      g_assert_cmpstr (frame, ==, want);
      env = wire_envelope_parse (frame, strlen (frame), NULL);
      g_assert_cmpint (env->server_time, ==, cases[i].value);
    }
}

static void
test_message_from_span (void)
{
  const char *publish = "{\"type\":\"publish\",\"id\":\"p1\",\"channel\":\"trip:t1\","
                        "\"event\":\"presence\",\"payload\":{\"who\":[\"a\",\"b\"]},\"x\":1}";
  g_autoptr(WireEnvelope) in = wire_envelope_parse (publish, strlen (publish), NULL);
  g_autofree char *frame = NULL;
  g_autofree char *empty = NULL;
  g_autoptr(WireEnvelope) out = NULL;
  const char *payload;
  gsize len;

  /* The relay copies the payload span as it is, without a NUL-terminated copy. */
  payload = wire_envelope_peek_member (in, "payload", &len);
  frame = wire_frame_build_message_len (in->id, in->channel, in->event, "user-1",
                                        WIRE_PRIORITY_NORMAL, 5, payload, len);
  g_assert_cmpstr (frame, ==,
                   "{\"type\":\"message\",\"id\":\"p1\",\"channel\":\"trip:t1\","
                   "\"event\":\"presence\",\"from\":\"user-1\",\"priority\":\"normal\","
                   "\"timestamp\":5,\"payload\":{\"who\":[\"a\",\"b\"]}}");
  out = wire_envelope_parse (frame, strlen (frame), NULL);
  g_assert_nonnull (out);

  empty = wire_frame_build_message_len (NULL, "c:1", "e", NULL, WIRE_PRIORITY_LOW, -1, NULL, 5);
  g_assert_cmpstr (empty, ==, "{\"type\":\"message\",\"channel\":\"c:1\",\"event\":\"e\","
                              "\"priority\":\"low\",\"payload\":{}}");
}

static void
test_parsed_back (void)
{
  g_autofree char *error = wire_frame_build_error ("p\n1", "publish_denied", "No \x01 way", 0);
  g_autoptr(WireEnvelope) env = wire_envelope_parse (error, strlen (error), NULL);

  g_assert_nonnull (env);
  g_assert_cmpint (env->frame_type, ==, WIRE_FRAME_ERROR);
  g_assert_cmpstr (env->id, ==, "p\n1");
  g_assert_cmpstr (env->code, ==, "publish_denied");
  g_assert_cmpstr (env->message, ==, "No \x01 way");
  g_assert_cmpint (env->retry_after_ms, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/frame-writer/escaping", test_escaping);
  g_test_add_func ("/wire/frame-writer/every-byte-round-trips", test_every_byte_round_trips);
  g_test_add_func ("/wire/frame-writer/strv", test_strv);
  g_test_add_func ("/wire/frame-writer/shapes", test_shapes);
  g_test_add_func ("/wire/frame-writer/integers", test_integers);
  g_test_add_func ("/wire/frame-writer/message-from-span", test_message_from_span);
  g_test_add_func ("/wire/frame-writer/parsed-back", test_parsed_back);

  return g_test_run ();
}
