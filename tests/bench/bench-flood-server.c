#define G_LOG_DOMAIN "wire-bench"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* A WebSocket server that floods each client with `message` frames, for the receive benchmark.
 * After the first frame (any auth request) it answers auth_ok, then sends --count pre-built
 * frames of about 150 bytes with distinct ids, as fast as the socket takes them. It also answers
 * the health probe. Prints "listening on PORT" once ready. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsoup/soup.h>

#define BATCH 2000

static guint count = 200000;
static guint client_serial;

typedef struct
{
  SoupWebsocketConnection *ws;
  GPtrArray               *frames;
  guint                    next;
  guint                    source_id;
  gboolean                 authenticated;
} Flood;

static void
flood_free (Flood *flood)
{
  g_clear_handle_id (&flood->source_id, g_source_remove);
  g_ptr_array_unref (flood->frames);
  g_object_unref (flood->ws);
  g_free (flood);
}

/* Queues frames in batches so one client's flood does not starve the loop. */
static gboolean
send_batch_cb (gpointer user_data)
{
  Flood *flood = user_data;
  guint end = MIN (flood->next + BATCH, flood->frames->len);

  if (soup_websocket_connection_get_state (flood->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      flood->source_id = 0;
      return G_SOURCE_REMOVE;
    }
  for (; flood->next < end; flood->next++)
    {
      GBytes *frame = g_ptr_array_index (flood->frames, flood->next);
      gsize len;
      const char *text = g_bytes_get_data (frame, &len);

      soup_websocket_connection_send_message (flood->ws, SOUP_WEBSOCKET_DATA_TEXT,
                                              g_bytes_new_static (text, len));
    }
  if (flood->next >= flood->frames->len)
    {
      flood->source_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static GPtrArray *
build_frames (guint serial)
{
  GPtrArray *frames = g_ptr_array_new_full (count, (GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < count; i++)
    {
      char *text = g_strdup_printf ("{\"type\":\"message\",\"id\":\"f%u-%08u\",\"channel\":"
                                    "\"chat:bench\",\"event\":\"user_message\",\"from\":\"user-2\","
                                    "\"priority\":\"normal\",\"timestamp\":1700000000000,"
                                    "\"payload\":{\"text\":\"hello %06u\",\"n\":%u}}",
                                    serial, i, i % 1000000, i);

      g_ptr_array_add (frames, g_bytes_new_take (text, strlen (text)));
    }
  return frames;
}

static void
message_cb (SoupWebsocketConnection *ws,
            int                      type,
            GBytes                  *message,
            gpointer                 user_data)
{
  Flood *flood = user_data;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  if (flood->authenticated)
    {
      /* Heartbeats are answered; everything else is ignored. */
      if (g_strstr_len (data, (gssize) len, "\"heartbeat\"") != NULL)
        {
          g_autofree char *ack = g_strdup_printf ("{\"type\":\"heartbeat_ack\",\"serverTime\":%"
                                                  G_GINT64_FORMAT "}",
                                                  g_get_real_time () / 1000);
          soup_websocket_connection_send_text (ws, ack);
        }
      return;
    }

  flood->authenticated = TRUE;
  {
    g_autofree char *ok = g_strdup_printf (
      "{\"type\":\"auth_ok\",\"success\":true,\"userId\":\"bench\",\"sessionId\":\"bench\","
      "\"connectionId\":\"c-%u\",\"availableChannels\":[\"chat:bench\"],\"deniedChannels\":[],"
      "\"permissions\":[\"read\",\"write\"],\"heartbeatIntervalMs\":600000,"
      "\"maxMessageBytes\":65536,\"serverTime\":%" G_GINT64_FORMAT "}",
      client_serial, g_get_real_time () / 1000);
    soup_websocket_connection_send_text (ws, ok);
  }
  flood->source_id = g_idle_add (send_batch_cb, flood);
}

static void
closed_cb (SoupWebsocketConnection *ws,
           gpointer                 user_data)
{
  flood_free (user_data);
}

static void
websocket_cb (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  Flood *flood = g_new0 (Flood, 1);

  flood->ws = g_object_ref (ws);
  flood->frames = build_frames (++client_serial);
  /* The client's incoming limit is its business; ours need not be large. */
  g_signal_connect (ws, "message", G_CALLBACK (message_cb), flood);
  g_signal_connect (ws, "closed", G_CALLBACK (closed_cb), flood);
}

static void
health_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  static const char body[] = "{\"status\":\"ok\",\"connections\":0,\"uptimeMs\":0}";

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body,
                                    strlen (body));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GError) error = NULL;
  g_autoslist (GUri) uris = NULL;
  int port = 0;
  GOptionEntry entries[] = {
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Frames per client (200000)", "N" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port (0 = any free one)", "PORT" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— flood WebSocket clients");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);

  server = soup_server_new (NULL, NULL);
  /* Compression would measure zlib, not the receive path: nobody gets to negotiate it. */
  soup_server_remove_websocket_extension (server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_handler (server, "/api/health", health_cb, NULL, NULL);
  soup_server_add_websocket_handler (server, "/ws", NULL, NULL, websocket_cb, NULL, NULL);
  if (!soup_server_listen_local (server, (guint) port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      fprintf (stderr, "listen: %s\n", error->message);
      return 1;
    }
  uris = soup_server_get_uris (server);
  printf ("listening on %d\n", g_uri_get_port (uris->data));

  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);
  return 0;
}
