#define G_LOG_DOMAIN "wire-fuzz"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The gateway's handling of any frame after auth, in-process and without a socket. One session
 * per endpoint (chat, trip, admin) lives across inputs, as a long-lived client does: it is
 * attached over a WireFuzzLink (wire_gateway_attach_stream) and authenticated with a valid token
 * once, and each input's frames reach it exactly as libsoup hands them over (its "message"
 * signal). Opening and closing a session per input cost more than the input itself.
 *
 * So that earlier inputs do not make later ones uninteresting, before each input the session
 * forgets the bad frames counted, its spent rate-limit tokens and any change to its channels,
 * and the gateway the publish ids it remembers (wire_gateway_session_reset_for_testing,
 * wire_message_router_expire). A session that an input closed is taken down through the
 * gateway's usual path (its peer goes away) and the next input gets a new one; every
 * RENEW_INPUTS inputs all sessions are renewed, which also bounds what the gateway keeps per
 * session. What is still left from earlier inputs (the other endpoints' sessions, channel
 * histories) can matter, so a finding may need the inputs run before it to reproduce;
 * WIRE_FUZZ_TRACE=1 prints what each session was sent and answered.
 *
 * Beyond "no crash": every frame the gateway writes is a whole WebSocket frame and every text
 * frame a JSON object of a type the gateway may send; a session keeps its place in the gateway
 * while it is open and leaves it once closed.
 *
 * Input layout: the first byte picks the endpoint (chat, trip or admin); the rest is split at
 * '\n' into at most MAX_FRAMES text frames (enough for a bad-frame flood in one input). Frames
 * that are not valid UTF-8 are skipped, because libsoup fails the connection (1007) before such
 * a frame reaches the gateway. */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "wire-gateway.h"
#include "wire-gateway-private.h"
#include "wire-gateway-session.h"
#include "wire-message-router.h"
#include "fuzz-link.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

#define MAX_FRAMES   (WIRE_BAD_FRAME_FLOOD_COUNT + 4)
#define RENEW_INPUTS 10000

typedef struct
{
  const char              *path;
  const char              *channels[2];   /* what the auth request asks for */
  char                    *auth;

  /* The open session, if any. */
  WireFuzzLink            *link;
  SoupWebsocketConnection *ws;
  WireGatewaySession      *session;
  char                    *connection_id;
  gboolean                 saw_close;     /* a close frame went out */
  guint                    frames_out;
} Endpoint;

static WireGateway *gateway;
static Endpoint endpoints[3];
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
  static const char *trips[] = { "t1", NULL };
  static const char *sessions[] = { "s1", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *user = NULL;
  g_autofree char *admin = NULL;

  /* A closing session's messages would drown the fuzzer's own output. */
  g_log_set_default_handler (quiet_log_cb, NULL);
  trace = g_getenv ("WIRE_FUZZ_TRACE") != NULL;

  gateway = wire_gateway_new ();
  /* A short memory for the channel histories (resume extension), which live as long as the
   * gateway: a replay walks them. */
  g_object_set (gateway, "dedup-ttl-ms", 1000, NULL);
  if (!wire_gateway_listen (gateway, "127.0.0.1", 0, &error))
    g_error ("listen: %s", error->message);

  user = wire_gateway_mint_token (gateway, "u1", NULL, trips, sessions, 24 * 3600);
  admin = wire_gateway_mint_token (gateway, "ops", "admin", NULL, NULL, 24 * 3600);
  endpoints[0].path = "/ws/chat/s1";
  endpoints[0].channels[0] = "chat:s1";
  endpoints[0].auth = g_strdup_printf ("{\"type\":\"auth\",\"token\":\"%s\",\"sessionId\":\"s1\","
                                       "\"channels\":[\"chat:s1\"]}", user);
  endpoints[1].path = "/ws/trips/t1/collab";
  endpoints[1].channels[0] = "trip:t1";
  endpoints[1].auth = g_strdup_printf ("{\"type\":\"auth\",\"token\":\"%s\","
                                       "\"channels\":[\"trip:t1\"]}", user);
  endpoints[2].path = "/ws/admin";
  endpoints[2].channels[0] = "admin:sessions";
  endpoints[2].auth = g_strdup_printf ("{\"type\":\"auth\",\"token\":\"%s\","
                                       "\"channels\":[\"admin:sessions\"]}", admin);
  return 0;
}

static void
check_frame_cb (guint8      opcode,
                const char *payload,
                gsize       len,
                gpointer    user_data)
{
  Endpoint *endpoint = user_data;
  g_autoptr (WireEnvelope) env = NULL;
  g_autoptr (GError) error = NULL;

  if (trace)
    g_printerr ("%s < %s%.*s\n", endpoint->path, opcode == 0x8 ? "close " : "",
                (int) (opcode == 0x8 ? MIN (len, 2) : len), payload);
  if (opcode == 0x8)
    {
      /* A close frame: nothing else may follow it. */
      g_assert_false (endpoint->saw_close);
      endpoint->saw_close = TRUE;
      g_assert_true (len == 0 || len >= 2);
      g_assert_true (len <= 2 || g_utf8_validate_len (payload + 2, len - 2, NULL));
      return;
    }
  g_assert_false (endpoint->saw_close);
  g_assert_cmpuint (opcode, ==, 0x1);

  env = wire_envelope_parse (payload, len, &error);
  g_assert_no_error (error);
  switch (env->frame_type)
    {
    case WIRE_FRAME_AUTH_OK:
      /* Only ever the first frame of a session. */
      g_assert_cmpuint (endpoint->frames_out, ==, 0);
      g_assert_cmpint (env->success, ==, 1);
      g_assert_nonnull (env->connection_id);
      endpoint->connection_id = g_strdup (env->connection_id);
      break;
    case WIRE_FRAME_HEARTBEAT_ACK:
    case WIRE_FRAME_SUBSCRIBED:
    case WIRE_FRAME_UNSUBSCRIBED:
    case WIRE_FRAME_ACK:
    case WIRE_FRAME_MESSAGE:
    case WIRE_FRAME_ERROR:
      g_assert_cmpuint (endpoint->frames_out, >, 0);
      break;
    case WIRE_FRAME_AUTH_ERROR:
    case WIRE_FRAME_UNKNOWN:
    case WIRE_FRAME_AUTH:
    case WIRE_FRAME_HEARTBEAT:
    case WIRE_FRAME_SUBSCRIBE:
    case WIRE_FRAME_UNSUBSCRIBE:
    case WIRE_FRAME_PUBLISH:
    default:
      g_error ("The gateway sent a %s frame to an authenticated session: %.*s",
               env->type_name ? env->type_name : "typeless", (int) len, payload);
    }
  endpoint->frames_out++;
}

static void
feed (Endpoint   *endpoint,
      const char *text,
      gsize       len)
{
  g_autoptr (GBytes) bytes = NULL;

  if (soup_websocket_connection_get_state (endpoint->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  if (trace)
    g_printerr ("%s > %.*s\n", endpoint->path, (int) len, text);
  bytes = g_bytes_new (text, len);
  g_signal_emit_by_name (endpoint->ws, "message", SOUP_WEBSOCKET_DATA_TEXT, bytes);
}

static void
open_endpoint (Endpoint *endpoint)
{
  endpoint->link = wire_fuzz_link_new ();
  endpoint->ws = wire_gateway_attach_stream (gateway, wire_fuzz_link_get_stream (endpoint->link),
                                             endpoint->path);
  g_assert_nonnull (endpoint->ws);
  endpoint->saw_close = FALSE;
  endpoint->frames_out = 0;

  feed (endpoint, endpoint->auth, strlen (endpoint->auth));
  g_assert_cmpint (soup_websocket_connection_get_state (endpoint->ws), ==,
                   SOUP_WEBSOCKET_STATE_OPEN);
  wire_fuzz_link_check_output (endpoint->link, FALSE, check_frame_cb, endpoint);
  g_assert_nonnull (endpoint->connection_id);
  endpoint->session = wire_gateway_lookup_session (gateway, endpoint->connection_id);
  g_assert_nonnull (endpoint->session);
  g_assert_true (wire_gateway_session_is_authenticated (endpoint->session));
  g_object_ref (endpoint->session);
}

/* The peer goes away, as in the gateway's usual path; the session must then leave. */
static void
close_endpoint (Endpoint *endpoint)
{
  wire_fuzz_link_hang_up (endpoint->link);
  /* Reading the end of file and closing the stream (in a thread) take a few turns. */
  for (guint i = 0; soup_websocket_connection_get_state (endpoint->ws)
                    != SOUP_WEBSOCKET_STATE_CLOSED; i++)
    {
      g_assert_cmpuint (i, <, 100000);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_false (wire_gateway_session_is_open (endpoint->session));
  g_assert_null (wire_gateway_lookup_session (gateway, endpoint->connection_id));
  wire_fuzz_link_check_output (endpoint->link, FALSE, check_frame_cb, endpoint);

  g_clear_object (&endpoint->session);
  g_clear_object (&endpoint->ws);
  g_clear_pointer (&endpoint->link, wire_fuzz_link_free);
  g_clear_pointer (&endpoint->connection_id, g_free);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  Endpoint *endpoint;
  const char *p, *end;
  guint frames = 0;

  if (size == 0)
    return 0;

  if (++inputs % RENEW_INPUTS == 0)
    for (guint i = 0; i < G_N_ELEMENTS (endpoints); i++)
      if (endpoints[i].ws != NULL)
        close_endpoint (&endpoints[i]);

  endpoint = &endpoints[data[0] % G_N_ELEMENTS (endpoints)];
  /* The idle close (or an input for another endpoint, through a shared channel) may have
   * ended it since. */
  if (endpoint->ws != NULL && !wire_gateway_session_is_open (endpoint->session))
    close_endpoint (endpoint);
  if (endpoint->ws == NULL)
    open_endpoint (endpoint);
  g_assert_true (wire_gateway_lookup_session (gateway, endpoint->connection_id)
                 == endpoint->session);

  wire_gateway_session_reset_for_testing (endpoint->session, endpoint->channels);
  wire_message_router_expire (wire_gateway_get_router (gateway), G_MAXINT64);

  p = (const char *) data + 1;
  end = (const char *) data + size;
  while (p < end && frames < MAX_FRAMES)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *stop = nl != NULL ? nl : end;

      if (g_utf8_validate_len (p, stop - p, NULL))
        feed (endpoint, p, stop - p);
      frames++;
      p = stop + 1;
    }

  for (guint i = 0; i < G_N_ELEMENTS (endpoints); i++)
    if (endpoints[i].ws != NULL)
      wire_fuzz_link_check_output (endpoints[i].link, FALSE, check_frame_cb, &endpoints[i]);

  if (wire_gateway_session_is_open (endpoint->session))
    {
      g_assert_cmpint (soup_websocket_connection_get_state (endpoint->ws), ==,
                       SOUP_WEBSOCKET_STATE_OPEN);
      g_assert_false (endpoint->saw_close);
    }
  else
    close_endpoint (endpoint);

  /* Timers and idles that came due: the sweep, the admin feed, the graveyard. */
  g_main_context_iteration (NULL, FALSE);
  return 0;
}
