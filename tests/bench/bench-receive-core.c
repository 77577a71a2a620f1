#define G_LOG_DOMAIN "wire-bench"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The receive benchmark through the Wirescope core: one WireConnection in a WireManager
 * (envelope scanning, dedup, metrics) with its `message` signal connected to a counter. Prints
 * "cpu_s=S messages=N" like the floor client, S measured from authentication to the last frame. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "wire-core.h"

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
message_cb (WireConnection *connection,
            WireEnvelope   *envelope,
            gpointer        user_data)
{
  if (++received == expected)
    g_main_loop_quit (loop);
}

static void
notify_state_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  WireConnectionState state = wire_connection_get_state (WIRE_CONNECTION (object));

  if (state == WIRE_CONNECTION_CONNECTED && cpu_start == 0)
    cpu_start = cpu_seconds ();
  if (state == WIRE_CONNECTION_ERROR)
    {
      fprintf (stderr, "connection failed: %s\n",
               wire_connection_get_last_error (WIRE_CONNECTION (object)));
      exit (1);
    }
}

/* An unsigned token in JWT shape with a far expiry: the flood server does not check it. */
static char *
bench_token (void)
{
  static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  static const char claims[] = "{\"sub\":\"bench\",\"exp\":4102444800}";
  g_autofree char *h = g_base64_encode ((const guchar *) header, strlen (header));
  g_autofree char *c = g_base64_encode ((const guchar *) claims, strlen (claims));
  char *token = g_strdup_printf ("%s.%s.c2lnbmF0dXJl", h, c);

  /* base64url without padding. */
  g_strdelimit (token, "+", '-');
  g_strdelimit (token, "/", '_');
  for (char *p = token, *q = token;; p++)
    {
      if (*p != '=')
        *q++ = *p;
      if (*p == '\0')
        break;
    }
  return token;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr (WireConfig) config = NULL;
  g_autoptr (WireManager) manager = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *token = bench_token ();
  WireConnection *connection;
  const char *channels[] = { "chat:bench", NULL };
  double cpu;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s ws://HOST:PORT/ws/chat/bench [COUNT]\n", argv[0]);
      return 2;
    }
  if (argc > 2)
    expected = (guint) atoi (argv[2]);

  loop = g_main_loop_new (NULL, FALSE);
  config = wire_config_new ();
  g_object_set (config,
                "heartbeat-interval-ms", 600000,
                "probe-interval-ms", 600000,
                "permessage-deflate", FALSE,
                NULL);
  manager = wire_manager_new (config);
  connection = wire_manager_add_connection (manager, argv[1], token, "bench", channels, &error);
  if (connection == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  g_signal_connect (connection, "message", G_CALLBACK (message_cb), NULL);
  g_signal_connect (connection, "notify::state", G_CALLBACK (notify_state_cb), NULL);
  wire_connection_connect (connection);
  g_main_loop_run (loop);

  cpu = cpu_seconds () - cpu_start;
  printf ("cpu_s=%.4f messages=%u\n", cpu, received);
  {
    WireMetrics m;

    wire_connection_get_metrics (connection, &m);
    fprintf (stderr, "core metrics: received %" G_GUINT64_FORMAT ", dedup hits %"
             G_GUINT64_FORMAT ", bytes %" G_GUINT64_FORMAT "\n",
             m.messages_received, m.dedup_hits, m.bytes_received);
  }
  g_main_loop_unref (loop);
  return 0;
}
