#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-protocol.h"

/* PROTOCOL.md §6, the client's column. */
static const struct
{
  int              code;
  WireCloseAction  action;
  const char      *nick;
} rows[] = {
  { 1000, WIRE_CLOSE_ACTION_STAY_DISCONNECTED, "normal" },
  { 1001, WIRE_CLOSE_ACTION_RECONNECT, "going-away" },
  { 1003, WIRE_CLOSE_ACTION_ERROR, "unsupported-data" },
  { 1006, WIRE_CLOSE_ACTION_RECONNECT, "abnormal" },
  { 1008, WIRE_CLOSE_ACTION_ERROR, "policy-violation" },
  { 1009, WIRE_CLOSE_ACTION_RECONNECT_AFTER_ERROR, "too-big" },
  { 1011, WIRE_CLOSE_ACTION_RECONNECT, "server-error" },
  { 1012, WIRE_CLOSE_ACTION_RECONNECT, "service-restart" },
  { 1013, WIRE_CLOSE_ACTION_RECONNECT_SLOW, "try-again-later" },
  { 4000, WIRE_CLOSE_ACTION_ERROR, "bad-request" },
  { 4001, WIRE_CLOSE_ACTION_REFRESH_TOKEN, "invalid-token" },
  { 4003, WIRE_CLOSE_ACTION_ERROR, "forbidden" },
  { 4008, WIRE_CLOSE_ACTION_RECONNECT, "auth-timeout" },
  { 4009, WIRE_CLOSE_ACTION_STAY_DISCONNECTED, "superseded" },
  { 4010, WIRE_CLOSE_ACTION_RECONNECT, "idle" },
  { 4029, WIRE_CLOSE_ACTION_RECONNECT, "slot-full" },
};

static void
test_actions (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      if (wire_close_code_action (rows[i].code) != rows[i].action)
        g_error ("close code %d: wrong action %d", rows[i].code,
                 wire_close_code_action (rows[i].code));
    }

  /* Codes outside the table: reconnect with backoff. */
  g_assert_cmpint (wire_close_code_action (0), ==, WIRE_CLOSE_ACTION_RECONNECT);
  g_assert_cmpint (wire_close_code_action (1005), ==, WIRE_CLOSE_ACTION_RECONNECT);
  g_assert_cmpint (wire_close_code_action (4999), ==, WIRE_CLOSE_ACTION_RECONNECT);
  g_assert_cmpint (WIRE_CLOSE_SLOW_RECONNECT_MIN_MS, ==, 5000);
}

static void
test_names (void)
{
  GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const char *describe = wire_close_code_describe (rows[i].code);

      g_assert_cmpstr (wire_close_code_nick (rows[i].code), ==, rows[i].nick);
      g_assert_nonnull (describe);
      g_assert_cmpuint (strlen (describe), >, 8);
      /* Each code has its own sentence. */
      g_assert_false (g_hash_table_contains (seen, describe));
      g_hash_table_add (seen, (gpointer) describe);
    }
  g_hash_table_unref (seen);

  g_assert_cmpstr (wire_close_code_nick (1234), ==, "unknown");
  g_assert_nonnull (wire_close_code_describe (1234));
  g_assert_nonnull (strstr (wire_close_code_describe (4009), "Superseded"));
}

static void
test_error_codes (void)
{
  static const struct { const char *code; WireError error; } codes[] = {
    { "bad_frame", WIRE_ERROR_BAD_FRAME },
    { "unknown_type", WIRE_ERROR_UNKNOWN_TYPE },
    { "not_subscribed", WIRE_ERROR_NOT_SUBSCRIBED },
    { "publish_denied", WIRE_ERROR_PUBLISH_DENIED },
    { "forbidden_event", WIRE_ERROR_FORBIDDEN_EVENT },
    { "rate_limited", WIRE_ERROR_RATE_LIMITED },
    { "too_large", WIRE_ERROR_TOO_LARGE },
    { "invalid_token", WIRE_ERROR_TOKEN_INVALID },
    { "expired_token", WIRE_ERROR_TOKEN_EXPIRED },
    { "forbidden", WIRE_ERROR_FORBIDDEN },
    { "bad_request", WIRE_ERROR_INVALID_ARGUMENT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_assert_cmpint (wire_error_from_wire_code (codes[i].code), ==, codes[i].error);
      g_assert_cmpstr (wire_error_to_wire_code (codes[i].error), ==, codes[i].code);
    }

  g_assert_cmpint (wire_error_from_wire_code ("nope"), ==, WIRE_ERROR_FAILED);
  g_assert_cmpint (wire_error_from_wire_code (NULL), ==, WIRE_ERROR_FAILED);
  g_assert_null (wire_error_to_wire_code (WIRE_ERROR_QUEUE_FULL));
  g_assert_null (wire_error_to_wire_code (WIRE_ERROR_FAILED));
  g_assert_cmpstr (g_quark_to_string (WIRE_ERROR), ==, "wire-error-quark");
}

static void
test_priorities (void)
{
  static const char * const names[] = { "critical", "high", "normal", "low" };

  for (guint i = 0; i < WIRE_N_PRIORITIES; i++)
    {
      WirePriority p = 99;

      g_assert_cmpstr (wire_priority_to_string (i), ==, names[i]);
      g_assert_true (wire_priority_from_string (names[i], &p));
      g_assert_cmpint (p, ==, i);
    }
  /* Strict ordering: critical first. */
  g_assert_cmpint (WIRE_PRIORITY_CRITICAL, <, WIRE_PRIORITY_HIGH);
  g_assert_cmpint (WIRE_PRIORITY_NORMAL, <, WIRE_PRIORITY_LOW);
  g_assert_false (wire_priority_from_string ("High", NULL));
  g_assert_false (wire_priority_from_string ("", NULL));
  g_assert_false (wire_priority_from_string (NULL, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/close-code/actions", test_actions);
  g_test_add_func ("/wire/close-code/names", test_names);
  g_test_add_func ("/wire/error/wire-codes", test_error_codes);
  g_test_add_func ("/wire/priority/names", test_priorities);

  return g_test_run ();
}
