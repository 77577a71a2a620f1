#define G_LOG_DOMAIN "wire-test-cli"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* wirescope-cli end to end: the built executable runs as a child against the real gateway,
 * in-process on a free loopback port; the test reads its JSON event stream line by line and
 * waits on the main loop. */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "wire-gateway.h"

#define WAIT_TIMEOUT_MS 60000

typedef struct
{
  WireGateway   *gateway;
  char          *base_url;   /* ws://127.0.0.1:PORT */
  char          *tmpdir;

  GSubprocess   *process;
  GDataInputStream *out;
  GCancellable  *cancellable;
  GPtrArray     *lines;      /* JsonObject *, one per stdout line that is JSON */
  GString       *raw_out;
  GString       *raw_err;
  gboolean       out_done;
  gboolean       err_done;
  gboolean       exited;
  int            exit_status;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  const char *with_gateway = data;

  fx->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  fx->raw_out = g_string_new (NULL);
  fx->raw_err = g_string_new (NULL);
  fx->cancellable = g_cancellable_new ();
  fx->tmpdir = g_dir_make_tmp ("wirescope-cli-test-XXXXXX", &error);
  g_assert_no_error (error);

  if (with_gateway == NULL)
    return;
  fx->gateway = wire_gateway_new ();
  wire_gateway_set_secret (fx->gateway, (const guint8 *) "cli-test-secret", 15);
  g_assert_true (wire_gateway_listen (fx->gateway, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  fx->base_url = g_strdup (wire_gateway_get_url (fx->gateway));
  g_assert_nonnull (fx->base_url);
}

static void
remove_tree (const char *path)
{
  /* Recursive: the settings test nests a schema and a keyfile directory. */
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_cancellable_cancel (fx->cancellable);
  if (fx->process != NULL && !fx->exited)
    g_subprocess_force_exit (fx->process);
  /* Let the cancelled reads and the wait report before the objects go. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&fx->out);
  g_clear_object (&fx->process);
  g_clear_object (&fx->cancellable);
  if (fx->gateway != NULL)
    {
      wire_gateway_shutdown (fx->gateway);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_finalize_object (fx->gateway);
    }
  g_free (fx->base_url);
  g_ptr_array_unref (fx->lines);
  g_string_free (fx->raw_out, TRUE);
  g_string_free (fx->raw_err, TRUE);
  remove_tree (fx->tmpdir);
  g_free (fx->tmpdir);
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Predicate) (Fixture *fx, gconstpointer data);

/* Iterates the main loop until @predicate holds; fails the test after WAIT_TIMEOUT_MS. */
static void
wait_for (Fixture       *fx,
          Predicate      predicate,
          gconstpointer  data,
          const char    *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (WAIT_TIMEOUT_MS, timeout_cb, &timed_out);

  while (!predicate (fx, data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    {
      g_printerr ("stdout:\n%s\nstderr:\n%s\n", fx->raw_out->str, fx->raw_err->str);
      g_error ("timed out waiting for %s", what);
    }
  g_source_remove (id);
}

static void read_next_line (Fixture *fx);

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *fx = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL,
                                                    &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (line == NULL)
    {
      fx->out_done = TRUE;
      return;
    }
  g_string_append_printf (fx->raw_out, "%s\n", line);
  if (line[0] == '{')
    {
      g_autoptr (JsonParser) parser = json_parser_new ();

      if (!json_parser_load_from_data (parser, line, -1, &error))
        g_error ("wirescope-cli printed a line that is not JSON: %s (%s)", line, error->message);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      g_ptr_array_add (fx->lines, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }
  read_next_line (fx);
}

static void
read_next_line (Fixture *fx)
{
  g_data_input_stream_read_line_async (fx->out, G_PRIORITY_DEFAULT, fx->cancellable,
                                       read_line_cb, fx);
}

static void
read_err_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Fixture *fx = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                               &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      fx->err_done = TRUE;
      return;
    }
  g_string_append_len (fx->raw_err, g_bytes_get_data (bytes, NULL),
                       (gssize) g_bytes_get_size (bytes));
  g_input_stream_read_bytes_async (G_INPUT_STREAM (source), 4096, G_PRIORITY_DEFAULT,
                                   fx->cancellable, read_err_cb, fx);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *fx = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error))
    return;
  fx->exited = TRUE;
  if (g_subprocess_get_if_exited (G_SUBPROCESS (source)))
    fx->exit_status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
  else
    fx->exit_status = 128 + g_subprocess_get_term_sig (G_SUBPROCESS (source));
}

static void
spawn_cli_with_env (Fixture            *fx,
                    const char * const *args,
                    const char * const *env);

static void
spawn_cli (Fixture            *fx,
           const char * const *args)
{
  spawn_cli_with_env (fx, args, NULL);
}

/* @env: "NAME=value" pairs set for the child only. */
static void
spawn_cli_with_env (Fixture            *fx,
                    const char * const *args,
                    const char * const *env)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) WIRESCOPE_CLI_PATH);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE
                                        | G_SUBPROCESS_FLAGS_STDIN_PIPE);
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto (GStrv) pair = g_strsplit (env[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  fx->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                              &error);
  g_assert_no_error (error);

  fx->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fx->process));
  read_next_line (fx);
  g_input_stream_read_bytes_async (g_subprocess_get_stderr_pipe (fx->process), 4096,
                                   G_PRIORITY_DEFAULT, fx->cancellable, read_err_cb, fx);
  g_subprocess_wait_async (fx->process, fx->cancellable, wait_cb, fx);
}

static gboolean
has_exited (Fixture       *fx,
            gconstpointer  data)
{
  return fx->exited && fx->out_done && fx->err_done;
}

static int
wait_exit (Fixture *fx)
{
  wait_for (fx, has_exited, NULL, "wirescope-cli to exit");
  if (g_test_verbose () || fx->exit_status > 4)
    g_printerr ("wirescope-cli exited with %d; stderr:\n%s\n", fx->exit_status,
                fx->raw_err->str);
  return fx->exit_status;
}

/* Events of @event, optionally with string member @key == @value. */
static guint
count_events (Fixture    *fx,
              const char *event,
              const char *key,
              const char *value)
{
  guint n = 0;

  for (guint i = 0; i < fx->lines->len; i++)
    {
      JsonObject *o = g_ptr_array_index (fx->lines, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""), event) != 0)
        continue;
      if (key != NULL
          && g_strcmp0 (json_object_get_string_member_with_default (o, key, ""), value) != 0)
        continue;
      n++;
    }
  return n;
}

static JsonObject *
last_event (Fixture    *fx,
            const char *event)
{
  for (guint i = fx->lines->len; i > 0; i--)
    {
      JsonObject *o = g_ptr_array_index (fx->lines, i - 1);

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""), event) == 0)
        return o;
    }
  return NULL;
}

static char *
write_file (Fixture    *fx,
            const char *name,
            const char *contents)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (fx->tmpdir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
assert_metrics_line (JsonObject *metrics)
{
  JsonObject *queue;

  g_assert_nonnull (metrics);
  g_assert_true (json_object_has_member (metrics, "t"));
  g_assert_true (json_object_has_member (metrics, "messagesSent"));
  g_assert_true (json_object_has_member (metrics, "messagesReceived"));
  g_assert_true (json_object_has_member (metrics, "reconnectAttempts"));
  queue = json_object_get_object_member (metrics, "queue");
  g_assert_nonnull (queue);
  g_assert_true (json_object_has_member (queue, "critical"));
  g_assert_true (json_object_has_member (queue, "high"));
  g_assert_true (json_object_has_member (queue, "normal"));
  g_assert_true (json_object_has_member (queue, "low"));
}

/* Usage errors: exit 2 and a message that names the problem, before any connection. */
static void
test_usage_errors (Fixture       *fx,
                   gconstpointer  data)
{
  static const struct
  {
    const char *args[8];
    const char *message;
  } cases[] = {
    { { "connect", "--token", "t", NULL }, "no URL" },
    { { "connect", "http://127.0.0.1:1/ws/chat/s1", "--token", "t", NULL }, "ws://" },
    { { "connect", "ws://127.0.0.1:1/nowhere", "--token", "t", NULL }, "/nowhere" },
    { { "connect", "ws://127.0.0.1:1/ws/chat/s1", "--token", "t", "--jitter", "sideways", NULL },
      "--jitter" },
    { { "connect", "ws://127.0.0.1:1/ws/chat/s1", "--token", "t", "--overflow", "lots", NULL },
      "--overflow" },
    { { "connect", "ws://127.0.0.1:1/ws/chat/s1", "--token", "t", "--queue-capacity", "-3",
        NULL }, "--queue-capacity" },
    { { "connect", "ws://127.0.0.1:1/ws/chat/s1", NULL }, "token" },
    { { "connect", "ws://127.0.0.1:1/ws/chat/s1", "--token", "t", "--token-file", "/nonexistent",
        NULL }, "not both" },
    { { "connect", "ws://127.0.0.1:1/ws/chat/s1", "--token-file", "/nonexistent/token", NULL },
      "--token-file" },
    { { "frobnicate", NULL }, "unknown command" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_clear_object (&fx->process);
      g_clear_object (&fx->out);
      fx->exited = fx->out_done = fx->err_done = FALSE;
      g_string_truncate (fx->raw_err, 0);
      g_string_truncate (fx->raw_out, 0);

      spawn_cli (fx, cases[i].args);
      g_assert_cmpint (wait_exit (fx), ==, 2);
      if (strstr (fx->raw_err->str, cases[i].message) == NULL)
        g_error ("case %u: “%s” not in stderr: %s", i, cases[i].message, fx->raw_err->str);
      g_assert_cmpuint (fx->lines->len, ==, 0);
    }
}

static gboolean
saw_connected (Fixture       *fx,
               gconstpointer  data)
{
  return count_events (fx, "state", "to", "connected") >= GPOINTER_TO_UINT (data);
}

/* --json: state transitions to connected, metrics every second and at exit; --duration ends with
 * 0; the token (from a file, with whitespace around it) never appears in the output. */
static void
test_json_events (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *token = wire_gateway_mint_token (fx->gateway, "user-1", NULL, NULL, NULL, 3600);
  g_autofree char *contents = g_strdup_printf ("  \n%s\n\n", token);
  g_autofree char *token_file = write_file (fx, "token", contents);
  g_autofree char *url = g_strdup_printf ("%s/ws/notifications/user-1", fx->base_url);
  /* Under memcheck the in-process gateway is slow to answer: give the run more time. */
  const char *duration = g_getenv ("VALGRIND") != NULL ? "10" : "2.5";
  const char *args[] = { "connect", url, "--token-file", token_file, "--json", "--duration",
                         duration, "--heartbeat-interval-ms", "300", NULL };
  JsonObject *metrics;
  JsonObject *exit_event;

  spawn_cli (fx, args);
  wait_for (fx, saw_connected, GUINT_TO_POINTER (1), "a state event to connected");
  g_assert_cmpint (wait_exit (fx), ==, 0);

  g_assert_cmpuint (count_events (fx, "state", "to", "connecting"), >=, 1);
  g_assert_cmpuint (count_events (fx, "state", "to", "authenticating"), >=, 1);
  g_assert_cmpuint (count_events (fx, "metrics", NULL, NULL), >=, 2);
  metrics = last_event (fx, "metrics");
  assert_metrics_line (metrics);
  g_assert_true (json_object_get_boolean_member (metrics, "final"));
  /* Heartbeats every 300 ms for two seconds: the round trip is known by the end. */
  g_assert_false (json_object_get_null_member (metrics, "rttLastMs"));
  exit_event = last_event (fx, "exit");
  g_assert_nonnull (exit_event);
  g_assert_cmpint (json_object_get_int_member (exit_event, "status"), ==, 0);

  g_assert_null (strstr (fx->raw_out->str, token));
  g_assert_null (strstr (fx->raw_err->str, token));
}

static gboolean
saw_metrics (Fixture       *fx,
             gconstpointer  data)
{
  return count_events (fx, "metrics", NULL, NULL) > 0;
}

static gboolean
saw_acks (Fixture       *fx,
          gconstpointer  data)
{
  return count_events (fx, "ack", NULL, NULL) >= GPOINTER_TO_UINT (data);
}

/* --publish: good lines are acknowledged, a bad line is reported with its number and skipped;
 * SIGINT then closes cleanly with final metrics. */
static void
test_publish_and_sigint (Fixture       *fx,
                         gconstpointer  data)
{
  const char *sessions[] = { "s1", NULL };
  g_autofree char *token = wire_gateway_mint_token (fx->gateway, "user-1", NULL, NULL, sessions,
                                                    3600);
  g_autofree char *url = g_strdup_printf ("%s/ws/chat/s1", fx->base_url);
  g_autofree char *publish = write_file (fx, "publish.ndjson",
    "{\"channel\":\"chat:s1\",\"event\":\"user_message\",\"priority\":\"high\","
    "\"payload\":{\"text\":\"one\"}}\n"
    "{\"channel\":\"chat:s1\",\"event\":\"typing_start\",\"priority\":\"low\"}\n"
    "{\"channel\":\"chat:s1\",\"event\":\"user_message\",\"priority\":\"urgent\"}\n"
    "this is not json\n"
    "{\"channel\":\"chat:s1\",\"event\":\"user_message\",\"payload\":{\"text\":\"three\"}}\n");
  const char *args[] = { "connect", url, "--token", token, "--session", "s1", "--json",
                         "--publish", publish, NULL };
  JsonObject *metrics;

  spawn_cli (fx, args);
  wait_for (fx, saw_acks, GUINT_TO_POINTER (3), "three ack events");
  g_assert_false (fx->exited);
  g_assert_cmpuint (count_events (fx, "publish_failed", NULL, NULL), ==, 0);
  g_assert_cmpuint (count_events (fx, "ack", "status", "ok"), ==, 3);

  g_subprocess_send_signal (fx->process, SIGINT);
  g_assert_cmpint (wait_exit (fx), ==, 0);

  metrics = last_event (fx, "metrics");
  assert_metrics_line (metrics);
  g_assert_true (json_object_get_boolean_member (metrics, "final"));
  g_assert_cmpint (json_object_get_int_member (metrics, "messagesSent"), >=, 3);
  g_assert_cmpstr (json_object_get_string_member (last_event (fx, "exit"), "reason"), ==,
                   "interrupted");
  g_assert_cmpuint (count_events (fx, "state", "to", "disconnected"), >=, 1);

  /* Lines 3 (unknown priority) and 4 (not JSON) were refused, by number. */
  g_assert_nonnull (strstr (fx->raw_err->str, ":3:"));
  g_assert_nonnull (strstr (fx->raw_err->str, "priority"));
  g_assert_nonnull (strstr (fx->raw_err->str, ":4:"));
  g_assert_null (strstr (fx->raw_err->str, ":5:"));
}

/* --publish -: lines from standard input are queued while the connection is still being made. */
static void
test_publish_stdin (Fixture       *fx,
                    gconstpointer  data)
{
  const char *sessions[] = { "s2", NULL };
  g_autofree char *token = wire_gateway_mint_token (fx->gateway, "user-2", NULL, NULL, sessions,
                                                    3600);
  g_autofree char *url = g_strdup_printf ("%s/ws/chat/s2", fx->base_url);
  const char *args[] = { "connect", url, "--token", token, "--json", "--publish", "-", NULL };
  static const char input[] =
    "{\"channel\":\"chat:s2\",\"event\":\"user_message\",\"payload\":{\"text\":\"a\"}}\n"
    "{\"channel\":\"chat:s2\",\"event\":\"user_message\",\"payload\":{\"text\":\"b\"}}\n";
  GOutputStream *in;
  g_autoptr (GError) error = NULL;

  spawn_cli (fx, args);
  in = g_subprocess_get_stdin_pipe (fx->process);
  g_output_stream_write_all (in, input, strlen (input), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (in, NULL, &error);
  g_assert_no_error (error);

  wait_for (fx, saw_acks, GUINT_TO_POINTER (2), "two ack events");
  g_subprocess_send_signal (fx->process, SIGINT);
  g_assert_cmpint (wait_exit (fx), ==, 0);
  g_assert_cmpuint (count_events (fx, "ack", "status", "ok"), ==, 2);
}

/* Authentication refused: a token the gateway cannot verify (4001, also after the one refresh)
 * and a valid token for another user's endpoint (4003) both end with 3. */
static void
test_auth_refused (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr (WireGateway) other = wire_gateway_new ();
  g_autofree char *forged = NULL;
  g_autofree char *wrong_user = wire_gateway_mint_token (fx->gateway, "user-9", NULL, NULL, NULL,
                                                         3600);
  g_autofree char *url = g_strdup_printf ("%s/ws/notifications/user-1", fx->base_url);

  wire_gateway_set_secret (other, (const guint8 *) "some-other-secret", 17);
  forged = wire_gateway_mint_token (other, "user-1", NULL, NULL, NULL, 3600);

  {
    const char *args[] = { "connect", url, "--token", forged, "--json", NULL };

    spawn_cli (fx, args);
    g_assert_cmpint (wait_exit (fx), ==, 3);
    g_assert_cmpuint (count_events (fx, "state", "to", "error"), >=, 1);
    g_assert_null (strstr (fx->raw_out->str, forged));
  }

  g_clear_object (&fx->process);
  g_clear_object (&fx->out);
  fx->exited = fx->out_done = fx->err_done = FALSE;
  g_ptr_array_set_size (fx->lines, 0);
  {
    const char *args[] = { "connect", url, "--token", wrong_user, NULL };

    spawn_cli (fx, args);
    g_assert_cmpint (wait_exit (fx), ==, 3);
    g_assert_nonnull (strstr (fx->raw_out->str, "authentication refused"));
  }
}

/* --reconnect-max-attempts 2 while the gateway refuses every upgrade (503) but its health probe
 * answers, so the network is online and each failed attempt counts: gives up with 4. */
static void
test_give_up (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr (JsonObject) fault = json_object_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *token = wire_gateway_mint_token (fx->gateway, "user-1", NULL, NULL, NULL, 3600);
  g_autofree char *url = g_strdup_printf ("%s/ws/notifications/user-1", fx->base_url);
  const char *args[] = { "connect", url, "--token", token, "--json",
                         "--reconnect-max-attempts", "2", "--reconnect-base-delay-ms", "50",
                         "--reconnect-max-delay-ms", "100", "--jitter", "none", NULL };

  json_object_set_string_member (fault, "action", "refuse");
  json_object_set_int_member (fault, "ms", 600000);
  g_assert_true (wire_gateway_apply_fault (fx->gateway, fault, &error));
  g_assert_no_error (error);

  spawn_cli (fx, args);
  g_assert_cmpint (wait_exit (fx), ==, 4);
  g_assert_cmpuint (count_events (fx, "state", "to", "reconnecting"), >=, 2);
  g_assert_cmpuint (count_events (fx, "state", "to", "connected"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (last_event (fx, "exit"), "reason"), ==,
                   "gave_up");
  assert_metrics_line (last_event (fx, "metrics"));
}

/* Several URLs are several connections in one manager, each with its own index. */
static void
test_two_connections (Fixture       *fx,
                      gconstpointer  data)
{
  g_autofree char *token = wire_gateway_mint_token (fx->gateway, "user-1", NULL, NULL, NULL, 3600);
  g_autofree char *url1 = g_strdup_printf ("%s/ws/notifications/user-1", fx->base_url);
  g_autofree char *url2 = g_strdup_printf ("%s/ws/agent-status/user-1", fx->base_url);
  const char *args[] = { "connect", url1, url2, "--token", token, "--json", "--duration", "1.5",
                         NULL };
  gboolean seen[2] = { FALSE, FALSE };

  spawn_cli (fx, args);
  g_assert_cmpint (wait_exit (fx), ==, 0);
  for (guint i = 0; i < fx->lines->len; i++)
    {
      JsonObject *o = g_ptr_array_index (fx->lines, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""), "state") == 0
          && g_strcmp0 (json_object_get_string_member (o, "to"), "connected") == 0)
        {
          gint64 index = json_object_get_int_member (o, "connection");

          g_assert_cmpint (index, >=, 0);
          g_assert_cmpint (index, <=, 1);
          seen[index] = TRUE;
        }
    }
  g_assert_true (seen[0]);
  g_assert_true (seen[1]);
}

/* --record writes the session at exit; `export` turns it into CSV and HAR; no token anywhere. */
static void
test_record_and_export (Fixture       *fx,
                        gconstpointer  data)
{
  g_autofree char *token = wire_gateway_mint_token (fx->gateway, "user-1", NULL, NULL, NULL, 3600);
  g_autofree char *url = g_strdup_printf ("%s/ws/notifications/user-1", fx->base_url);
  g_autofree char *record = g_build_filename (fx->tmpdir, "session.ndjson", NULL);
  g_autofree char *csv = g_build_filename (fx->tmpdir, "session.csv", NULL);
  g_autofree char *contents = NULL;
  g_auto (GStrv) rows = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *log;

  {
    const char *args[] = { "connect", url, "--token", token, "--json", "--duration", "2.2",
                           "--record", record, NULL };

    spawn_cli (fx, args);
    g_assert_cmpint (wait_exit (fx), ==, 0);
  }
  g_assert_true (g_file_get_contents (record, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "\"kind\":\"connection\""));
  g_assert_nonnull (strstr (contents, "\"kind\":\"sample\""));
  g_assert_nonnull (strstr (contents, "\"kind\":\"transition\""));
  g_assert_null (strstr (contents, token));
  g_clear_pointer (&contents, g_free);

  g_clear_object (&fx->process);
  g_clear_object (&fx->out);
  fx->exited = fx->out_done = fx->err_done = FALSE;
  {
    const char *args[] = { "export", record, "--format", "csv", "--output", csv, NULL };

    spawn_cli (fx, args);
    g_assert_cmpint (wait_exit (fx), ==, 0);
  }
  g_assert_true (g_file_get_contents (csv, &contents, NULL, &error));
  rows = g_strsplit (contents, "\r\n", -1);
  g_assert_true (g_str_has_prefix (rows[0], "time_ms,"));
  /* Two seconds connected: at least two samples, each a row with the header's column count. */
  g_assert_cmpuint (g_strv_length (rows), >=, 4);
  for (guint i = 1; rows[i] != NULL && rows[i][0] != '\0'; i++)
    {
      g_auto (GStrv) a = g_strsplit (rows[0], ",", -1);
      g_auto (GStrv) b = g_strsplit (rows[i], ",", -1);

      g_assert_cmpuint (g_strv_length (a), ==, g_strv_length (b));
    }

  g_clear_object (&fx->process);
  g_clear_object (&fx->out);
  fx->exited = fx->out_done = fx->err_done = FALSE;
  g_string_truncate (fx->raw_out, 0);
  {
    const char *args[] = { "export", record, "--format", "har", NULL };

    spawn_cli (fx, args);
    g_assert_cmpint (wait_exit (fx), ==, 0);
  }
  json_parser_load_from_data (parser, fx->raw_out->str, -1, &error);
  g_assert_no_error (error);
  log = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "log");
  g_assert_cmpstr (json_object_get_string_member (log, "version"), ==, "1.2");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (log, "entries")), ==, 1);
}

static gboolean
saw_listening (Fixture       *fx,
               gconstpointer  data)
{
  return count_events (fx, "listening", NULL, NULL) > 0 && saw_connected (fx, GUINT_TO_POINTER (1));
}

static void
scrape_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GBytes **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
scraped (Fixture       *fx,
         gconstpointer  data)
{
  return *(GBytes * const *) data != NULL;
}

/* --metrics-listen serves the live counters in OpenMetrics for Prometheus to scrape. */
static void
test_metrics_listen (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *token = wire_gateway_mint_token (fx->gateway, "user-1", NULL, NULL, NULL, 3600);
  g_autofree char *url = g_strdup_printf ("%s/ws/notifications/user-1", fx->base_url);
  const char *args[] = { "connect", url, "--token", token, "--json", "--metrics-listen",
                         "127.0.0.1:0", NULL };
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autofree char *text = NULL;

  spawn_cli (fx, args);
  wait_for (fx, saw_listening, NULL, "the listening event and a connection");
  /* The recorder samples once a second: scrape after the first metrics line. */
  wait_for (fx, saw_metrics, NULL, "a metrics event");
  msg = soup_message_new ("GET", json_object_get_string_member (last_event (fx, "listening"),
                                                                "url"));
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, scrape_cb, &body);
  wait_for (fx, scraped, &body, "the /metrics answer");
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_assert_nonnull (strstr (text, "wirescope_"));
  g_assert_true (g_str_has_suffix (text, "# EOF\n"));
  g_assert_null (strstr (text, token));

  g_subprocess_send_signal (fx->process, SIGINT);
  g_assert_cmpint (wait_exit (fx), ==, 0);
}

static void
reset_child (Fixture *fx)
{
  g_clear_object (&fx->process);
  g_clear_object (&fx->out);
  fx->exited = fx->out_done = fx->err_done = FALSE;
  g_ptr_array_set_size (fx->lines, 0);
  g_string_truncate (fx->raw_out, 0);
  g_string_truncate (fx->raw_err, 0);
}

/* The saved settings (GSettings, here a keyfile) are the base and every flag overrides them:
 * two attempts from the settings give up with 4 against a gateway that refuses upgrades, and
 * --reconnect-max-attempts 0 on the command line keeps trying until --duration. */
static void
test_saved_settings (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *schema_src = g_test_build_filename (G_TEST_DIST, "..", "data", NULL);
  g_autofree char *schema_dir = g_build_filename (fx->tmpdir, "schemas", NULL);
  g_autofree char *config_dir = g_build_filename (fx->tmpdir, "config", NULL);
  g_autofree char *keyfile_dir = g_build_filename (config_dir, "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (keyfile_dir, "keyfile", NULL);
  g_autofree char *schema_env = g_strconcat ("GSETTINGS_SCHEMA_DIR=", schema_dir, NULL);
  g_autofree char *config_env = g_strconcat ("XDG_CONFIG_HOME=", config_dir, NULL);
  g_autofree char *token = wire_gateway_mint_token (fx->gateway, "user-1", NULL, NULL, NULL, 3600);
  g_autofree char *url = g_strdup_printf ("%s/ws/notifications/user-1", fx->base_url);
  const char *env[] = { "GSETTINGS_BACKEND=keyfile", schema_env, config_env, NULL };
  g_autoptr (JsonObject) fault = json_object_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *compile = g_find_program_in_path ("glib-compile-schemas");
  int status = -1;

  if (compile == NULL)
    {
      g_test_skip ("glib-compile-schemas is not installed");
      return;
    }
  g_mkdir_with_parents (schema_dir, 0700);
  g_mkdir_with_parents (keyfile_dir, 0700);
  {
    const char *argv[] = { compile, "--strict", "--targetdir", schema_dir, schema_src, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                  &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_file_set_contents (keyfile,
                       "[io/github/wirescope/Wirescope]\n"
                       "reconnect-max-attempts=uint32 2\n"
                       "reconnect-base-delay-ms=uint32 50\n"
                       "reconnect-max-delay-ms=uint32 100\n"
                       "jitter='none'\n",
                       -1, &error);
  g_assert_no_error (error);

  json_object_set_string_member (fault, "action", "refuse");
  json_object_set_int_member (fault, "ms", 600000);
  g_assert_true (wire_gateway_apply_fault (fx->gateway, fault, &error));
  g_assert_no_error (error);

  {
    const char *args[] = { "connect", url, "--token", token, "--json", NULL };

    spawn_cli_with_env (fx, args, env);
    g_assert_cmpint (wait_exit (fx), ==, 4);
  }

  reset_child (fx);
  {
    const char *args[] = { "connect", url, "--token", token, "--json",
                           "--reconnect-max-attempts", "0", "--duration", "1.5", NULL };

    spawn_cli_with_env (fx, args, env);
    g_assert_cmpint (wait_exit (fx), ==, 0);
    g_assert_cmpuint (count_events (fx, "state", "to", "reconnecting"), >=, 3);
  }

  /* --no-settings starts from the defaults: never give up, with second-long delays. */
  reset_child (fx);
  {
    const char *args[] = { "connect", url, "--token", token, "--json", "--no-settings",
                           "--duration", "1.5", NULL };

    spawn_cli_with_env (fx, args, env);
    g_assert_cmpint (wait_exit (fx), ==, 0);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/wire/cli/usage-errors", Fixture, NULL, fixture_set_up, test_usage_errors,
              fixture_tear_down);
  g_test_add ("/wire/cli/json-events", Fixture, "gateway", fixture_set_up, test_json_events,
              fixture_tear_down);
  g_test_add ("/wire/cli/publish-and-sigint", Fixture, "gateway", fixture_set_up,
              test_publish_and_sigint, fixture_tear_down);
  g_test_add ("/wire/cli/publish-stdin", Fixture, "gateway", fixture_set_up, test_publish_stdin,
              fixture_tear_down);
  g_test_add ("/wire/cli/auth-refused", Fixture, "gateway", fixture_set_up, test_auth_refused,
              fixture_tear_down);
  g_test_add ("/wire/cli/give-up", Fixture, "gateway", fixture_set_up, test_give_up,
              fixture_tear_down);
  g_test_add ("/wire/cli/two-connections", Fixture, "gateway", fixture_set_up,
              test_two_connections, fixture_tear_down);

  g_test_add ("/wire/cli/record-and-export", Fixture, "gateway", fixture_set_up,
              test_record_and_export, fixture_tear_down);
  g_test_add ("/wire/cli/metrics-listen", Fixture, "gateway", fixture_set_up,
              test_metrics_listen, fixture_tear_down);

  g_test_add ("/wire/cli/saved-settings", Fixture, "gateway", fixture_set_up,
              test_saved_settings, fixture_tear_down);

  return g_test_run ();
}
