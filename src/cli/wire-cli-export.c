#define G_LOG_DOMAIN "wire-cli"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gio/gunixoutputstream.h>
#include <json-glib/json-glib.h>

#include "wire-core.h"
#include "wire-export.h"
#include "wire-recorder.h"
#include "wire-cli-connect.h"
#include "wire-cli-export.h"

typedef struct
{
  WireRecorder *recorder;
  GHashTable   *tracks;   /* file track number → recorder track, both as GUINT_TO_POINTER + 1 */
} Import;

static gboolean
state_from_string (const char          *str,
                   WireConnectionState *out)
{
  for (int s = WIRE_CONNECTION_DISCONNECTED; s <= WIRE_CONNECTION_ERROR; s++)
    {
      if (g_strcmp0 (str, wire_connection_state_to_string ((WireConnectionState) s)) == 0)
        {
          *out = (WireConnectionState) s;
          return TRUE;
        }
    }
  return FALSE;
}

static WireNetworkStatus
network_from_string (const char *str)
{
  for (int s = WIRE_NETWORK_ONLINE; s <= WIRE_NETWORK_OFFLINE; s++)
    {
      if (g_strcmp0 (str, wire_network_status_to_string ((WireNetworkStatus) s)) == 0)
        return (WireNetworkStatus) s;
    }
  return WIRE_NETWORK_ONLINE;
}

static const char *
get_string (JsonObject *o,
            const char *member)
{
  JsonNode *node = json_object_get_member (o, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
get_int (JsonObject *o,
         const char *member,
         gint64      fallback)
{
  JsonNode *node = json_object_get_member (o, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);
  return fallback;
}

static gboolean
lookup_track (Import      *import,
              JsonObject  *o,
              guint       *out_track,
              GError     **error)
{
  gint64 file_track = get_int (o, "track", -1);
  gpointer value;

  if (file_track < 0
      || (value = g_hash_table_lookup (import->tracks, GINT_TO_POINTER ((int) file_track + 1)))
             == NULL)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME,
                   "“track” %" G_GINT64_FORMAT " has no connection line before it", file_track);
      return FALSE;
    }
  *out_track = GPOINTER_TO_UINT (value) - 1;
  return TRUE;
}

static gboolean
import_line (Import      *import,
             JsonObject  *o,
             GError     **error)
{
  const char *kind = get_string (o, "kind");
  guint track;

  if (g_strcmp0 (kind, "connection") == 0)
    {
      WireEndpointKind endpoint = WIRE_ENDPOINT_CHAT;
      gint64 file_track = get_int (o, "track", -1);
      guint t;

      if (file_track < 0 || file_track > G_MAXINT - 1)
        {
          g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME, "“track” is missing");
          return FALSE;
        }
      wire_endpoint_kind_from_string (get_string (o, "type"), &endpoint);
      t = wire_recorder_add_track (import->recorder,
                                   get_string (o, "name") != NULL ? get_string (o, "name") : "",
                                   get_string (o, "url"), endpoint);
      g_hash_table_insert (import->tracks, GINT_TO_POINTER ((int) file_track + 1),
                           GUINT_TO_POINTER (t + 1));
      return TRUE;
    }

  if (!lookup_track (import, o, &track, error))
    return FALSE;

  if (g_strcmp0 (kind, "sample") == 0)
    {
      WireSample sample = { 0 };
      JsonObject *queue = json_object_has_member (o, "queue")
                              ? json_object_get_object_member (o, "queue") : NULL;

      sample.time_ms = get_int (o, "t", 0);
      if (!state_from_string (get_string (o, "state"), &sample.state))
        sample.state = WIRE_CONNECTION_DISCONNECTED;
      sample.messages_in = (guint64) get_int (o, "messagesIn", 0);
      sample.messages_out = (guint64) get_int (o, "messagesOut", 0);
      sample.bytes_in = (guint64) get_int (o, "bytesIn", 0);
      sample.bytes_out = (guint64) get_int (o, "bytesOut", 0);
      sample.rtt_ms = get_int (o, "rttMs", -1);
      for (guint p = 0; queue != NULL && p < WIRE_N_PRIORITIES; p++)
        sample.queue_depth[p] = (guint) get_int (queue, wire_priority_to_string ((WirePriority) p),
                                                 0);
      sample.in_flight = (guint) get_int (o, "inFlight", 0);
      sample.reconnects = (guint64) get_int (o, "reconnects", 0);
      sample.errors = (guint64) get_int (o, "errors", 0);
      sample.network = network_from_string (get_string (o, "network"));
      wire_recorder_push_sample (import->recorder, track, &sample);
    }
  else if (g_strcmp0 (kind, "transition") == 0)
    {
      WireTransition transition = { 0 };

      transition.time_ms = get_int (o, "t", 0);
      if (!state_from_string (get_string (o, "from"), &transition.from)
          || !state_from_string (get_string (o, "to"), &transition.to))
        {
          g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME,
                               "“from” or “to” is not a connection state");
          return FALSE;
        }
      transition.close_code = (int) get_int (o, "closeCode", 0);
      transition.attempt = (guint) get_int (o, "attempt", 0);
      transition.delay_ms = get_int (o, "delayMs", -1);
      transition.reason = (char *) get_string (o, "reason");
      wire_recorder_push_transition (import->recorder, track, &transition);
    }
  else if (g_strcmp0 (kind, "message") == 0)
    {
      WireMessageRecord record = { 0 };

      record.time_ms = get_int (o, "t", 0);
      record.direction = g_strcmp0 (get_string (o, "direction"),
                                    wire_direction_to_string (WIRE_DIRECTION_OUT)) == 0
                             ? WIRE_DIRECTION_OUT : WIRE_DIRECTION_IN;
      record.type = (char *) get_string (o, "type");
      record.id = (char *) get_string (o, "id");
      record.channel = (char *) get_string (o, "channel");
      record.event = (char *) get_string (o, "event");
      if (!wire_priority_from_string (get_string (o, "priority"), &record.priority))
        record.priority = WIRE_PRIORITY_NORMAL;
      record.size = (guint) get_int (o, "size", 0);
      record.status = (char *) get_string (o, "status");
      record.text = (char *) get_string (o, "frame");
      wire_recorder_push_message (import->recorder, track, &record);
    }
  else
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME, "unknown “kind” %s",
                   kind != NULL ? kind : "(none)");
      return FALSE;
    }
  return TRUE;
}

static void
export_usage_error (const char *message)
{
  fprintf (stderr, "wirescope-cli export: %s\n"
                   "Run “wirescope-cli export --help” to see the options.\n", message);
}

int
wire_cli_export_run (int    argc,
                     char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *output = NULL;
  g_autoptr (GFile) input = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  guint n_lines;
  g_autoptr (WireRecorder) recorder = NULL;
  g_autoptr (WireRecording) recording = NULL;
  g_autoptr (GHashTable) tracks = NULL;
  WireExportFormat format = WIRE_EXPORT_CSV;
  gboolean have_format = FALSE;
  guint line_number = 0;
  guint bad_lines = 0;
  Import import;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      "csv, ndjson, openmetrics or har (default: from the --output name)", "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "Write to FILE (default: standard output)", "FILE" },
    { NULL },
  };

  args = g_new0 (char *, argc + 1);
  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);

  context = g_option_context_new ("RECORDING.ndjson — convert a recorded session");
  g_option_context_set_description (context,
    "Reads a recording written by “wirescope-cli connect --record FILE.ndjson” and writes it as\n"
    "CSV (one row per connection per second), NDJSON, OpenMetrics text or HAR 1.2 (opens in\n"
    "browser developer tools). A file is written under a temporary name and renamed when done.\n");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse_strv (context, &args, &error))
    {
      export_usage_error (error->message);
      return WIRE_CLI_EXIT_USAGE;
    }
  if (g_strv_length (args) != 2)
    {
      export_usage_error ("give exactly one recording file");
      return WIRE_CLI_EXIT_USAGE;
    }
  if (format_name != NULL)
    {
      if (!wire_export_format_from_string (format_name, &format))
        {
          g_autofree char *message = g_strdup_printf (
            "--format: unknown format “%s” (use csv, ndjson, openmetrics or har)", format_name);

          export_usage_error (message);
          return WIRE_CLI_EXIT_USAGE;
        }
      have_format = TRUE;
    }
  else if (output != NULL && !g_str_equal (output, "-"))
    {
      have_format = wire_export_format_from_filename (output, &format);
    }
  if (!have_format)
    {
      export_usage_error ("--format is needed (it cannot be told from the output name)");
      return WIRE_CLI_EXIT_USAGE;
    }

  input = g_file_new_for_commandline_arg (args[1]);
  if (!g_file_load_contents (input, NULL, &contents, &length, NULL, &error))
    {
      fprintf (stderr, "wirescope-cli export: %s\n", error->message);
      return WIRE_CLI_EXIT_USAGE;
    }
  /* Every line is at most one item, so the recorder keeps them all. */
  n_lines = 1;
  for (gsize i = 0; i < length; i++)
    n_lines += contents[i] == '\n';
  recorder = wire_recorder_new (MIN (n_lines, G_MAXUINT32 / 2), MIN (n_lines, G_MAXUINT32 / 2));
  tracks = g_hash_table_new (NULL, NULL);
  import.recorder = recorder;
  import.tracks = tracks;

  for (char *line = contents, *next; line != NULL && line < contents + length; line = next)
    {
      g_autoptr (JsonParser) parser = NULL;
      char *end = memchr (line, '\n', (gsize) (contents + length - line));
      JsonNode *root;

      if (end != NULL)
        {
          *end = '\0';
          next = end + 1;
        }
      else
        {
          next = NULL;
        }
      line_number++;
      g_strstrip (line);
      if (*line == '\0')
        continue;

      parser = json_parser_new ();
      if (!g_utf8_validate (line, -1, NULL)
          || !json_parser_load_from_data (parser, line, -1, &error)
          || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root)
          || !import_line (&import, json_node_get_object (root), &error))
        {
          fprintf (stderr, "wirescope-cli export: %s:%u: %s (line skipped)\n", args[1],
                   line_number, error != NULL ? error->message : "not a JSON object in UTF-8");
          g_clear_error (&error);
          bad_lines++;
        }
    }

  if (wire_recorder_get_n_tracks (recorder) == 0)
    {
      fprintf (stderr, "wirescope-cli export: %s holds no recorded connection\n", args[1]);
      return WIRE_CLI_EXIT_FAILED;
    }

  recording = wire_recorder_snapshot (recorder);
  if (output == NULL || g_str_equal (output, "-"))
    {
      g_autoptr (GOutputStream) out = g_unix_output_stream_new (1, FALSE);

      if (!wire_export_to_stream (recording, format, out, NULL, NULL, NULL, &error)
          || !g_output_stream_flush (out, NULL, &error))
        {
          fprintf (stderr, "wirescope-cli export: %s\n", error->message);
          return WIRE_CLI_EXIT_FAILED;
        }
    }
  else
    {
      g_autoptr (GFile) file = g_file_new_for_commandline_arg (output);

      if (!wire_export_file (recording, format, file, NULL, &error))
        {
          g_autofree char *sentence = wire_export_error_describe (error, file);

          fprintf (stderr, "wirescope-cli export: %s\n", sentence);
          return WIRE_CLI_EXIT_FAILED;
        }
    }
  return bad_lines > 0 ? WIRE_CLI_EXIT_FAILED : WIRE_CLI_EXIT_OK;
}
