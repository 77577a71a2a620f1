#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-protocol.h"

static void
test_id_is_valid (void)
{
  g_autofree char *max = g_strnfill (WIRE_ID_MAX_LEN, 'a');
  g_autofree char *over = g_strnfill (WIRE_ID_MAX_LEN + 1, 'a');

  g_assert_true (wire_id_is_valid ("a"));
  g_assert_true (wire_id_is_valid ("session-123"));
  g_assert_true (wire_id_is_valid ("A_z-09"));
  g_assert_true (wire_id_is_valid (max));
  g_assert_false (wire_id_is_valid (over));
  g_assert_false (wire_id_is_valid (""));
  g_assert_false (wire_id_is_valid (NULL));
  g_assert_false (wire_id_is_valid ("a b"));
  g_assert_false (wire_id_is_valid ("a/b"));
  g_assert_false (wire_id_is_valid ("a.b"));
  g_assert_false (wire_id_is_valid ("a:b"));
  g_assert_false (wire_id_is_valid ("caf\xc3\xa9"));
  g_assert_false (wire_id_is_valid ("..%2f"));
}

static void
test_parse_paths (void)
{
  static const struct
  {
    const char       *path;
    WireEndpointKind  kind;
    const char       *slot;
  } ok[] = {
    { "/ws/chat/session-123", WIRE_ENDPOINT_CHAT, "session-123" },
    { "/ws/agent-status/user-456", WIRE_ENDPOINT_AGENT_STATUS, "user-456" },
    { "/ws/trips/t1/collab", WIRE_ENDPOINT_TRIP_COLLAB, "t1" },
    { "/ws/notifications/u_1", WIRE_ENDPOINT_NOTIFICATIONS, "u_1" },
    { "/ws/admin", WIRE_ENDPOINT_ADMIN, NULL },
  };
  static const char * const bad[] = {
    "", "/", "/ws", "/ws/", "/ws/chat", "/ws/chat/", "/ws/chat/a/b", "/ws/chat/a b",
    "/ws/trips/t1", "/ws/trips/t1/collab/", "/ws/trips//collab", "/ws/trips/a/b/collab",
    "/ws/admin/", "/ws/adminx", "/ws/notifications/..", "/api/health", "ws/chat/s1",
    "/ws/agent-status/u%201", "/WS/chat/s1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *slot = g_strdup ("sentinel");
      g_autofree char *built = NULL;
      WireEndpointKind kind = 99;

      g_clear_pointer (&slot, g_free);
      g_assert_true (wire_endpoint_parse_path (ok[i].path, &kind, &slot, &error));
      g_assert_no_error (error);
      g_assert_cmpint (kind, ==, ok[i].kind);
      g_assert_cmpstr (slot, ==, ok[i].slot);

      built = wire_endpoint_build_path (kind, slot);
      g_assert_cmpstr (built, ==, ok[i].path);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      char *slot = NULL;

      if (wire_endpoint_parse_path (bad[i], NULL, &slot, &error))
        g_error ("path “%s” should be refused", bad[i]);
      g_assert_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT);
      g_assert_null (slot);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *long_path = g_strdup_printf ("/ws/chat/%0*d", WIRE_ID_MAX_LEN + 1, 7);

    g_assert_false (wire_endpoint_parse_path (long_path, NULL, NULL, &error));
    g_assert_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "session"));
  }
}

static void
test_build_rejects_bad_ids (void)
{
  g_autofree char *admin = wire_endpoint_build_path (WIRE_ENDPOINT_ADMIN, "ignored/../x");

  g_assert_cmpstr (admin, ==, "/ws/admin");
  g_assert_null (wire_endpoint_build_path (WIRE_ENDPOINT_CHAT, NULL));
  g_assert_null (wire_endpoint_build_path (WIRE_ENDPOINT_CHAT, ""));
  g_assert_null (wire_endpoint_build_path (WIRE_ENDPOINT_TRIP_COLLAB, "a/b"));
}

static void
test_kinds (void)
{
  static const struct
  {
    WireEndpointKind kind;
    const char *name;
    guint limit;
    const char *label;
  } rows[] = {
    { WIRE_ENDPOINT_CHAT, "chat", 1, "session" },
    { WIRE_ENDPOINT_AGENT_STATUS, "agent-status", 1, "user" },
    { WIRE_ENDPOINT_TRIP_COLLAB, "trip-collab", 3, "trip" },
    { WIRE_ENDPOINT_NOTIFICATIONS, "notifications", 1, "user" },
    { WIRE_ENDPOINT_ADMIN, "admin", 0, NULL },
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (rows) == WIRE_N_ENDPOINT_KINDS);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      WireEndpointKind kind = 99;

      g_assert_cmpstr (wire_endpoint_kind_to_string (rows[i].kind), ==, rows[i].name);
      g_assert_true (wire_endpoint_kind_from_string (rows[i].name, &kind));
      g_assert_cmpint (kind, ==, rows[i].kind);
      g_assert_cmpuint (wire_endpoint_limit (rows[i].kind), ==, rows[i].limit);
      g_assert_cmpstr (wire_endpoint_slot_label (rows[i].kind), ==, rows[i].label);
    }

  g_assert_false (wire_endpoint_kind_from_string ("trips", NULL));
  g_assert_false (wire_endpoint_kind_from_string (NULL, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/endpoint/id-is-valid", test_id_is_valid);
  g_test_add_func ("/wire/endpoint/parse-paths", test_parse_paths);
  g_test_add_func ("/wire/endpoint/build-rejects-bad-ids", test_build_rejects_bad_ids);
  g_test_add_func ("/wire/endpoint/kinds", test_kinds);

  return g_test_run ();
}
