#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib-unix.h>

#include "wire-gateway.h"

#define SHUTDOWN_GRACE_MS 2000

typedef struct
{
  GMainLoop   *loop;
  WireGateway *gateway;
  guint        grace_id;
  gboolean     stopping;
} Runtime;

static gboolean
load_secret (const char  *secret_file,
             GBytes     **out_secret,
             GError     **error)
{
  const char *env = g_getenv ("WIRESCOPE_GATEWAY_SECRET");

  *out_secret = NULL;
  if (secret_file != NULL)
    {
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (!g_file_get_contents (secret_file, &contents, &len, error))
        return FALSE;
      /* A trailing newline from `echo secret > file` is not part of the secret. */
      while (len > 0 && (contents[len - 1] == '\n' || contents[len - 1] == '\r'))
        len--;
      if (len == 0)
        {
          g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT, "%s is empty", secret_file);
          return FALSE;
        }
      *out_secret = g_bytes_new (contents, len);
    }
  else if (env != NULL && env[0] != '\0')
    *out_secret = g_bytes_new (env, strlen (env));
  return TRUE;
}

static gboolean
split_listen (const char  *listen,
              char       **out_host,
              guint       *out_port,
              GError     **error)
{
  const char *colon = strrchr (listen, ':');
  guint64 port;
  g_autofree char *host = NULL;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                   "--listen needs HOST:PORT, not %s", listen);
      return FALSE;
    }
  host = g_strndup (listen, colon - listen);
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      char *inner = g_strndup (host + 1, strlen (host) - 2);

      g_free (host);
      host = inner;
    }
  *out_host = g_steal_pointer (&host);
  *out_port = (guint) port;
  return TRUE;
}

static int
mint_token (int    argc,
            char **argv)
{
  g_autofree char *user = NULL;
  g_autofree char *role = NULL;
  g_autofree char *trips = NULL;
  g_autofree char *sessions = NULL;
  g_autofree char *secret_file = NULL;
  gint64 ttl = 3600;
  GOptionEntry entries[] = {
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, "User id (the token's sub)", "ID" },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, "user or admin", "ROLE" },
    { "trips", 0, 0, G_OPTION_ARG_STRING, &trips, "Trips the user may join", "A,B" },
    { "sessions", 0, 0, G_OPTION_ARG_STRING, &sessions, "Chat sessions the user may use", "S,…" },
    { "ttl", 0, 0, G_OPTION_ARG_INT64, &ttl, "Lifetime in seconds (3600)", "SECONDS" },
    { "secret-file", 0, 0, G_OPTION_ARG_FILENAME, &secret_file, "File holding the secret",
      "FILE" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- print a signed token");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) secret = NULL;
  g_autoptr (WireGateway) gateway = NULL;
  g_auto (GStrv) trip_list = NULL;
  g_auto (GStrv) session_list = NULL;
  g_autofree char *token = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("mint-token: %s\n", error->message);
      return 2;
    }
  if (user == NULL || !wire_id_is_valid (user))
    {
      g_printerr ("mint-token: --user ID is required ([A-Za-z0-9_-]{1,64})\n");
      return 2;
    }
  if (role != NULL && !g_str_equal (role, "user") && !g_str_equal (role, "admin"))
    {
      g_printerr ("mint-token: --role is user or admin\n");
      return 2;
    }
  if (ttl <= 0)
    {
      g_printerr ("mint-token: --ttl must be positive\n");
      return 2;
    }
  if (!load_secret (secret_file, &secret, &error))
    {
      g_printerr ("mint-token: %s\n", error->message);
      return 1;
    }
  if (secret == NULL)
    {
      g_printerr ("mint-token: no secret: use --secret-file or WIRESCOPE_GATEWAY_SECRET\n");
      return 1;
    }

  gateway = wire_gateway_new ();
  wire_gateway_set_secret (gateway, g_bytes_get_data (secret, NULL), g_bytes_get_size (secret));
  if (trips != NULL)
    trip_list = g_strsplit (trips, ",", -1);
  if (sessions != NULL)
    session_list = g_strsplit (sessions, ",", -1);
  token = wire_gateway_mint_token (gateway, user, role, (const char * const *) trip_list,
                                   (const char * const *) session_list, ttl);
  g_print ("%s\n", token);
  return 0;
}

static void
connection_count_cb (WireGateway *gateway,
                     GParamSpec  *pspec,
                     Runtime     *rt)
{
  if (rt->stopping && wire_gateway_get_connection_count (gateway) == 0)
    g_main_loop_quit (rt->loop);
}

static void
grace_cb (gpointer user_data)
{
  Runtime *rt = user_data;

  rt->grace_id = 0;
  g_main_loop_quit (rt->loop);
}

static gboolean
signal_cb (gpointer user_data)
{
  Runtime *rt = user_data;

  if (rt->stopping)
    return G_SOURCE_CONTINUE;
  rt->stopping = TRUE;
  g_printerr ("Shutting down: closing every connection with 1001\n");
  wire_gateway_shutdown (rt->gateway);
  /* Give the close frames a moment to reach the clients. */
  if (wire_gateway_get_connection_count (rt->gateway) == 0)
    g_main_loop_quit (rt->loop);
  else
    rt->grace_id = g_timeout_add_once (SHUTDOWN_GRACE_MS, grace_cb, rt);
  return G_SOURCE_CONTINUE;
}

/* Thousands of connections need thousands of descriptors: take the hard limit. */
static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

static int
serve (int    argc,
       char **argv)
{
  g_autofree char *listen = NULL;
  g_autofree char *secret_file = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_auto (GStrv) origins = NULL;
  gboolean demo = FALSE, faults = FALSE, no_rate_limits = FALSE, log_json = FALSE;
  gint64 seed = 0;
  int auth_timeout_ms = WIRE_DEFAULT_AUTH_TIMEOUT_MS;
  int max_message_bytes = WIRE_DEFAULT_MAX_MESSAGE_BYTES;
  int heartbeat_ms = WIRE_DEFAULT_HEARTBEAT_MS;
  GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "Address (127.0.0.1:8765; port 0 = any)",
      "HOST:PORT" },
    { "secret-file", 0, 0, G_OPTION_ARG_FILENAME, &secret_file, "File holding the HS256 secret",
      "FILE" },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo, "Services produce demo traffic", NULL },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed for repeatable demo traffic", "N" },
    { "faults", 0, 0, G_OPTION_ARG_NONE, &faults, "Enable POST /api/faults (admin token)", NULL },
    { "allow-origin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &origins, "Allowed Origin (repeatable)",
      "ORIGIN" },
    { "auth-timeout-ms", 0, 0, G_OPTION_ARG_INT, &auth_timeout_ms, "Wait for auth (5000)", "N" },
    { "max-message-bytes", 0, 0, G_OPTION_ARG_INT, &max_message_bytes, "Frame limit (65536)",
      "N" },
    { "heartbeat-interval-ms", 0, 0, G_OPTION_ARG_INT, &heartbeat_ms,
      "Heartbeat interval told to clients (30000)", "N" },
    { "no-rate-limits", 0, 0, G_OPTION_ARG_NONE, &no_rate_limits,
      "Lift per-channel rate limits (load tests only)", NULL },
    { "log-json", 0, 0, G_OPTION_ARG_NONE, &log_json, "Connection events as JSON on stderr",
      NULL },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "PEM certificate (serve wss://)",
      "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "PEM private key", "FILE" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) secret = NULL;
  g_autoptr (WireGateway) gateway = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autofree char *host = NULL;
  guint port = 0;
  Runtime rt = { 0 };
  guint sigint_id, sigterm_id;

  context = g_option_context_new ("[mint-token …] - the Wirescope reference gateway");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
                                    "Subcommand:\n  mint-token --user ID [--role user|admin] "
                                    "[--trips A,B] [--sessions S,…] [--ttl SECONDS]\n");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wirescope-gateway: %s\n", error->message);
      return 2;
    }
  if (argc > 1)
    {
      g_printerr ("wirescope-gateway: unexpected argument %s\n", argv[1]);
      return 2;
    }
  if (auth_timeout_ms <= 0 || max_message_bytes < 256 || heartbeat_ms <= 0)
    {
      g_printerr ("wirescope-gateway: timeouts must be positive and --max-message-bytes ≥ 256\n");
      return 2;
    }
  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      g_printerr ("wirescope-gateway: --tls-cert and --tls-key go together\n");
      return 2;
    }
  if (!split_listen (listen != NULL ? listen : "127.0.0.1:8765", &host, &port, &error)
      || !load_secret (secret_file, &secret, &error))
    {
      g_printerr ("wirescope-gateway: %s\n", error->message);
      return 2;
    }

  raise_fd_limit ();
  gateway = wire_gateway_new ();
  g_object_set (gateway,
                "demo", demo,
                "seed", seed,
                "faults", faults,
                "rate-limits", !no_rate_limits,
                "auth-timeout-ms", (guint) auth_timeout_ms,
                "max-message-bytes", (guint) max_message_bytes,
                "heartbeat-interval-ms", (guint) heartbeat_ms,
                "log-json", log_json,
                NULL);
  if (origins != NULL)
    g_object_set (gateway, "allowed-origins", origins, NULL);
  if (secret != NULL)
    wire_gateway_set_secret (gateway, g_bytes_get_data (secret, NULL), g_bytes_get_size (secret));
  if (tls_cert != NULL)
    {
      g_autoptr (GTlsCertificate) cert = g_tls_certificate_new_from_files (tls_cert, tls_key,
                                                                          &error);

      if (cert == NULL)
        {
          g_printerr ("wirescope-gateway: %s\n", error->message);
          return 1;
        }
      g_object_set (gateway, "tls-certificate", cert, NULL);
    }

  if (no_rate_limits)
    g_printerr ("\n*** WARNING: --no-rate-limits: per-channel rate limits are OFF. ***\n"
                "*** Any client may flood any channel. Use this for load tests only. ***\n\n");

  if (!wire_gateway_listen (gateway, host, port, &error))
    {
      g_printerr ("wirescope-gateway: cannot listen on %s:%u: %s\n", host, port, error->message);
      return 1;
    }

  if (secret == NULL)
    {
      g_autofree char *example = wire_gateway_mint_token (gateway, "user-1", "user", NULL, NULL,
                                                          3600);
      GBytes *random_secret = NULL;
      g_autofree char *hex = NULL;

      g_object_get (gateway, "secret", &random_secret, NULL);
      {
        gsize len;
        const guint8 *data = g_bytes_get_data (random_secret, &len);
        GString *out = g_string_new (NULL);

        for (gsize i = 0; i < len; i++)
          g_string_append_printf (out, "%02x", data[i]);
        hex = g_string_free (out, FALSE);
      }
      g_bytes_unref (random_secret);
      g_printerr ("No secret given (--secret-file or WIRESCOPE_GATEWAY_SECRET): using a random "
                  "one for this run.\nMint tokens for it with:\n"
                  "  WIRESCOPE_GATEWAY_SECRET=%s wirescope-gateway mint-token --user ID\n"
                  "A token for user-1, valid one hour:\n  %s\n",
                  hex, example);
    }

  loop = g_main_loop_new (NULL, FALSE);
  rt.loop = loop;
  rt.gateway = gateway;
  sigint_id = g_unix_signal_add (SIGINT, signal_cb, &rt);
  sigterm_id = g_unix_signal_add (SIGTERM, signal_cb, &rt);
  g_signal_connect (gateway, "notify::connection-count", G_CALLBACK (connection_count_cb), &rt);

  g_print ("listening on %s\n", wire_gateway_get_url (gateway));
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_clear_handle_id (&rt.grace_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (gateway, &rt);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  if (argc > 1 && g_str_equal (argv[1], "mint-token"))
    return mint_token (argc - 1, argv + 1);
  return serve (argc, argv);
}
