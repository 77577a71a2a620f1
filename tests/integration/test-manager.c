#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* WireManager: the guide's per-type limits, the pool limits, the list model and connect_all /
 * disconnect_all against a loopback server. */

#include "config.h"

#include <string.h>

#include "wire-core.h"
#include "wire-raw-server.h"
#include "wire-test-util.h"

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  int        *delta)
{
  *delta += (int) added - (int) removed;
}

static void
expect_limit (WireManager *manager,
              const char  *url,
              const char  *words)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (wire_manager_check_limits (manager, url, &error));
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_LIMIT_REACHED);
  g_clear_error (&error);

  g_assert_null (wire_manager_add_connection (manager, url, "good", NULL, NULL, &error));
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_LIMIT_REACHED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, words));
}

static WireConnection *
add_ok (WireManager *manager,
        const char  *url)
{
  g_autoptr(GError) error = NULL;
  WireConnection *connection;

  g_assert_true (wire_manager_check_limits (manager, url, &error));
  g_assert_no_error (error);
  connection = wire_manager_add_connection (manager, url, "good", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (connection);
  return connection;
}

static void
test_type_limits (void)
{
  WireManager *manager = wire_manager_new (NULL);
  WireConnection *connection;
  int delta = 0;

  g_signal_connect (manager, "items-changed", G_CALLBACK (items_changed_cb), &delta);

  add_ok (manager, "ws://gw.example:8080/ws/chat/s1");
  expect_limit (manager, "ws://gw.example:8080/ws/chat/s1", "per session");
  /* Another session, or the same session on another gateway, is another slot. */
  add_ok (manager, "ws://gw.example:8080/ws/chat/s2");
  add_ok (manager, "ws://other.example:8080/ws/chat/s1");

  add_ok (manager, "ws://gw.example:8080/ws/agent-status/u1");
  expect_limit (manager, "ws://gw.example:8080/ws/agent-status/u1", "per user");
  add_ok (manager, "ws://gw.example:8080/ws/notifications/u1");
  expect_limit (manager, "ws://GW.example:8080/ws/notifications/u1", "per user");

  add_ok (manager, "ws://gw.example:8080/ws/trips/t1/collab");
  add_ok (manager, "ws://gw.example:8080/ws/trips/t1/collab");
  connection = add_ok (manager, "ws://gw.example:8080/ws/trips/t1/collab");
  expect_limit (manager, "ws://gw.example:8080/ws/trips/t1/collab", "3 trip-collab");

  g_assert_cmpint (delta, ==, 8);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 8);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (manager)) == WIRE_TYPE_CONNECTION);

  /* Removing frees the slot. */
  wire_manager_remove_connection (manager, connection);
  g_assert_cmpint (delta, ==, 7);
  add_ok (manager, "ws://gw.example:8080/ws/trips/t1/collab");

  /* Admin has no per-slot limit. */
  add_ok (manager, "ws://gw.example:8080/ws/admin");
  add_ok (manager, "ws://gw.example:8080/ws/admin");

  g_assert_finalize_object (manager);
}

static void
test_pool_limits (void)
{
  WireConfig *config = wire_config_new ();
  WireManager *manager;

  g_object_set (config, "max-connections", 3, "max-connections-per-host", 2, NULL);
  manager = wire_manager_new (config);

  add_ok (manager, "ws://a.example/ws/chat/s1");
  add_ok (manager, "ws://a.example:80/ws/chat/s2");
  expect_limit (manager, "ws://a.example/ws/chat/s3", "max-connections-per-host");
  add_ok (manager, "ws://b.example/ws/chat/s3");
  expect_limit (manager, "ws://c.example/ws/chat/s4", "max-connections");

  /* A setting change applies to the next add. */
  g_object_set (config, "max-connections", 10, NULL);
  add_ok (manager, "ws://c.example/ws/chat/s4");

  g_assert_finalize_object (manager);
  g_assert_finalize_object (config);
}

static void
test_bad_urls (void)
{
  WireManager *manager = wire_manager_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *bad[] = {
    "http://gw.example/ws/chat/s1",
    "ws://gw.example/ws/unknown/x",
    "ws://gw.example/ws/chat/bad%20id",
    "not a url",
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_null (wire_manager_add_connection (manager, bad[i], "good", NULL, NULL, &error));
      g_assert_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  g_assert_null (wire_manager_add_connection (manager, "ws://gw.example/ws/chat/s1", "good",
                                              "not valid!", NULL, &error));
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 0);
  g_assert_finalize_object (manager);
}

static gboolean
all_in_state (WireManager         *manager,
              WireConnectionState  state)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (manager));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(WireConnection) connection = g_list_model_get_item (G_LIST_MODEL (manager), i);

      if (wire_connection_get_state (connection) != state)
        return FALSE;
    }
  return TRUE;
}

static void
test_connect_all (void)
{
  g_autoptr(WireRawServer) server = wire_raw_server_new ();
  WireManager *manager = wire_manager_new (NULL);
  g_autofree char *chat = wire_raw_server_url (server, "/ws/chat/s1");
  g_autofree char *agent = wire_raw_server_url (server, "/ws/agent-status/user-1");
  g_autofree char *probe = NULL;
  WireConnection *connection;

  connection = add_ok (manager, chat);
  g_assert_true (wire_connection_get_config (connection) == wire_manager_get_config (manager));
  add_ok (manager, agent);

  /* One network monitor for all, probing this gateway's health path. */
  g_object_get (wire_manager_get_network_monitor (manager), "probe-uri", &probe, NULL);
  g_assert_cmpstr (probe, ==, server->health_uri);

  wire_manager_connect_all (manager);
  WIRE_TEST_WAIT_UNTIL (all_in_state (manager, WIRE_CONNECTION_CONNECTED));
  g_assert_cmpuint (server->auths, ==, 2);

  wire_manager_disconnect_all (manager);
  g_assert_true (all_in_state (manager, WIRE_CONNECTION_DISCONNECTED));
  WIRE_TEST_WAIT_UNTIL (wire_raw_server_open_count (server) == 0);

  g_assert_finalize_object (manager);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/integration/manager/type-limits", test_type_limits);
  g_test_add_func ("/wire/integration/manager/pool-limits", test_pool_limits);
  g_test_add_func ("/wire/integration/manager/bad-urls", test_bad_urls);
  g_test_add_func ("/wire/integration/manager/connect-all", test_connect_all);

  return g_test_run ();
}
