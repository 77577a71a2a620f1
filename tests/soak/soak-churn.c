#define G_LOG_DOMAIN "wire-soak"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The soak's churn in minutes instead of half an hour, with the gateway looked at from inside.
 * A child process runs the gateway (demo traffic on) and prints, every few seconds, the size of
 * each of its tables and its heap in use (mallinfo2) next to its resident memory; the parent
 * holds the connections and replaces some of them every second. A table or a heap that keeps
 * growing with the count of connections opened is kept state; a heap that stays while the
 * resident size steps up and levels off is the allocator.
 *
 * Usage: soak-churn [--connections N] [--churn C] [--seconds S] [--every S] [--chat]
 *                   [--dedup-ttl-ms MS]
 *   --churn: connections replaced each second (10); --chat: every connection is a chat on a new
 *   session id (a new channel each time) instead of agent-status and notifications;
 *   --dedup-ttl-ms: the gateway's dedup TTL, which also bounds how long an idle channel's resume
 *   history is kept (300000). */

#include "config.h"

#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wire-core.h"
#include "wire-gateway.h"
#include "wire-gateway-private.h"

static int count = 200;
static int churn = 10;
static int seconds = 120;
static int every = 10;
static gboolean chat;
static int dedup_ttl_ms = 300000;

static const char secret[] = "soak-churn-secret-0123456789";
static char *url;
static guint serial;
static guint opened;

static double
rss_kib (void)
{
  g_autofree char *text = NULL;
  const char *at;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
    return -1;
  at = strstr (text, "VmRSS:");
  return at != NULL ? g_ascii_strtod (at + strlen ("VmRSS:"), NULL) : -1;
}

/* The child: the gateway, and its own figures. */

static gboolean
report_cb (gpointer user_data)
{
  WireGateway *gateway = user_data;
  WireGatewayTableSizes sizes;
  struct mallinfo2 info = mallinfo2 ();

  wire_gateway_get_table_sizes (gateway, &sizes);
  g_print ("opened %6u  sessions %4u  slots %4u  channels %4u  dedup-users %4u  histories %5u  "
           "sockets %4u  heap-kib %7.0f  arena-kib %6.0f  rss-kib %6.0f\n",
           opened, sizes.sessions, sizes.slots, sizes.channels, sizes.dedup_users,
           sizes.histories, sizes.accepted_sockets, info.uordblks / 1024.0, info.arena / 1024.0,
           rss_kib ());
  return G_SOURCE_CONTINUE;
}

static void
count_cb (WireGateway *gateway,
          GParamSpec  *pspec,
          guint       *last)
{
  guint now = wire_gateway_get_connection_count (gateway);

  if (now > *last)
    opened += now - *last;
  *last = now;
}

static int
run_gateway (int port_fd)
{
  g_autoptr (WireGateway) gateway = wire_gateway_new ();
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GError) error = NULL;
  g_autofree char *port = NULL;
  guint last = 0;

  wire_gateway_set_secret (gateway, (const guint8 *) secret, strlen (secret));
  g_object_set (gateway, "demo", TRUE, "seed", (gint64) 1, "dedup-ttl-ms", (guint) dedup_ttl_ms,
                NULL);
  if (!wire_gateway_listen (gateway, "127.0.0.1", 0, &error))
    {
      g_printerr ("soak-churn: %s\n", error->message);
      return 1;
    }
  port = g_strdup_printf ("%u\n", wire_gateway_get_port (gateway));
  if (write (port_fd, port, strlen (port)) < 0)
    return 1;
  close (port_fd);
  g_signal_connect (gateway, "notify::connection-count", G_CALLBACK (count_cb), &last);
  g_timeout_add_seconds (every, report_cb, gateway);
  g_main_loop_run (loop);
  return 0;
}

/* The parent: the connections. */

static char *
mint (const char *user)
{
  g_autoptr (WireJwtClaims) claims = wire_jwt_claims_new ();

  claims->sub = g_strdup (user);
  claims->exp = g_get_real_time () / G_USEC_PER_SEC + 24 * 3600;
  return wire_jwt_sign_hs256 (claims, (const guint8 *) secret, strlen (secret));
}

static WireConnection *
open_connection (WireConfig *config,
                 int         i)
{
  g_autofree char *user = g_strdup_printf ("churn-%d", i);
  g_autofree char *token = mint (user);
  g_autofree char *full = NULL;
  g_autofree char *channel = NULL;
  g_autoptr (GError) error = NULL;
  WireConnection *connection;

  if (chat)
    {
      g_autofree char *session = g_strdup_printf ("s-%u", ++serial);

      full = g_strdup_printf ("%s/ws/chat/%s", url, session);
      channel = g_strconcat ("chat:", session, NULL);
    }
  else
    {
      full = g_strdup_printf ("%s/ws/%s/%s", url, i % 2 ? "notifications" : "agent-status", user);
      channel = g_strdup_printf ("%s:%s", i % 2 ? "notifications" : "agent", user);
    }
  connection = wire_connection_new (config, NULL, full, &error);
  if (connection == NULL)
    g_error ("soak-churn: %s", error->message);
  wire_connection_set_token (connection, token);
  {
    const char *channels[] = { channel, NULL };

    wire_connection_set_channels (connection, channels);
  }
  wire_connection_connect (connection);
  return connection;
}

typedef struct
{
  WireConfig *config;
  GPtrArray  *connections;
  GRand      *rand;
  GMainLoop  *loop;
  int         left;
} Churn;

static gboolean
churn_cb (gpointer user_data)
{
  Churn *state = user_data;

  if (--state->left < 0)
    {
      g_main_loop_quit (state->loop);
      return G_SOURCE_REMOVE;
    }
  for (int j = 0; j < churn; j++)
    {
      int i = g_rand_int_range (state->rand, 0, (gint32) state->connections->len);
      WireConnection *old = g_ptr_array_index (state->connections, i);

      /* A chat comes back as a new session; the others reconnect as the soak's do. */
      if (chat)
        {
          wire_connection_shutdown (old);
          g_object_unref (old);
          g_ptr_array_index (state->connections, i) = open_connection (state->config, i);
        }
      else
        {
          wire_connection_disconnect (old);
          wire_connection_connect (old);
        }
    }
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- churn against a gateway");
  g_autoptr (GError) error = NULL;
  const GOptionEntry entries[] = {
    { "connections", 0, 0, G_OPTION_ARG_INT, &count, "Connections held (200)", "N" },
    { "churn", 0, 0, G_OPTION_ARG_INT, &churn, "Connections replaced each second (10)", "C" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Duration (120)", "S" },
    { "every", 0, 0, G_OPTION_ARG_INT, &every, "Seconds between reports (10)", "S" },
    { "chat", 0, 0, G_OPTION_ARG_NONE, &chat, "Chat connections on new sessions", NULL },
    { "dedup-ttl-ms", 0, 0, G_OPTION_ARG_INT, &dedup_ttl_ms, "The gateway's dedup TTL (300000)",
      "MS" },
    { NULL }
  };
  Churn state = { 0 };
  char port[16] = { 0 };
  int fds[2];
  pid_t child;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || count <= 0 || churn < 0
      || seconds <= 0 || every <= 0 || dedup_ttl_ms <= 0)
    {
      g_printerr ("soak-churn: %s\n", error ? error->message : "bad arguments");
      return 2;
    }

  /* Forked before any main context exists, so that the two processes share nothing. */
  if (pipe (fds) != 0)
    return 1;
  child = fork ();
  if (child < 0)
    return 1;
  if (child == 0)
    {
      close (fds[0]);
      return run_gateway (fds[1]);
    }
  close (fds[1]);
  if (read (fds[0], port, sizeof port - 1) <= 0)
    {
      g_printerr ("soak-churn: the gateway did not start\n");
      return 1;
    }
  close (fds[0]);
  url = g_strdup_printf ("ws://127.0.0.1:%d", atoi (port));
  g_print ("soak-churn: %d connections, %d replaced a second, %d s, %s\n", count, churn, seconds,
           chat ? "chat on new sessions" : "agent-status and notifications");

  state.config = wire_config_new ();
  g_object_set (state.config, "probe-interval-ms", 0, "reconnect-base-delay-ms", 200,
                "reconnect-max-delay-ms", 5000, NULL);
  state.connections = g_ptr_array_new_with_free_func (g_object_unref);
  state.rand = g_rand_new_with_seed (1);
  state.loop = g_main_loop_new (NULL, FALSE);
  state.left = seconds;
  for (int i = 0; i < count; i++)
    g_ptr_array_add (state.connections, open_connection (state.config, i));
  g_timeout_add_seconds (1, churn_cb, &state);
  g_main_loop_run (state.loop);

  for (guint i = 0; i < state.connections->len; i++)
    wire_connection_shutdown (g_ptr_array_index (state.connections, i));
  g_ptr_array_unref (state.connections);
  g_object_unref (state.config);
  g_main_loop_unref (state.loop);
  g_rand_free (state.rand);
  g_free (url);
  kill (child, SIGTERM);
  waitpid (child, NULL, 0);
  return 0;
}
