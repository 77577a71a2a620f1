#define G_LOG_DOMAIN "wire-bench"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <libsoup/soup.h>

#include "wire-protocol.h"

/* Many idle connections: starts wirescope-gateway in its own process, opens N authenticated
 * connections (one user each, on /ws/notifications/{user}) from this process, and reports the
 * gateway's resident memory per connection, then its CPU while every connection only sends a
 * heartbeat each interval. */

#define SECRET "bench-idle-secret"

typedef struct
{
  GMainLoop   *loop;
  SoupSession *session;
  char        *base_url;
  GPtrArray   *connections;   /* SoupWebsocketConnection */
  guint        total;
  guint        started;
  guint        in_flight;
  guint        authed;
  guint        failed;
  guint        closed;
  guint64      acks;
  guint        next_heartbeat;
  guint        heartbeat_ms;
  gint64       last_tick_us;
  double       carry;
} Bench;

static void connect_more (Bench *bench);

static void
message_cb (SoupWebsocketConnection *ws,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            Bench                   *bench)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  if (len > 16 && strncmp (data, "{\"type\":\"auth_ok\"", 16) == 0)
    {
      bench->authed++;
      bench->in_flight--;
      connect_more (bench);
      if (bench->authed + bench->failed == bench->total)
        g_main_loop_quit (bench->loop);
    }
  else if (len > 22 && strncmp (data, "{\"type\":\"heartbeat_ack\"", 22) == 0)
    bench->acks++;
}

static void
closed_cb (SoupWebsocketConnection *ws,
           Bench                   *bench)
{
  if (bench->closed++ < 5)
    g_printerr ("a connection closed (%u)\n", soup_websocket_connection_get_close_code (ws));
}

typedef struct
{
  Bench *bench;
  guint  index;
} ConnectData;

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ConnectData *data = user_data;
  Bench *bench = data->bench;
  guint index = data->index;
  g_autoptr (GError) error = NULL;
  g_autoptr (WireJwtClaims) claims = wire_jwt_claims_new ();
  g_autofree char *token = NULL;
  g_autofree char *auth = NULL;
  SoupWebsocketConnection *ws;

  g_free (data);
  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (ws == NULL)
    {
      if (bench->failed++ < 5)
        g_printerr ("connect failed: %s\n", error->message);
      bench->in_flight--;
      connect_more (bench);
      if (bench->authed + bench->failed == bench->total)
        g_main_loop_quit (bench->loop);
      return;
    }
  g_ptr_array_add (bench->connections, ws);
  g_signal_connect (ws, "message", G_CALLBACK (message_cb), bench);
  g_signal_connect (ws, "closed", G_CALLBACK (closed_cb), bench);
  claims->sub = g_strdup_printf ("idle-%u", index);
  claims->exp = g_get_real_time () / G_USEC_PER_SEC + 3600;
  token = wire_jwt_sign_hs256 (claims, (const guint8 *) SECRET, strlen (SECRET));
  auth = wire_frame_build_auth (token, NULL, NULL);
  soup_websocket_connection_send_text (ws, auth);
}

static void
connect_more (Bench *bench)
{
  while (bench->started < bench->total && bench->in_flight < 200)
    {
      g_autofree char *url = g_strdup_printf ("%s/ws/notifications/idle-%u", bench->base_url,
                                              bench->started + 1);
      g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
      ConnectData *data = g_new0 (ConnectData, 1);

      /* The path names the user the token will carry. */
      data->bench = bench;
      data->index = ++bench->started;
      bench->in_flight++;
      soup_session_websocket_connect_async (bench->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                            NULL, connected_cb, data);
    }
}

/* Each tick sends the heartbeats that fell due since the last one (a late timer catches up),
 * round-robin, so that every connection sends one per interval, spread evenly. */
static gboolean
heartbeat_tick_cb (gpointer user_data)
{
  Bench *bench = user_data;
  gint64 now = g_get_monotonic_time ();
  double due;

  if (bench->last_tick_us == 0 || bench->connections->len == 0)
    {
      bench->last_tick_us = now;
      return G_SOURCE_CONTINUE;
    }
  due = bench->carry + (double) (now - bench->last_tick_us) / 1000.0 * bench->connections->len
                         / bench->heartbeat_ms;
  bench->last_tick_us = now;
  for (; due >= 1.0; due -= 1.0)
    {
      SoupWebsocketConnection *ws = g_ptr_array_index (bench->connections,
                                                       bench->next_heartbeat++
                                                         % bench->connections->len);
      g_autofree char *frame = wire_frame_build_heartbeat (g_get_real_time () / 1000);

      if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_send_text (ws, frame);
    }
  bench->carry = due;
  return G_SOURCE_CONTINUE;
}

static void
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
}

static long
process_rss_kib (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return -1;
  line = strstr (contents, "VmRSS:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

static double
process_cpu_seconds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char *p;
  unsigned long utime = 0, stime = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return -1;
  p = strrchr (contents, ')');
  if (p == NULL
      || sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return -1;
  return (double) (utime + stime) / sysconf (_SC_CLK_TCK);
}

static void
spin_for (GMainLoop *loop,
          guint      ms)
{
  g_timeout_add_once (ms, quit_cb, loop);
  g_main_loop_run (loop);
}

int
main (int    argc,
      char **argv)
{
  int connections = 5000;
  int heartbeat_ms = 10000;
  int measure_s = 30;
  g_autofree char *gateway = NULL;
  g_autofree char *dir = NULL;
  GOptionEntry entries[] = {
    { "connections", 'n', 0, G_OPTION_ARG_INT, &connections, "Connections (5000)", "N" },
    { "heartbeat-ms", 0, 0, G_OPTION_ARG_INT, &heartbeat_ms, "Heartbeat interval (10000)", "MS" },
    { "measure-s", 0, 0, G_OPTION_ARG_INT, &measure_s, "CPU measuring window (30)", "S" },
    { "gateway", 0, 0, G_OPTION_ARG_FILENAME, &gateway, "wirescope-gateway binary", "PATH" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- idle connections");
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  g_autofree char *hb_arg = NULL;
  struct rlimit limit;
  Bench bench = { 0 };
  GPid pid;
  long rss_base, rss_after;
  double cpu_before, cpu_after;
  guint64 acks_before;
  guint tick_id;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || connections <= 0
      || heartbeat_ms < 100 || measure_s <= 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "bad arguments");
      return 2;
    }
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
      if (limit.rlim_cur < (rlim_t) connections + 100)
        g_printerr ("RLIMIT_NOFILE is %lu: fewer connections will succeed\n",
                    (unsigned long) limit.rlim_cur);
    }
  dir = g_path_get_dirname (argv[0]);
  if (gateway == NULL)
    gateway = g_build_filename (dir, "..", "..", "src", "gateway", "wirescope-gateway", NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "WIRESCOPE_GATEWAY_SECRET", SECRET, TRUE);
  hb_arg = g_strdup_printf ("--heartbeat-interval-ms=%d", heartbeat_ms);
  process = g_subprocess_launcher_spawn (launcher, &error, gateway, "--listen", "127.0.0.1:0",
                                         hb_arg, NULL);
  if (process == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  pid = atoi (g_subprocess_get_identifier (process));
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, "listening on ws://"))
    {
      g_printerr ("the gateway did not start\n");
      return 1;
    }

  bench.loop = g_main_loop_new (NULL, FALSE);
  bench.session = soup_session_new_with_options ("max-conns", connections + 16,
                                                 "max-conns-per-host", connections + 16, NULL);
  bench.base_url = g_strconcat ("http://", line + strlen ("listening on ws://"), NULL);
  bench.connections = g_ptr_array_new_with_free_func (g_object_unref);
  bench.total = connections;
  bench.heartbeat_ms = heartbeat_ms;

  spin_for (bench.loop, 500);
  rss_base = process_rss_kib (pid);
  /* Heartbeats start with the first connection: connecting thousands takes longer than the
   * gateway's idle limit (three intervals). */
  tick_id = g_timeout_add (100, heartbeat_tick_cb, &bench);
  connect_more (&bench);
  g_main_loop_run (bench.loop);
  spin_for (bench.loop, 2000);
  rss_after = process_rss_kib (pid);

  g_print ("Idle: %u authenticated connections (%u failed), heartbeat every %d ms\n",
           bench.authed, bench.failed, heartbeat_ms);
  g_print ("gateway RSS: %ld KiB before, %ld KiB with the connections\n", rss_base, rss_after);
  if (bench.authed > 0)
    g_print ("gateway RSS per connection: %.1f KiB (goal <= 32 KiB)\n",
             (double) (rss_after - rss_base) / bench.authed);

  spin_for (bench.loop, heartbeat_ms);   /* one full round first */
  cpu_before = process_cpu_seconds (pid);
  acks_before = bench.acks;
  spin_for (bench.loop, measure_s * 1000);
  cpu_after = process_cpu_seconds (pid);
  g_source_remove (tick_id);
  g_print ("gateway CPU with heartbeats only: %.2f s over %d s = %.2f %% of one core "
           "(%.0f heartbeats/s answered)\n",
           cpu_after - cpu_before, measure_s, 100.0 * (cpu_after - cpu_before) / measure_s,
           (double) (bench.acks - acks_before) / measure_s);
  g_print ("gateway RSS after the heartbeat phase: %ld KiB; connections closed by the gateway: %u\n",
           process_rss_kib (pid), bench.closed);

  for (guint i = 0; i < bench.connections->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (bench.connections, i), &bench);
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
  g_ptr_array_unref (bench.connections);
  g_object_unref (bench.session);
  g_free (bench.base_url);
  g_main_loop_unref (bench.loop);
  return bench.authed == (guint) connections && bench.closed == 0 ? 0 : 1;
}
