#define G_LOG_DOMAIN "wire-bench"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Start-up of the app in demo mode: from exec to the first frame the window draws, ten times,
 * median reported. The app prints the monotonic time of its first frame when
 * WIRESCOPE_FIRST_FRAME_EXIT=1 and quits; CLOCK_MONOTONIC is shared by the two processes.
 * Run under a display: xvfb-run -a dbus-run-session -- bench-app-startup [PATH-TO-wirescope]. */

#include "config.h"

#include <stdlib.h>

#include <gio/gio.h>

#define RUNS     10
#define GOAL_MS  400.0

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double da = *(const double *) a;
  double db = *(const double *) b;

  return da < db ? -1 : (da > db ? 1 : 0);
}

static gboolean
run_once (const char  *app_path,
          double      *out_ms,
          GError     **error)
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
  process = g_subprocess_launcher_spawn (launcher, error, app_path, "--demo", NULL);
  if (process == NULL)
    return FALSE;

  if (!g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, error))
    return FALSE;

  line = out != NULL ? strstr (out, "first-frame ") : NULL;
  if (line == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the app drew no frame (exit status %d)",
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
  const char *app_path = argc > 1 ? argv[1] : WIRESCOPE_PATH;
  double samples[RUNS];
  double median;

  for (guint i = 0; i < RUNS; i++)
    {
      g_autoptr (GError) error = NULL;

      if (!run_once (app_path, &samples[i], &error))
        {
          g_printerr ("bench-app-startup: run %u: %s\n", i + 1, error->message);
          return EXIT_FAILURE;
        }
      g_print ("run %2u: %.1f ms\n", i + 1, samples[i]);
    }

  qsort (samples, RUNS, sizeof (double), compare_doubles);
  median = (samples[RUNS / 2 - 1] + samples[RUNS / 2]) / 2;

  g_print ("startup (exec to first frame, demo mode): median %.1f ms, min %.1f ms, max %.1f ms "
           "over %d runs; goal < %.0f ms: %s\n",
           median, samples[0], samples[RUNS - 1], RUNS, GOAL_MS,
           median < GOAL_MS ? "met" : "NOT met");

  return EXIT_SUCCESS;
}
