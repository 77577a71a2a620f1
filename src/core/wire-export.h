/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "wire-recorder.h"

G_BEGIN_DECLS

/* Metrics export from a WireRecorder / WireRecording.
 *
 * Formats:
 *   CSV          one row per track per sample (per connection per second), a header row, RFC 4180
 *                quoting (fields with , " CR or LF are quoted, quotes doubled), CRLF line ends.
 *                Columns: see wire_export_csv_columns().
 *   NDJSON       one JSON object per line: {"kind":"connection",…} per track, then per track
 *                {"kind":"sample",…}, {"kind":"transition",…}, {"kind":"message",…}.
 *   OpenMetrics  text exposition (application/openmetrics-text; version=1.0.0) of the current
 *                counters and gauges of every track, labelled by connection, ending in "# EOF".
 *                States are gauges (1 for the current state), so the same text also parses as
 *                the Prometheus 0.0.4 text format.
 *                What `wirescope-cli connect --metrics-listen` serves at /metrics.
 *   HAR          HAR 1.2: one entry per track (the WebSocket upgrade request) with Chrome's
 *                "_resourceType": "websocket" and "_webSocketMessages" [{type send|receive,
 *                time (s), opcode 1, data}], so it opens in browser devtools.
 *
 * Tokens never appear in an export: the recorder redacts on the way in and the exporters redact
 * URLs and texts again on the way out.
 *
 * Files are written to a new temporary file in the same directory and renamed over the target
 * only when everything was written, so a crash or a cancel never leaves half a file (and an
 * existing file stays as it was). (g_file_replace() writes a file that does not exist yet in
 * place, so it cannot promise that for new files.) */

typedef enum
{
  WIRE_EXPORT_CSV,
  WIRE_EXPORT_NDJSON,
  WIRE_EXPORT_OPENMETRICS,
  WIRE_EXPORT_HAR,
} WireExportFormat;

#define WIRE_N_EXPORT_FORMATS 4

/* "csv", "ndjson", "openmetrics", "har" */
const char  *wire_export_format_to_string      (WireExportFormat  format);
/* Also accepts "json-lines", "jsonl", "prometheus", "metrics" and file extensions. */
gboolean     wire_export_format_from_string    (const char       *str,
                                                WireExportFormat *out_format);
/* ".csv", ".ndjson", ".txt" (openmetrics), ".har" */
const char  *wire_export_format_get_extension  (WireExportFormat  format);
/* "text/csv", "application/x-ndjson", "application/openmetrics-text; version=1.0.0; charset=utf-8",
 * "application/json" */
const char  *wire_export_format_get_content_type (WireExportFormat format);
/* Guesses from a file name's extension; FALSE when it does not know it. */
gboolean     wire_export_format_from_filename  (const char       *filename,
                                                WireExportFormat *out_format);

/* The CSV header's column names, NULL-terminated, static. */
const char * const *wire_export_csv_columns    (void);

/* Called with the number of items written so far and the total (see
 * wire_recording_get_n_items()). The async export calls it on the main context of the caller
 * of wire_export_file_async(), at most ~20 times a second and once at the end; the sync
 * functions call it in the calling thread. */
typedef void (*WireExportProgressFunc) (guint64  done,
                                        guint64  total,
                                        gpointer user_data);

/* Writes @recording to @stream in @format, synchronously (call from a worker thread, or for a
 * small recording). Checks @cancellable every few thousand items: G_IO_ERROR_CANCELLED. */
gboolean     wire_export_to_stream             (WireRecording          *recording,
                                                WireExportFormat        format,
                                                GOutputStream          *stream,
                                                WireExportProgressFunc  progress,
                                                gpointer                progress_data,
                                                GCancellable           *cancellable,
                                                GError                **error);

/* The OpenMetrics exposition of @recording's latest samples as a string (for /metrics). */
char        *wire_export_openmetrics_string    (WireRecording          *recording);

/* Snapshots @recorder now (on the calling thread; cheap: a reference per 512 messages), then
 * writes the file on a worker thread of lower scheduling priority and completes a GTask on the
 * caller's thread-default main context. The file is written under a temporary name in the same
 * directory and renamed over @file at the end. @progress (may be NULL) runs on the caller's
 * thread-default main context; @progress_destroy frees @progress_data when the export is done.
 * Errors: G_IO_ERROR_CANCELLED, and the GIO errors of the file (G_IO_ERROR_PERMISSION_DENIED,
 * G_IO_ERROR_NO_SPACE, G_IO_ERROR_NOT_FOUND for a missing directory, …) with a message that
 * names the file; wire_export_error_describe() turns them into a sentence for people. */
void         wire_export_file_async            (WireRecorder           *recorder,
                                                WireExportFormat        format,
                                                GFile                  *file,
                                                WireExportProgressFunc  progress,
                                                gpointer                progress_data,
                                                GDestroyNotify          progress_destroy,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
/* Same, from an existing snapshot. */
void         wire_export_recording_async       (WireRecording          *recording,
                                                WireExportFormat        format,
                                                GFile                  *file,
                                                WireExportProgressFunc  progress,
                                                gpointer                progress_data,
                                                GDestroyNotify          progress_destroy,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
/* Returns the number of items written, or FALSE/0 with @error set; @out_items may be NULL. */
gboolean     wire_export_file_finish           (GAsyncResult           *result,
                                                guint64                *out_items,
                                                GError                **error);

/* Synchronous file export (the CLI's `export` and `connect --record FILE` at exit). */
gboolean     wire_export_file                  (WireRecording          *recording,
                                                WireExportFormat        format,
                                                GFile                  *file,
                                                GCancellable           *cancellable,
                                                GError                **error);

/* A short sentence for people, translated: "There is not enough space on the disk to save
 * “x.csv”.", "You may not write to “/root”.", … Never NULL. */
char        *wire_export_error_describe        (const GError           *error,
                                                GFile                  *file);

G_END_DECLS
