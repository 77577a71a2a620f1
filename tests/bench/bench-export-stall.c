#define G_LOG_DOMAIN "wire-bench-export"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Exports 1 000 000 logged messages while the main loop keeps running, and reports the longest
 * main-loop stall: the largest gap between two ticks of a 1 ms timer, the snapshot taken on the
 * main thread included. Goal: under 50 ms. The same measure over three idle seconds before the
 * export is printed as a baseline, so that a loaded machine's own scheduling delays show.
 *
 *   bench-export-stall [--messages N] [--format ndjson|har|csv|openmetrics] [--dir DIR]
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "wire-export.h"

typedef struct
{
  GMainLoop        *loop;
  WireRecorder     *recorder;
  WireExportFormat  format;
  GFile            *file;
  gint64            last_tick_us;
  gint64            max_gap_us;
  gint64            max_gap_at_us;
  gint64            snapshot_us;
  gint64            baseline_gap_us;
  gint64            started_us;
  gint64            finished_us;
  guint64           ticks;
  guint             progress_calls;
  guint64           items;
  GError           *error;
} Bench;

static gboolean
tick_cb (gpointer data)
{
  Bench *bench = data;
  gint64 now = g_get_monotonic_time ();

  if (bench->last_tick_us != 0 && now - bench->last_tick_us > bench->max_gap_us)
    {
      bench->max_gap_us = now - bench->last_tick_us;
      bench->max_gap_at_us = now - bench->started_us;
    }
  bench->last_tick_us = now;
  bench->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer data)
{
  Bench *bench = data;

  bench->progress_calls++;
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Bench *bench = data;

  wire_export_file_finish (result, &bench->items, &bench->error);
  bench->finished_us = g_get_monotonic_time ();
  g_main_loop_quit (bench->loop);
}

static gboolean
start_cb (gpointer data)
{
  Bench *bench = data;

  /* What came before was the baseline: the same loop, idle, on this machine right now. */
  bench->baseline_gap_us = bench->max_gap_us;
  bench->max_gap_us = 0;

  bench->started_us = g_get_monotonic_time ();
  wire_export_file_async (bench->recorder, bench->format, bench->file, progress_cb, bench, NULL,
                          NULL, done_cb, bench);
  /* The snapshot is the only part of the export that runs on the main thread. */
  bench->snapshot_us = g_get_monotonic_time () - bench->started_us;
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  int n_messages = 1000000;
  g_autofree char *format_name = g_strdup ("ndjson");
  g_autofree char *dir = NULL;
  GOptionEntry entries[] = {
    { "messages", 0, 0, G_OPTION_ARG_INT, &n_messages, "Messages to export", "N" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name, "csv, ndjson, openmetrics or har", "FORMAT" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Where to write (default: a new temporary directory)", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- main-loop stall during a large export");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *tmpdir = NULL;
  Bench bench = { 0 };
  guint tick;
  gint64 fill_start;
  GStatBuf st;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !wire_export_format_from_string (format_name, &bench.format))
    {
      g_printerr ("%s\n", error != NULL ? error->message : "unknown format");
      return 2;
    }

  if (dir == NULL)
    dir = tmpdir = g_dir_make_tmp ("wirescope-bench-XXXXXX", NULL);
  path = g_build_filename (dir, "export", NULL);
  bench.file = g_file_new_for_path (path);

  /* Ten connections share the messages; each has an hour of samples. */
  fill_start = g_get_monotonic_time ();
  bench.recorder = wire_recorder_new (3600, n_messages);
  for (guint t = 0; t < 10; t++)
    {
      g_autofree char *name = g_strdup_printf ("chat session-%u", t);
      g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:8765/ws/chat/session-%u", t);

      wire_recorder_add_track (bench.recorder, name, url, WIRE_ENDPOINT_CHAT);
      for (guint s = 0; s < 3600; s++)
        {
          WireSample sample = { .time_ms = 1700000000000 + s * 1000, .state = WIRE_CONNECTION_CONNECTED,
                                .messages_in = s * 10, .messages_out = s, .rtt_ms = 20 };

          wire_recorder_push_sample (bench.recorder, t, &sample);
        }
    }
  for (int i = 0; i < n_messages; i++)
    {
      char id[32], text[256];
      WireMessageRecord m = { 0 };

      g_snprintf (id, sizeof id, "m-%d", i);
      g_snprintf (text, sizeof text,
                  "{\"type\":\"message\",\"id\":\"%s\",\"channel\":\"chat:session-%d\","
                  "\"event\":\"assistant_chunk\",\"from\":\"assistant\",\"priority\":\"normal\","
                  "\"timestamp\":%d,\"payload\":{\"text\":\"chunk %d\"}}",
                  id, i % 10, i, i);
      m.time_ms = 1700000000000 + i;
      m.direction = i % 4 == 0 ? WIRE_DIRECTION_OUT : WIRE_DIRECTION_IN;
      m.type = (char *) "message";
      m.id = id;
      m.channel = (char *) "chat:session-1";
      m.event = (char *) "assistant_chunk";
      m.priority = WIRE_PRIORITY_NORMAL;
      m.size = strlen (text);
      m.text = text;
      wire_recorder_push_message (bench.recorder, i % 10, &m);
    }
  g_print ("filled %d messages in %.0f ms\n", n_messages,
           (g_get_monotonic_time () - fill_start) / 1000.0);

  bench.loop = g_main_loop_new (NULL, FALSE);
  tick = g_timeout_add (1, tick_cb, &bench);
  /* Three idle seconds first measure the stalls the machine itself causes (load, scheduling). */
  g_timeout_add (3000, start_cb, &bench);
  g_main_loop_run (bench.loop);
  g_source_remove (tick);

  if (bench.error != NULL)
    {
      g_printerr ("export failed: %s\n", bench.error->message);
      return 1;
    }

  g_stat (path, &st);
  g_print ("format: %s\n", wire_export_format_to_string (bench.format));
  g_print ("items exported: %" G_GUINT64_FORMAT "\n", bench.items);
  g_print ("file size: %.1f MiB\n", st.st_size / 1048576.0);
  g_print ("export time: %.0f ms\n", (bench.finished_us - bench.started_us) / 1000.0);
  g_print ("progress callbacks on the main loop: %u\n", bench.progress_calls);
  g_print ("main-loop ticks (1 ms timer): %" G_GUINT64_FORMAT "\n", bench.ticks);
  g_print ("baseline longest stall, idle loop, 3 s: %.1f ms\n", bench.baseline_gap_us / 1000.0);
  g_print ("snapshot on the main thread: %.1f ms\n", bench.snapshot_us / 1000.0);
  g_print ("longest main-loop stall: %.1f ms at %.0f ms into the export (goal < 50 ms)\n",
           bench.max_gap_us / 1000.0, bench.max_gap_at_us / 1000.0);

  g_unlink (path);
  if (tmpdir != NULL)
    g_rmdir (tmpdir);
  g_object_unref (bench.file);
  g_object_unref (bench.recorder);
  g_main_loop_unref (bench.loop);
  return bench.max_gap_us < 50 * 1000 ? 0 : 1;
}
