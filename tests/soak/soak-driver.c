#define G_LOG_DOMAIN "wire-soak"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The soak driver: many authenticated connections (half agent-status, half notifications, so
 * that the gateway's demo traffic reaches every one) against a running gateway for a number of
 * minutes, with churn (a share of the connections disconnects and reconnects every minute).
 * Once a minute it prints the resident memory of this process and of the gateway (--gateway-pid)
 * with the connection and message counts. Run through run-soak.sh. */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "wire-core.h"

static int count = 1000;
static int minutes = 30;
static int churn_percent = 10;
static int gateway_pid = 0;
static char *url;
static char *secret;

static GPtrArray *connections;
static GRand *rand_;
static guint64 messages;
static guint minute;
static gint64 started_us;
static GMainLoop *loop;

static double
rss_mib (int pid)
{
  g_autofree char *path = pid != 0 ? g_strdup_printf ("/proc/%d/status", pid)
                                   : g_strdup ("/proc/self/status");
  g_autofree char *text = NULL;
  const char *at;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  at = strstr (text, "VmRSS:");
  return at != NULL ? g_ascii_strtod (at + strlen ("VmRSS:"), NULL) / 1024.0 : -1;
}

static guint
count_connected (void)
{
  guint n = 0;

  for (guint i = 0; i < connections->len; i++)
    if (wire_connection_get_state (g_ptr_array_index (connections, i)) ==
        WIRE_CONNECTION_CONNECTED)
      n++;
  return n;
}

static void
message_cb (WireConnection *connection,
            WireEnvelope   *env,
            gpointer        user_data)
{
  messages++;
}

static char *
mint (const char *user)
{
  g_autoptr (WireJwtClaims) claims = wire_jwt_claims_new ();

  claims->sub = g_strdup (user);
  claims->exp = g_get_real_time () / G_USEC_PER_SEC + 48 * 3600;
  return wire_jwt_sign_hs256 (claims, (const guint8 *) secret, strlen (secret));
}

static void
sample (void)
{
  g_print ("minute %3u  client-rss-mib %7.1f  gateway-rss-mib %7.1f  connected %4u/%u  "
           "messages %" G_GUINT64_FORMAT "\n", minute, rss_mib (0),
           gateway_pid != 0 ? rss_mib (gateway_pid) : -1.0, count_connected (), connections->len,
           messages);
  fflush (stdout);
}

static gboolean
minute_cb (gpointer user_data)
{
  guint churn = connections->len * churn_percent / 100;

  minute++;
  sample ();
  if (minute >= (guint) minutes)
    {
      g_main_loop_quit (loop);
      return G_SOURCE_REMOVE;
    }
  /* Churn: these drop their connection and open a new one at once. */
  for (guint i = 0; i < churn; i++)
    {
      WireConnection *connection = g_ptr_array_index (connections,
                                                      g_rand_int_range (rand_, 0,
                                                                        connections->len));

      wire_connection_disconnect (connection);
      wire_connection_connect (connection);
    }
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- soak a running gateway");
  g_autoptr (GError) error = NULL;
  g_autoptr (WireConfig) config = NULL;
  const GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "Gateway URL (ws://127.0.0.1:PORT)", "URL" },
    { "secret", 0, 0, G_OPTION_ARG_STRING, &secret, "The gateway's HS256 secret", "S" },
    { "connections", 0, 0, G_OPTION_ARG_INT, &count, "Connections (1000)", "N" },
    { "minutes", 0, 0, G_OPTION_ARG_INT, &minutes, "Duration in minutes (30)", "M" },
    { "churn", 0, 0, G_OPTION_ARG_INT, &churn_percent, "Percent reconnecting each minute (10)",
      "P" },
    { "gateway-pid", 0, 0, G_OPTION_ARG_INT, &gateway_pid, "The gateway's pid, for its RSS",
      "PID" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || url == NULL || secret == NULL ||
      count <= 0 || minutes <= 0)
    {
      g_printerr ("soak-driver: %s\n", error ? error->message : "--url and --secret are needed");
      return 2;
    }

  rand_ = g_rand_new_with_seed (1);
  loop = g_main_loop_new (NULL, FALSE);
  config = wire_config_new ();
  g_object_set (config, "probe-interval-ms", 0, "reconnect-base-delay-ms", 200,
                "reconnect-max-delay-ms", 5000, NULL);
  connections = g_ptr_array_new_with_free_func (g_object_unref);
  for (int i = 0; i < count; i++)
    {
      g_autofree char *user = g_strdup_printf ("soak-%d", i);
      g_autofree char *token = mint (user);
      g_autofree char *full = g_strdup_printf ("%s/ws/%s/%s", url,
                                               i % 2 ? "notifications" : "agent-status", user);
      WireConnection *connection = wire_connection_new (config, NULL, full, &error);

      if (connection == NULL)
        {
          g_printerr ("soak-driver: %s\n", error->message);
          return 1;
        }
      wire_connection_set_token (connection, token);
      {
        g_autofree char *channel = g_strdup_printf ("%s:%s", i % 2 ? "notifications" : "agent",
                                                    user);
        const char *channels[] = { channel, NULL };

        wire_connection_set_channels (connection, channels);
      }
      g_signal_connect (connection, "message", G_CALLBACK (message_cb), NULL);
      g_ptr_array_add (connections, connection);
      wire_connection_connect (connection);
    }

  started_us = g_get_monotonic_time ();
  g_timeout_add_seconds (60, minute_cb, NULL);
  g_main_loop_run (loop);

  g_print ("soak: %d connections, %u minutes, %.0f s\n", count, minute,
           (g_get_monotonic_time () - started_us) / 1e6);
  for (guint i = 0; i < connections->len; i++)
    wire_connection_shutdown (g_ptr_array_index (connections, i));
  g_ptr_array_unref (connections);
  g_main_loop_unref (loop);
  g_rand_free (rand_);
  return 0;
}
