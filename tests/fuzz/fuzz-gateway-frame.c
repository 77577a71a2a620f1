#define G_LOG_DOMAIN "wire-fuzz"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The gateway's handling of any frame after auth, in-process and without a socket: each input
 * opens a session over memory streams (wire_gateway_attach_stream), authenticates it with a
 * valid token, then hands it the input's frames exactly as libsoup would (its "message"
 * signal), and closes it through the gateway's usual path.
 *
 * Input layout: the first byte picks the endpoint (chat, trip or admin); the rest is split at
 * '\n' into text frames. Frames that are not valid UTF-8 are skipped, because libsoup fails the
 * connection (1007) before such a frame reaches the gateway. */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "wire-gateway.h"
#include "wire-gateway-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

#define MAX_FRAMES 16

typedef struct
{
  const char *path;
  char       *auth;
} Endpoint;

static WireGateway *gateway;
static Endpoint endpoints[3];

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

  gateway = wire_gateway_new ();
  /* A short dedup memory keeps the ids of ten million runs from piling up. */
  g_object_set (gateway, "dedup-ttl-ms", 1000, NULL);
  if (!wire_gateway_listen (gateway, "127.0.0.1", 0, &error))
    g_error ("listen: %s", error->message);

  user = wire_gateway_mint_token (gateway, "u1", NULL, trips, sessions, 24 * 3600);
  admin = wire_gateway_mint_token (gateway, "ops", "admin", NULL, NULL, 24 * 3600);
  endpoints[0].path = "/ws/chat/s1";
  endpoints[0].auth = g_strdup_printf ("{\"type\":\"auth\",\"token\":\"%s\",\"sessionId\":\"s1\","
                                       "\"channels\":[\"chat:s1\"]}", user);
  endpoints[1].path = "/ws/trips/t1/collab";
  endpoints[1].auth = g_strdup_printf ("{\"type\":\"auth\",\"token\":\"%s\","
                                       "\"channels\":[\"trip:t1\"]}", user);
  endpoints[2].path = "/ws/admin";
  endpoints[2].auth = g_strdup_printf ("{\"type\":\"auth\",\"token\":\"%s\","
                                       "\"channels\":[\"admin:sessions\"]}", admin);
  return 0;
}

static void
feed (SoupWebsocketConnection *ws,
      const char              *text,
      gsize                    len)
{
  g_autoptr (GBytes) bytes = NULL;

  if (soup_websocket_connection_get_state (ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  bytes = g_bytes_new (text, len);
  g_signal_emit_by_name (ws, "message", SOUP_WEBSOCKET_DATA_TEXT, bytes);
}

static void
drain (void)
{
  for (guint i = 0; i < 64 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (GOutputStream) out = NULL;
  g_autoptr (GIOStream) stream = NULL;
  g_autoptr (SoupWebsocketConnection) ws = NULL;
  const Endpoint *endpoint;
  const char *p, *end;
  guint frames = 0;

  if (size == 0)
    return 0;
  endpoint = &endpoints[data[0] % G_N_ELEMENTS (endpoints)];

  in = g_memory_input_stream_new ();
  out = g_memory_output_stream_new_resizable ();
  stream = g_simple_io_stream_new (in, out);
  ws = wire_gateway_attach_stream (gateway, stream, endpoint->path);
  g_assert_nonnull (ws);

  feed (ws, endpoint->auth, strlen (endpoint->auth));
  g_assert_cmpint (soup_websocket_connection_get_state (ws), ==, SOUP_WEBSOCKET_STATE_OPEN);

  p = (const char *) data + 1;
  end = (const char *) data + size;
  while (p < end && frames < MAX_FRAMES)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *stop = nl != NULL ? nl : end;

      if (g_utf8_validate_len (p, stop - p, NULL))
        feed (ws, p, stop - p);
      frames++;
      p = stop + 1;
    }

  /* The memory input stream reads as end of file: once the loop runs, libsoup sees the peer
   * gone, and the session closes through the gateway's usual path. */
  if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ws, 1000, NULL);
  for (guint i = 0; i < 100 && soup_websocket_connection_get_state (ws) != SOUP_WEBSOCKET_STATE_CLOSED; i++)
    g_main_context_iteration (NULL, FALSE);
  drain ();
  return 0;
}
