#define G_LOG_DOMAIN "wire-bench"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Many concurrent authenticated connections in one WireManager against a running gateway:
 * resident memory per connection above the process baseline, and the CPU the client spends while
 * idle with heartbeats only. Tokens are minted here with the gateway's secret
 * (WIRESCOPE_GATEWAY_SECRET). Run through run-connections.sh. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "wire-core.h"

static int count = 1000;
static int heartbeat_ms = 1000;
static int idle_seconds = 30;
static int batch = 0;
static int connected;
static int failed;
static gboolean connect_phase = TRUE;
static GHashTable *drop_reasons;   /* "code reason" → count, after the connect phase */
static GMainLoop *loop;

static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (double) ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double) ru.ru_stime.tv_sec
         + ru.ru_stime.tv_usec / 1e6;
}

static gint64
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? g_ascii_strtoll (line + 6, NULL, 10) : -1;
}

static void
raise_fd_limit (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t) count + 64)
    fprintf (stderr, "warning: only %lu file descriptors for %d connections\n",
             (unsigned long) rl.rlim_cur, count);
}

static void
notify_state_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  WireConnection *connection = WIRE_CONNECTION (object);
  gboolean *was_connected = g_object_get_data (object, "bench-was-connected");
  WireConnectionState state = wire_connection_get_state (connection);

  if (state == WIRE_CONNECTION_CONNECTED && !*was_connected)
    {
      *was_connected = TRUE;
      ++connected;
      if (connect_phase && (connected + failed == count || (batch > 0 && connected % batch == 0)))
        g_main_loop_quit (loop);
    }
  else if (state != WIRE_CONNECTION_CONNECTED && *was_connected)
    {
      *was_connected = FALSE;
      connected--;
    }
  if (state == WIRE_CONNECTION_ERROR)
    {
      fprintf (stderr, "%s: %s\n", wire_connection_get_url (connection),
               wire_connection_get_last_error (connection));
      if (connected + ++failed == count && connect_phase)
        g_main_loop_quit (loop);
    }
}

static void
transition_cb (WireConnection *connection,
               WireTransition *transition,
               gpointer        user_data)
{
  g_autofree char *key = NULL;

  if (connect_phase || transition->from != WIRE_CONNECTION_CONNECTED)
    return;
  key = g_strdup_printf ("%d %s", transition->close_code,
                         transition->reason != NULL ? transition->reason : "");
  g_hash_table_insert (drop_reasons, g_strdup (key),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (drop_reasons, key))
                                         + 1));
}

static gboolean
quit_cb (gpointer user_data)
{
  *(guint *) user_data = 0;
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
run_for (guint ms)
{
  guint id = 0;

  id = g_timeout_add (ms, quit_cb, &id);
  g_main_loop_run (loop);
  g_clear_handle_id (&id, g_source_remove);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr (WireConfig) config = NULL;
  g_autoptr (WireManager) manager = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autofree char *gateway = NULL;
  const char *secret = g_getenv ("WIRESCOPE_GATEWAY_SECRET");
  GPtrArray *connections;
  gint64 rss_base, rss_after;
  double cpu0, cpu1;
  gint64 t0, t1;
  guint64 sent0 = 0, sent1 = 0, rtt_known = 0, reconnects0 = 0, reconnects1 = 0;
  GOptionEntry entries[] = {
    { "gateway", 0, 0, G_OPTION_ARG_STRING, &gateway, "Gateway base URL ws://HOST:PORT", "URL" },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Connections (1000)", "N" },
    { "heartbeat-ms", 0, 0, G_OPTION_ARG_INT, &heartbeat_ms, "Heartbeat interval (1000)", "MS" },
    { "idle-seconds", 0, 0, G_OPTION_ARG_INT, &idle_seconds, "Idle measurement (30)", "S" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch,
      "Open N at a time, the next N once those are up (0 = wire_manager_connect_all)", "N" },
    { NULL },
  };

  context = g_option_context_new ("— many idle connections in one manager");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || gateway == NULL
      || secret == NULL || count <= 0)
    {
      fprintf (stderr, "usage: WIRESCOPE_GATEWAY_SECRET=S %s --gateway ws://HOST:PORT "
               "[--count N] [--heartbeat-ms MS] [--idle-seconds S]\n", argv[0]);
      return 2;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);
  raise_fd_limit ();
  loop = g_main_loop_new (NULL, FALSE);
  drop_reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  config = wire_config_new ();
  g_object_set (config,
                "max-connections", (guint) count,
                "max-connections-per-host", (guint) count,
                "heartbeat-interval-ms", (guint) heartbeat_ms,
                "heartbeat-timeout-ms", (guint) MAX (heartbeat_ms * 5, 10000),
                "connect-timeout-ms", 120000u,
                "probe-interval-ms", 30000u,
                NULL);
  manager = wire_manager_new (config);
  run_for (200);
  rss_base = rss_kib ();

  connections = g_ptr_array_new ();
  for (int i = 0; i < count; i++)
    {
      g_autofree char *user = g_strdup_printf ("bench-%05d", i);
      g_autofree char *url = g_strdup_printf ("%s/ws/notifications/%s", gateway, user);
      g_autofree char *channel = g_strdup_printf ("notifications:%s", user);
      const char *channels[] = { channel, NULL };
      WireJwtClaims claims = { 0 };
      g_autofree char *token = NULL;
      WireConnection *connection;

      claims.sub = user;
      claims.role = (char *) "user";
      claims.exp = g_get_real_time () / G_USEC_PER_SEC + 3600;
      claims.iat = g_get_real_time () / G_USEC_PER_SEC;
      token = wire_jwt_sign_hs256 (&claims, (const guint8 *) secret, strlen (secret));
      connection = wire_manager_add_connection (manager, url, token, NULL, channels, &error);
      if (connection == NULL)
        {
          fprintf (stderr, "connection %d: %s\n", i, error->message);
          return 1;
        }
      g_object_set_data_full (G_OBJECT (connection), "bench-was-connected", g_new0 (gboolean, 1),
                              g_free);
      g_signal_connect (connection, "notify::state", G_CALLBACK (notify_state_cb), NULL);
      g_signal_connect (connection, "transition", G_CALLBACK (transition_cb), NULL);
      g_ptr_array_add (connections, connection);
    }

  t0 = g_get_monotonic_time ();
  if (batch <= 0)
    wire_manager_connect_all (manager);
  {
    guint id = 0;
    int started = 0;

    id = g_timeout_add_seconds (180, quit_cb, &id);
    do
      {
        /* In batches, libsoup's session only ever has a few handshakes queued at once. */
        for (int end = MIN (started + batch, count); batch > 0 && started < end; started++)
          wire_connection_connect (g_ptr_array_index (connections, started));
        g_main_loop_run (loop);
      }
    while (batch > 0 && id != 0 && started < count);
    g_clear_handle_id (&id, g_source_remove);
  }
  connect_phase = FALSE;
  printf ("connected %d of %d in %.1f s (%d failed)\n", connected, count,
          (g_get_monotonic_time () - t0) / 1e6, failed);

  /* Let the first heartbeats and any late allocations settle before measuring. */
  run_for (3000);
  rss_after = rss_kib ();

  for (guint i = 0; i < connections->len; i++)
    {
      WireMetrics m;

      wire_connection_get_metrics (g_ptr_array_index (connections, i), &m);
      sent0 += m.bytes_sent;
      reconnects0 += m.reconnects_total;
    }
  t0 = g_get_monotonic_time ();
  cpu0 = cpu_seconds ();
  run_for ((guint) idle_seconds * 1000);
  cpu1 = cpu_seconds ();
  t1 = g_get_monotonic_time ();
  for (guint i = 0; i < connections->len; i++)
    {
      WireMetrics m;

      wire_connection_get_metrics (g_ptr_array_index (connections, i), &m);
      sent1 += m.bytes_sent;
      reconnects1 += m.reconnects_total;
      if (m.rtt_last_ms >= 0)
        rtt_known++;
    }

  printf ("\n%d connections, heartbeat every %d ms, idle window %.1f s\n", connected,
          heartbeat_ms, (t1 - t0) / 1e6);
  printf ("%-40s %14s %10s\n", "measure", "value", "goal");
  printf ("%-40s %11" G_GINT64_FORMAT " KiB %10s\n", "RSS baseline (manager, no connections)",
          rss_base, "");
  printf ("%-40s %11" G_GINT64_FORMAT " KiB %10s\n", "RSS with all connections", rss_after, "");
  printf ("%-40s %10.1f KiB %10s\n", "RSS per connection above baseline",
          connected > 0 ? (double) (rss_after - rss_base) / connected : 0.0, "<= 64 KiB");
  printf ("%-40s %12.2f %% %10s\n", "idle CPU (of one core)",
          100.0 * (cpu1 - cpu0) / ((t1 - t0) / 1e6), "< 2 %");
  printf ("%-40s %14.0f\n", "bytes sent per second (heartbeats)",
          (double) (sent1 - sent0) / ((t1 - t0) / 1e6));
  printf ("%-40s %14" G_GUINT64_FORMAT "\n", "connections with a measured RTT", rtt_known);
  printf ("%-40s %14" G_GUINT64_FORMAT "\n", "reconnects during the idle window",
          reconnects1 - reconnects0);

  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, drop_reasons);
    while (g_hash_table_iter_next (&iter, &key, &value))
      printf ("  dropped %u× after connecting: close %s\n", GPOINTER_TO_UINT (value),
              (const char *) key);
  }
  /* The closes below are ours, not drops. */
  connect_phase = TRUE;
  g_ptr_array_unref (connections);
  wire_manager_disconnect_all (manager);
  run_for (500);
  g_hash_table_unref (drop_reasons);
  g_main_loop_unref (loop);
  return connected == count ? 0 : 1;
}
