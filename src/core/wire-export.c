#define G_LOG_DOMAIN "wire-export"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-export.h"

#define FLUSH_BYTES        (256 * 1024)
#define CHECK_EVERY        4096

static const char * const format_names[] = { "csv", "ndjson", "openmetrics", "har" };
static const char * const format_extensions[] = { ".csv", ".ndjson", ".txt", ".har" };

const char *
wire_export_format_to_string (WireExportFormat format)
{
  g_return_val_if_fail (format < WIRE_N_EXPORT_FORMATS, NULL);
  return format_names[format];
}

gboolean
wire_export_format_from_string (const char       *str,
                                WireExportFormat *out_format)
{
  static const struct { const char *name; WireExportFormat format; } aliases[] = {
    { "csv", WIRE_EXPORT_CSV },
    { "ndjson", WIRE_EXPORT_NDJSON },
    { "jsonl", WIRE_EXPORT_NDJSON },
    { "json-lines", WIRE_EXPORT_NDJSON },
    { "openmetrics", WIRE_EXPORT_OPENMETRICS },
    { "prometheus", WIRE_EXPORT_OPENMETRICS },
    { "metrics", WIRE_EXPORT_OPENMETRICS },
    { "prom", WIRE_EXPORT_OPENMETRICS },
    { "txt", WIRE_EXPORT_OPENMETRICS },
    { "har", WIRE_EXPORT_HAR },
  };

  if (str == NULL)
    return FALSE;
  if (str[0] == '.')
    str++;

  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (g_ascii_strcasecmp (str, aliases[i].name) == 0)
      {
        if (out_format != NULL)
          *out_format = aliases[i].format;
        return TRUE;
      }
  return FALSE;
}

const char *
wire_export_format_get_extension (WireExportFormat format)
{
  g_return_val_if_fail (format < WIRE_N_EXPORT_FORMATS, NULL);
  return format_extensions[format];
}

const char *
wire_export_format_get_content_type (WireExportFormat format)
{
  switch (format)
    {
    case WIRE_EXPORT_CSV:
      return "text/csv";
    case WIRE_EXPORT_NDJSON:
      return "application/x-ndjson";
    case WIRE_EXPORT_OPENMETRICS:
      return "application/openmetrics-text; version=1.0.0; charset=utf-8";
    case WIRE_EXPORT_HAR:
      return "application/json";
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
wire_export_format_from_filename (const char       *filename,
                                  WireExportFormat *out_format)
{
  const char *dot;

  if (filename == NULL)
    return FALSE;
  dot = strrchr (filename, '.');
  if (dot == NULL || strchr (dot, '/') != NULL)
    return FALSE;
  return wire_export_format_from_string (dot + 1, out_format);
}

static const char * const csv_columns[] = {
  "time_ms", "time", "connection", "type", "url", "state",
  "messages_in", "messages_out", "bytes_in", "bytes_out", "rtt_ms",
  "queue_critical", "queue_high", "queue_normal", "queue_low", "in_flight",
  "reconnects", "errors", "network",
  NULL
};

const char * const *
wire_export_csv_columns (void)
{
  return csv_columns;
}

/* ---- A buffered writer ---------------------------------------------------------------------- */

typedef struct
{
  GString                *buf;
  GOutputStream          *stream;
  GCancellable           *cancellable;
  GError                **error;
  gboolean                failed;
  guint64                 done;
  guint64                 total;
  guint                   since_check;
  WireExportProgressFunc  progress;
  gpointer                progress_data;
} Writer;

static gboolean
writer_flush (Writer *w)
{
  if (w->failed)
    return FALSE;
  if (w->buf->len > 0 &&
      !g_output_stream_write_all (w->stream, w->buf->str, w->buf->len, NULL,
                                  w->cancellable, w->error))
    {
      w->failed = TRUE;
      return FALSE;
    }
  g_string_truncate (w->buf, 0);
  return TRUE;
}

/* Counts one item; flushes and checks for cancellation now and then. FALSE: stop. */
static gboolean
writer_item (Writer *w)
{
  w->done++;
  if (w->failed)
    return FALSE;
  if (w->buf->len >= FLUSH_BYTES && !writer_flush (w))
    return FALSE;
  if (++w->since_check >= CHECK_EVERY)
    {
      w->since_check = 0;
      if (g_cancellable_set_error_if_cancelled (w->cancellable, w->error))
        {
          w->failed = TRUE;
          return FALSE;
        }
      if (w->progress != NULL)
        w->progress (w->done, w->total, w->progress_data);
    }
  return TRUE;
}

static void
append_json_string (GString    *s,
                    const char *str)
{
  const char *p;

  if (str == NULL)
    {
      g_string_append (s, "null");
      return;
    }

  if (!g_utf8_validate (str, -1, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (str, -1);

      append_json_string (s, valid);
      return;
    }

  g_string_append_c (s, '"');
  for (p = str; *p != '\0'; p++)
    {
      const char *run = p;
      guchar c;

      /* Copy a run of characters that need no escape in one go. */
      while ((guchar) *p >= 0x20 && *p != '"' && *p != '\\')
        p++;
      if (p > run)
        g_string_append_len (s, run, p - run);
      if (*p == '\0')
        break;

      c = *p;
      switch (c)
        {
        case '"':
          g_string_append (s, "\\\"");
          break;
        case '\\':
          g_string_append (s, "\\\\");
          break;
        case '\n':
          g_string_append (s, "\\n");
          break;
        case '\r':
          g_string_append (s, "\\r");
          break;
        case '\t':
          g_string_append (s, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (s, "\\u%04x", c);
          else
            g_string_append_c (s, c);
        }
    }
  g_string_append_c (s, '"');
}

static void
append_csv_field (GString    *s,
                  const char *str)
{
  if (str == NULL)
    return;

  if (strpbrk (str, ",\"\r\n") == NULL)
    {
      g_string_append (s, str);
      return;
    }

  g_string_append_c (s, '"');
  for (const char *p = str; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

static void
append_iso8601 (GString *s,
                gint64   time_ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (time_ms / 1000);

  if (dt == NULL)
    {
      g_string_append (s, "1970-01-01T00:00:00.000Z");
      return;
    }
  g_string_append_printf (s, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                          g_date_time_get_year (dt), g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt), g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt), g_date_time_get_second (dt),
                          (int) (time_ms % 1000));
}

static char *
redacted_url (const char *url)
{
  return wire_redact_text (url != NULL ? url : "");
}

/* ---- CSV ------------------------------------------------------------------------------------ */

static gboolean
write_csv (WireRecording *recording,
           Writer        *w)
{
  guint n_tracks = wire_recording_get_n_tracks (recording);
  g_autofree guint *next = g_new0 (guint, MAX (n_tracks, 1));
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; csv_columns[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (w->buf, ',');
      g_string_append (w->buf, csv_columns[i]);
    }
  g_string_append (w->buf, "\r\n");

  for (guint t = 0; t < n_tracks; t++)
    g_ptr_array_add (urls, redacted_url (wire_recording_get_track_info (recording, t)->url));

  /* Merge the tracks by time, so the file reads one second after another. */
  for (;;)
    {
      const WireSample *sample = NULL;
      const WireTrackInfo *info;
      guint best = 0;
      char num[G_ASCII_DTOSTR_BUF_SIZE];

      for (guint t = 0; t < n_tracks; t++)
        {
          if (next[t] < wire_recording_get_n_samples (recording, t))
            {
              const WireSample *s = wire_recording_get_sample (recording, t, next[t]);

              if (sample == NULL || s->time_ms < sample->time_ms)
                {
                  sample = s;
                  best = t;
                }
            }
        }
      if (sample == NULL)
        break;
      next[best]++;
      info = wire_recording_get_track_info (recording, best);

      g_string_append_printf (w->buf, "%" G_GINT64_FORMAT ",", sample->time_ms);
      append_iso8601 (w->buf, sample->time_ms);
      g_string_append_c (w->buf, ',');
      append_csv_field (w->buf, info->name);
      g_string_append_c (w->buf, ',');
      append_csv_field (w->buf, wire_endpoint_kind_to_string (info->kind));
      g_string_append_c (w->buf, ',');
      append_csv_field (w->buf, g_ptr_array_index (urls, best));
      g_string_append_c (w->buf, ',');
      append_csv_field (w->buf, wire_connection_state_to_string (sample->state));
      g_string_append_printf (w->buf,
                              ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
                              ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",",
                              sample->messages_in, sample->messages_out,
                              sample->bytes_in, sample->bytes_out);
      if (sample->rtt_ms >= 0)
        {
          g_snprintf (num, sizeof num, "%" G_GINT64_FORMAT, sample->rtt_ms);
          g_string_append (w->buf, num);
        }
      g_string_append_printf (w->buf, ",%u,%u,%u,%u,%u,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",",
                              sample->queue_depth[WIRE_PRIORITY_CRITICAL],
                              sample->queue_depth[WIRE_PRIORITY_HIGH],
                              sample->queue_depth[WIRE_PRIORITY_NORMAL],
                              sample->queue_depth[WIRE_PRIORITY_LOW],
                              sample->in_flight, sample->reconnects, sample->errors);
      append_csv_field (w->buf, wire_network_status_to_string (sample->network));
      g_string_append (w->buf, "\r\n");

      if (!writer_item (w))
        return FALSE;
    }

  /* Transitions and messages are not part of the CSV, but count toward progress. */
  for (guint t = 0; t < n_tracks; t++)
    w->done += wire_recording_get_n_transitions (recording, t) +
               wire_recording_get_n_messages (recording, t);

  return writer_flush (w);
}

/* ---- NDJSON --------------------------------------------------------------------------------- */

static void
append_sample_json (GString          *s,
                    guint             track,
                    const WireSample *sample)
{
  g_string_append_printf (s, "{\"kind\":\"sample\",\"track\":%u,\"t\":%" G_GINT64_FORMAT
                          ",\"state\":\"%s\",\"messagesIn\":%" G_GUINT64_FORMAT
                          ",\"messagesOut\":%" G_GUINT64_FORMAT ",\"bytesIn\":%" G_GUINT64_FORMAT
                          ",\"bytesOut\":%" G_GUINT64_FORMAT ",\"rttMs\":",
                          track, sample->time_ms, wire_connection_state_to_string (sample->state),
                          sample->messages_in, sample->messages_out, sample->bytes_in,
                          sample->bytes_out);
  if (sample->rtt_ms >= 0)
    g_string_append_printf (s, "%" G_GINT64_FORMAT, sample->rtt_ms);
  else
    g_string_append (s, "null");
  g_string_append_printf (s, ",\"queue\":{\"critical\":%u,\"high\":%u,\"normal\":%u,\"low\":%u}"
                          ",\"inFlight\":%u,\"reconnects\":%" G_GUINT64_FORMAT
                          ",\"errors\":%" G_GUINT64_FORMAT ",\"network\":\"%s\"}\n",
                          sample->queue_depth[0], sample->queue_depth[1], sample->queue_depth[2],
                          sample->queue_depth[3], sample->in_flight, sample->reconnects,
                          sample->errors, wire_network_status_to_string (sample->network));
}

static gboolean
write_ndjson (WireRecording *recording,
              Writer        *w)
{
  guint n_tracks = wire_recording_get_n_tracks (recording);

  for (guint t = 0; t < n_tracks; t++)
    {
      const WireTrackInfo *info = wire_recording_get_track_info (recording, t);
      g_autofree char *url = redacted_url (info->url);

      g_string_append_printf (w->buf, "{\"kind\":\"connection\",\"track\":%u,\"name\":", t);
      append_json_string (w->buf, info->name);
      g_string_append (w->buf, ",\"type\":");
      append_json_string (w->buf, wire_endpoint_kind_to_string (info->kind));
      g_string_append (w->buf, ",\"url\":");
      append_json_string (w->buf, url);
      g_string_append (w->buf, ",\"slotId\":");
      append_json_string (w->buf, info->slot_id);
      g_string_append (w->buf, ",\"userId\":");
      append_json_string (w->buf, info->user_id);
      g_string_append (w->buf, ",\"connectionId\":");
      append_json_string (w->buf, info->connection_id);
      g_string_append_printf (w->buf, ",\"startedMs\":%" G_GINT64_FORMAT "}\n", info->started_ms);
    }

  for (guint t = 0; t < n_tracks; t++)
    {
      guint n = wire_recording_get_n_samples (recording, t);

      for (guint i = 0; i < n; i++)
        {
          append_sample_json (w->buf, t, wire_recording_get_sample (recording, t, i));
          if (!writer_item (w))
            return FALSE;
        }

      n = wire_recording_get_n_transitions (recording, t);
      for (guint i = 0; i < n; i++)
        {
          const WireTransition *tr = wire_recording_get_transition (recording, t, i);
          g_autofree char *reason = wire_redact_text (tr->reason);

          g_string_append_printf (w->buf, "{\"kind\":\"transition\",\"track\":%u,\"t\":%"
                                  G_GINT64_FORMAT ",\"from\":\"%s\",\"to\":\"%s\",\"closeCode\":%d"
                                  ",\"attempt\":%u,\"delayMs\":",
                                  t, tr->time_ms, wire_connection_state_to_string (tr->from),
                                  wire_connection_state_to_string (tr->to), tr->close_code,
                                  tr->attempt);
          if (tr->delay_ms >= 0)
            g_string_append_printf (w->buf, "%" G_GINT64_FORMAT, tr->delay_ms);
          else
            g_string_append (w->buf, "null");
          g_string_append (w->buf, ",\"reason\":");
          append_json_string (w->buf, reason);
          g_string_append (w->buf, "}\n");
          if (!writer_item (w))
            return FALSE;
        }

      n = wire_recording_get_n_messages (recording, t);
      for (guint i = 0; i < n; i++)
        {
          const WireMessageRecord *m = wire_recording_get_message (recording, t, i);
          g_autofree char *text = wire_redact_text (m->text);

          g_string_append_printf (w->buf, "{\"kind\":\"message\",\"track\":%u,\"t\":%" G_GINT64_FORMAT
                                  ",\"direction\":\"%s\",\"type\":",
                                  t, m->time_ms, wire_direction_to_string (m->direction));
          append_json_string (w->buf, m->type);
          g_string_append (w->buf, ",\"id\":");
          append_json_string (w->buf, m->id);
          g_string_append (w->buf, ",\"channel\":");
          append_json_string (w->buf, m->channel);
          g_string_append (w->buf, ",\"event\":");
          append_json_string (w->buf, m->event);
          g_string_append_printf (w->buf, ",\"priority\":\"%s\",\"size\":%u,\"status\":",
                                  wire_priority_to_string (m->priority), m->size);
          append_json_string (w->buf, m->status);
          g_string_append (w->buf, ",\"frame\":");
          append_json_string (w->buf, text);
          g_string_append (w->buf, "}\n");
          if (!writer_item (w))
            return FALSE;
        }
    }

  return writer_flush (w);
}

/* ---- OpenMetrics ---------------------------------------------------------------------------- */

static void
append_label_value (GString    *s,
                    const char *str)
{
  g_string_append_c (s, '"');
  for (const char *p = str != NULL ? str : ""; *p != '\0'; p++)
    {
      if (*p == '\\')
        g_string_append (s, "\\\\");
      else if (*p == '"')
        g_string_append (s, "\\\"");
      else if (*p == '\n')
        g_string_append (s, "\\n");
      else
        g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

static void
append_labels (GString             *s,
               const WireTrackInfo *info,
               const char          *extra_name,
               const char          *extra_value)
{
  g_string_append (s, "{connection=");
  append_label_value (s, info->name);
  g_string_append (s, ",type=");
  append_label_value (s, wire_endpoint_kind_to_string (info->kind));
  if (extra_name != NULL)
    {
      g_string_append_printf (s, ",%s=", extra_name);
      append_label_value (s, extra_value);
    }
  g_string_append_c (s, '}');
}

typedef enum
{
  FIELD_MESSAGES_IN,
  FIELD_MESSAGES_OUT,
  FIELD_BYTES_IN,
  FIELD_BYTES_OUT,
  FIELD_RECONNECTS,
  FIELD_ERRORS,
  FIELD_IN_FLIGHT,
} Field;

static guint64
sample_field (const WireSample *s,
              Field             field)
{
  switch (field)
    {
    case FIELD_MESSAGES_IN:
      return s->messages_in;
    case FIELD_MESSAGES_OUT:
      return s->messages_out;
    case FIELD_BYTES_IN:
      return s->bytes_in;
    case FIELD_BYTES_OUT:
      return s->bytes_out;
    case FIELD_RECONNECTS:
      return s->reconnects;
    case FIELD_ERRORS:
      return s->errors;
    case FIELD_IN_FLIGHT:
      return s->in_flight;
    default:
      g_assert_not_reached ();
    }
}

static void
append_family (GString       *s,
               WireRecording *recording,
               const char    *name,
               const char    *type,
               const char    *unit,
               const char    *help,
               Field          field)
{
  guint n_tracks = wire_recording_get_n_tracks (recording);
  gboolean counter = g_str_equal (type, "counter");

  g_string_append_printf (s, "# TYPE %s %s\n", name, type);
  if (unit != NULL)
    g_string_append_printf (s, "# UNIT %s %s\n", name, unit);
  g_string_append_printf (s, "# HELP %s %s\n", name, help);
  for (guint t = 0; t < n_tracks; t++)
    {
      const WireSample *last = wire_recording_get_last_sample (recording, t);

      if (last == NULL)
        continue;
      g_string_append_printf (s, "%s%s", name, counter ? "_total" : "");
      append_labels (s, wire_recording_get_track_info (recording, t), NULL, NULL);
      g_string_append_printf (s, " %" G_GUINT64_FORMAT "\n", sample_field (last, field));
    }
}

static void
append_openmetrics (GString       *s,
                    WireRecording *recording)
{
  guint n_tracks = wire_recording_get_n_tracks (recording);
  static const char * const states[] = {
    "disconnected", "connecting", "authenticating", "connected", "reconnecting", "error",
  };
  static const char * const networks[] = { "online", "unstable", "slow", "offline" };

  append_family (s, recording, "wirescope_messages_received", "counter", NULL,
                 "Messages received from the gateway.", FIELD_MESSAGES_IN);
  append_family (s, recording, "wirescope_messages_sent", "counter", NULL,
                 "Messages sent to the gateway.", FIELD_MESSAGES_OUT);
  append_family (s, recording, "wirescope_received_bytes", "counter", "bytes",
                 "Bytes received from the gateway.", FIELD_BYTES_IN);
  append_family (s, recording, "wirescope_sent_bytes", "counter", "bytes",
                 "Bytes sent to the gateway.", FIELD_BYTES_OUT);
  append_family (s, recording, "wirescope_reconnects", "counter", NULL,
                 "Reconnection attempts.", FIELD_RECONNECTS);
  append_family (s, recording, "wirescope_errors", "counter", NULL,
                 "Errors seen on the connection.", FIELD_ERRORS);
  append_family (s, recording, "wirescope_in_flight_messages", "gauge", NULL,
                 "Published messages waiting for their acknowledgement.", FIELD_IN_FLIGHT);

  g_string_append (s, "# TYPE wirescope_rtt_seconds gauge\n"
                      "# UNIT wirescope_rtt_seconds seconds\n"
                      "# HELP wirescope_rtt_seconds Last heartbeat round-trip time.\n");
  for (guint t = 0; t < n_tracks; t++)
    {
      const WireSample *last = wire_recording_get_last_sample (recording, t);
      char num[G_ASCII_DTOSTR_BUF_SIZE];

      if (last == NULL || last->rtt_ms < 0)
        continue;
      g_string_append (s, "wirescope_rtt_seconds");
      append_labels (s, wire_recording_get_track_info (recording, t), NULL, NULL);
      g_string_append_printf (s, " %s\n",
                              g_ascii_formatd (num, sizeof num, "%.3f", last->rtt_ms / 1000.0));
    }

  g_string_append (s, "# TYPE wirescope_queue_depth gauge\n"
                      "# HELP wirescope_queue_depth Messages waiting in the outgoing queue, by priority.\n");
  for (guint t = 0; t < n_tracks; t++)
    {
      const WireSample *last = wire_recording_get_last_sample (recording, t);

      if (last == NULL)
        continue;
      for (guint p = 0; p < WIRE_N_PRIORITIES; p++)
        {
          g_string_append (s, "wirescope_queue_depth");
          append_labels (s, wire_recording_get_track_info (recording, t), "priority",
                         wire_priority_to_string (p));
          g_string_append_printf (s, " %u\n", last->queue_depth[p]);
        }
    }

  /* States as a gauge per state (1 for the current one) rather than an OpenMetrics stateset:
   * the same text then also parses as the Prometheus 0.0.4 format (promtool). */
  g_string_append (s, "# TYPE wirescope_connection_state gauge\n"
                      "# HELP wirescope_connection_state 1 for the connection's current state, else 0.\n");
  for (guint t = 0; t < n_tracks; t++)
    {
      const WireSample *last = wire_recording_get_last_sample (recording, t);

      if (last == NULL)
        continue;
      for (guint i = 0; i < G_N_ELEMENTS (states); i++)
        {
          g_string_append (s, "wirescope_connection_state");
          append_labels (s, wire_recording_get_track_info (recording, t),
                         "state", states[i]);
          g_string_append_printf (s, " %d\n", (guint) last->state == i);
        }
    }

  g_string_append (s, "# TYPE wirescope_network_status gauge\n"
                      "# HELP wirescope_network_status 1 for the network status the connection saw, else 0.\n");
  for (guint t = 0; t < n_tracks; t++)
    {
      const WireSample *last = wire_recording_get_last_sample (recording, t);

      if (last == NULL)
        continue;
      for (guint i = 0; i < G_N_ELEMENTS (networks); i++)
        {
          g_string_append (s, "wirescope_network_status");
          append_labels (s, wire_recording_get_track_info (recording, t),
                         "status", networks[i]);
          g_string_append_printf (s, " %d\n", (guint) last->network == i);
        }
    }

  g_string_append (s, "# EOF\n");
}

char *
wire_export_openmetrics_string (WireRecording *recording)
{
  GString *s;

  g_return_val_if_fail (recording != NULL, NULL);

  s = g_string_new (NULL);
  append_openmetrics (s, recording);
  return g_string_free (s, FALSE);
}

static gboolean
write_openmetrics (WireRecording *recording,
                   Writer        *w)
{
  append_openmetrics (w->buf, recording);
  w->done = w->total;
  return writer_flush (w);
}

/* ---- HAR ------------------------------------------------------------------------------------ */

static void
append_fallback_frame (GString                 *s,
                       const WireMessageRecord *m)
{
  /* The log may keep only the routing fields; rebuild a frame from them. */
  g_string_append (s, "{\"type\":");
  append_json_string (s, m->type != NULL ? m->type : "message");
  if (m->id != NULL)
    {
      g_string_append (s, ",\"id\":");
      append_json_string (s, m->id);
    }
  if (m->channel != NULL)
    {
      g_string_append (s, ",\"channel\":");
      append_json_string (s, m->channel);
    }
  if (m->event != NULL)
    {
      g_string_append (s, ",\"event\":");
      append_json_string (s, m->event);
    }
  g_string_append (s, "}");
}

static gboolean
write_har (WireRecording *recording,
           Writer        *w)
{
  guint n_tracks = wire_recording_get_n_tracks (recording);
  g_autoptr(GString) frame = g_string_new (NULL);

  g_string_append (w->buf, "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"Wirescope\","
                           "\"version\":\"" PACKAGE_VERSION "\"},\"pages\":[],\"entries\":[");

  for (guint t = 0; t < n_tracks; t++)
    {
      const WireTrackInfo *info = wire_recording_get_track_info (recording, t);
      g_autofree char *url = redacted_url (info->url);
      guint n_messages = wire_recording_get_n_messages (recording, t);
      guint n_samples = wire_recording_get_n_samples (recording, t);
      gint64 started = info->started_ms;
      gint64 ended = started;

      if (n_samples > 0)
        ended = MAX (ended, wire_recording_get_sample (recording, t, n_samples - 1)->time_ms);
      if (n_messages > 0)
        ended = MAX (ended, wire_recording_get_message (recording, t, n_messages - 1)->time_ms);

      if (t > 0)
        g_string_append_c (w->buf, ',');
      g_string_append (w->buf, "{\"startedDateTime\":\"");
      append_iso8601 (w->buf, started);
      g_string_append_printf (w->buf, "\",\"time\":%" G_GINT64_FORMAT ",", ended - started);
      g_string_append (w->buf, "\"request\":{\"method\":\"GET\",\"url\":");
      append_json_string (w->buf, url);
      g_string_append (w->buf, ",\"httpVersion\":\"HTTP/1.1\",\"cookies\":[],\"headers\":["
                               "{\"name\":\"Upgrade\",\"value\":\"websocket\"},"
                               "{\"name\":\"Connection\",\"value\":\"Upgrade\"},"
                               "{\"name\":\"Sec-WebSocket-Version\",\"value\":\"13\"}],"
                               "\"queryString\":[],\"headersSize\":-1,\"bodySize\":0},"
                               "\"response\":{\"status\":101,\"statusText\":\"Switching Protocols\","
                               "\"httpVersion\":\"HTTP/1.1\",\"cookies\":[],\"headers\":[],"
                               "\"content\":{\"size\":0,\"mimeType\":\"x-unknown\"},"
                               "\"redirectURL\":\"\",\"headersSize\":-1,\"bodySize\":0},"
                               "\"cache\":{},\"timings\":{\"send\":0,\"wait\":0,\"receive\":0},"
                               "\"_resourceType\":\"websocket\",\"_webSocketMessages\":[");

      for (guint i = 0; i < n_messages; i++)
        {
          const WireMessageRecord *m = wire_recording_get_message (recording, t, i);
          g_string_truncate (frame, 0);
          if (m->text != NULL)
            {
              g_autofree char *text = wire_redact_text (m->text);

              g_string_append (frame, text);
            }
          else
            append_fallback_frame (frame, m);

          if (i > 0)
            g_string_append_c (w->buf, ',');
          /* Seconds with milliseconds, written as integers: no locale, no rounding. */
          g_string_append_printf (w->buf, "{\"type\":\"%s\",\"time\":%" G_GINT64_FORMAT ".%03d,"
                                  "\"opcode\":1,\"data\":",
                                  m->direction == WIRE_DIRECTION_OUT ? "send" : "receive",
                                  m->time_ms / 1000, (int) (m->time_ms % 1000));
          append_json_string (w->buf, frame->str);
          g_string_append_c (w->buf, '}');
          if (!writer_item (w))
            return FALSE;
        }
      g_string_append (w->buf, "]}");

      w->done += n_samples + wire_recording_get_n_transitions (recording, t);
    }

  g_string_append (w->buf, "]}}\n");
  return writer_flush (w);
}

/* ---- Entry points --------------------------------------------------------------------------- */

gboolean
wire_export_to_stream (WireRecording          *recording,
                       WireExportFormat        format,
                       GOutputStream          *stream,
                       WireExportProgressFunc  progress,
                       gpointer                progress_data,
                       GCancellable           *cancellable,
                       GError                **error)
{
  Writer w = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (recording != NULL, FALSE);
  g_return_val_if_fail (format < WIRE_N_EXPORT_FORMATS, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  w.buf = g_string_sized_new (FLUSH_BYTES + 4096);
  w.stream = stream;
  w.cancellable = cancellable;
  w.error = error;
  w.total = wire_recording_get_n_items (recording);
  w.progress = progress;
  w.progress_data = progress_data;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  switch (format)
    {
    case WIRE_EXPORT_CSV:
      ok = write_csv (recording, &w);
      break;
    case WIRE_EXPORT_NDJSON:
      ok = write_ndjson (recording, &w);
      break;
    case WIRE_EXPORT_OPENMETRICS:
      ok = write_openmetrics (recording, &w);
      break;
    case WIRE_EXPORT_HAR:
      ok = write_har (recording, &w);
      break;
    default:
      g_assert_not_reached ();
    }

  if (ok && progress != NULL)
    progress (w.total, w.total, progress_data);

out:
  g_string_free (w.buf, TRUE);
  return ok;
}
