#define G_LOG_DOMAIN "wire-bench"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The floor of the receive benchmark: a bare libsoup client that authenticates and only counts
 * frames. Prints "cpu_s=S messages=N" with S the process's user+system CPU seconds from the
 * first flooded frame's arrival window (after auth_ok) to the last frame. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <libsoup/soup.h>

static guint expected = 200000;
static guint received;
static double cpu_start;
static GMainLoop *loop;

static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (double) ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double) ru.ru_stime.tv_sec
         + ru.ru_stime.tv_usec / 1e6;
}

static void
message_cb (SoupWebsocketConnection *ws,
            int                      type,
            GBytes                  *message,
            gpointer                 user_data)
{
  if (cpu_start == 0)
    {
      /* The first frame is auth_ok: the flood starts now. */
      cpu_start = cpu_seconds ();
      return;
    }
  if (++received == expected)
    g_main_loop_quit (loop);
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SoupWebsocketConnection **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (*out == NULL)
    {
      fprintf (stderr, "connect: %s\n", error->message);
      exit (1);
    }
  soup_websocket_connection_set_max_incoming_payload_size (*out, 1024 * 1024);
  g_signal_connect (*out, "message", G_CALLBACK (message_cb), NULL);
  soup_websocket_connection_send_text (*out, "{\"type\":\"auth\",\"token\":\"x\"}");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (SoupWebsocketConnection) ws = NULL;
  double cpu;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s ws://HOST:PORT/ws/chat/bench [COUNT]\n", argv[0]);
      return 2;
    }
  if (argc > 2)
    expected = (guint) atoi (argv[2]);

  loop = g_main_loop_new (NULL, FALSE);
  session = soup_session_new ();
  msg = soup_message_new ("GET", argv[1]);
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        connected_cb, &ws);
  g_main_loop_run (loop);

  cpu = cpu_seconds () - cpu_start;
  printf ("cpu_s=%.4f messages=%u\n", cpu, received);
  soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_main_loop_unref (loop);
  return 0;
}
