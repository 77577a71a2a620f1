#define G_LOG_DOMAIN "wire-bench"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libsoup/soup.h>

#include "wire-protocol.h"

/* Relay throughput: trip collaboration with 3 users, one publishing pipelined (a window of
 * unacknowledged publishes), N publishes. Each relay runs in its own process, started here:
 * wirescope-gateway --no-rate-limits, then the minimal Node.js relay on `ws` (node/gateway-relay)
 * doing the same work. This process is only the load client, the same for both.
 *
 * Reports publishes acknowledged per second, messages delivered per second (2 per publish)
 * and the relay's own CPU seconds. */

#define SECRET "bench-relay-secret"

typedef struct
{
  SoupWebsocketConnection *ws;
  gboolean                 authed;
  guint64                  delivered;
} Peer;

typedef struct
{
  const char *name;
  GMainLoop  *loop;
  Peer        peers[3];
  guint       n_authed;
  guint       total;
  guint       window;
  guint       sent;
  guint       acked;
  guint64     delivered;
  gint64      start_us;
  gint64      end_us;
  char       *payload;
  gboolean    failed;
} Run;

static void
maybe_finish (Run *run)
{
  if (run->acked == run->total && run->delivered == 2 * (guint64) run->total)
    {
      run->end_us = g_get_monotonic_time ();
      g_main_loop_quit (run->loop);
    }
}

static void
send_publishes (Run *run)
{
  while (run->sent < run->total && run->sent - run->acked < run->window)
    {
      char id[32];
      g_autofree char *frame = NULL;

      g_snprintf (id, sizeof id, "p-%u", run->sent++);
      frame = wire_frame_build_publish (id, "trip:t1", "trip_update", WIRE_PRIORITY_NORMAL,
                                        run->payload);
      soup_websocket_connection_send_text (run->peers[0].ws, frame);
    }
}

static void
start_publishing (Run *run)
{
  run->start_us = g_get_monotonic_time ();
  send_publishes (run);
}

static void
message_cb (SoupWebsocketConnection *ws,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            Run                     *run)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  guint index = 0;

  for (guint i = 0; i < 3; i++)
    if (run->peers[i].ws == ws)
      index = i;

  /* Both relays write "type" first: a prefix test keeps this client cheap. */
  if (len > 12 && strncmp (data, "{\"type\":\"ack\"", 12) == 0)
    {
      run->acked++;
      send_publishes (run);
      maybe_finish (run);
    }
  else if (len > 16 && strncmp (data, "{\"type\":\"message\"", 16) == 0)
    {
      if (index != 0 && g_strstr_len (data, MIN (len, 200), "\"trip_update\"") != NULL)
        {
          run->peers[index].delivered++;
          run->delivered++;
          maybe_finish (run);
        }
    }
  else if (len > 14 && strncmp (data, "{\"type\":\"auth_ok\"", 16) == 0)
    {
      run->peers[index].authed = TRUE;
      if (++run->n_authed == 3)
        start_publishing (run);
    }
  else if (len > 14 && strncmp (data, "{\"type\":\"error\"", 14) == 0)
    {
      g_printerr ("%s: %.*s\n", run->name, (int) MIN (len, 300), data);
      run->failed = TRUE;
      g_main_loop_quit (run->loop);
    }
}

static void
closed_cb (SoupWebsocketConnection *ws,
           Run                     *run)
{
  if (run->end_us == 0)
    {
      g_printerr ("%s: connection closed early (%u)\n", run->name,
                  soup_websocket_connection_get_close_code (ws));
      run->failed = TRUE;
      g_main_loop_quit (run->loop);
    }
}

typedef struct
{
  Run  *run;
  guint index;
} ConnectData;

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ConnectData *data = user_data;
  Run *run = data->run;
  g_autoptr (GError) error = NULL;
  g_autoptr (WireJwtClaims) claims = wire_jwt_claims_new ();
  g_autofree char *token = NULL;
  g_autofree char *auth = NULL;
  const char *channels[] = { "trip:t1", NULL };
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (ws == NULL)
    {
      g_printerr ("%s: connect failed: %s\n", run->name, error->message);
      run->failed = TRUE;
      g_main_loop_quit (run->loop);
      g_free (data);
      return;
    }
  soup_websocket_connection_set_max_incoming_payload_size (ws, 1024 * 1024);
  run->peers[data->index].ws = ws;
  g_signal_connect (ws, "message", G_CALLBACK (message_cb), run);
  g_signal_connect (ws, "closed", G_CALLBACK (closed_cb), run);

  claims->sub = g_strdup_printf ("user-%u", data->index + 1);
  claims->exp = g_get_real_time () / G_USEC_PER_SEC + 3600;
  g_strfreev (claims->trips);
  claims->trips = g_strsplit ("t1", ",", -1);
  token = wire_jwt_sign_hs256 (claims, (const guint8 *) SECRET, strlen (SECRET));
  auth = wire_frame_build_auth (token, NULL, channels);
  soup_websocket_connection_send_text (ws, auth);
  g_free (data);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Run *run = user_data;

  g_printerr ("%s: timed out (%u acked, %" G_GUINT64_FORMAT " delivered)\n", run->name,
              run->acked, run->delivered);
  run->failed = TRUE;
  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
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

typedef struct
{
  gboolean ok;
  double   acked_per_s;
  double   delivered_per_s;
  double   seconds;
  double   cpu_s;
} Result;

static Result
run_relay (const char         *name,
           const char * const *argv,
           guint               total,
           guint               window)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupSession) session = NULL;
  g_autofree char *line = NULL;
  g_autofree char *filler = NULL;
  Result result = { 0 };
  Run run = { 0 };
  const char *url;
  double cpu_before, cpu_after;
  guint timeout_id;

  g_subprocess_launcher_setenv (launcher, "WIRESCOPE_GATEWAY_SECRET", SECRET, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (process == NULL)
    {
      g_printerr ("%s: %s\n", name, error->message);
      return result;
    }
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, "listening on ws://"))
    {
      g_printerr ("%s: did not start (%s)\n", name, line != NULL ? line : "no output");
      g_subprocess_force_exit (process);
      return result;
    }
  url = line + strlen ("listening on ws://");

  run.name = name;
  run.loop = g_main_loop_new (NULL, FALSE);
  run.total = total;
  run.window = window;
  filler = g_strnfill (64, 'x');
  run.payload = g_strdup_printf ("{\"field\":\"notes\",\"value\":\"%s\",\"revision\":1}", filler);
  session = soup_session_new_with_options ("max-conns", 16, "max-conns-per-host", 16, NULL);
  cpu_before = process_cpu_seconds (atoi (g_subprocess_get_identifier (process)));
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *http = g_strdup_printf ("http://%s/ws/trips/t1/collab", url);
      g_autoptr (SoupMessage) msg = soup_message_new ("GET", http);
      ConnectData *data = g_new0 (ConnectData, 1);

      data->run = &run;
      data->index = i;
      soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                            connected_cb, data);
    }
  timeout_id = g_timeout_add_seconds (300, timeout_cb, &run);
  g_main_loop_run (run.loop);
  if (!run.failed)
    g_source_remove (timeout_id);
  cpu_after = process_cpu_seconds (atoi (g_subprocess_get_identifier (process)));

  result.ok = !run.failed && run.end_us > run.start_us;
  if (result.ok)
    {
      result.seconds = (run.end_us - run.start_us) / 1e6;
      result.acked_per_s = run.acked / result.seconds;
      result.delivered_per_s = run.delivered / result.seconds;
      result.cpu_s = cpu_after - cpu_before;
    }

  for (guint i = 0; i < 3; i++)
    if (run.peers[i].ws != NULL)
      {
        g_signal_handlers_disconnect_by_data (run.peers[i].ws, &run);
        g_clear_object (&run.peers[i].ws);
      }
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
  g_main_loop_unref (run.loop);
  g_free (run.payload);
  return result;
}

static void
print_result (const char   *name,
              const Result *r)
{
  if (!r->ok)
    {
      g_print ("%-22s %12s\n", name, "failed");
      return;
    }
  g_print ("%-22s %12.0f %14.0f %10.2f %12.2f %14.1f\n", name, r->acked_per_s,
           r->delivered_per_s, r->seconds, r->cpu_s, r->cpu_s * 1e6 / (r->acked_per_s * r->seconds));
}

int
main (int    argc,
      char **argv)
{
  int publishes = 100000;
  int window = 1000;
  g_autofree char *gateway = NULL;
  g_autofree char *relay_js = NULL;
  g_autofree char *node = NULL;
  g_autofree char *dir = NULL;
  GOptionEntry entries[] = {
    { "publishes", 'n', 0, G_OPTION_ARG_INT, &publishes, "Publishes (100000)", "N" },
    { "window", 'w', 0, G_OPTION_ARG_INT, &window, "Unacknowledged publishes in flight (1000)",
      "N" },
    { "gateway", 0, 0, G_OPTION_ARG_FILENAME, &gateway, "wirescope-gateway binary", "PATH" },
    { "node-relay", 0, 0, G_OPTION_ARG_FILENAME, &relay_js, "relay.js of the Node relay", "PATH" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- relay throughput, side by side");
  g_autoptr (GError) error = NULL;
  Result ours = { 0 }, theirs = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || publishes <= 0 || window <= 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "bad arguments");
      return 2;
    }
  dir = g_path_get_dirname (argv[0]);
  if (gateway == NULL)
    gateway = g_build_filename (dir, "..", "..", "src", "gateway", "wirescope-gateway", NULL);
  if (relay_js == NULL)
    relay_js = g_build_filename (BENCH_SOURCE_DIR, "node", "gateway-relay", "relay.js", NULL);
  node = g_find_program_in_path ("node");

  g_print ("Relay: trip collaboration, 3 users, 1 publishing pipelined (window %d), %d publishes\n",
           window, publishes);
  {
    const char *gw_argv[] = { gateway, "--listen", "127.0.0.1:0", "--no-rate-limits", NULL };

    ours = run_relay ("wirescope-gateway", gw_argv, publishes, window);
  }
  if (node != NULL && g_file_test (relay_js, G_FILE_TEST_EXISTS))
    {
      const char *node_argv[] = { node, relay_js, "0", NULL };

      theirs = run_relay ("node ws relay", node_argv, publishes, window);
    }
  else
    g_printerr ("node or %s missing: run npm install in node/gateway-relay\n", relay_js);

  g_print ("%-22s %12s %14s %10s %12s %14s\n", "relay", "acked/s", "delivered/s", "elapsed s",
           "relay CPU s", "CPU us/publish");
  print_result ("wirescope-gateway", &ours);
  print_result ("node ws relay", &theirs);
  if (ours.ok && theirs.ok)
    g_print ("gateway / node: throughput %.2f, relay CPU per publish %.2f\n"
             "(one load client drives both; when it is the bottleneck, the CPU column is the "
             "relay's own cost)\n",
             ours.acked_per_s / theirs.acked_per_s,
             (ours.cpu_s / (ours.acked_per_s * ours.seconds))
               / (theirs.cpu_s / (theirs.acked_per_s * theirs.seconds)));
  return ours.ok ? 0 : 1;
}
