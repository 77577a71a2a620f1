#define G_LOG_DOMAIN "wire-test-export"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "wire-core.h"
#include "wire-export.h"
#include "wire-redact.h"

/* A JWT-shaped token and its signature: neither may appear in any export. */
#define TOKEN "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEiLCJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJlLXNlY3JldA"
#define TOKEN_SIG "c2lnbmF0dXJlLXNlY3JldA"
#define T0 G_GINT64_CONSTANT (1700000000000)
#define N_SAMPLES 10
#define N_TRANSITIONS 3
#define N_MESSAGES_0 50
#define N_MESSAGES_1 20
#define WEIRD_NAME "trip \"t1\", north"

static WireRecorder *
make_recorder (void)
{
  WireRecorder *recorder = wire_recorder_new (0, 0);
  guint chat, trip;

  chat = wire_recorder_add_track (recorder, "chat session-1",
                                  "ws://127.0.0.1:8765/ws/chat/session-1?token=" TOKEN,
                                  WIRE_ENDPOINT_CHAT);
  trip = wire_recorder_add_track (recorder, WEIRD_NAME, "ws://127.0.0.1:8765/ws/trips/t1/collab",
                                  WIRE_ENDPOINT_TRIP_COLLAB);
  g_assert_cmpuint (chat, ==, 0);
  g_assert_cmpuint (trip, ==, 1);

  for (guint track = 0; track < 2; track++)
    for (guint i = 0; i < N_SAMPLES; i++)
      {
        WireSample s = { 0 };

        s.time_ms = T0 + i * 1000 + track;
        s.state = i < 2 ? WIRE_CONNECTION_CONNECTING : WIRE_CONNECTION_CONNECTED;
        s.messages_in = i * 10 + track;
        s.messages_out = i * 3;
        s.bytes_in = i * 1000;
        s.bytes_out = i * 300;
        s.rtt_ms = i == 0 ? -1 : (gint64) (20 + i);
        s.queue_depth[WIRE_PRIORITY_CRITICAL] = 0;
        s.queue_depth[WIRE_PRIORITY_HIGH] = i;
        s.queue_depth[WIRE_PRIORITY_NORMAL] = 2 * i;
        s.queue_depth[WIRE_PRIORITY_LOW] = 7;
        s.in_flight = 1;
        s.reconnects = track;
        s.errors = i / 5;
        s.network = WIRE_NETWORK_ONLINE;
        wire_recorder_push_sample (recorder, track, &s);
      }

  for (guint i = 0; i < N_TRANSITIONS; i++)
    {
      WireTransition t = { 0 };

      t.time_ms = T0 + i * 500;
      t.from = i;
      t.to = i + 1;
      t.close_code = i == 2 ? 1006 : 0;
      t.reason = i == 2 ? (char *) "dropped, Bearer " TOKEN : NULL;
      t.attempt = i;
      t.delay_ms = i == 2 ? 1500 : -1;
      wire_recorder_push_transition (recorder, 0, &t);
    }

  for (guint track = 0; track < 2; track++)
    {
      guint n = track == 0 ? N_MESSAGES_0 : N_MESSAGES_1;

      for (guint i = 0; i < n; i++)
        {
          WireMessageRecord m = { 0 };
          g_autofree char *id = g_strdup_printf ("m-%u-%u", track, i);
          g_autofree char *text = NULL;

          m.time_ms = T0 + i * 100;
          m.direction = i % 2 == 0 ? WIRE_DIRECTION_IN : WIRE_DIRECTION_OUT;
          m.type = (char *) (i % 2 == 0 ? "message" : "publish");
          m.id = id;
          m.channel = (char *) "chat:session-1";
          m.event = (char *) "user_message";
          m.priority = WIRE_PRIORITY_HIGH;
          if (i == 0)
            text = g_strdup ("{\"type\":\"auth\",\"token\":\"" TOKEN "\"}");
          else if (i % 3 != 0)
            text = g_strdup_printf ("{\"type\":\"%s\",\"id\":\"%s\",\"payload\":{\"text\":\"hi, \\\"you\\\"\\n\"}}",
                                    m.type, id);
          m.text = text;
          m.size = text != NULL ? strlen (text) : 0;
          wire_recorder_push_message (recorder, track, &m);
        }
    }

  return recorder;
}

static char *
export_to_string (WireRecorder     *recorder,
                  WireExportFormat  format)
{
  g_autoptr(WireRecording) recording = wire_recorder_snapshot (recorder);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = wire_export_to_stream (recording, format, out, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_output_stream_close (out, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

/* An RFC 4180 reader: records of fields, quoted fields may hold , " CR LF. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *row = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  const char *p = text;
  gboolean quoted = FALSE;

  while (*p != '\0')
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            {
              g_string_append_c (field, '"');
              p += 2;
            }
          else if (*p == '"')
            {
              quoted = FALSE;
              p++;
            }
          else
            g_string_append_c (field, *p++);
        }
      else if (*p == '"')
        {
          g_assert_cmpuint (field->len, ==, 0);
          quoted = TRUE;
          p++;
        }
      else if (*p == ',')
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_string_truncate (field, 0);
          p++;
        }
      else if (*p == '\r' && p[1] == '\n')
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_string_truncate (field, 0);
          g_ptr_array_add (rows, row);
          row = g_ptr_array_new_with_free_func (g_free);
          p += 2;
        }
      else
        {
          /* A bare LF or CR outside quotes is not RFC 4180. */
          g_assert_cmpint (*p, !=, '\n');
          g_assert_cmpint (*p, !=, '\r');
          g_string_append_c (field, *p++);
        }
    }
  g_assert_false (quoted);
  g_assert_cmpuint (row->len, ==, 0);   /* the last record ends with CRLF */
  g_ptr_array_unref (row);
  g_string_free (field, TRUE);
  return rows;
}

static int
column (const char *name)
{
  const char * const *columns = wire_export_csv_columns ();

  for (int i = 0; columns[i] != NULL; i++)
    if (g_str_equal (columns[i], name))
      return i;
  g_assert_not_reached ();
}

static void
test_csv (void)
{
  g_autoptr(WireRecorder) recorder = make_recorder ();
  g_autofree char *text = export_to_string (recorder, WIRE_EXPORT_CSV);
  g_autoptr(GPtrArray) rows = parse_csv (text);
  guint n_columns = g_strv_length ((char **) wire_export_csv_columns ());
  guint weird_rows = 0;
  gint64 last_time = 0;

  g_assert_cmpuint (n_columns, ==, 19);
  g_assert_cmpuint (rows->len, ==, 1 + 2 * N_SAMPLES);

  for (guint r = 0; r < rows->len; r++)
    {
      GPtrArray *row = g_ptr_array_index (rows, r);

      g_assert_cmpuint (row->len, ==, n_columns);
      if (r == 0)
        {
          for (guint c = 0; c < n_columns; c++)
            g_assert_cmpstr (g_ptr_array_index (row, c), ==, wire_export_csv_columns ()[c]);
          continue;
        }

      {
        gint64 t = g_ascii_strtoll (g_ptr_array_index (row, column ("time_ms")), NULL, 10);
        const char *name = g_ptr_array_index (row, column ("connection"));
        guint track = g_str_equal (name, WEIRD_NAME) ? 1 : 0;
        guint i = (t - T0 - track) / 1000;

        g_assert_cmpint (t, >=, last_time);   /* rows are in time order */
        last_time = t;
        if (track == 1)
          weird_rows++;
        else
          g_assert_cmpstr (name, ==, "chat session-1");

        g_assert_cmpuint (g_ascii_strtoull (g_ptr_array_index (row, column ("messages_in")), NULL, 10),
                          ==, i * 10 + track);
        g_assert_cmpuint (g_ascii_strtoull (g_ptr_array_index (row, column ("bytes_out")), NULL, 10),
                          ==, i * 300);
        g_assert_cmpuint (g_ascii_strtoull (g_ptr_array_index (row, column ("queue_normal")), NULL, 10),
                          ==, 2 * i);
        g_assert_cmpuint (g_ascii_strtoull (g_ptr_array_index (row, column ("queue_low")), NULL, 10),
                          ==, 7);
        g_assert_cmpstr (g_ptr_array_index (row, column ("state")), ==,
                         i < 2 ? "connecting" : "connected");
        if (i == 0)
          g_assert_cmpstr (g_ptr_array_index (row, column ("rtt_ms")), ==, "");
        else
          g_assert_cmpint (g_ascii_strtoll (g_ptr_array_index (row, column ("rtt_ms")), NULL, 10),
                           ==, 20 + i);
        g_assert_cmpstr (g_ptr_array_index (row, column ("type")), ==,
                         track == 0 ? "chat" : "trip-collab");
        g_assert_cmpstr (g_ptr_array_index (row, column ("network")), ==, "online");
        g_assert_true (g_str_has_prefix (g_ptr_array_index (row, column ("time")), "2023-11-14T22:13:"));
      }
    }
  g_assert_cmpuint (weird_rows, ==, N_SAMPLES);
  g_assert_null (strstr (text, TOKEN_SIG));
}

static void
test_ndjson (void)
{
  g_autoptr(WireRecorder) recorder = make_recorder ();
  g_autofree char *text = export_to_string (recorder, WIRE_EXPORT_NDJSON);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GHashTable) kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n_lines = g_strv_length (lines);
  guint delayed = 0;

  g_assert_cmpstr (lines[n_lines - 1], ==, "");   /* every line ends in \n */

  for (guint i = 0; i + 1 < n_lines; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *obj;
      const char *kind;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      obj = json_node_get_object (json_parser_get_root (parser));
      kind = json_object_get_string_member (obj, "kind");
      g_hash_table_insert (kinds, g_strdup (kind),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (kinds, kind)) + 1));

      if (g_str_equal (kind, "sample") && json_object_get_int_member (obj, "track") == 0 &&
          json_object_get_int_member (obj, "t") == T0 + 4000)
        {
          JsonObject *queue = json_object_get_object_member (obj, "queue");

          g_assert_cmpint (json_object_get_int_member (obj, "messagesIn"), ==, 40);
          g_assert_cmpint (json_object_get_int_member (obj, "rttMs"), ==, 24);
          g_assert_cmpint (json_object_get_int_member (queue, "high"), ==, 4);
          g_assert_cmpstr (json_object_get_string_member (obj, "state"), ==, "connected");
        }
      if (g_str_equal (kind, "transition") && !json_object_get_null_member (obj, "delayMs"))
        {
          g_assert_cmpint (json_object_get_int_member (obj, "delayMs"), ==, 1500);
          g_assert_cmpint (json_object_get_int_member (obj, "closeCode"), ==, 1006);
          delayed++;
        }
      if (g_str_equal (kind, "message") && !json_object_get_null_member (obj, "frame"))
        {
          /* The frame text survives escaping: it parses back as the JSON we logged. */
          g_autoptr(JsonParser) inner = json_parser_new ();

          json_parser_load_from_data (inner, json_object_get_string_member (obj, "frame"), -1, &error);
          g_assert_no_error (error);
        }
    }

  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (kinds, "connection")), ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (kinds, "sample")), ==, 2 * N_SAMPLES);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (kinds, "transition")), ==, N_TRANSITIONS);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (kinds, "message")), ==,
                    N_MESSAGES_0 + N_MESSAGES_1);
  g_assert_cmpuint (g_hash_table_size (kinds), ==, 4);
  g_assert_cmpuint (delayed, ==, 1);
}

/* Checks the OpenMetrics text exposition grammar (metadata, sample lines, families contiguous,
 * counter samples end in _total, # EOF last) and returns the samples as "name{labels}" → value. */
static GHashTable *
parse_openmetrics (const char *text)
{
  g_autoptr(GRegex) sample_re = g_regex_new (
    "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\""
    "(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\")*)?\\})? "
    "(-?[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|NaN|[+-]Inf)$", 0, 0, NULL);
  g_autoptr(GRegex) meta_re = g_regex_new (
    "^# (TYPE|HELP|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$", 0, 0, NULL);
  g_autoptr(GHashTable) seen_families = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *family = NULL;
  g_autofree char *family_type = NULL;
  guint n = g_strv_length (lines);

  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpstr (lines[n - 1], ==, "");
  g_assert_cmpstr (lines[n - 2], ==, "# EOF");

  for (guint i = 0; i + 2 < n; i++)
    {
      g_autoptr(GMatchInfo) info = NULL;

      if (g_regex_match (meta_re, lines[i], 0, &info))
        {
          g_autofree char *what = g_match_info_fetch (info, 1);
          g_autofree char *name = g_match_info_fetch (info, 2);
          g_autofree char *rest = g_match_info_fetch (info, 3);

          if (family == NULL || !g_str_equal (family, name))
            {
              /* A new family: it must not have appeared before (families are contiguous). */
              g_assert_false (g_hash_table_contains (seen_families, name));
              g_hash_table_add (seen_families, g_strdup (name));
              g_free (family);
              family = g_strdup (name);
              g_clear_pointer (&family_type, g_free);
            }
          if (g_str_equal (what, "TYPE"))
            {
              g_assert_true (g_strv_contains ((const char *[]) { "counter", "gauge", "stateset",
                                                                 "info", "histogram",
                                                                 "gaugehistogram", "summary",
                                                                 "unknown", NULL }, rest));
              family_type = g_strdup (rest);
            }
          if (g_str_equal (what, "UNIT"))
            g_assert_true (g_str_has_suffix (name, rest));
          continue;
        }

      g_clear_pointer (&info, g_match_info_free);
      g_assert_false (g_str_has_prefix (lines[i], "#"));
      if (!g_regex_match (sample_re, lines[i], 0, &info))
        g_error ("not an OpenMetrics sample line: “%s”", lines[i]);

      {
        g_autofree char *name = g_match_info_fetch (info, 1);
        g_autofree char *labels = g_match_info_fetch (info, 2);
        g_autofree char *value = g_match_info_fetch (info, 3);

        g_assert_nonnull (family);
        g_assert_nonnull (family_type);
        if (g_str_equal (family_type, "counter"))
          {
            g_autofree char *expected = g_strconcat (family, "_total", NULL);

            g_assert_cmpstr (name, ==, expected);
          }
        else
          g_assert_cmpstr (name, ==, family);

        g_hash_table_insert (values, g_strconcat (name, labels, NULL), g_steal_pointer (&value));
      }
    }

  return values;
}

static void
test_openmetrics (void)
{
  g_autoptr(WireRecorder) recorder = make_recorder ();
  g_autofree char *text = export_to_string (recorder, WIRE_EXPORT_OPENMETRICS);
  g_autoptr(GHashTable) values = parse_openmetrics (text);
  const char *chat = "{connection=\"chat session-1\",type=\"chat\"}";
  const char *trip = "{connection=\"trip \\\"t1\\\", north\",type=\"trip-collab\"}";
  g_autofree char *k1 = g_strconcat ("wirescope_messages_received_total", chat, NULL);
  g_autofree char *k2 = g_strconcat ("wirescope_messages_received_total", trip, NULL);
  g_autofree char *k3 = g_strconcat ("wirescope_rtt_seconds", chat, NULL);
  g_autofree char *k4 = g_strconcat ("wirescope_sent_bytes_total", chat, NULL);
  g_autofree char *k5 = g_strdup ("wirescope_queue_depth"
                                  "{connection=\"chat session-1\",type=\"chat\",priority=\"normal\"}");
  g_autofree char *k6 = g_strdup ("wirescope_connection_state{connection=\"chat session-1\",type=\"chat\","
                                  "state=\"connected\"}");
  g_autofree char *k7 = g_strdup ("wirescope_connection_state{connection=\"chat session-1\",type=\"chat\","
                                  "state=\"error\"}");
  g_autofree char *k8 = g_strconcat ("wirescope_errors_total", trip, NULL);

  /* The last sample (i = 9) gives the current values. */
  g_assert_cmpstr (g_hash_table_lookup (values, k1), ==, "90");
  g_assert_cmpstr (g_hash_table_lookup (values, k2), ==, "91");
  g_assert_cmpstr (g_hash_table_lookup (values, k3), ==, "0.029");
  g_assert_cmpstr (g_hash_table_lookup (values, k4), ==, "2700");
  g_assert_cmpstr (g_hash_table_lookup (values, k5), ==, "18");
  g_assert_cmpstr (g_hash_table_lookup (values, k6), ==, "1");
  g_assert_cmpstr (g_hash_table_lookup (values, k7), ==, "0");
  g_assert_cmpstr (g_hash_table_lookup (values, k8), ==, "1");
  /* 2 tracks × (6 counters + in-flight + rtt + 4 queue + 6 states + 4 network) */
  g_assert_cmpuint (g_hash_table_size (values), ==, 2 * (6 + 1 + 1 + 4 + 6 + 4));
}

/* The same text through the reference parsers of the Python Prometheus client: its OpenMetrics
 * parser and its Prometheus 0.0.4 text parser. Skipped when python3-prometheus-client is absent. */
static const char parse_script[] =
  "import sys\n"
  "try:\n"
  "    from prometheus_client.openmetrics.parser import text_string_to_metric_families as om\n"
  "    from prometheus_client.parser import text_string_to_metric_families as prom\n"
  "except ImportError:\n"
  "    sys.exit(77)\n"
  "text = sys.stdin.read()\n"
  "fams = list(om(text))\n"
  "samples = sum(len(f.samples) for f in fams)\n"
  "prom_samples = sum(len(f.samples) for f in prom(text.replace('# EOF\\n', '')))\n"
  "print(len(fams), samples, prom_samples)\n";

static void
test_openmetrics_reference_parsers (void)
{
  g_autoptr(WireRecorder) recorder = make_recorder ();
  g_autofree char *text = export_to_string (recorder, WIRE_EXPORT_OPENMETRICS);
  g_autoptr(GSubprocess) python = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint families = 0, samples = 0, prom_samples = 0;

  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no /usr/bin/python3");
      return;
    }
  python = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                             G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                             "/usr/bin/python3", "-c", parse_script, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (python, text, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (python) == 77)
    {
      g_test_skip ("python3-prometheus-client is not installed");
      return;
    }
  if (g_subprocess_get_exit_status (python) != 0)
    g_error ("the reference parsers refused the exposition:\n%s", err);

  g_assert_cmpint (sscanf (out, "%u %u %u", &families, &samples, &prom_samples), ==, 3);
  g_assert_cmpuint (families, ==, 11);
  g_assert_cmpuint (samples, ==, 2 * (6 + 1 + 1 + 4 + 6 + 4));
  g_assert_cmpuint (prom_samples, ==, samples);
}

static void
test_har (void)
{
  g_autoptr(WireRecorder) recorder = make_recorder ();
  g_autofree char *text = export_to_string (recorder, WIRE_EXPORT_HAR);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *log;
  JsonArray *entries;
  guint expected[] = { N_MESSAGES_0, N_MESSAGES_1 };

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  log = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "log");
  g_assert_cmpstr (json_object_get_string_member (log, "version"), ==, "1.2");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (log, "creator"), "name"),
                   ==, "Wirescope");
  entries = json_object_get_array_member (log, "entries");
  g_assert_cmpuint (json_array_get_length (entries), ==, 2);

  for (guint e = 0; e < 2; e++)
    {
      JsonObject *entry = json_array_get_object_element (entries, e);
      JsonObject *request = json_object_get_object_member (entry, "request");
      JsonObject *response = json_object_get_object_member (entry, "response");
      JsonArray *messages = json_object_get_array_member (entry, "_webSocketMessages");
      guint sends = 0, receives = 0;

      g_assert_true (json_object_has_member (entry, "startedDateTime"));
      g_assert_true (json_object_has_member (entry, "timings"));
      g_assert_true (json_object_has_member (entry, "cache"));
      g_assert_cmpstr (json_object_get_string_member (entry, "_resourceType"), ==, "websocket");
      g_assert_cmpstr (json_object_get_string_member (request, "method"), ==, "GET");
      g_assert_true (g_str_has_prefix (json_object_get_string_member (request, "url"), "ws://"));
      g_assert_cmpint (json_object_get_int_member (response, "status"), ==, 101);
      g_assert_cmpuint (json_array_get_length (messages), ==, expected[e]);

      for (guint i = 0; i < json_array_get_length (messages); i++)
        {
          JsonObject *m = json_array_get_object_element (messages, i);
          const char *type = json_object_get_string_member (m, "type");

          g_assert_cmpint (json_object_get_int_member (m, "opcode"), ==, 1);
          g_assert_cmpfloat (json_object_get_double_member (m, "time"), >=, T0 / 1000.0);
          g_assert_nonnull (json_object_get_string_member (m, "data"));
          if (g_str_equal (type, "send"))
            sends++;
          else if (g_str_equal (type, "receive"))
            receives++;
        }
      g_assert_cmpuint (sends, ==, expected[e] / 2);
      g_assert_cmpuint (receives, ==, expected[e] - expected[e] / 2);
    }
}

static void
test_no_tokens (void)
{
  g_autoptr(WireRecorder) recorder = make_recorder ();

  for (WireExportFormat f = 0; f < WIRE_N_EXPORT_FORMATS; f++)
    {
      g_autofree char *text = export_to_string (recorder, f);

      g_assert_null (strstr (text, TOKEN_SIG));
      g_assert_null (strstr (text, "eyJhbGciOiJIUzI1NiJ9"));
      if (f == WIRE_EXPORT_NDJSON || f == WIRE_EXPORT_HAR)
        g_assert_nonnull (strstr (text, "[REDACTED]"));
    }
}

static void
test_redact (void)
{
  struct { const char *in; const char *out; } cases[] = {
    { "{\"type\":\"auth\",\"token\":\"abc.def\",\"x\":1}", "{\"type\":\"auth\",\"token\":\"[REDACTED]\",\"x\":1}" },
    { "ws://h/ws/admin?token=secret&x=1", "ws://h/ws/admin?token=[REDACTED]&x=1" },
    { "Authorization: Bearer abc.def-ghi", "Authorization: Bearer [REDACTED]" },
    { "got " TOKEN " here", "got [REDACTED] here" },
    { "{\"type\":\"message\",\"payload\":{\"text\":\"tokens are fine\"}}",
      "{\"type\":\"message\",\"payload\":{\"text\":\"tokens are fine\"}}" },
    { "plain", "plain" },
    /* Each secret's name at the very start and end, and in every case the expression allows. */
    { "Bearer abc", "Bearer [REDACTED]" },
    { "x bEaReR abc", "x bEaReR [REDACTED]" },
    { "BEARER", "BEARER" },
    { "{\"secret\":\"s\",\"password\" : \"p\\\"w\",\"jwt\":\"j\"}",
      "{\"secret\":\"[REDACTED]\",\"password\" : \"[REDACTED]\",\"jwt\":\"[REDACTED]\"}" },
    { "{\"accessToken\":\"a\",\"refresh_token\":\"r\"}",
      "{\"accessToken\":\"[REDACTED]\",\"refresh_token\":\"[REDACTED]\"}" },
    { "/ws?jwt=abc&access_token=def#f", "/ws?jwt=[REDACTED]&access_token=[REDACTED]#f" },
    { TOKEN, "[REDACTED]" },
    /* Names alone, or cut short, are not secrets. */
    { "secret password token jwt", "secret password token jwt" },
    { "tok", "tok" },
    { "k", "k" },
    { "eyJ", "eyJ" },
    { "{\"kind\":\"ack\",\"channel\":\"chat:b\",\"event\":\"bear\"}",
      "{\"kind\":\"ack\",\"channel\":\"chat:b\",\"event\":\"bear\"}" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = wire_redact_text (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
  g_assert_null (wire_redact_text (NULL));

  /* The quick check lets through only texts without any secret's name or shape. */
  g_assert_false (wire_redact_needed ("{\"type\":\"message\",\"id\":\"msg-1-3f2a9c\","
                                      "\"channel\":\"trip:load-1\",\"event\":\"cursor_move\"}"));
  g_assert_true (wire_redact_needed ("{\"text\":\"tokens are fine\"}"));
  g_assert_true (wire_redact_needed ("BeArEr"));
  g_assert_true (wire_redact_needed ("xeyJ"));
  g_assert_false (wire_redact_needed (""));
}

static void
test_ring_bounds (void)
{
  g_autoptr(WireRecorder) recorder = wire_recorder_new (5, 8);
  g_autoptr(WireRecording) recording = NULL;
  guint track = wire_recorder_add_track (recorder, "x", "ws://h/ws/admin", WIRE_ENDPOINT_ADMIN);

  for (guint i = 0; i < 12; i++)
    {
      WireSample s = { .time_ms = i, .rtt_ms = -1 };
      WireMessageRecord m = { .time_ms = i, .type = (char *) "message" };

      wire_recorder_push_sample (recorder, track, &s);
      wire_recorder_push_message (recorder, track, &m);
      wire_recorder_push_message (recorder, track, &m);
    }

  recording = wire_recorder_snapshot (recorder);
  g_assert_cmpuint (wire_recording_get_n_samples (recording, track), ==, 5);
  g_assert_cmpint (wire_recording_get_sample (recording, track, 0)->time_ms, ==, 7);
  g_assert_cmpint (wire_recording_get_last_sample (recording, track)->time_ms, ==, 11);
  g_assert_cmpuint (wire_recording_get_n_messages (recording, track), ==, 8);
  g_assert_cmpint (wire_recording_get_message (recording, track, 0)->time_ms, ==, 8);

  /* Shrinking keeps the newest; the snapshot taken before is unaffected. */
  wire_recorder_set_message_capacity (recorder, 3);
  wire_recorder_set_sample_capacity (recorder, 2);
  g_clear_pointer (&recording, wire_recording_unref);
  recording = wire_recorder_snapshot (recorder);
  g_assert_cmpuint (wire_recording_get_n_messages (recording, track), ==, 3);
  g_assert_cmpint (wire_recording_get_message (recording, track, 0)->time_ms, ==, 10);
  g_assert_cmpuint (wire_recording_get_n_samples (recording, track), ==, 2);
  g_assert_cmpint (wire_recording_get_sample (recording, track, 0)->time_ms, ==, 10);
  g_assert_cmpuint (wire_recording_get_n_items (recording), ==, 5);
}

/* The frame texts a track keeps are bounded in bytes as well as in number: the oldest messages
 * go first, and a text larger than the whole budget is left out of its message. */
static void
test_message_bytes (void)
{
  g_autoptr(WireRecorder) recorder = wire_recorder_new (1, 100);
  g_autoptr(WireRecording) recording = NULL;
  guint track = wire_recorder_add_track (recorder, "x", "ws://h/ws/admin", WIRE_ENDPOINT_ADMIN);
  g_autofree char *big = g_strnfill (150, 'x');
  const WireMessageRecord *m;

  wire_recorder_set_message_bytes (recorder, 100);
  g_assert_cmpuint (wire_recorder_get_message_bytes (recorder), ==, 100);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("id-%u", i);
      g_autofree char *text = g_strdup_printf ("{\"type\":\"message\",\"n\":%07u}", i);
      WireMessageRecord r = { .time_ms = i, .type = (char *) "message", .id = id, .text = text };

      g_assert_cmpuint (strlen (text), ==, 30);
      wire_recorder_push_message (recorder, track, &r);
    }

  recording = wire_recorder_snapshot (recorder);
  g_assert_cmpuint (wire_recording_get_n_messages (recording, track), ==, 3);
  m = wire_recording_get_message (recording, track, 0);
  g_assert_cmpint (m->time_ms, ==, 7);
  g_assert_cmpstr (m->id, ==, "id-7");
  g_assert_cmpstr (m->text, ==, "{\"type\":\"message\",\"n\":0000007}");
  g_clear_pointer (&recording, wire_recording_unref);

  /* Too large to keep: the message stays, without its text, and the others stay too. */
  {
    WireMessageRecord r = { .time_ms = 10, .type = (char *) "message", .id = (char *) "big",
                            .text = big };

    wire_recorder_push_message (recorder, track, &r);
  }
  recording = wire_recorder_snapshot (recorder);
  g_assert_cmpuint (wire_recording_get_n_messages (recording, track), ==, 4);
  m = wire_recording_get_message (recording, track, 3);
  g_assert_cmpstr (m->id, ==, "big");
  g_assert_null (m->text);
  g_clear_pointer (&recording, wire_recording_unref);

  /* A smaller budget trims at once; the snapshot's texts are the recorder's until it goes. */
  wire_recorder_set_message_bytes (recorder, 30);
  recording = wire_recorder_snapshot (recorder);
  g_assert_cmpuint (wire_recording_get_n_messages (recording, track), ==, 2);
  g_assert_cmpstr (wire_recording_get_message (recording, track, 0)->id, ==, "id-9");
}

/* An object that listens to a connection's frames anyway takes them over from the recorder: the
 * recorder's own handler stays quiet until the frames are given back. */
static void
test_recorder_take_frames (void)
{
  g_autoptr(WireConfig) config = wire_config_new ();
  g_autoptr(WireConnection) connection = NULL;
  g_autoptr(WireRecorder) recorder = wire_recorder_new (0, 0);
  g_autoptr(WireRecording) recording = NULL;
  g_autoptr(WireEnvelope) envelope = NULL;
  g_autoptr(WireEnvelope) heartbeat = NULL;
  g_autoptr(GError) error = NULL;
  const char *frame = "{\"type\":\"message\",\"id\":\"x1\",\"channel\":\"chat:session-1\","
                      "\"event\":\"assistant_message\",\"payload\":{\"token\":\"" TOKEN "\"}}";
  const char *ack = "{\"type\":\"heartbeat_ack\",\"ts\":1}";
  int track;

  connection = wire_connection_new (config, NULL, "ws://127.0.0.1:1/ws/chat/session-1",
                                    &error);
  g_assert_no_error (error);
  g_assert_cmpint (wire_recorder_take_frames (recorder, connection), ==, -1);
  wire_recorder_add_connection (recorder, connection);
  track = wire_recorder_take_frames (recorder, connection);
  g_assert_cmpint (track, ==, 0);
  envelope = wire_envelope_parse (frame, strlen (frame), &error);
  g_assert_no_error (error);
  heartbeat = wire_envelope_parse (ack, strlen (ack), &error);
  g_assert_no_error (error);

  g_signal_emit_by_name (connection, "frame", envelope);
  wire_recorder_push_frame (recorder, track, envelope);
  wire_recorder_push_frame (recorder, track, heartbeat);
  wire_recorder_release_frames (recorder, connection);
  g_signal_emit_by_name (connection, "frame", envelope);
  /* Frames handed over for a track that no longer follows its connection are not recorded. */
  g_assert_cmpint (wire_recorder_take_frames (recorder, connection), ==, track);
  wire_recorder_remove_connection (recorder, connection);
  wire_recorder_push_frame (recorder, track, envelope);

  recording = wire_recorder_snapshot (recorder);
  g_assert_cmpuint (wire_recording_get_n_messages (recording, track), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      const WireMessageRecord *m = wire_recording_get_message (recording, track, i);

      g_assert_cmpstr (m->id, ==, "x1");
      g_assert_cmpstr (m->event, ==, "assistant_message");
      g_assert_nonnull (strstr (m->text, "[REDACTED]"));
      g_assert_null (strstr (m->text, TOKEN_SIG));
    }
}

/* A live connection's signals land in its track; a sample reads its state and queue. */
static void
test_recorder_follows_connection (void)
{
  g_autoptr(WireConfig) config = wire_config_new ();
  g_autoptr(WireConnection) connection = NULL;
  g_autoptr(WireRecorder) recorder = wire_recorder_new (0, 0);
  g_autoptr(WireRecording) recording = NULL;
  g_autoptr(WireEnvelope) envelope = NULL;
  g_autoptr(GError) error = NULL;
  const char *frame = "{\"type\":\"message\",\"id\":\"x1\",\"channel\":\"chat:session-1\","
                      "\"event\":\"assistant_message\",\"payload\":{\"token\":\"" TOKEN "\"}}";
  WireTransition transition = { .time_ms = T0, .from = WIRE_CONNECTION_CONNECTED,
                                .to = WIRE_CONNECTION_RECONNECTING, .close_code = 1006,
                                .attempt = 1, .delay_ms = 750 };
  const WireMessageRecord *in, *out;
  guint track;

  connection = wire_connection_new (config, NULL,
                                    "ws://127.0.0.1:1/ws/chat/session-1?token=" TOKEN, &error);
  g_assert_no_error (error);
  track = wire_recorder_add_connection (recorder, connection);
  g_assert_cmpuint (wire_recorder_add_connection (recorder, connection), ==, track);
  g_assert_cmpint (wire_recorder_find_track (recorder, connection), ==, (int) track);

  g_signal_emit_by_name (connection, "transition", &transition);
  envelope = wire_envelope_parse (frame, strlen (frame), &error);
  g_assert_no_error (error);
  g_signal_emit_by_name (connection, "frame", envelope);
  g_signal_emit_by_name (wire_connection_get_queue (connection), "sent",
                         "p1", "chat:session-1", "user_message", WIRE_PRIORITY_HIGH, 42u);
  wire_recorder_sample_now (recorder);

  recording = wire_recorder_snapshot (recorder);
  g_assert_cmpstr (wire_recording_get_track_info (recording, track)->name, ==, "chat session-1");
  g_assert_null (strstr (wire_recording_get_track_info (recording, track)->url, TOKEN_SIG));
  g_assert_cmpuint (wire_recording_get_n_transitions (recording, track), ==, 1);
  g_assert_cmpint (wire_recording_get_transition (recording, track, 0)->delay_ms, ==, 750);
  g_assert_cmpuint (wire_recording_get_n_messages (recording, track), ==, 2);
  in = wire_recording_get_message (recording, track, 0);
  out = wire_recording_get_message (recording, track, 1);
  g_assert_cmpint (in->direction, ==, WIRE_DIRECTION_IN);
  g_assert_cmpstr (in->event, ==, "assistant_message");
  g_assert_null (strstr (in->text, TOKEN_SIG));
  g_assert_cmpint (out->direction, ==, WIRE_DIRECTION_OUT);
  g_assert_cmpstr (out->id, ==, "p1");
  g_assert_cmpuint (out->size, ==, 42);
  g_assert_cmpuint (wire_recording_get_n_samples (recording, track), ==, 1);
  g_assert_cmpint (wire_recording_get_sample (recording, track, 0)->state, ==,
                   wire_connection_get_state (connection));

  /* The recorder lets go of a connection that goes away; its track stays. */
  g_assert_finalize_object (g_steal_pointer (&connection));
  wire_recorder_sample_now (recorder);
  g_clear_pointer (&recording, wire_recording_unref);
  recording = wire_recorder_snapshot (recorder);
  g_assert_cmpuint (wire_recording_get_n_samples (recording, track), ==, 1);
}

typedef struct
{
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
  guint64    items;
  guint64    last_done;
  guint64    last_total;
  guint      progress_calls;
} AsyncState;

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  AsyncState *state = user_data;

  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >=, state->last_done);
  state->last_done = done;
  state->last_total = total;
  state->progress_calls++;
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  AsyncState *state = user_data;

  state->ok = wire_export_file_finish (result, &state->items, &state->error);
  g_main_loop_quit (state->loop);
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
run_export (WireRecorder     *recorder,
            WireExportFormat  format,
            GFile            *file,
            GCancellable     *cancellable,
            AsyncState       *state)
{
  state->loop = g_main_loop_new (NULL, FALSE);
  wire_export_file_async (recorder, format, file, progress_cb, state, NULL, cancellable,
                          export_done_cb, state);
  g_main_loop_run (state->loop);
  g_main_loop_unref (state->loop);
}

static void
test_file_async (void)
{
  g_autoptr(WireRecorder) recorder = make_recorder ();
  g_autofree char *dir = g_dir_make_tmp ("wirescope-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "metrics.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  AsyncState state = { 0 };

  run_export (recorder, WIRE_EXPORT_CSV, file, NULL, &state);
  g_assert_no_error (state.error);
  g_assert_true (state.ok);
  g_assert_cmpuint (state.items, ==, 2 * N_SAMPLES + N_TRANSITIONS + N_MESSAGES_0 + N_MESSAGES_1);
  g_assert_cmpuint (state.progress_calls, >=, 1);
  g_assert_cmpuint (state.last_done, ==, state.last_total);
  g_assert_cmpuint (state.last_total, ==, state.items);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "time_ms,time,connection,"));
  g_assert_cmpuint (count_entries (dir), ==, 1);   /* no temporary file left behind */

  g_assert_true (g_file_delete (file, NULL, NULL));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_file_cancelled (void)
{
  g_autoptr(WireRecorder) recorder = make_recorder ();
  g_autofree char *dir = g_dir_make_tmp ("wirescope-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "session.har", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *contents = NULL;
  g_autofree char *message = NULL;
  AsyncState state = { 0 };

  /* An existing file stays exactly as it was. */
  g_assert_true (g_file_set_contents (path, "previous", -1, NULL));
  g_cancellable_cancel (cancellable);
  run_export (recorder, WIRE_EXPORT_HAR, file, cancellable, &state);
  g_assert_false (state.ok);
  g_assert_error (state.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "previous");
  g_assert_cmpuint (count_entries (dir), ==, 1);
  message = wire_export_error_describe (state.error, file);
  g_assert_nonnull (strstr (message, "cancel"));

  g_clear_error (&state.error);
  g_assert_true (g_file_delete (file, NULL, NULL));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_file_unwritable (void)
{
  g_autoptr(WireRecorder) recorder = make_recorder ();
  g_autofree char *dir = g_dir_make_tmp ("wirescope-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "missing", "metrics.ndjson", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *message = NULL;
  AsyncState state = { 0 };

  run_export (recorder, WIRE_EXPORT_NDJSON, file, NULL, &state);
  g_assert_false (state.ok);
  g_assert_error (state.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  message = wire_export_error_describe (state.error, file);
  g_assert_nonnull (strstr (message, "missing"));
  g_assert_nonnull (strstr (message, "does not exist"));
  g_clear_error (&state.error);

  /* No space: describe says so, naming the file. */
  {
    g_autoptr(GError) nospace = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NO_SPACE, "No space left");
    g_autofree char *sentence = wire_export_error_describe (nospace, file);

    g_assert_nonnull (strstr (sentence, "not enough space"));
    g_assert_nonnull (strstr (sentence, "metrics.ndjson"));
  }

  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_formats (void)
{
  WireExportFormat f;

  g_assert_true (wire_export_format_from_filename ("/tmp/x.har", &f));
  g_assert_cmpint (f, ==, WIRE_EXPORT_HAR);
  g_assert_true (wire_export_format_from_filename ("a.b/metrics.prom", &f));
  g_assert_cmpint (f, ==, WIRE_EXPORT_OPENMETRICS);
  g_assert_true (wire_export_format_from_string ("jsonl", &f));
  g_assert_cmpint (f, ==, WIRE_EXPORT_NDJSON);
  g_assert_false (wire_export_format_from_filename ("noext", &f));
  g_assert_false (wire_export_format_from_string ("xml", &f));
  for (f = 0; f < WIRE_N_EXPORT_FORMATS; f++)
    {
      WireExportFormat back;

      g_assert_true (wire_export_format_from_string (wire_export_format_to_string (f), &back));
      g_assert_cmpint (back, ==, f);
      g_assert_true (wire_export_format_from_filename (wire_export_format_get_extension (f), &back));
      g_assert_nonnull (wire_export_format_get_content_type (f));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/export/csv", test_csv);
  g_test_add_func ("/wire/export/ndjson", test_ndjson);
  g_test_add_func ("/wire/export/openmetrics", test_openmetrics);
  g_test_add_func ("/wire/export/openmetrics-reference-parsers", test_openmetrics_reference_parsers);
  g_test_add_func ("/wire/export/har", test_har);
  g_test_add_func ("/wire/export/no-tokens", test_no_tokens);
  g_test_add_func ("/wire/export/redact", test_redact);
  g_test_add_func ("/wire/export/formats", test_formats);
  g_test_add_func ("/wire/export/file-async", test_file_async);
  g_test_add_func ("/wire/export/file-cancelled", test_file_cancelled);
  g_test_add_func ("/wire/export/file-unwritable", test_file_unwritable);
  g_test_add_func ("/wire/recorder/ring-bounds", test_ring_bounds);
  g_test_add_func ("/wire/recorder/follows-connection", test_recorder_follows_connection);
  g_test_add_func ("/wire/recorder/message-bytes", test_message_bytes);
  g_test_add_func ("/wire/recorder/take-frames", test_recorder_take_frames);

  return g_test_run ();
}
