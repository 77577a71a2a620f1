#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-protocol.h"

static const char * const alice_trips[] = { "t1", "t2", NULL };

static const WireIdentity alice = {
  .user_id = "alice", .is_admin = FALSE, .trips = alice_trips, .sessions = NULL,
  .session_id = "s-alice",
};

static const WireIdentity root = {
  .user_id = "root", .is_admin = TRUE, .trips = NULL, .sessions = NULL, .session_id = NULL,
};

static void
assert_subscribe (WireChannelPolicy  *policy,
                  const char         *channel,
                  const WireIdentity *who,
                  gboolean            allowed,
                  gboolean            read_only)
{
  g_autoptr(GError) error = NULL;
  gboolean got_read_only = 99;
  gboolean ok;

  ok = wire_channel_policy_can_subscribe (policy, channel, who, &got_read_only, &error);
  if (ok != allowed)
    g_error ("subscribe %s by %s: expected %s, got %s (%s)", channel, who->user_id,
             allowed ? "allowed" : "denied", ok ? "allowed" : "denied",
             error != NULL ? error->message : "no error");
  if (allowed)
    {
      g_assert_no_error (error);
      g_assert_cmpint (got_read_only, ==, read_only);
    }
  else
    {
      g_assert_error (error, WIRE_ERROR, WIRE_ERROR_FORBIDDEN);
      g_assert_nonnull (strstr (error->message, channel));
      g_assert_false (got_read_only);
    }
}

static void
assert_publish (WireChannelPolicy *policy,
                const char        *channel,
                const char        *event,
                int                expected_error) /* -1 = allowed */
{
  g_autoptr(GError) error = NULL;
  gboolean ok = wire_channel_policy_can_publish (policy, channel, event, &error);

  if (expected_error < 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, WIRE_ERROR, expected_error);
      g_assert_cmpuint (strlen (error->message), >, 10);
    }
}

static void
test_default_table (void)
{
  g_autoptr(WireChannelPolicy) policy = wire_channel_policy_new_default ();
  static const struct
  {
    const char *channel;
    const char *pattern;
    WireSubscribeRule subscribe;
    gboolean can_publish;
    double rate;
    double burst;
    const char *events[5];
  } rows[] = {
    { "chat:session-123", "chat:*", WIRE_SUBSCRIBE_OWNER_SESSION, TRUE, 10, 10,
      { "user_message", "typing_start", "typing_stop", NULL } },
    { "agent:user-456", "agent:*", WIRE_SUBSCRIBE_OWNER_USER, FALSE, 0, 0,
      { "status_update", "task_start", "task_complete", NULL } },
    { "trip:t1", "trip:*", WIRE_SUBSCRIBE_TRIP_MEMBER, TRUE, 20, 20,
      { "trip_update", "cursor_move", "presence", NULL } },
    { "notifications:u", "notifications:*", WIRE_SUBSCRIBE_OWNER_USER, FALSE, 0, 0,
      { "notification", NULL } },
    { "admin:sessions", "admin:sessions", WIRE_SUBSCRIBE_ADMIN, FALSE, 0, 0,
      { "sessions", "session_opened", "session_updated", "session_closed", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const WireChannelRule *rule = wire_channel_policy_lookup (policy, rows[i].channel);

      g_assert_nonnull (rule);
      g_assert_cmpstr (rule->pattern, ==, rows[i].pattern);
      g_assert_cmpint (rule->subscribe, ==, rows[i].subscribe);
      g_assert_cmpint (rule->can_publish, ==, rows[i].can_publish);
      g_assert_cmpfloat (rule->rate_per_sec, ==, rows[i].rate);
      g_assert_cmpfloat (rule->burst, ==, rows[i].burst);
      g_assert_cmpstrv (rule->allowed_events, rows[i].events);
    }

  g_assert_null (wire_channel_policy_lookup (policy, "admin:other"));
  g_assert_null (wire_channel_policy_lookup (policy, "chat:"));
  g_assert_null (wire_channel_policy_lookup (policy, "chat"));
  g_assert_null (wire_channel_policy_lookup (policy, "chatx:1"));
  g_assert_null (wire_channel_policy_lookup (policy, "unknown:1"));
  g_assert_null (wire_channel_policy_lookup (policy, NULL));
}

static void
test_subscribe_rows (void)
{
  g_autoptr(WireChannelPolicy) policy = wire_channel_policy_new_default ();
  static const char * const limited_sessions[] = { "s-other", NULL };
  static const char * const both_sessions[] = { "s-alice", "s-other", NULL };
  WireIdentity alice_limited = alice;
  WireIdentity alice_both = alice;
  WireIdentity alice_no_session = alice;

  /* chat: the connection's own session only. */
  assert_subscribe (policy, "chat:s-alice", &alice, TRUE, FALSE);
  assert_subscribe (policy, "chat:s-bob", &alice, FALSE, FALSE);
  /* A sessions claim that leaves out the connection's session forbids it. */
  alice_limited.sessions = limited_sessions;
  assert_subscribe (policy, "chat:s-alice", &alice_limited, FALSE, FALSE);
  alice_both.sessions = both_sessions;
  assert_subscribe (policy, "chat:s-alice", &alice_both, TRUE, FALSE);
  assert_subscribe (policy, "chat:s-other", &alice_both, FALSE, FALSE);
  /* Without a session of its own, a connection may use the sessions its token lists. */
  alice_no_session.session_id = NULL;
  assert_subscribe (policy, "chat:s-alice", &alice_no_session, FALSE, FALSE);
  alice_no_session.sessions = limited_sessions;
  assert_subscribe (policy, "chat:s-other", &alice_no_session, TRUE, FALSE);

  /* agent and notifications: the user's own. */
  assert_subscribe (policy, "agent:alice", &alice, TRUE, FALSE);
  assert_subscribe (policy, "agent:bob", &alice, FALSE, FALSE);
  assert_subscribe (policy, "agent:alicex", &alice, FALSE, FALSE);
  assert_subscribe (policy, "notifications:alice", &alice, TRUE, FALSE);
  assert_subscribe (policy, "notifications:bob", &alice, FALSE, FALSE);

  /* trip: members only. */
  assert_subscribe (policy, "trip:t1", &alice, TRUE, FALSE);
  assert_subscribe (policy, "trip:t2", &alice, TRUE, FALSE);
  assert_subscribe (policy, "trip:t3", &alice, FALSE, FALSE);

  /* admin:sessions: admins only, and not read-only-by-override for them. */
  assert_subscribe (policy, "admin:sessions", &alice, FALSE, FALSE);
  assert_subscribe (policy, "admin:sessions", &root, TRUE, FALSE);

  /* Unknown channels and invalid names. */
  assert_subscribe (policy, "weather:here", &alice, FALSE, FALSE);
  assert_subscribe (policy, "chat", &alice, FALSE, FALSE);
  assert_subscribe (policy, "chat:", &alice, FALSE, FALSE);
  assert_subscribe (policy, ":x", &alice, FALSE, FALSE);
  assert_subscribe (policy, "chat:a b", &alice, FALSE, FALSE);
  assert_subscribe (policy, "chat:s-alice:x", &alice, FALSE, FALSE);
}

static void
test_admin_read_only (void)
{
  g_autoptr(WireChannelPolicy) policy = wire_channel_policy_new_default ();
  static const char * const root_trips[] = { "t9", NULL };
  WireIdentity root_member = root;

  /* An operator inspects any channel, read-only. */
  assert_subscribe (policy, "chat:s-alice", &root, TRUE, TRUE);
  assert_subscribe (policy, "agent:alice", &root, TRUE, TRUE);
  assert_subscribe (policy, "trip:t1", &root, TRUE, TRUE);
  assert_subscribe (policy, "notifications:alice", &root, TRUE, TRUE);
  assert_subscribe (policy, "weather:here", &root, TRUE, TRUE);
  /* Where the admin qualifies in its own right, it is a normal subscription. */
  assert_subscribe (policy, "agent:root", &root, TRUE, FALSE);
  root_member.trips = root_trips;
  assert_subscribe (policy, "trip:t9", &root_member, TRUE, FALSE);
  /* A malformed name stays refused, even for admins. */
  assert_subscribe (policy, "chat:", &root, FALSE, FALSE);
}

static void
test_publish_rows (void)
{
  g_autoptr(WireChannelPolicy) policy = wire_channel_policy_new_default ();

  assert_publish (policy, "chat:s1", "user_message", -1);
  assert_publish (policy, "chat:s1", "typing_start", -1);
  assert_publish (policy, "chat:s1", "typing_stop", -1);
  assert_publish (policy, "chat:s1", "assistant_message", WIRE_ERROR_FORBIDDEN_EVENT);
  assert_publish (policy, "chat:s1", NULL, WIRE_ERROR_FORBIDDEN_EVENT);
  assert_publish (policy, "trip:t1", "trip_update", -1);
  assert_publish (policy, "trip:t1", "cursor_move", -1);
  assert_publish (policy, "trip:t1", "presence", -1);
  assert_publish (policy, "trip:t1", "user_message", WIRE_ERROR_FORBIDDEN_EVENT);
  assert_publish (policy, "agent:u1", "status_update", WIRE_ERROR_PUBLISH_DENIED);
  assert_publish (policy, "notifications:u1", "notification", WIRE_ERROR_PUBLISH_DENIED);
  assert_publish (policy, "admin:sessions", "sessions", WIRE_ERROR_PUBLISH_DENIED);
  assert_publish (policy, "weather:here", "x", WIRE_ERROR_PUBLISH_DENIED);
  assert_publish (policy, "not a channel", "x", WIRE_ERROR_PUBLISH_DENIED);
}

static void
test_publish_messages (void)
{
  g_autoptr(WireChannelPolicy) policy = wire_channel_policy_new_default ();
  g_autoptr(GError) error = NULL;

  g_assert_false (wire_channel_policy_can_publish (policy, "chat:s1", "shout", &error));
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_FORBIDDEN_EVENT);
  g_assert_nonnull (strstr (error->message, "shout"));
  g_assert_nonnull (strstr (error->message, "chat:s1"));
  g_assert_nonnull (strstr (error->message, "user_message, typing_start, typing_stop"));
  g_clear_error (&error);

  g_assert_false (wire_channel_policy_can_publish (policy, "agent:u1", "task_start", &error));
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_PUBLISH_DENIED);
  g_assert_nonnull (strstr (error->message, "read-only"));
}

static void
test_pattern_match (void)
{
  static const struct { const char *pattern; const char *name; gboolean match; } cases[] = {
    { "chat:*", "chat:a", TRUE },
    { "chat:*", "chat:abc", TRUE },
    { "chat:*", "chat:", FALSE },          /* '*' needs at least one character */
    { "chat:*", "chat", FALSE },
    { "chat:*", "xchat:a", FALSE },
    { "*", "a", TRUE },
    { "*", "", FALSE },
    { "**", "a", FALSE },
    { "**", "ab", TRUE },
    { "a*b", "ab", FALSE },
    { "a*b", "axb", TRUE },
    { "a*b", "axxbxb", TRUE },
    { "a*b", "axxbx", FALSE },
    { "a*b*c", "a1b2c", TRUE },
    { "a*b*c", "abbc", FALSE },            /* the second '*' has nothing left */
    { "a*b*c", "axbbc", TRUE },
    { "*:*", "trip:t1", TRUE },
    { "*:*", "trip:", FALSE },
    { "exact", "exact", TRUE },
    { "exact", "exactly", FALSE },
    { "", "", TRUE },
    { "", "a", FALSE },
    /* Regex metacharacters are literal. */
    { "a.c", "abc", FALSE },
    { "a.c", "a.c", TRUE },
    { "a+*", "aa", FALSE },
    { "a+*", "a+x", TRUE },
    { "[ab]:*", "a:1", FALSE },
    { "[ab]:*", "[ab]:1", TRUE },
    { "x(y|z)*", "x(y|z)1", TRUE },
    { "^a$*", "^a$b", TRUE },
    { "\\d*", "\\dd", TRUE },
    { "\\d*", "5x", FALSE },
    { "?", "a", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      if (wire_pattern_match (cases[i].pattern, cases[i].name) != cases[i].match)
        g_error ("pattern “%s” vs “%s”: expected %s", cases[i].pattern, cases[i].name,
                 cases[i].match ? "match" : "no match");
    }

  g_assert_cmpuint (wire_pattern_literal_prefix_len ("chat:*"), ==, 5);
  g_assert_cmpuint (wire_pattern_literal_prefix_len ("trip:*:x*"), ==, 5);
  g_assert_cmpuint (wire_pattern_literal_prefix_len ("admin:sessions"), ==, 14);
  g_assert_cmpuint (wire_pattern_literal_prefix_len ("*"), ==, 0);
}

static void
test_pattern_match_long (void)
{
  g_autoptr(GString) name = g_string_new (NULL);

  /* A pathological pattern stays fast: backtracking is to the last star only. */
  for (int i = 0; i < 20000; i++)
    g_string_append_c (name, 'a');
  g_assert_false (wire_pattern_match ("*a*a*a*a*a*b", name->str));
  g_string_append_c (name, 'b');
  g_assert_true (wire_pattern_match ("*a*a*a*a*a*b", name->str));
}

static void
test_precedence (void)
{
  g_autoptr(WireChannelPolicy) policy = wire_channel_policy_new ();
  static const char * const none[] = { NULL };
  WireChannelRule any = { "*", WIRE_SUBSCRIBE_ANYONE, FALSE, 0, 0, none };
  WireChannelRule trip = { "trip:*", WIRE_SUBSCRIBE_TRIP_MEMBER, TRUE, 20, 20, none };
  WireChannelRule trip_vip = { "trip:vip-*", WIRE_SUBSCRIBE_ADMIN, FALSE, 0, 0, none };
  WireChannelRule trip_exact = { "trip:vip-1", WIRE_SUBSCRIBE_NOBODY, FALSE, 0, 0, none };
  WireChannelRule trip_other = { "trip*", WIRE_SUBSCRIBE_OWNER_USER, FALSE, 0, 0, none };
  WireChannelRule trip_again = { "trip:*", WIRE_SUBSCRIBE_ANYONE, TRUE, 5, 5, none };

  /* Added longest-last, so order of addition cannot be what decides. */
  wire_channel_policy_add_rule (policy, &trip_exact);
  wire_channel_policy_add_rule (policy, &trip_vip);
  wire_channel_policy_add_rule (policy, &trip);
  wire_channel_policy_add_rule (policy, &trip_other);
  wire_channel_policy_add_rule (policy, &any);

  g_assert_cmpstr (wire_channel_policy_lookup (policy, "trip:vip-1")->pattern, ==, "trip:vip-1");
  g_assert_cmpstr (wire_channel_policy_lookup (policy, "trip:vip-2")->pattern, ==, "trip:vip-*");
  g_assert_cmpstr (wire_channel_policy_lookup (policy, "trip:t1")->pattern, ==, "trip:*");
  g_assert_cmpstr (wire_channel_policy_lookup (policy, "tripx")->pattern, ==, "trip*");
  g_assert_cmpstr (wire_channel_policy_lookup (policy, "trip:")->pattern, ==, "trip*");
  g_assert_cmpstr (wire_channel_policy_lookup (policy, "chat:1")->pattern, ==, "*");
  /* "trip:vip-" alone: "trip:vip-*" needs one more character. */
  g_assert_cmpstr (wire_channel_policy_lookup (policy, "trip:vip-")->pattern, ==, "trip:*");

  /* A rule with the same pattern replaces the earlier one. */
  wire_channel_policy_add_rule (policy, &trip_again);
  g_assert_cmpint (wire_channel_policy_lookup (policy, "trip:t1")->subscribe, ==,
                   WIRE_SUBSCRIBE_ANYONE);
  g_assert_cmpfloat (wire_channel_policy_lookup (policy, "trip:t1")->rate_per_sec, ==, 5);
  trip_exact.subscribe = WIRE_SUBSCRIBE_ANYONE;
  wire_channel_policy_add_rule (policy, &trip_exact);
  g_assert_cmpint (wire_channel_policy_lookup (policy, "trip:vip-1")->subscribe, ==,
                   WIRE_SUBSCRIBE_ANYONE);
}

static void
test_rule_is_copied (void)
{
  g_autoptr(WireChannelPolicy) policy = wire_channel_policy_new ();
  char pattern[] = "room:*";
  char event[] = "say";
  const char *events[] = { event, NULL };
  WireChannelRule rule = { pattern, WIRE_SUBSCRIBE_ANYONE, TRUE, 1, 1, events };

  wire_channel_policy_add_rule (policy, &rule);
  pattern[0] = 'X';
  assert_subscribe (policy, "room:1", &alice, TRUE, FALSE);
  event[0] = 'X';
  g_assert_nonnull (wire_channel_policy_lookup (policy, "room:1"));
  assert_publish (policy, "room:1", "say", -1);

  /* Nobody: refused, except for the admin's read-only look. */
  rule.pattern = "vault:*";
  rule.subscribe = WIRE_SUBSCRIBE_NOBODY;
  wire_channel_policy_add_rule (policy, &rule);
  assert_subscribe (policy, "vault:1", &alice, FALSE, FALSE);
  assert_subscribe (policy, "vault:1", &root, TRUE, TRUE);

  /* A NULL event list means no event may be published. */
  rule.pattern = "quiet:*";
  rule.allowed_events = NULL;
  wire_channel_policy_add_rule (policy, &rule);
  assert_publish (policy, "quiet:1", "say", WIRE_ERROR_FORBIDDEN_EVENT);
}

static void
test_split (void)
{
  char *prefix = NULL;
  char *id = NULL;

  g_assert_true (wire_channel_split ("trip:t1", &prefix, &id));
  g_assert_cmpstr (prefix, ==, "trip");
  g_assert_cmpstr (id, ==, "t1");
  g_free (prefix);
  g_free (id);

  g_assert_true (wire_channel_split ("admin:sessions", NULL, NULL));
  g_assert_false (wire_channel_split ("trip", NULL, NULL));
  g_assert_false (wire_channel_split ("trip:", NULL, NULL));
  g_assert_false (wire_channel_split (":t1", NULL, NULL));
  g_assert_false (wire_channel_split ("trip:t1:x", NULL, NULL));
  g_assert_false (wire_channel_split ("trip:t.1", NULL, NULL));
  g_assert_false (wire_channel_split ("trip:t*", NULL, NULL));
  g_assert_false (wire_channel_split ("tr ip:t1", NULL, NULL));
  g_assert_false (wire_channel_split (NULL, NULL, NULL));
  /* Ids are at most 64 characters. */
  {
    g_autofree char *id64 = g_strnfill (64, 'a');
    g_autofree char *ok = g_strconcat ("trip:", id64, NULL);
    g_autofree char *too_long = g_strconcat ("trip:", id64, "a", NULL);
    g_autofree char *long_prefix = g_strconcat (id64, "a:t1", NULL);

    g_assert_true (wire_channel_split (ok, NULL, NULL));
    g_assert_false (wire_channel_split (too_long, NULL, NULL));
    g_assert_false (wire_channel_split (long_prefix, NULL, NULL));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/policy/default-table", test_default_table);
  g_test_add_func ("/wire/policy/subscribe-rows", test_subscribe_rows);
  g_test_add_func ("/wire/policy/admin-read-only", test_admin_read_only);
  g_test_add_func ("/wire/policy/publish-rows", test_publish_rows);
  g_test_add_func ("/wire/policy/publish-messages", test_publish_messages);
  g_test_add_func ("/wire/policy/pattern-match", test_pattern_match);
  g_test_add_func ("/wire/policy/pattern-match-long", test_pattern_match_long);
  g_test_add_func ("/wire/policy/precedence", test_precedence);
  g_test_add_func ("/wire/policy/rule-is-copied", test_rule_is_copied);
  g_test_add_func ("/wire/policy/split", test_split);

  return g_test_run ();
}
