#define G_LOG_DOMAIN "wire-bench"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The window under load: 100 connections receiving 20 000 messages a second in total for 60 s.
 * Reports frames per second from the window's frame clock, the longest frame interval, and
 * resident memory at the start and the end of the measurement.
 *
 * The traffic comes from a second process (this program with --generator) so that the app's
 * process does only what the app does: it runs the gateway and one publisher per trip. The
 * client paces each publisher at the trip channel's policy rate (20 messages a second), so the
 * volume comes from fan-out: the app's 100 connections are admin connections watching every
 * trip read-only (admin subscriptions are not bound by the per-trip limit of PROTOCOL.md §1),
 * and each publish reaches all 100 of them: 10 trips × 20/s × 100 = 20 000 messages a second.
 *
 * Run under a display, a window manager and a session bus, e.g.
 *   xvfb-run -a -s "-screen 0 1920x1080x24" dbus-run-session -- \
 *     sh -c 'openbox & bench-app-load [SECONDS] [HISTORY [DEDUP_TTL_MS]]'
 * Without a window manager, GTK 4.8's X11 backend asks the X server for one twice a frame (a
 * round trip each), which no desktop pays.
 *
 * Every connection's message log is open, as if each page had been shown once (the worst case).
 * With HISTORY, each log keeps that many rows (the message-log-history setting) and the
 * measurement starts only once every log is full, so that the resident memory at the start and
 * the end shows whether memory stays flat once the rings are full. Without it, the logs keep the
 * setting's value and the measurement starts after a 5 s warm-up. The other state that grows
 * with traffic is each connection's memory of the ids it has seen (dedup-ttl-ms, 5 minutes by
 * default: 60 000 ids at 200 messages a second); DEDUP_TTL_MS shortens it so that it, too, is
 * full before the measurement starts. */

#define _GNU_SOURCE /* RUSAGE_THREAD */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <adwaita.h>

#include "wire-application.h"
#include "wire-message-tap.h"
#include "wire-core.h"
#include "wire-gateway.h"

#define SECRET          "wirescope-load-benchmark-secret-32b"
#define N_CONNECTIONS   100
#define N_TRIPS         10
#define TOTAL_RATE      20000
#define TICK_MS         10
#define WARMUP_S        5

/* Generator */

typedef struct
{
  WireManager *manager;
  GPtrArray   *publishers;
  guint        per_tick;
  guint64      published;
  guint64      reported;
} Generator;

/* The generator's own rate, so a shortfall is visible next to the window's figures. */
static gboolean
report_cb (gpointer user_data)
{
  Generator *generator = user_data;

  g_printerr ("generator: %" G_GUINT64_FORMAT " publishes/s\n",
              (generator->published - generator->reported) / 10);
  generator->reported = generator->published;

  return G_SOURCE_CONTINUE;
}

static char *
mint (const char *user,
      const char *role,
      const char *trip)
{
  g_autoptr (WireJwtClaims) claims = wire_jwt_claims_new ();

  claims->sub = g_strdup (user);
  claims->role = g_strdup (role);
  claims->exp = g_get_real_time () / G_USEC_PER_SEC + 3600;
  claims->iat = g_get_real_time () / G_USEC_PER_SEC;
  if (trip != NULL)
    {
      g_strfreev (claims->trips);
      claims->trips = g_new0 (char *, 2);
      claims->trips[0] = g_strdup (trip);
    }

  return wire_jwt_sign_hs256 (claims, (const guint8 *) SECRET, strlen (SECRET));
}

static gboolean
publish_tick_cb (gpointer user_data)
{
  Generator *generator = user_data;

  for (guint i = 0; i < generator->publishers->len; i++)
    {
      WireConnection *publisher = g_ptr_array_index (generator->publishers, i);
      g_autofree char *channel = g_strdup_printf ("trip:load-%u", i);

      if (wire_connection_get_state (publisher) != WIRE_CONNECTION_CONNECTED)
        continue;

      /* Keep the queue short: the benchmark measures the receiving window, not a backlog. */
      if (wire_message_queue_get_total_depth (wire_connection_get_queue (publisher)) > 2000)
        continue;

      for (guint j = 0; j < generator->per_tick; j++)
        {
          g_autofree char *id = wire_connection_publish_async (publisher, channel, "cursor_move",
                                                               WIRE_PRIORITY_LOW,
                                                               "{\"x\":12,\"y\":34,\"user\":\"load\"}",
                                                               NULL, NULL, NULL);

          generator->published++;
        }
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
stdin_closed_cb (GIOChannel   *channel,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_REMOVE;
}

static int
run_generator (void)
{
  g_autoptr (WireGateway) gateway = wire_gateway_new ();
  g_autoptr (WireConfig) config = wire_config_new ();
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GIOChannel) input = g_io_channel_unix_new (STDIN_FILENO);
  Generator generator = { 0 };

  g_object_set (gateway, "rate-limits", FALSE, "demo", FALSE, NULL);
  wire_gateway_set_secret (gateway, (const guint8 *) SECRET, strlen (SECRET));
  if (!wire_gateway_listen (gateway, "127.0.0.1", 0, &error))
    g_error ("generator: %s", error->message);

  g_print ("%s\n", wire_gateway_get_url (gateway));
  fflush (stdout);

  generator.manager = wire_manager_new (config);
  generator.publishers = g_ptr_array_new ();
  /* Each publish reaches every watcher; the queue paces what is asked beyond the policy rate. */
  generator.per_tick = MAX (1, TOTAL_RATE / N_CONNECTIONS / N_TRIPS * TICK_MS / 1000);

  for (guint i = 0; i < N_TRIPS; i++)
    {
      g_autofree char *trip = g_strdup_printf ("load-%u", i);
      g_autofree char *user = g_strdup_printf ("publisher-%u", i);
      g_autofree char *url = g_strdup_printf ("%s/ws/trips/%s/collab",
                                              wire_gateway_get_url (gateway), trip);
      g_autofree char *channel = g_strdup_printf ("trip:%s", trip);
      g_autofree char *token = mint (user, "user", trip);
      const char *channels[] = { channel, NULL };
      WireConnection *publisher;

      publisher = wire_manager_add_connection (generator.manager, url, token, NULL, channels,
                                               &error);
      if (publisher == NULL)
        g_error ("generator: %s", error->message);
      wire_connection_connect (publisher);
      g_ptr_array_add (generator.publishers, publisher);
    }

  g_timeout_add (TICK_MS, publish_tick_cb, &generator);
  g_timeout_add_seconds (10, report_cb, &generator);
  g_io_add_watch (input, G_IO_HUP | G_IO_ERR | G_IO_IN, stdin_closed_cb, loop);
  g_main_loop_run (loop);

  return EXIT_SUCCESS;
}

/* The window */

typedef struct
{
  WireApplication *app;
  char            *url;
  guint            seconds;
  guint            history;
  guint            dedup_ttl_ms;

  gint64           measure_from_us;
  gint64           last_frame_us;
  gint64           last_tick_us;
  guint64          frames;
  gint64           longest_frame_us;
  guint64          slow_frames;
  gint64           longest_tick_us;
  guint64          slow_ticks;
  long             rss_start_kb;
  guint64          messages_start;
  guint            reports;
  guint64          last_received;
  gint64           last_cpu_us;
  gint64           cpu_start_us;
  gint64           process_cpu_start_us;
  long             last_waits;
  long             last_preemptions;
  gboolean         trace_slow_frames;
} Load;

static gint64
process_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* The UI thread's own CPU time and context switches: a slow frame with little CPU time in it
 * was spent waiting (for the X server, or for a core), not working. */
static void
thread_usage (gint64 *cpu_us,
              long   *waits,
              long   *preemptions)
{
  struct timespec ts;
  struct rusage usage;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  *cpu_us = (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
  getrusage (RUSAGE_THREAD, &usage);
  *waits = usage.ru_nvcsw;
  *preemptions = usage.ru_nivcsw;
}

static long
rss_kb (void)
{
  g_autofree char *statm = NULL;
  long pages = 0;
  long resident = 0;

  if (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    sscanf (statm, "%ld %ld", &pages, &resident);

  return resident * (sysconf (_SC_PAGESIZE) / 1024);
}

static guint64
messages_received (WireManager *manager)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (manager));
  guint64 total = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WireConnection) connection = g_list_model_get_item (G_LIST_MODEL (manager), i);
      WireMetrics metrics;

      wire_connection_get_metrics (connection, &metrics);
      total += metrics.messages_received;
    }

  return total;
}

static guint64
least_received (WireManager *manager)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (manager));
  guint64 least = n > 0 ? G_MAXUINT64 : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WireConnection) connection = g_list_model_get_item (G_LIST_MODEL (manager), i);
      WireMetrics metrics;

      wire_connection_get_metrics (connection, &metrics);
      least = MIN (least, metrics.messages_received);
    }

  return least;
}

static guint
connected_count (WireManager *manager)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (manager));
  guint connected = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WireConnection) connection = g_list_model_get_item (G_LIST_MODEL (manager), i);

      connected += wire_connection_get_state (connection) == WIRE_CONNECTION_CONNECTED;
    }

  return connected;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Load *load = user_data;
  WireManager *manager = wire_application_get_manager (load->app);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  gint64 tick_us;
  gint64 elapsed;

  if (load->measure_from_us == 0)
    {
      if (load->last_frame_us == 0)
        load->last_frame_us = now;
      if (now - load->last_frame_us < WARMUP_S * G_USEC_PER_SEC)
        return G_SOURCE_CONTINUE;
      /* Every log full: each connection received at least its history; and every id memory
       * full: the first ids seen have expired. */
      if (load->history > 0 && least_received (manager) < load->history)
        return G_SOURCE_CONTINUE;
      if (load->dedup_ttl_ms > 0 &&
          now - load->last_frame_us < (gint64) load->dedup_ttl_ms * 1000 + G_USEC_PER_SEC)
        return G_SOURCE_CONTINUE;
      if (load->history > 0)
        g_print ("every log holds its %u rows (and every id memory is full) after %.1f s\n",
                 load->history,
                 (now - load->last_frame_us) / 1e6);

      load->measure_from_us = now;
      load->last_frame_us = now;
      load->rss_start_kb = rss_kb ();
      load->messages_start = messages_received (manager);
      {
        long waits, preemptions;

        thread_usage (&load->cpu_start_us, &waits, &preemptions);
        load->process_cpu_start_us = process_cpu_us ();
      }
      g_print ("measuring: %u of %u connections connected, RSS %ld KiB\n",
               connected_count (manager), N_CONNECTIONS, load->rss_start_kb);
      return G_SOURCE_CONTINUE;
    }

  /* Two clocks for a frame's length. The frame clock's frame time is the time animations use:
   * smoothed and snapped to whole refresh intervals (so 45 ms late reads as 50). The monotonic
   * time between two tick callbacks is what was actually between two frames; the goal is
   * judged on it, and both are reported. */
  load->frames++;
  tick_us = g_get_monotonic_time ();
  if (load->last_tick_us == 0)
    load->last_tick_us = tick_us;
  if (now - load->last_frame_us > load->longest_frame_us)
    load->longest_frame_us = now - load->last_frame_us;
  if (now - load->last_frame_us > 50 * 1000)
    load->slow_frames++;
  if (tick_us - load->last_tick_us > load->longest_tick_us)
    load->longest_tick_us = tick_us - load->last_tick_us;
  if (tick_us - load->last_tick_us > 50 * 1000)
    {
      load->slow_ticks++;
      /* With WIRE_BENCH_SLOW_FRAMES set, each slow frame on the monotonic clock, to line up
       * with a profiler's timestamps, and how many messages arrived meanwhile. */
      if (load->trace_slow_frames)
        {
          gint64 cpu_us;
          long waits, preemptions;

          thread_usage (&cpu_us, &waits, &preemptions);
          g_print ("slow frame: %.3f .. %.3f s (%.1f ms; frame clock %.1f ms), "
                   "%" G_GUINT64_FORMAT " messages, UI thread CPU %.1f ms, "
                   "%ld waits, %ld preemptions\n",
                   load->last_tick_us / 1e6, tick_us / 1e6,
                   (tick_us - load->last_tick_us) / 1000.0,
                   (now - load->last_frame_us) / 1000.0,
                   messages_received (manager) - load->last_received,
                   (cpu_us - load->last_cpu_us) / 1000.0,
                   waits - load->last_waits, preemptions - load->last_preemptions);
        }
    }
  load->last_frame_us = now;
  load->last_tick_us = tick_us;
  if (load->trace_slow_frames)
    {
      load->last_received = messages_received (manager);
      thread_usage (&load->last_cpu_us, &load->last_waits, &load->last_preemptions);
    }

  elapsed = now - load->measure_from_us;
  if (elapsed >= (gint64) (load->reports + 1) * 10 * G_USEC_PER_SEC)
    {
      load->reports++;
      g_print ("%3u s: %.1f fps, longest frame %.1f ms (frame clock %.1f ms), %.0f messages/s "
               "received, RSS %ld KiB\n",
               load->reports * 10,
               load->frames * (double) G_USEC_PER_SEC / elapsed,
               load->longest_tick_us / 1000.0, load->longest_frame_us / 1000.0,
               (messages_received (manager) - load->messages_start) * (double) G_USEC_PER_SEC / elapsed,
               rss_kb ());
    }

  if (elapsed >= (gint64) load->seconds * G_USEC_PER_SEC)
    {
      double fps = load->frames * (double) G_USEC_PER_SEC / elapsed;
      double rate = (messages_received (manager) - load->messages_start) * (double) G_USEC_PER_SEC / elapsed;
      long rss_end = rss_kb ();
      gint64 cpu_us;
      long waits, preemptions;

      thread_usage (&cpu_us, &waits, &preemptions);

      g_print ("load (%u connections, %.0f messages/s received, %u s): %.1f fps (goal >= 55: %s), "
               "longest frame %.1f ms, %" G_GUINT64_FORMAT " frames over 50 ms (goal 0: %s; "
               "by the frame clock %.1f ms and %" G_GUINT64_FORMAT "), "
               "RSS start %ld KiB, end %ld KiB (%+.1f%%)\n",
               connected_count (manager), rate, load->seconds,
               fps, fps >= 55 ? "met" : "NOT met",
               load->longest_tick_us / 1000.0, load->slow_ticks,
               load->slow_ticks == 0 ? "met" : "NOT met",
               load->longest_frame_us / 1000.0, load->slow_frames,
               load->rss_start_kb, rss_end,
               load->rss_start_kb > 0 ? 100.0 * (rss_end - load->rss_start_kb) / load->rss_start_kb : 0);
      g_print ("CPU: UI thread %.0f %% of a core, whole process %.0f %%\n",
               100.0 * (cpu_us - load->cpu_start_us) / elapsed,
               100.0 * (process_cpu_us () - load->process_cpu_start_us) / elapsed);
      g_application_quit (G_APPLICATION (load->app));
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
activate_cb (GApplication *application,
             Load         *load)
{
  WireManager *manager = wire_application_get_manager (load->app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  /* Applies to the logs of connections tapped from now on: all of them. */
  if (load->history > 0)
    wire_message_tap_set_default_capacity (load->history);
  if (load->dedup_ttl_ms > 0)
    g_object_set (wire_application_get_config (load->app), "dedup-ttl-ms", load->dedup_ttl_ms,
                  NULL);
  g_print ("id memory: %u ms\n",
           wire_config_get_dedup_ttl_ms (wire_application_get_config (load->app)));
  g_print ("message log history: %u rows per connection\n",
           wire_message_tap_get_default_capacity ());

  for (guint i = 0; i < N_CONNECTIONS; i++)
    {
      g_autofree char *user = g_strdup_printf ("watcher-%u", i);
      g_autofree char *url = g_strconcat (load->url, "/ws/admin", NULL);
      g_autofree char *token = mint (user, "admin", NULL);
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
      g_auto (GStrv) channels = NULL;
      g_autoptr (GError) error = NULL;
      WireConnection *connection;

      for (guint t = 0; t < N_TRIPS; t++)
        {
          g_autofree char *channel = g_strdup_printf ("trip:load-%u", t);

          g_strv_builder_add (builder, channel);
        }
      channels = g_strv_builder_end (builder);

      connection = wire_manager_add_connection (manager, url, token, NULL,
                                                (const char * const *) channels, &error);
      if (connection == NULL)
        g_error ("load: %s", error->message);
      /* A log is made when its connection's page is first shown; the worst case, measured here,
       * is a person who has looked at every connection: all 100 logs fill. */
      wire_message_tap_get_for_connection (connection);
      wire_connection_connect (connection);
    }

  gtk_window_maximize (window);
  gtk_widget_add_tick_callback (GTK_WIDGET (window), tick_cb, load, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GSubprocess) generator = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GError) error = NULL;
  char *app_argv[] = { argv[0], NULL };
  Load load = { 0 };
  int status;

  if (argc > 1 && g_str_equal (argv[1], "--generator"))
    return run_generator ();

  load.seconds = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 60;
  if (load.seconds == 0)
    load.seconds = 60;
  load.history = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 0;
  load.dedup_ttl_ms = argc > 3 ? (guint) g_ascii_strtoull (argv[3], NULL, 10) : 0;
  load.trace_slow_frames = g_getenv ("WIRE_BENCH_SLOW_FRAMES") != NULL;

  generator = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE,
                                &error, argv[0], "--generator", NULL);
  if (generator == NULL)
    g_error ("%s", error->message);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (generator));
  load.url = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  if (load.url == NULL)
    g_error ("the generator gave no URL: %s", error != NULL ? error->message : "end of output");

  load.app = wire_application_new ();
  g_signal_connect_after (load.app, "activate", G_CALLBACK (activate_cb), &load);
  status = g_application_run (G_APPLICATION (load.app), 1, app_argv);

  g_output_stream_close (g_subprocess_get_stdin_pipe (generator), NULL, NULL);
  g_subprocess_wait (generator, NULL, NULL);
  g_clear_object (&load.app);
  g_free (load.url);

  return status;
}
