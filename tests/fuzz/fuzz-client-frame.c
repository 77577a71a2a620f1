#define G_LOG_DOMAIN "wire-fuzz"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The client's handling of any frame from the gateway, in-process and without a socket. One
 * WireConnection stays connected across inputs, as in a long session: it gets a WebSocket over a
 * WireFuzzLink (the same steps as the link code once an upgrade succeeds) and an auth_ok frame
 * once, then each input's frames exactly as libsoup hands them over (its "message" signal).
 * Building a connection per input cost several times more than the input itself.
 *
 * So that earlier inputs do not make later ones uninteresting, the ids the connection remembers
 * for dedup are forgotten before each input. A connection that left the connected state (its
 * heartbeat watchdog, say) is shut down, must then be finalized with nothing left holding it,
 * and the next input gets a new one; every RENEW_INPUTS inputs the connection is renewed, which
 * also bounds what it keeps per channel. What is still left from earlier inputs (channels
 * granted or denied, counters) can matter, so a finding may need the inputs run before it to
 * reproduce; WIRE_FUZZ_TRACE=1 prints what the connection was sent and wrote.
 *
 * Beyond "no crash": every frame the client writes is a whole, masked WebSocket frame, and every
 * text frame a JSON object of a type a client sends.
 *
 * Input layout: split at '\n' into text frames; frames that are not UTF-8 are skipped (libsoup
 * fails the connection with 1007 before such a frame arrives). This target uses the
 * connection's private header: it follows the receive path wherever that lives. */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "wire-core.h"
#include "wire-connection-private.h"
#include "fuzz-link.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

#define MAX_FRAMES   16
#define RENEW_INPUTS 10000
#define URL          "ws://127.0.0.1:9/ws/trips/t1/collab"

static WireConfig *config;
static char *token;
static WireConnection *connection;
static WireFuzzLink *fuzz_link;
static SoupWebsocketConnection *link_ws;
static guint frames_out;
static guint inputs;
/* WIRE_FUZZ_TRACE=1 prints the conversation, to see what an input (a crash) does. */
static gboolean trace;

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
  trace = g_getenv ("WIRE_FUZZ_TRACE") != NULL;
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
check_frame_cb (guint8      opcode,
                const char *payload,
                gsize       len,
                gpointer    user_data)
{
  g_autoptr (WireEnvelope) env = NULL;
  g_autoptr (GError) error = NULL;

  if (trace)
    g_printerr ("< %s%.*s\n", opcode == 0x8 ? "close " : "",
                (int) (opcode == 0x8 ? MIN (len, 2) : len), payload);
  if (opcode == 0x8)
    {
      g_assert_true (len == 0 || len >= 2);
      g_assert_true (len <= 2 || g_utf8_validate_len (payload + 2, len - 2, NULL));
      return;
    }
  g_assert_cmpuint (opcode, ==, 0x1);

  env = wire_envelope_parse (payload, len, &error);
  g_assert_no_error (error);
  switch (env->frame_type)
    {
    case WIRE_FRAME_AUTH:
      /* The first frame of every link, and only that. */
      g_assert_cmpuint (frames_out, ==, 0);
      g_assert_cmpstr (env->token, ==, token);
      break;
    case WIRE_FRAME_HEARTBEAT:
    case WIRE_FRAME_SUBSCRIBE:
    case WIRE_FRAME_UNSUBSCRIBE:
    case WIRE_FRAME_PUBLISH:
      g_assert_cmpuint (frames_out, >, 0);
      break;
    case WIRE_FRAME_UNKNOWN:
    case WIRE_FRAME_AUTH_OK:
    case WIRE_FRAME_AUTH_ERROR:
    case WIRE_FRAME_HEARTBEAT_ACK:
    case WIRE_FRAME_SUBSCRIBED:
    case WIRE_FRAME_UNSUBSCRIBED:
    case WIRE_FRAME_ACK:
    case WIRE_FRAME_MESSAGE:
    case WIRE_FRAME_ERROR:
    default:
      g_error ("The client sent a %s frame: %.*s", env->type_name ? env->type_name : "typeless",
               (int) len, payload);
    }
  frames_out++;
}

static void
feed (const char *text,
      gsize       len)
{
  g_autoptr (GBytes) bytes = NULL;

  if (connection->link == NULL ||
      soup_websocket_connection_get_state (link_ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  if (trace)
    g_printerr ("> %.*s\n", (int) len, text);
  bytes = g_bytes_new (text, len);
  g_signal_emit_by_name (link_ws, "message", SOUP_WEBSOCKET_DATA_TEXT, bytes);
}

static void
open_connection (void)
{
  static const char auth_ok[] =
    "{\"type\":\"auth_ok\",\"success\":true,\"userId\":\"u1\",\"sessionId\":null,"
    "\"connectionId\":\"c-1\",\"availableChannels\":[\"trip:t1\"],\"deniedChannels\":[],"
    "\"permissions\":[\"read\",\"write\"],\"heartbeatIntervalMs\":30000,"
    "\"maxMessageBytes\":65536,\"serverTime\":1700000000000}";
  const char *channels[] = { "trip:t1", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GUri) uri = NULL;

  connection = wire_connection_new (config, NULL, URL, &error);
  g_assert_no_error (error);
  wire_connection_set_token (connection, token);
  wire_connection_set_channels (connection, channels);

  /* What the link code does once the upgrade succeeded, over a fuzz link on this thread. */
  fuzz_link = wire_fuzz_link_new ();
  frames_out = 0;
  uri = g_uri_parse (URL, G_URI_FLAGS_NONE, NULL);
  link_ws = soup_websocket_connection_new (wire_fuzz_link_get_stream (fuzz_link), uri,
                                           SOUP_WEBSOCKET_CONNECTION_CLIENT, NULL, NULL, NULL);
  /* An attempt takes its token before it opens the link. */
  g_free (connection->current_token);
  connection->current_token = g_strdup (token);
  wire_connection_open_direct_link (connection, link_ws);

  feed (auth_ok, strlen (auth_ok));
  g_assert_cmpint (wire_connection_get_state (connection), ==, WIRE_CONNECTION_CONNECTED);
  wire_fuzz_link_check_output (fuzz_link, TRUE, check_frame_cb, NULL);
  g_assert_cmpuint (frames_out, ==, 1);
}

/* Shut down for good: once the peer went away too, nothing may hold the connection. */
static void
close_connection (void)
{
  wire_connection_shutdown (connection);
  g_assert_null (connection->link);
  wire_fuzz_link_hang_up (fuzz_link);
  /* Reading the end of file and closing the stream (in a thread) take a few turns. */
  for (guint i = 0; soup_websocket_connection_get_state (link_ws) != SOUP_WEBSOCKET_STATE_CLOSED;
       i++)
    {
      g_assert_cmpuint (i, <, 100000);
      g_main_context_iteration (NULL, TRUE);
    }
  wire_fuzz_link_check_output (fuzz_link, TRUE, check_frame_cb, NULL);
  g_assert_finalize_object (g_steal_pointer (&connection));
  g_clear_object (&link_ws);
  g_clear_pointer (&fuzz_link, wire_fuzz_link_free);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *p, *end;
  guint frames = 0;

  if (connection != NULL && (++inputs % RENEW_INPUTS == 0
                             || wire_connection_get_state (connection)
                                != WIRE_CONNECTION_CONNECTED))
    close_connection ();
  if (connection == NULL)
    open_connection ();

  wire_dedup_cache_expire (connection->dedup, G_MAXINT64);

  p = (const char *) data;
  end = (const char *) data + size;
  while (p < end && frames < MAX_FRAMES)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *stop = nl != NULL ? nl : end;

      if (g_utf8_validate_len (p, stop - p, NULL))
        feed (p, stop - p);
      frames++;
      p = stop + 1;
    }
  wire_fuzz_link_check_output (fuzz_link, TRUE, check_frame_cb, NULL);

  /* Timers that came due: heartbeats, the watchdog. */
  g_main_context_iteration (NULL, FALSE);
  return 0;
}
