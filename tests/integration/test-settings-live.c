#define G_LOG_DOMAIN "wire-test-settings-live"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-core.h"
#include "wire-export.h"
#include "wire-gateway.h"
#include "wire-settings.h"
#include "wire-test-util.h"

/* The settings and the recorder against the real gateway on loopback: a GSettings change
 * reaches a running connection's next reconnect, and a recorded session exports as HAR with
 * what went over the wire and without the token. */

#define STATE(c) wire_connection_get_state (c)

typedef struct
{
  WireGateway    *gateway;
  WireConfig     *config;
  GSettings      *settings;
  WireConnection *connection;
  char           *token;
  double          random;
} Fixture;

static double
fixed_random (gpointer user_data)
{
  return *(double *) user_data;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettingsSchema) schema = wire_settings_lookup_schema ();
  g_autofree char *url = NULL;
  const char *sessions[] = { "session-1", NULL };
  const char *channels[] = { "chat:session-1", NULL };

  g_assert_nonnull (schema);
  fx->gateway = wire_gateway_new ();
  g_assert_true (wire_gateway_listen (fx->gateway, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  fx->token = wire_gateway_mint_token (fx->gateway, "user-1", NULL, NULL, sessions, 3600);

  fx->settings = g_settings_new_full (schema, NULL, NULL);
  fx->config = wire_config_new ();
  wire_settings_bind_config (fx->settings, fx->config);
  g_settings_set_uint (fx->settings, "reconnect-base-delay-ms", 200);
  g_settings_set_uint (fx->settings, "reset-after-ms", 0);
  g_settings_set_string (fx->settings, "jitter", "none");

  url = g_strconcat (wire_gateway_get_url (fx->gateway), "/ws/chat/session-1", NULL);
  fx->connection = wire_connection_new (fx->config, NULL, url, &error);
  g_assert_no_error (error);
  wire_connection_set_token (fx->connection, fx->token);
  wire_connection_set_session_id (fx->connection, "session-1");
  wire_connection_set_channels (fx->connection, channels);
  fx->random = 0.5;
  wire_backoff_set_random_func (wire_connection_get_backoff (fx->connection), fixed_random,
                                &fx->random);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  wire_connection_shutdown (fx->connection);
  g_assert_finalize_object (fx->connection);
  wire_gateway_shutdown (fx->gateway);
  g_assert_finalize_object (fx->gateway);

  g_settings_reset (fx->settings, "reconnect-base-delay-ms");
  g_settings_reset (fx->settings, "reset-after-ms");
  g_settings_reset (fx->settings, "jitter");
  g_assert_finalize_object (fx->config);
  g_object_unref (fx->settings);
  g_free (fx->token);
}

static void
drop_all (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string ("{\"action\":\"drop\",\"target\":\"all\"}", &error);

  g_assert_no_error (error);
  g_assert_true (wire_gateway_apply_fault (fx->gateway, json_node_get_object (node), &error));
  g_assert_no_error (error);
}

static gint64
delay_after_drop (Fixture *fx)
{
  GPtrArray *rows;
  guint n;

  WIRE_TEST_WAIT_UNTIL (STATE (fx->connection) == WIRE_CONNECTION_CONNECTED);
  n = wire_connection_get_transitions (fx->connection)->len;
  drop_all (fx);
  WIRE_TEST_WAIT_UNTIL (wire_connection_get_transitions (fx->connection)->len > n);
  rows = wire_connection_get_transitions (fx->connection);
  g_assert_cmpint (((WireTransition *) rows->pdata[n])->to, ==, WIRE_CONNECTION_RECONNECTING);
  g_assert_cmpint (((WireTransition *) rows->pdata[n])->close_code, ==, 1006);
  return ((WireTransition *) rows->pdata[n])->delay_ms;
}

/* The next reconnect delay follows the jitter key as soon as it changes. */
static void
test_jitter_key_reaches_live_reconnect (Fixture       *fx,
                                        gconstpointer  data)
{
  wire_connection_connect (fx->connection);

  /* none: the base delay itself. */
  g_assert_cmpint (delay_after_drop (fx), ==, 200);

  /* full: U[0, delay], with the random source at 0.5. */
  g_settings_set_string (fx->settings, "jitter", "full");
  g_assert_cmpint (delay_after_drop (fx), ==, 100);

  /* equal: delay × U[0.5, 1.0] → 150; and a new base delay applies at once too. */
  g_settings_set_string (fx->settings, "jitter", "equal");
  g_settings_set_uint (fx->settings, "reconnect-base-delay-ms", 400);
  g_assert_cmpint (delay_after_drop (fx), ==, 300);

  WIRE_TEST_WAIT_UNTIL (STATE (fx->connection) == WIRE_CONNECTION_CONNECTED);
}

static void
published_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  const char **status = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (wire_connection_publish_finish (WIRE_CONNECTION (source), result, status, &error));
  g_assert_no_error (error);
}

/* A recorded live session exports as HAR with both directions, and without the token. */
static void
test_recorded_session_exports (Fixture       *fx,
                               gconstpointer  data)
{
  g_autoptr(WireRecorder) recorder = wire_recorder_new (0, 0);
  g_autoptr(WireRecording) recording = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  const char *status = NULL;
  const char *signature = strrchr (fx->token, '.') + 1;
  JsonArray *messages;
  gboolean sent = FALSE, received = FALSE;

  wire_recorder_add_connection (recorder, fx->connection);
  wire_connection_connect (fx->connection);
  WIRE_TEST_WAIT_UNTIL (STATE (fx->connection) == WIRE_CONNECTION_CONNECTED);

  id = wire_connection_publish_async (fx->connection, "chat:session-1", "user_message",
                                      WIRE_PRIORITY_HIGH, "{\"text\":\"hello\"}", NULL,
                                      published_cb, &status);
  g_assert_nonnull (id);
  WIRE_TEST_WAIT_UNTIL (status != NULL);
  g_assert_cmpstr (status, ==, "ok");
  wire_recorder_sample_now (recorder);

  recording = wire_recorder_snapshot (recorder);
  g_assert_true (wire_export_to_stream (recording, WIRE_EXPORT_HAR, out, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_output_stream_close (out, NULL, NULL);
  text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));

  g_assert_null (strstr (text, signature));
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  messages = json_object_get_array_member (
    json_array_get_object_element (
      json_object_get_array_member (
        json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "log"),
        "entries"),
      0),
    "_webSocketMessages");

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *m = json_array_get_object_element (messages, i);
      const char *data_text = json_object_get_string_member (m, "data");

      /* The sent frame itself, payload included, not just its id. */
      if (g_str_equal (json_object_get_string_member (m, "type"), "send") && strstr (data_text, id) &&
          strstr (data_text, "\"hello\"") != NULL)
        sent = TRUE;
      if (g_str_equal (json_object_get_string_member (m, "type"), "receive") &&
          strstr (data_text, "\"ack\"") != NULL && strstr (data_text, id) != NULL)
        received = TRUE;
    }
  g_assert_true (sent);
  g_assert_true (received);
  g_assert_cmpuint (wire_recording_get_n_samples (recording, 0), ==, 1);
  g_assert_cmpint (wire_recording_get_sample (recording, 0, 0)->state, ==, WIRE_CONNECTION_CONNECTED);
  g_assert_cmpuint (wire_recording_get_sample (recording, 0, 0)->messages_out, >=, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/wire/integration/settings/jitter-key-reaches-live-reconnect", Fixture, NULL,
              fixture_setup, test_jitter_key_reaches_live_reconnect, fixture_teardown);
  g_test_add ("/wire/integration/export/recorded-session", Fixture, NULL,
              fixture_setup, test_recorded_session_exports, fixture_teardown);

  return g_test_run ();
}
