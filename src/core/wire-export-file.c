#define G_LOG_DOMAIN "wire-export"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#include <glib/gi18n-lib.h>

#include "wire-export.h"

#define PROGRESS_MIN_US    (50 * G_TIME_SPAN_MILLISECOND)

/* Writes to a new temporary file next to @file and renames it over @file once complete, so
 * that neither a crash nor a cancel leaves a partial file behind. (g_file_replace() writes a
 * file that does not exist yet in place, so it cannot promise that for new files.) */
static gboolean
export_file_atomically (WireRecording          *recording,
                        WireExportFormat        format,
                        GFile                  *file,
                        WireExportProgressFunc  progress,
                        gpointer                progress_data,
                        GCancellable           *cancellable,
                        GError                **error)
{
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autoptr(GFile) tmp = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autofree char *basename = g_file_get_basename (file);
  gboolean ok;

  if (parent == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                   "“%s” is not a file name", basename);
      return FALSE;
    }

  for (guint attempt = 0; out == NULL; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *tmp_name = g_strdup_printf (".%s.%08x.part", basename, g_random_int ());

      g_clear_object (&tmp);
      tmp = g_file_get_child (parent, tmp_name);
      out = g_file_create (tmp, G_FILE_CREATE_NONE, cancellable, &local_error);
      if (out == NULL &&
          (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS) || attempt > 10))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  ok = wire_export_to_stream (recording, format, G_OUTPUT_STREAM (out),
                              progress, progress_data, cancellable, error);

  if (ok)
    ok = g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, error);
  else
    g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);

  if (ok)
    ok = g_file_move (tmp, file, G_FILE_COPY_OVERWRITE | G_FILE_COPY_NO_FALLBACK_FOR_MOVE,
                      cancellable, NULL, NULL, error);

  if (!ok)
    g_file_delete (tmp, NULL, NULL);

  return ok;
}

gboolean
wire_export_file (WireRecording     *recording,
                  WireExportFormat   format,
                  GFile             *file,
                  GCancellable      *cancellable,
                  GError           **error)
{
  g_return_val_if_fail (recording != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  return export_file_atomically (recording, format, file, NULL, NULL, cancellable, error);
}

/* ---- Async ---------------------------------------------------------------------------------- */

typedef struct
{
  WireRecording          *recording;
  WireExportFormat        format;
  GFile                  *file;
  GMainContext           *context;
  WireExportProgressFunc  progress;
  gpointer                progress_data;
  GDestroyNotify          progress_destroy;
  gint64                  last_report_us;
  guint64                 items;
  /* Progress crosses threads through these; only one report is in flight at a time. */
  GMutex                  lock;
  guint64                 done;
  guint64                 total;
  gboolean                report_pending;
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  g_clear_pointer (&job->recording, wire_recording_unref);
  g_clear_object (&job->file);
  if (job->progress_destroy != NULL)
    job->progress_destroy (job->progress_data);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_mutex_clear (&job->lock);
  g_free (job);
}

static gboolean
report_progress_cb (gpointer data)
{
  GTask *task = data;
  ExportJob *job = g_task_get_task_data (task);
  guint64 done, total;

  g_mutex_lock (&job->lock);
  done = job->done;
  total = job->total;
  job->report_pending = FALSE;
  g_mutex_unlock (&job->lock);

  if (job->progress != NULL)
    job->progress (done, total, job->progress_data);
  return G_SOURCE_REMOVE;
}

static void
post_progress (GTask   *task,
               guint64  done,
               guint64  total,
               gboolean force)
{
  ExportJob *job = g_task_get_task_data (task);
  gint64 now = g_get_monotonic_time ();
  gboolean post = FALSE;

  if (job->progress == NULL)
    return;
  if (!force && now - job->last_report_us < PROGRESS_MIN_US)
    return;
  job->last_report_us = now;

  g_mutex_lock (&job->lock);
  job->done = done;
  job->total = total;
  if (!job->report_pending)
    post = job->report_pending = TRUE;
  g_mutex_unlock (&job->lock);

  if (post)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, report_progress_cb, g_object_ref (task), g_object_unref);
      g_source_set_static_name (source, "[wire-export] progress");
      g_source_attach (source, job->context);
      g_source_unref (source);
    }
}

static void
worker_progress (guint64  done,
                 guint64  total,
                 gpointer data)
{
  post_progress (G_TASK (data), done, total, FALSE);
}

/* The export runs on a thread of its own rather than in GTask's shared pool, so that it can
 * lower its own scheduling priority: on a busy machine the main loop (the UI) then wins the
 * CPU over the export, which only takes a little longer. A pool thread could not be given its
 * priority back afterwards. */
static gpointer
export_thread (gpointer data)
{
  g_autoptr(GTask) task = data;
  ExportJob *job = g_task_get_task_data (task);
  GError *error = NULL;
  guint64 total = wire_recording_get_n_items (job->recording);

#ifdef __linux__
  if (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10) != 0)
    g_debug ("Could not lower the export thread's priority");
#endif

  if (!export_file_atomically (job->recording, job->format, job->file, worker_progress, task,
                               g_task_get_cancellable (task), &error))
    {
      g_task_return_error (task, error);
      return NULL;
    }

  post_progress (task, total, total, TRUE);
  job->items = total;
  g_task_return_boolean (task, TRUE);
  return NULL;
}

void
wire_export_recording_async (WireRecording          *recording,
                             WireExportFormat        format,
                             GFile                  *file,
                             WireExportProgressFunc  progress,
                             gpointer                progress_data,
                             GDestroyNotify          progress_destroy,
                             GCancellable           *cancellable,
                             GAsyncReadyCallback     callback,
                             gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportJob *job;

  g_return_if_fail (recording != NULL);
  g_return_if_fail (format < WIRE_N_EXPORT_FORMATS);
  g_return_if_fail (G_IS_FILE (file));

  job = g_new0 (ExportJob, 1);
  job->recording = wire_recording_ref (recording);
  job->format = format;
  job->file = g_object_ref (file);
  job->context = g_main_context_ref_thread_default ();
  job->progress = progress;
  job->progress_data = progress_data;
  job->progress_destroy = progress_destroy;
  g_mutex_init (&job->lock);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, wire_export_recording_async);
  g_task_set_name (task, "[wire-export] export");
  g_task_set_task_data (task, job, export_job_free);
  g_thread_unref (g_thread_new ("wire-export", export_thread, g_steal_pointer (&task)));
}

void
wire_export_file_async (WireRecorder           *recorder,
                        WireExportFormat        format,
                        GFile                  *file,
                        WireExportProgressFunc  progress,
                        gpointer                progress_data,
                        GDestroyNotify          progress_destroy,
                        GCancellable           *cancellable,
                        GAsyncReadyCallback     callback,
                        gpointer                user_data)
{
  g_autoptr(WireRecording) recording = NULL;

  g_return_if_fail (WIRE_IS_RECORDER (recorder));

  recording = wire_recorder_snapshot (recorder);
  wire_export_recording_async (recording, format, file, progress, progress_data,
                               progress_destroy, cancellable, callback, user_data);
}

gboolean
wire_export_file_finish (GAsyncResult  *result,
                         guint64       *out_items,
                         GError       **error)
{
  GTask *task = G_TASK (result);
  ExportJob *job;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  job = g_task_get_task_data (task);
  if (!g_task_propagate_boolean (task, error))
    return FALSE;
  if (out_items != NULL)
    *out_items = job->items;
  return TRUE;
}

char *
wire_export_error_describe (const GError *error,
                            GFile        *file)
{
  g_autofree char *name = NULL;
  g_autofree char *folder = NULL;
  g_autoptr(GFile) parent = NULL;

  g_return_val_if_fail (error != NULL, NULL);

  if (file != NULL)
    {
      name = g_file_get_parse_name (file);
      parent = g_file_get_parent (file);
      if (parent != NULL)
        folder = g_file_get_parse_name (parent);
    }
  if (name == NULL)
    name = g_strdup (_("the file"));
  if (folder == NULL)
    folder = g_strdup (name);

  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_CANCELLED:
          return g_strdup (_("The export was cancelled. No file was written."));
        case G_IO_ERROR_NO_SPACE:
          return g_strdup_printf (_("There is not enough space on the disk to save “%s”."), name);
        case G_IO_ERROR_PERMISSION_DENIED:
          return g_strdup_printf (_("You are not allowed to write to “%s”."), folder);
        case G_IO_ERROR_READ_ONLY:
          return g_strdup_printf (_("“%s” is on a read-only disk."), folder);
        case G_IO_ERROR_NOT_FOUND:
          return g_strdup_printf (_("The folder “%s” does not exist."), folder);
        case G_IO_ERROR_IS_DIRECTORY:
          return g_strdup_printf (_("“%s” is a folder, not a file."), name);
        case G_IO_ERROR_FILENAME_TOO_LONG:
        case G_IO_ERROR_INVALID_FILENAME:
          return g_strdup_printf (_("“%s” is not a valid file name."), name);
        default:
          break;
        }
    }

  return g_strdup_printf (_("Could not save “%s”: %s"), name, error->message);
}
