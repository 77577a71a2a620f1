#define G_LOG_DOMAIN "wire-cli"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>
#include <gio/gunixinputstream.h>

#include "wire-core.h"
#include "wire-export.h"
#include "wire-recorder.h"
#include "wire-settings.h"
#include "wire-cli-config-options.h"
#include "wire-cli-connect.h"
#include "wire-cli-metrics-server.h"
#include "wire-cli-publisher.h"
#include "wire-cli-reporter.h"

/* How long a clean close (1000) may take before the command exits anyway. */
#define CLOSE_GRACE_MS 3000

typedef struct _Cli Cli;

/* One connection of the run, in command-line order. */
typedef struct
{
  Cli            *cli;
  WireConnection *connection;
  guint           index;
  int             outcome;   /* -1 while it runs, else the exit status it ended with */
  const char     *outcome_reason;
  guint           check_id;
} Link;

struct _Cli
{
  GMainLoop         *loop;
  WireConfig        *config;
  WireManager       *manager;
  GPtrArray         *links;
  WireCliPublisher  *publisher;
  GSettings         *settings;
  WireRecorder      *recorder;
  WireCliMetricsServer *metrics_server;
  char              *record_path;
  WireExportFormat   record_format;
  GCancellable      *cancellable;
  WireCliReporter   *reporter;
  char              *token;
  char              *token_file;

  guint              metrics_id;
  guint              duration_id;
  guint              sigint_id;
  guint              sigterm_id;
  guint              close_timeout_id;
  guint              network_idle_id;

  gboolean           closing;
  gboolean           done;
  int                exit_status;
  const char        *exit_reason;
  guint              pending_publishes;

  gboolean           network_known;
  WireNetworkStatus  network_status;
  gint64             network_latency;
};

typedef struct
{
  Cli   *cli;
  guint  index;
  guint  line;
  char  *id;
} PublishData;

static void begin_close (Cli        *cli,
                         int         status,
                         const char *reason);

static void
usage_error (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static void
usage_error (const char *format,
             ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "wirescope-cli connect: %s\n"
                   "Run “wirescope-cli connect --help” to see the options.\n", message);
}

static char *
read_token_file (const char  *path,
                 GError     **error)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  g_strstrip (contents);
  if (*contents == '\0')
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT, "%s holds no token", path);
      return NULL;
    }
  return g_steal_pointer (&contents);
}

/* Asked before every (re)connect; with a token file the file is read again, so a token rotated
 * on disk is picked up, and the refresh after a 4001 can succeed. */
static char *
token_cb (gpointer user_data,
          gboolean refresh)
{
  Cli *cli = user_data;

  if (cli->token_file != NULL)
    {
      g_autoptr (GError) error = NULL;
      char *token = read_token_file (cli->token_file, &error);

      if (token != NULL)
        {
          g_free (cli->token);
          cli->token = token;
        }
      else
        {
          fprintf (stderr, "wirescope-cli: cannot read the token again: %s\n", error->message);
        }
    }
  return g_strdup (cli->token);
}

static void
emit_all_metrics (Cli      *cli,
                  gboolean  final)
{
  for (guint i = 0; i < cli->links->len; i++)
    {
      Link *link = g_ptr_array_index (cli->links, i);

      wire_cli_reporter_metrics (cli->reporter, link->index, link->connection, final);
    }
}

static gboolean
metrics_cb (gpointer user_data)
{
  emit_all_metrics (user_data, FALSE);
  return G_SOURCE_CONTINUE;
}

static gboolean
is_active (WireConnectionState state)
{
  return state == WIRE_CONNECTION_CONNECTING || state == WIRE_CONNECTION_AUTHENTICATING
         || state == WIRE_CONNECTION_CONNECTED || state == WIRE_CONNECTION_RECONNECTING;
}

static int
worst_outcome (Cli *cli)
{
  /* Authentication trouble is the most specific thing to tell a script, then giving up. */
  static const int order[] = { WIRE_CLI_EXIT_AUTH_REFUSED, WIRE_CLI_EXIT_GAVE_UP,
                               WIRE_CLI_EXIT_FAILED };

  for (guint k = 0; k < G_N_ELEMENTS (order); k++)
    {
      for (guint i = 0; i < cli->links->len; i++)
        {
          Link *link = g_ptr_array_index (cli->links, i);

          if (link->outcome == order[k])
            return order[k];
        }
    }
  return WIRE_CLI_EXIT_OK;
}

static void
finish_close (Cli *cli)
{
  if (cli->done)
    return;
  cli->done = TRUE;
  g_clear_handle_id (&cli->close_timeout_id, g_source_remove);

  emit_all_metrics (cli, TRUE);
  wire_cli_reporter_exit (cli->reporter, cli->exit_status, cli->exit_reason);
  g_main_loop_quit (cli->loop);
}

static void
check_closed (Cli *cli)
{
  if (!cli->closing || cli->done)
    return;
  for (guint i = 0; i < cli->links->len; i++)
    {
      Link *link = g_ptr_array_index (cli->links, i);

      if (is_active (wire_connection_get_state (link->connection)))
        return;
    }
  finish_close (cli);
}

static gboolean
close_timeout_cb (gpointer user_data)
{
  Cli *cli = user_data;

  cli->close_timeout_id = 0;
  fprintf (stderr, "wirescope-cli: the connections did not close in time; exiting anyway\n");
  finish_close (cli);
  return G_SOURCE_REMOVE;
}

static void
begin_close (Cli        *cli,
             int         status,
             const char *reason)
{
  if (cli->closing)
    return;
  cli->closing = TRUE;
  cli->exit_status = status;
  cli->exit_reason = reason;

  g_clear_handle_id (&cli->metrics_id, g_source_remove);
  g_clear_handle_id (&cli->duration_id, g_source_remove);
  /* Stop serving now, so a scrape in progress finishes while the connections close. */
  g_clear_object (&cli->metrics_server);
  if (cli->publisher != NULL)
    wire_cli_publisher_stop (cli->publisher);

  wire_manager_disconnect_all (cli->manager);
  cli->close_timeout_id = g_timeout_add (CLOSE_GRACE_MS, close_timeout_cb, cli);
  check_closed (cli);
}

/* Runs after a transition settled: a connection that rests in disconnected or error without our
 * asking has ended, and the run ends when all of them have. */
static gboolean
check_outcome_cb (gpointer user_data)
{
  Link *link = user_data;
  Cli *cli = link->cli;
  WireConnectionState state = wire_connection_get_state (link->connection);
  int code = wire_connection_get_last_close_code (link->connection);
  gboolean gave_up = wire_backoff_gave_up (wire_connection_get_backoff (link->connection));

  link->check_id = 0;
  if (cli->closing || link->outcome >= 0 || is_active (state))
    return G_SOURCE_REMOVE;

  if (state == WIRE_CONNECTION_ERROR
      && (code == WIRE_CLOSE_BAD_REQUEST || code == WIRE_CLOSE_INVALID_TOKEN
          || code == WIRE_CLOSE_FORBIDDEN))
    {
      link->outcome = WIRE_CLI_EXIT_AUTH_REFUSED;
      link->outcome_reason = "auth_refused";
    }
  else if (gave_up)
    {
      link->outcome = WIRE_CLI_EXIT_GAVE_UP;
      link->outcome_reason = "gave_up";
    }
  else if (state == WIRE_CONNECTION_ERROR)
    {
      link->outcome = WIRE_CLI_EXIT_FAILED;
      link->outcome_reason = "failed";
    }
  else
    {
      link->outcome = WIRE_CLI_EXIT_OK;
      link->outcome_reason = "closed";
    }

  wire_cli_reporter_ended (cli->reporter, link->index,
                           link->outcome == WIRE_CLI_EXIT_AUTH_REFUSED ? "authentication refused"
                           : link->outcome == WIRE_CLI_EXIT_GAVE_UP   ? "gave up reconnecting"
                           : link->outcome == WIRE_CLI_EXIT_FAILED    ? "error"
                                                                      : "closed",
                           wire_connection_get_last_error (link->connection), code);

  for (guint i = 0; i < cli->links->len; i++)
    {
      Link *other = g_ptr_array_index (cli->links, i);

      if (other->outcome < 0)
        return G_SOURCE_REMOVE;
    }
  begin_close (cli, worst_outcome (cli), link->outcome_reason);
  return G_SOURCE_REMOVE;
}

static void
transition_cb (WireConnection *connection,
               WireTransition *transition,
               gpointer        user_data)
{
  Link *link = user_data;
  Cli *cli = link->cli;
  wire_cli_reporter_state (cli->reporter, link->index, connection, transition);

  if (cli->closing)
    {
      check_closed (cli);
      return;
    }
  if (link->check_id == 0 && !is_active (transition->to))
    link->check_id = g_idle_add (check_outcome_cb, link);
}

static void
message_cb (WireConnection *connection,
            WireEnvelope   *envelope,
            gpointer        user_data)
{
  Link *link = user_data;

  wire_cli_reporter_message (link->cli->reporter, link->index, envelope);
}

static void
subscribed_cb (WireConnection *connection,
               char          **granted,
               char          **denied,
               gpointer        user_data)
{
  Link *link = user_data;

  wire_cli_reporter_subscribed (link->cli->reporter, link->index, granted, denied);
}

static gboolean
network_idle_cb (gpointer user_data)
{
  Cli *cli = user_data;
  WireNetworkMonitor *monitor = wire_manager_get_network_monitor (cli->manager);
  WireNetworkStatus status = wire_network_monitor_get_status (monitor);
  gint64 latency = wire_network_monitor_get_latency_ms (monitor);

  cli->network_idle_id = 0;
  if (cli->network_known && status == cli->network_status && latency == cli->network_latency)
    return G_SOURCE_REMOVE;
  cli->network_known = TRUE;
  cli->network_status = status;
  cli->network_latency = latency;

  wire_cli_reporter_network (cli->reporter, status, latency);
  return G_SOURCE_REMOVE;
}

/* Status and latency change together after a probe: one line for both. */
static void
network_notify_cb (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  Cli *cli = user_data;

  if (cli->network_idle_id == 0 && !cli->done)
    cli->network_idle_id = g_idle_add (network_idle_cb, cli);
}

static void
publish_data_free (PublishData *pd)
{
  g_free (pd->id);
  g_free (pd);
}

static void
publish_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PublishData *pd = user_data;
  Cli *cli = pd->cli;
  const char *status = NULL;
  g_autoptr (GError) error = NULL;

  cli->pending_publishes--;
  if (!wire_connection_publish_finish (WIRE_CONNECTION (source), result, &status, &error)
      && cli->done && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      publish_data_free (pd);
      return;
    }

  if (cli->done)
    {
      publish_data_free (pd);
      return;
    }

  wire_cli_reporter_publish (cli->reporter, pd->index, pd->id, pd->line, status, error);
  publish_data_free (pd);
}

static Link *
pick_link (Cli                         *cli,
           const WireCliPublishRequest *request)
{
  if (request->connection >= 0)
    {
      if ((guint) request->connection >= cli->links->len)
        return NULL;
      return g_ptr_array_index (cli->links, request->connection);
    }

  /* The first connection that asked for (or was granted) the channel; else the first one. */
  for (guint i = 0; i < cli->links->len; i++)
    {
      Link *link = g_ptr_array_index (cli->links, i);
      const char * const *available = wire_connection_get_available_channels (link->connection);
      g_auto (GStrv) requested = NULL;

      if (available != NULL && g_strv_contains (available, request->channel))
        return link;
      g_object_get (link->connection, "channels", &requested, NULL);
      if (requested != NULL && g_strv_contains ((const char * const *) requested,
                                                request->channel))
        return link;
    }
  return g_ptr_array_index (cli->links, 0);
}

static void
publish_request_cb (const WireCliPublishRequest *request,
                    gpointer                     user_data)
{
  Cli *cli = user_data;
  Link *link;
  PublishData *pd;
  WirePriority priority;

  if (cli->closing)
    return;

  link = pick_link (cli, request);
  if (link == NULL)
    {
      fprintf (stderr, "wirescope-cli: publish line %u: there is no connection %d (line skipped)\n",
               request->line, request->connection);
      fflush (stderr);
      return;
    }

  priority = request->priority;
  if (!request->has_priority)
    priority = wire_settings_priority_for_event (cli->settings, request->event);

  pd = g_new0 (PublishData, 1);
  pd->cli = cli;
  pd->index = link->index;
  pd->line = request->line;
  cli->pending_publishes++;
  pd->id = wire_connection_publish_async (link->connection, request->channel, request->event,
                                          priority, request->payload_json,
                                          cli->cancellable, publish_done_cb, pd);
}

static void
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
duration_cb (gpointer user_data)
{
  Cli *cli = user_data;

  cli->duration_id = 0;
  begin_close (cli, worst_outcome (cli), "duration");
  return G_SOURCE_REMOVE;
}

static gboolean
sigint_cb (gpointer user_data)
{
  Cli *cli = user_data;

  if (cli->closing)
    {
      /* A second Ctrl-C: do not wait for the close handshake. */
      finish_close (cli);
      return G_SOURCE_CONTINUE;
    }
  wire_cli_reporter_note (cli->reporter, "interrupted, closing");
  begin_close (cli, worst_outcome (cli), "interrupted");
  return G_SOURCE_CONTINUE;
}

/* --record: the last sample, then the whole recording in one file (written to a temporary name
 * and renamed, so an interrupted write never leaves half a file). */
static gboolean
write_record (Cli *cli)
{
  g_autoptr (WireRecording) recording = NULL;
  g_autoptr (GFile) file = g_file_new_for_commandline_arg (cli->record_path);
  g_autoptr (GError) error = NULL;

  wire_recorder_sample_now (cli->recorder);
  wire_recorder_stop (cli->recorder);
  recording = wire_recorder_snapshot (cli->recorder);
  if (!wire_export_file (recording, cli->record_format, file, NULL, &error))
    {
      g_autofree char *sentence = wire_export_error_describe (error, file);

      fprintf (stderr, "wirescope-cli: --record: %s\n", sentence);
      return FALSE;
    }
  if (!wire_cli_reporter_is_json (cli->reporter))
    fprintf (stderr, "wirescope-cli: recorded %" G_GUINT64_FORMAT " items to %s (%s)\n",
             wire_recording_get_n_items (recording), cli->record_path,
             wire_export_format_to_string (cli->record_format));
  return TRUE;
}

static void
link_free (Link *link)
{
  g_clear_handle_id (&link->check_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (link->connection, link);
  g_clear_object (&link->connection);
  g_free (link);
}

/* The channel an endpoint is about, asked for when no --channel is given. */
static char *
default_channel (WireConnection *connection)
{
  const char *slot = wire_connection_get_slot_id (connection);

  switch (wire_connection_get_kind (connection))
    {
    case WIRE_ENDPOINT_CHAT:
      return g_strdup_printf ("chat:%s", slot);
    case WIRE_ENDPOINT_AGENT_STATUS:
      return g_strdup_printf ("agent:%s", slot);
    case WIRE_ENDPOINT_TRIP_COLLAB:
      return g_strdup_printf ("trip:%s", slot);
    case WIRE_ENDPOINT_NOTIFICATIONS:
      return g_strdup_printf ("notifications:%s", slot);
    case WIRE_ENDPOINT_ADMIN:
      return g_strdup ("admin:sessions");
    default:
      return NULL;
    }
}

static gboolean
check_url (const char *url)
{
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *slot_id = NULL;
  WireEndpointKind kind;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  if (uri == NULL)
    {
      usage_error ("“%s” is not a URL: %s", url, error->message);
      return FALSE;
    }
  if (g_strcmp0 (g_uri_get_scheme (uri), "ws") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "wss") != 0)
    {
      usage_error ("“%s”: the URL must start with ws:// or wss://", url);
      return FALSE;
    }
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      usage_error ("“%s”: the URL has no host", url);
      return FALSE;
    }
  /* Checked here too, so that a usage error never starts the connection machinery. */
  if (!wire_endpoint_parse_path (g_uri_get_path (uri), &kind, &slot_id, &error))
    {
      usage_error ("“%s” is not a gateway endpoint: %s", url, error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_arguments (const char * const *args,
                 double              duration,
                 const char         *record,
                 const char         *record_format,
                 WireExportFormat   *out_format)
{
  if (g_strv_length ((char **) args) < 2)
    {
      usage_error ("no URL given");
      return FALSE;
    }
  for (guint i = 1; args[i] != NULL; i++)
    {
      if (!check_url (args[i]))
        return FALSE;
    }
  if (duration < 0 || duration > 365.0 * 24 * 3600)
    {
      usage_error ("--duration: %g is not a number of seconds", duration);
      return FALSE;
    }

  *out_format = WIRE_EXPORT_NDJSON;
  if (record_format != NULL && !wire_export_format_from_string (record_format, out_format))
    {
      usage_error ("--record-format: unknown format “%s” (use csv, ndjson, openmetrics or har)",
                   record_format);
      return FALSE;
    }
  if (record_format != NULL && record == NULL)
    {
      usage_error ("--record-format needs --record FILE");
      return FALSE;
    }
  if (record != NULL && record_format == NULL)
    wire_export_format_from_filename (record, out_format);
  return TRUE;
}

static const char description[] =
  "Connects to every URL (ws:// or wss:// with a path of the gateway protocol, e.g.\n"
  "ws://localhost:8080/ws/chat/session-1) in one connection manager and logs what happens.\n"
  "\n"
  "Without --channel each connection asks for its endpoint's own channel (chat:ID, agent:ID,\n"
  "trip:ID, notifications:ID, admin:sessions); --channel channels are asked for on every connection.\n"
  "\n"
  "--json prints one JSON object per line. Every line has \"t\", milliseconds since the command\n"
  "started (monotonic clock), and \"event\", one of: state, message, subscribed, ack,\n"
  "publish_failed, network, listening (--metrics-listen), metrics (every second and, with\n"
  "\"final\":true, at exit) and exit.\n"
  "Connection events carry \"connection\", the URL's position on the command line (from 0).\n"
  "\n"
  "--publish reads one JSON object per line, {\"channel\",\"event\",\"priority\",\"payload\"}\n"
  "(optionally \"connection\": N), from FILE or from standard input (-), and queues each one, also\n"
  "while disconnected. A bad line is reported on standard error with its number and skipped.\n"
  "\n"
  "The token comes from --token, --token-file (read again before every reconnect) or the\n"
  "WIRESCOPE_TOKEN environment variable; it is never printed.\n"
  "\n"
  "Exit status: 0 done (closed, --duration elapsed or Ctrl-C), 1 a connection ended in an error\n"
  "state, 2 usage error, 3 authentication refused (4000, 4003, or 4001 after one token refresh),\n"
  "4 gave up reconnecting (--reconnect-max-attempts).\n";

int
wire_cli_connect_run (int    argc,
                      char **argv)
{
  g_autoptr (WireConfig) config = wire_config_new ();
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args = NULL;
  g_auto (GStrv) channels = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *publish = NULL;
  g_autofree char *record = NULL;
  g_autofree char *record_format = NULL;
  g_autofree char *metrics_listen = NULL;
  gboolean no_settings = FALSE;
  gboolean json = FALSE;
  double duration = 0;
  Cli cli = { 0 };
  int status = WIRE_CLI_EXIT_OK;
  GOptionEntry entries[] = {
    { "token", 0, 0, G_OPTION_ARG_STRING, &token, "Bearer token (JWT); prefer --token-file",
      "TOKEN" },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      "Read the token from FILE (surrounding whitespace is trimmed)", "FILE" },
    { "session", 0, 0, G_OPTION_ARG_STRING, &session_id, "Chat session id sent at authentication",
      "ID" },
    { "channel", 0, 0, G_OPTION_ARG_STRING_ARRAY, &channels, "Ask for CHANNEL (repeatable)",
      "CHANNEL" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON object per line per event", NULL },
    { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &duration,
      "Close cleanly after SECONDS (exit 0)", "SECONDS" },
    { "publish", 0, 0, G_OPTION_ARG_FILENAME, &publish,
      "Publish the JSON lines of FILE (- = standard input)", "FILE" },
    { "record", 0, 0, G_OPTION_ARG_FILENAME, &record,
      "Record samples, state changes and messages; write them to FILE at exit", "FILE" },
    { "record-format", 0, 0, G_OPTION_ARG_STRING, &record_format,
      "csv, ndjson, openmetrics or har (default: from the --record file name, else ndjson)",
      "FORMAT" },
    { "metrics-listen", 0, 0, G_OPTION_ARG_STRING, &metrics_listen,
      "Serve OpenMetrics for Prometheus at http://HOST:PORT/metrics", "HOST:PORT" },
    { "no-settings", 0, 0, G_OPTION_ARG_NONE, &no_settings,
      "Ignore the saved settings (GSettings) and start from the defaults", NULL },
    { NULL },
  };

  args = g_new0 (char *, argc + 1);
  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);

  /* The saved settings are the base the flags override, so they are applied before parsing. */
  for (int i = 1; i < argc && !g_str_equal (argv[i], "--"); i++)
    {
      if (g_str_equal (argv[i], "--no-settings"))
        no_settings = TRUE;
    }
  if (!no_settings)
    cli.settings = wire_settings_new_if_installed ();
  if (cli.settings != NULL)
    wire_settings_apply_to_config (cli.settings, config);

  context = g_option_context_new ("URL… — monitor connections to a Wirescope gateway");
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, wire_cli_config_option_group_new (config));
  if (!g_option_context_parse_strv (context, &args, &error))
    {
      usage_error ("%s", error->message);
      status = WIRE_CLI_EXIT_USAGE;
      goto out;
    }
  if (!check_arguments ((const char * const *) args, duration, record, record_format,
                        &cli.record_format))
    {
      status = WIRE_CLI_EXIT_USAGE;
      goto out;
    }

  if (token != NULL && token_file != NULL)
    {
      usage_error ("give either --token or --token-file, not both");
      status = WIRE_CLI_EXIT_USAGE;
      goto out;
    }
  if (token_file != NULL)
    {
      token = read_token_file (token_file, &error);
      if (token == NULL)
        {
          usage_error ("--token-file: %s", error->message);
          status = WIRE_CLI_EXIT_USAGE;
          goto out;
        }
    }
  else if (token == NULL && g_getenv ("WIRESCOPE_TOKEN") != NULL)
    {
      token = g_strstrip (g_strdup (g_getenv ("WIRESCOPE_TOKEN")));
    }
  if (token == NULL || *token == '\0')
    {
      usage_error ("a token is needed: --token, --token-file or WIRESCOPE_TOKEN");
      status = WIRE_CLI_EXIT_USAGE;
      goto out;
    }

  cli.reporter = wire_cli_reporter_new (json);
  cli.config = config;
  cli.token = g_steal_pointer (&token);
  cli.token_file = g_steal_pointer (&token_file);
  cli.exit_reason = "closed";
  cli.manager = wire_manager_new (config);
  cli.links = g_ptr_array_new_with_free_func ((GDestroyNotify) link_free);
  cli.cancellable = g_cancellable_new ();

  status = WIRE_CLI_EXIT_OK;
  for (guint i = 1; args[i] != NULL; i++)
    {
      WireConnection *connection;
      Link *link;

      connection = wire_manager_add_connection (cli.manager, args[i], NULL, session_id,
                                                (const char * const *) channels, &error);
      if (connection == NULL)
        {
          usage_error ("%s: %s", args[i], error->message);
          status = WIRE_CLI_EXIT_USAGE;
          goto out;
        }
      if (channels == NULL)
        {
          g_autofree char *channel = default_channel (connection);
          const char *list[] = { channel, NULL };

          if (channel != NULL)
            wire_connection_set_channels (connection, list);
        }
      wire_connection_set_token_func (connection, token_cb, &cli, NULL);

      link = g_new0 (Link, 1);
      link->cli = &cli;
      link->connection = g_object_ref (connection);
      link->index = cli.links->len;
      link->outcome = -1;
      g_ptr_array_add (cli.links, link);

      g_signal_connect (connection, "transition", G_CALLBACK (transition_cb), link);
      g_signal_connect (connection, "message", G_CALLBACK (message_cb), link);
      g_signal_connect (connection, "subscribed", G_CALLBACK (subscribed_cb), link);
    }

  g_signal_connect (wire_manager_get_network_monitor (cli.manager), "notify",
                    G_CALLBACK (network_notify_cb), &cli);

  if (record != NULL || metrics_listen != NULL)
    {
      cli.recorder = wire_recorder_new (0, 0);
      for (guint i = 0; i < cli.links->len; i++)
        {
          Link *link = g_ptr_array_index (cli.links, i);

          wire_recorder_add_connection (cli.recorder, link->connection);
        }
      wire_recorder_start (cli.recorder);
      cli.record_path = g_strdup (record);
    }
  if (metrics_listen != NULL)
    {
      cli.metrics_server = wire_cli_metrics_server_new (cli.recorder);
      if (!wire_cli_metrics_server_listen (cli.metrics_server, metrics_listen, &error))
        {
          if (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE))
            usage_error ("%s", error->message);
          else
            fprintf (stderr, "wirescope-cli: --metrics-listen %s: %s\n", metrics_listen,
                     error->message);
          status = WIRE_CLI_EXIT_USAGE;
          goto out;
        }
      wire_cli_reporter_listening (cli.reporter, wire_cli_metrics_server_get_url (cli.metrics_server));
    }

  if (publish != NULL)
    {
      g_autoptr (GInputStream) stream = NULL;

      if (g_str_equal (publish, "-"))
        {
          stream = g_unix_input_stream_new (0, FALSE);
        }
      else
        {
          g_autoptr (GFile) file = g_file_new_for_commandline_arg (publish);

          stream = G_INPUT_STREAM (g_file_read (file, NULL, &error));
          if (stream == NULL)
            {
              usage_error ("--publish: %s", error->message);
              status = WIRE_CLI_EXIT_USAGE;
              goto out;
            }
        }
      cli.publisher = wire_cli_publisher_new (stream,
                                              g_str_equal (publish, "-") ? "stdin" : publish,
                                              publish_request_cb, &cli);
    }

  cli.loop = g_main_loop_new (NULL, FALSE);
  cli.sigint_id = g_unix_signal_add (SIGINT, sigint_cb, &cli);
  cli.sigterm_id = g_unix_signal_add (SIGTERM, sigint_cb, &cli);
  cli.metrics_id = g_timeout_add (1000, metrics_cb, &cli);
  if (duration > 0)
    cli.duration_id = g_timeout_add ((guint) (duration * 1000), duration_cb, &cli);

  wire_manager_connect_all (cli.manager);
  network_notify_cb (NULL, NULL, &cli);
  if (cli.publisher != NULL)
    wire_cli_publisher_start (cli.publisher);

  g_main_loop_run (cli.loop);
  status = cli.exit_status;
  if (cli.record_path != NULL && !write_record (&cli) && status == WIRE_CLI_EXIT_OK)
    status = WIRE_CLI_EXIT_FAILED;

out:
  g_clear_handle_id (&cli.metrics_id, g_source_remove);
  g_clear_handle_id (&cli.duration_id, g_source_remove);
  g_clear_handle_id (&cli.sigint_id, g_source_remove);
  g_clear_handle_id (&cli.sigterm_id, g_source_remove);
  g_clear_handle_id (&cli.close_timeout_id, g_source_remove);
  g_clear_handle_id (&cli.network_idle_id, g_source_remove);
  cli.done = TRUE;
  g_clear_object (&cli.publisher);
  g_clear_object (&cli.metrics_server);
  if (cli.recorder != NULL)
    wire_recorder_stop (cli.recorder);
  g_clear_object (&cli.recorder);
  g_cancellable_cancel (cli.cancellable);
  if (cli.manager != NULL)
    g_signal_handlers_disconnect_by_data (wire_manager_get_network_monitor (cli.manager), &cli);
  g_clear_pointer (&cli.links, g_ptr_array_unref);
  g_clear_object (&cli.manager);

  /* Cancelled publishes report back from idle callbacks that still point at cli. */
  if (cli.pending_publishes > 0)
    {
      gboolean timed_out = FALSE;
      guint timeout_id = g_timeout_add_once (2000, set_flag_cb, &timed_out);

      while (cli.pending_publishes > 0 && !timed_out)
        g_main_context_iteration (NULL, TRUE);
      if (!timed_out)
        g_source_remove (timeout_id);
    }

  /* What is already due (closed sockets, finished requests) still runs, so nothing is left
   * half torn down; a bounded number of rounds, since new work may keep arriving. */
  for (guint i = 0; i < 100 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);

  g_clear_object (&cli.cancellable);
  g_clear_pointer (&cli.loop, g_main_loop_unref);
  g_clear_pointer (&cli.reporter, wire_cli_reporter_free);
  if (cli.token != NULL)
    memset (cli.token, 0, strlen (cli.token));
  g_free (cli.token);
  g_free (cli.token_file);
  g_free (cli.record_path);
  g_clear_object (&cli.settings);
  return status;
}
