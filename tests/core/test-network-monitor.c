#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <libsoup/soup.h>

#include "wire-core.h"

/* Thresholds small enough to keep the test fast and far enough apart that a loaded machine
 * cannot push a probe across a boundary: the server's delays sit in the middle of each band. */
#define UNSTABLE_MS (250 * time_scale ())
#define SLOW_MS (1000 * time_scale ())
#define DELAY_UNSTABLE_MS (500 * time_scale ())
#define DELAY_SLOW_MS (1400 * time_scale ())

/* Under memcheck (the valgrind test setup sets VALGRIND) everything runs some ten times slower:
 * the bands widen with it, so the test still tells the bands apart instead of the slowdown. */
static guint
time_scale (void)
{
  return g_getenv ("VALGRIND") != NULL ? 10 : 1;
}

typedef struct
{
  SoupServer *server;
  char *uri;
  guint delay_ms;
  guint status;
  guint requests;
  guint answered;
  WireNetworkMonitor *monitor;
} Fixture;

typedef struct
{
  Fixture *f;
  SoupServerMessage *msg;
} Delayed;

static void
answer (Fixture           *f,
        SoupServerMessage *msg)
{
  soup_server_message_set_status (msg, f->status, NULL);
  f->answered++;
}

static gboolean
delayed_answer_cb (gpointer user_data)
{
  Delayed *d = user_data;

  answer (d->f, d->msg);
  soup_server_message_unpause (d->msg);
  g_object_unref (d->msg);
  g_free (d);
  return G_SOURCE_REMOVE;
}

static void
health_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Fixture *f = user_data;

  f->requests++;
  g_assert_cmpstr (soup_server_message_get_method (msg), ==, "HEAD");

  if (f->delay_ms == 0)
    {
      answer (f, msg);
      return;
    }

  {
    Delayed *d = g_new0 (Delayed, 1);

    d->f = f;
    d->msg = g_object_ref (msg);
    soup_server_message_pause (msg);
    g_timeout_add (f->delay_ms, delayed_answer_cb, d);
  }
}

/* Listens on 127.0.0.1 with a socket of our own: soup_server_get_uris() would cache an address
 * that libsoup 3.2 never frees. */
static char *
listen_loopback (SoupServer *server)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GSocket) socket = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  soup_server_listen_socket (server, socket, 0, &error);
  g_assert_no_error (error);

  return g_strdup_printf ("http://127.0.0.1:%u/api/health",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, "/api/health", health_cb, f, NULL);
  f->uri = listen_loopback (f->server);
  f->status = SOUP_STATUS_OK;

  f->monitor = wire_network_monitor_new ();
  g_object_set (f->monitor,
                "unstable-threshold-ms", UNSTABLE_MS,
                "slow-threshold-ms", SLOW_MS,
                NULL);
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static guint64
probe_count (Fixture *f)
{
  guint64 count = 0;

  g_object_get (f->monitor, "probe-count", &count, NULL);
  return count;
}

/* Spins the loop until the monitor has completed @n probes (generous timeout, never asserted
 * on as a duration). */
static void
wait_probes (Fixture *f,
             guint64  n)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (20, timeout_cb, &timed_out);

  while (probe_count (f) < n && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
}

static void
wait_answered (Fixture *f)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (20, timeout_cb, &timed_out);

  while (f->answered < f->requests && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  wait_answered (f);
  g_assert_finalize_object (f->monitor);
  soup_server_disconnect (f->server);
  g_assert_finalize_object (f->server);
  g_free (f->uri);
  /* Let the closed connections' sources run. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_classify (void)
{
  g_assert_cmpint (wire_network_status_classify (TRUE, 0, 1000, 5000), ==, WIRE_NETWORK_ONLINE);
  g_assert_cmpint (wire_network_status_classify (TRUE, 1000, 1000, 5000), ==, WIRE_NETWORK_ONLINE);
  g_assert_cmpint (wire_network_status_classify (TRUE, 1001, 1000, 5000), ==,
                   WIRE_NETWORK_UNSTABLE);
  g_assert_cmpint (wire_network_status_classify (TRUE, 5000, 1000, 5000), ==,
                   WIRE_NETWORK_UNSTABLE);
  g_assert_cmpint (wire_network_status_classify (TRUE, 5001, 1000, 5000), ==, WIRE_NETWORK_SLOW);
  g_assert_cmpint (wire_network_status_classify (FALSE, 3, 1000, 5000), ==, WIRE_NETWORK_OFFLINE);

  g_assert_cmpint (wire_network_status_min_delay_ms (WIRE_NETWORK_SLOW), ==, 5000);
  g_assert_cmpint (wire_network_status_min_delay_ms (WIRE_NETWORK_UNSTABLE), ==, 2000);
  g_assert_cmpint (wire_network_status_min_delay_ms (WIRE_NETWORK_ONLINE), ==, 0);
  g_assert_cmpint (wire_network_status_min_delay_ms (WIRE_NETWORK_OFFLINE), ==, 0);

  g_assert_cmpstr (wire_network_status_to_string (WIRE_NETWORK_ONLINE), ==, "online");
  g_assert_cmpstr (wire_network_status_to_string (WIRE_NETWORK_UNSTABLE), ==, "unstable");
  g_assert_cmpstr (wire_network_status_to_string (WIRE_NETWORK_SLOW), ==, "slow");
  g_assert_cmpstr (wire_network_status_to_string (WIRE_NETWORK_OFFLINE), ==, "offline");
}

static void
test_online (Fixture       *f,
             gconstpointer  data)
{
  gint64 before = g_get_real_time () / 1000;
  gint64 last = 0;

  g_assert_cmpint (wire_network_monitor_get_latency_ms (f->monitor), ==, -1);
  wire_network_monitor_set_probe_uri (f->monitor, f->uri);
  wait_probes (f, 1);

  /* A loopback gateway that answers is online whatever GNetworkMonitor thinks. */
  g_assert_cmpint (wire_network_monitor_get_status (f->monitor), ==, WIRE_NETWORK_ONLINE);
  g_assert_cmpint (wire_network_monitor_get_latency_ms (f->monitor), >=, 0);
  g_assert_cmpint (wire_network_monitor_get_latency_ms (f->monitor), <=, UNSTABLE_MS);
  g_object_get (f->monitor, "last-probe-time", &last, NULL);
  g_assert_cmpint (last, >=, before);
  g_assert_cmpuint (f->requests, ==, 1);
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_unstable_then_slow (Fixture       *f,
                         gconstpointer  data)
{
  guint status_notifies = 0;

  g_signal_connect (f->monitor, "notify::status", G_CALLBACK (notify_cb), &status_notifies);

  f->delay_ms = DELAY_UNSTABLE_MS;
  wire_network_monitor_set_probe_uri (f->monitor, f->uri);
  wait_probes (f, 1);
  g_assert_cmpint (wire_network_monitor_get_status (f->monitor), ==, WIRE_NETWORK_UNSTABLE);
  g_assert_cmpint (wire_network_monitor_get_latency_ms (f->monitor), >, UNSTABLE_MS);
  g_assert_cmpuint (status_notifies, ==, 1);

  f->delay_ms = DELAY_SLOW_MS;
  wire_network_monitor_probe_now (f->monitor);
  wait_probes (f, 2);
  g_assert_cmpint (wire_network_monitor_get_status (f->monitor), ==, WIRE_NETWORK_SLOW);
  g_assert_cmpint (wire_network_monitor_get_latency_ms (f->monitor), >, SLOW_MS);
  g_assert_cmpuint (status_notifies, ==, 2);

  /* And back. */
  f->delay_ms = 0;
  wire_network_monitor_probe_now (f->monitor);
  wait_probes (f, 3);
  g_assert_cmpint (wire_network_monitor_get_status (f->monitor), ==, WIRE_NETWORK_ONLINE);
  g_assert_cmpuint (status_notifies, ==, 3);
}

static void
test_offline_on_error_status (Fixture       *f,
                              gconstpointer  data)
{
  f->status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  wire_network_monitor_set_probe_uri (f->monitor, f->uri);
  wait_probes (f, 1);
  g_assert_cmpint (wire_network_monitor_get_status (f->monitor), ==, WIRE_NETWORK_OFFLINE);

  f->status = SOUP_STATUS_OK;
  wire_network_monitor_probe_now (f->monitor);
  wait_probes (f, 2);
  g_assert_cmpint (wire_network_monitor_get_status (f->monitor), ==, WIRE_NETWORK_ONLINE);
}

static void
test_offline_on_refused (Fixture       *f,
                         gconstpointer  data)
{
  SoupServer *closed = soup_server_new (NULL, NULL);
  g_autofree char *uri = listen_loopback (closed);

  /* Nothing listens there any more: the connection is refused. */
  soup_server_disconnect (closed);
  g_assert_finalize_object (closed);

  wire_network_monitor_set_probe_uri (f->monitor, uri);
  wait_probes (f, 1);
  g_assert_cmpint (wire_network_monitor_get_status (f->monitor), ==, WIRE_NETWORK_OFFLINE);
}

static void
test_bad_uri (Fixture       *f,
              gconstpointer  data)
{
  /* Not something a HEAD can go to: offline at once, no request, no warning. */
  wire_network_monitor_set_probe_uri (f->monitor, "ws://127.0.0.1/ws/chat/s1");
  g_assert_cmpint (wire_network_monitor_get_status (f->monitor), ==, WIRE_NETWORK_OFFLINE);
  g_assert_false (wire_network_monitor_get_probing (f->monitor));

  wire_network_monitor_set_probe_uri (f->monitor, f->uri);
  wait_probes (f, 1);
  g_assert_cmpint (wire_network_monitor_get_status (f->monitor), ==, WIRE_NETWORK_ONLINE);

  wire_network_monitor_set_probe_uri (f->monitor, "not a uri");
  g_assert_cmpint (wire_network_monitor_get_status (f->monitor), ==, WIRE_NETWORK_OFFLINE);
  g_assert_cmpuint (f->requests, ==, 1);
}

static void
test_probe_timeout (Fixture       *f,
                    gconstpointer  data)
{
  /* A probe that does not answer in time fails instead of hanging. */
  g_object_set (f->monitor, "probe-timeout-ms", 100, NULL);
  f->delay_ms = 1500;
  wire_network_monitor_set_probe_uri (f->monitor, f->uri);
  wait_probes (f, 1);
  g_assert_cmpint (wire_network_monitor_get_status (f->monitor), ==, WIRE_NETWORK_OFFLINE);
  g_assert_cmpint (wire_network_monitor_get_latency_ms (f->monitor), >=, 100);
  g_assert_cmpuint (f->answered, ==, 0);
  g_assert_false (wire_network_monitor_get_probing (f->monitor));
}

static void
test_coalescing (Fixture       *f,
                 gconstpointer  data)
{
  f->delay_ms = 100;
  wire_network_monitor_set_probe_uri (f->monitor, f->uri);
  g_assert_true (wire_network_monitor_get_probing (f->monitor));
  /* Five requests during one probe: that probe's answer may predate them, so exactly one more
   * probe follows, and then none. */
  for (guint i = 0; i < 5; i++)
    wire_network_monitor_probe_now (f->monitor);
  wait_probes (f, 2);
  g_assert_cmpuint (f->requests, ==, 2);
  g_assert_false (wire_network_monitor_get_probing (f->monitor));

  wire_network_monitor_probe_now (f->monitor);
  wait_probes (f, 3);
  g_assert_cmpuint (f->requests, ==, 3);
}

static void
test_interval (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr (WireConfig) config = wire_config_new ();
  WireNetworkMonitor *monitor;
  guint interval = 0;

  /* The periodic probe, with its interval taken from a config. */
  g_object_set (config, "probe-interval-ms", 30, "unstable-threshold-ms", UNSTABLE_MS,
                "slow-threshold-ms", SLOW_MS, NULL);
  monitor = wire_network_monitor_new_for_config (config);
  g_object_get (monitor, "probe-interval-ms", &interval, NULL);
  g_assert_cmpuint (interval, ==, 30);

  g_assert_finalize_object (f->monitor);
  f->monitor = monitor;
  wire_network_monitor_set_probe_uri (f->monitor, f->uri);
  wait_probes (f, 4);
  g_assert_cmpuint (f->requests, >=, 4);
  g_assert_cmpint (wire_network_monitor_get_status (f->monitor), ==, WIRE_NETWORK_ONLINE);

  /* Interval 0: no more periodic probes. */
  g_object_set (config, "probe-interval-ms", 0, NULL);
  wait_answered (f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/network/classify", test_classify);
#define ADD(path, func) \
  g_test_add ("/wire/network/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("online", test_online);
  ADD ("unstable-then-slow", test_unstable_then_slow);
  ADD ("offline-on-error-status", test_offline_on_error_status);
  ADD ("offline-on-refused", test_offline_on_refused);
  ADD ("probe-timeout", test_probe_timeout);
  ADD ("bad-uri", test_bad_uri);
  ADD ("coalescing", test_coalescing);
  ADD ("interval", test_interval);
#undef ADD

  return g_test_run ();
}
