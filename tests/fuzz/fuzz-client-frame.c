#define G_LOG_DOMAIN "wire-fuzz"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The client's handling of any frame from the gateway, in-process and without a socket: each
 * input gives a WireConnection a WebSocket over memory streams (the same steps as the link
 * code once an upgrade succeeds), an auth_ok frame, then the input's frames exactly as libsoup
 * would hand them over (its "message" signal), before the connection is shut down.
 *
 * Input layout: split at '\n' into text frames; frames that are not UTF-8 are skipped
 * (libsoup fails the connection with 1007 before such a frame arrives). This target uses the
 * connection's private header: it follows the receive path wherever that lives. */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "wire-core.h"
#include "wire-connection-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

#define MAX_FRAMES 16

static WireConfig *config;
static char *token;

static void
quiet_log_cb (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr (WireJwtClaims) claims = wire_jwt_claims_new ();
  static const guint8 secret[] = "fuzz-secret";

  g_log_set_default_handler (quiet_log_cb, NULL);
  config = wire_config_new ();
  /* Nothing reconnects on its own while a run lasts. */
  g_object_set (config, "probe-interval-ms", 0, "reconnect-base-delay-ms", 600000,
                "reconnect-max-delay-ms", 600000, "dedup-ttl-ms", 1000, NULL);
  claims->sub = g_strdup ("u1");
  claims->exp = g_get_real_time () / G_USEC_PER_SEC + 24 * 3600;
  g_strfreev (claims->trips);
  claims->trips = g_strsplit ("t1", ",", -1);
  token = wire_jwt_sign_hs256 (claims, secret, sizeof secret - 1);
  return 0;
}

static void
feed (WireConnection *connection,
      const char     *text,
      gsize           len)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (SoupWebsocketConnection) ws = NULL;

  if (connection->ws == NULL ||
      soup_websocket_connection_get_state (connection->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  ws = g_object_ref (connection->ws);
  bytes = g_bytes_new (text, len);
  g_signal_emit_by_name (ws, "message", SOUP_WEBSOCKET_DATA_TEXT, bytes);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char auth_ok[] =
    "{\"type\":\"auth_ok\",\"success\":true,\"userId\":\"u1\",\"sessionId\":null,"
    "\"connectionId\":\"c-1\",\"availableChannels\":[\"trip:t1\"],\"deniedChannels\":[],"
    "\"permissions\":[\"read\",\"write\"],\"heartbeatIntervalMs\":30000,"
    "\"maxMessageBytes\":65536,\"serverTime\":1700000000000}";
  const char *channels[] = { "trip:t1", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (GOutputStream) out = NULL;
  g_autoptr (GIOStream) stream = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autofree char *auth = NULL;
  WireConnection *connection;
  const char *p, *end;
  guint frames = 0;

  connection = wire_connection_new (config, NULL, NULL, "ws://127.0.0.1:9/ws/trips/t1/collab",
                                    &error);
  g_assert_nonnull (connection);
  wire_connection_set_token (connection, token);
  wire_connection_set_channels (connection, channels);

  /* What the link code does once the upgrade succeeded, over memory streams. */
  in = g_memory_input_stream_new ();
  out = g_memory_output_stream_new_resizable ();
  stream = g_simple_io_stream_new (in, out);
  uri = g_uri_parse ("ws://127.0.0.1:9/ws/trips/t1/collab", G_URI_FLAGS_NONE, NULL);
  connection->ws = soup_websocket_connection_new (stream, uri, SOUP_WEBSOCKET_CONNECTION_CLIENT,
                                                  NULL, NULL, NULL);
  connection->peer_close_code = 0;
  /* An attempt takes its token before it opens the link. */
  g_free (connection->current_token);
  connection->current_token = g_strdup (token);
  wire_connection_watch_link (connection);
  auth = wire_connection_build_auth_frame (connection);
  wire_connection_send_text (connection, auth, strlen (auth));
  wire_connection_set_state (connection, WIRE_CONNECTION_AUTHENTICATING, 0, NULL, 0, -1);

  feed (connection, auth_ok, strlen (auth_ok));
  g_assert_cmpint (wire_connection_get_state (connection), ==, WIRE_CONNECTION_CONNECTED);

  p = (const char *) data;
  end = (const char *) data + size;
  while (p < end && frames < MAX_FRAMES)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *stop = nl != NULL ? nl : end;

      if (g_utf8_validate_len (p, stop - p, NULL))
        feed (connection, p, stop - p);
      frames++;
      p = stop + 1;
    }

  wire_connection_shutdown (connection);
  for (guint i = 0; i < 64 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_object_unref (connection);
  for (guint i = 0; i < 64 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  return 0;
}
