#define G_LOG_DOMAIN "wire-bench"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Start-up of the app in demo mode: from exec to the first frame the window draws, ten times,
 * median reported. The app prints the monotonic time of its first frame when
 * WIRESCOPE_FIRST_FRAME_EXIT=1 and quits; CLOCK_MONOTONIC is shared by the two processes.
 *
 * Next to the app, the same measurement of a floor: this program run with --floor-window opens
 * a trivial AdwApplicationWindow (a header bar and a status page) and reports its first frame
 * the same way. What the app takes above the floor is what the app itself does; the floor is
 * the fixed cost of the process, GTK, libadwaita, the display and the renderer. Every round
 * runs each program once, in turn, so that the load of a shared machine falls on all of them
 * alike; more than one app (a build before and after a change) can be compared the same way.
 *
 * Run under a display and a session bus:
 *   xvfb-run -a dbus-run-session -- bench-app-startup [--runs N] [--no-floor] [WIRESCOPE...]
 *
 * On a machine whose other load comes and goes, times swing by more than the differences being
 * measured. The instructions executed up to the first frame do not: with
 * WIRESCOPE_FIRST_FRAME_EXIT=1, run `valgrind --tool=callgrind --dump-before=first_frame_cb
 * wirescope --demo` (for the floor, `--dump-before=floor_first_frame_cb bench-app-startup
 * --floor-window`) and compare the totals of the dumps ending in .1. */

#include "config.h"

#include <stdlib.h>

#include <adwaita.h>

#define DEFAULT_RUNS  10
#define GOAL_MS       400.0

typedef struct
{
  const char *path;
  const char *label;
  gboolean    floor;
  double     *samples;
} Target;

/* Floor: the least an AdwApplication does to show a window. */

static void
floor_first_frame_cb (GdkFrameClock *clock,
                      GtkWidget     *window)
{
  g_signal_handlers_disconnect_by_func (clock, floor_first_frame_cb, window);
  g_print ("first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (window))));
}

static void
floor_map_cb (GtkWidget *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (floor_first_frame_cb), window);
}

static void
floor_activate_cb (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *status = adw_status_page_new ();

  adw_status_page_set_title (ADW_STATUS_PAGE (status), "Floor");
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "network-transmit-receive-symbolic");
  gtk_widget_set_vexpand (status, TRUE);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), status);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 1180, 760);

  g_signal_connect (window, "map", G_CALLBACK (floor_map_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));
}

static int
run_floor_window (void)
{
  g_autoptr (AdwApplication) app = adw_application_new ("io.github.wirescope.BenchFloor",
                                                        G_APPLICATION_DEFAULT_FLAGS);

  g_signal_connect (app, "activate", G_CALLBACK (floor_activate_cb), NULL);

  return g_application_run (G_APPLICATION (app), 0, NULL);
}

/* Measurement */

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double da = *(const double *) a;
  double db = *(const double *) b;

  return da < db ? -1 : (da > db ? 1 : 0);
}

static gboolean
run_once (const Target  *target,
          double        *out_ms,
          GError       **error)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char *out = NULL;
  const char *line;
  gint64 start;
  gint64 frame;

  g_subprocess_launcher_setenv (launcher, "WIRESCOPE_FIRST_FRAME_EXIT", "1", TRUE);

  start = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawn (launcher, error, target->path,
                                         target->floor ? "--floor-window" : "--demo", NULL);
  if (process == NULL)
    return FALSE;

  if (!g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, error))
    return FALSE;

  line = out != NULL ? strstr (out, "first-frame ") : NULL;
  if (line == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%s drew no frame (exit status %d)", target->label,
                   g_subprocess_get_exit_status (process));
      return FALSE;
    }

  frame = g_ascii_strtoll (line + strlen ("first-frame "), NULL, 10);
  *out_ms = (frame - start) / 1000.0;

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GArray) targets = g_array_new (FALSE, TRUE, sizeof (Target));
  g_autoptr (GError) error = NULL;
  g_autofree char *self_path = NULL;
  gboolean no_floor = FALSE;
  int runs = DEFAULT_RUNS;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs of each program (default 10)", "N" },
    { "no-floor", 0, 0, G_OPTION_ARG_NONE, &no_floor, "Do not measure the floor window", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("[WIRESCOPE…]");

  if (argc == 2 && g_strcmp0 (argv[1], "--floor-window") == 0)
    return run_floor_window ();

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-app-startup: %s\n", error->message);
      return EXIT_FAILURE;
    }
  if (runs < 2)
    runs = 2;

  if (argc < 2)
    g_array_append_val (targets, ((Target) { WIRESCOPE_PATH, WIRESCOPE_PATH, FALSE, NULL }));
  for (int i = 1; i < argc; i++)
    g_array_append_val (targets, ((Target) { argv[i], argv[i], FALSE, NULL }));

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  if (!no_floor && self_path != NULL)
    g_array_append_val (targets, ((Target) { self_path, "floor (trivial AdwApplicationWindow)", TRUE, NULL }));

  for (guint t = 0; t < targets->len; t++)
    g_array_index (targets, Target, t).samples = g_new0 (double, runs);

  for (int i = 0; i < runs; i++)
    {
      for (guint t = 0; t < targets->len; t++)
        {
          Target *target = &g_array_index (targets, Target, t);

          if (!run_once (target, &target->samples[i], &error))
            {
              g_printerr ("bench-app-startup: run %d: %s\n", i + 1, error->message);
              return EXIT_FAILURE;
            }
          g_print ("run %2d  %8.1f ms  %s\n", i + 1, target->samples[i], target->label);
        }
    }

  g_print ("\nexec to first frame, median of %d runs, taken in turn:\n", runs);
  for (guint t = 0; t < targets->len; t++)
    {
      Target *target = &g_array_index (targets, Target, t);
      double median;

      qsort (target->samples, runs, sizeof (double), compare_doubles);
      median = runs % 2 == 0 ?
               (target->samples[runs / 2 - 1] + target->samples[runs / 2]) / 2 :
               target->samples[runs / 2];

      g_print ("  median %6.1f ms  min %6.1f ms  max %6.1f ms  %s%s\n",
               median, target->samples[0], target->samples[runs - 1], target->label,
               target->floor ? "" : (median < GOAL_MS ? "  (goal < 400 ms: met)" :
                                                        "  (goal < 400 ms: NOT met)"));
      g_free (target->samples);
    }

  return EXIT_SUCCESS;
}
