#define G_LOG_DOMAIN "wire-cli"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "wire-export.h"
#include "wire-cli-metrics-server.h"

struct _WireCliMetricsServer
{
  GObject       parent_instance;

  WireRecorder *recorder;
  SoupServer   *server;
  char         *url;
};

G_DEFINE_FINAL_TYPE (WireCliMetricsServer, wire_cli_metrics_server, G_TYPE_OBJECT)

static void
wire_cli_metrics_server_dispose (GObject *object)
{
  WireCliMetricsServer *self = WIRE_CLI_METRICS_SERVER (object);

  if (self->server != NULL)
    {
      soup_server_remove_handler (self->server, NULL);
      soup_server_disconnect (self->server);
    }
  g_clear_object (&self->server);
  g_clear_object (&self->recorder);

  G_OBJECT_CLASS (wire_cli_metrics_server_parent_class)->dispose (object);
}

static void
wire_cli_metrics_server_finalize (GObject *object)
{
  WireCliMetricsServer *self = WIRE_CLI_METRICS_SERVER (object);

  g_free (self->url);

  G_OBJECT_CLASS (wire_cli_metrics_server_parent_class)->finalize (object);
}

static void
wire_cli_metrics_server_class_init (WireCliMetricsServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wire_cli_metrics_server_dispose;
  object_class->finalize = wire_cli_metrics_server_finalize;
}

static void
wire_cli_metrics_server_init (WireCliMetricsServer *self)
{
}

WireCliMetricsServer *
wire_cli_metrics_server_new (WireRecorder *recorder)
{
  WireCliMetricsServer *self;

  g_return_val_if_fail (WIRE_IS_RECORDER (recorder), NULL);

  self = g_object_new (WIRE_TYPE_CLI_METRICS_SERVER, NULL);
  self->recorder = g_object_ref (recorder);
  return self;
}

static void
metrics_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  WireCliMetricsServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_autoptr (WireRecording) recording = NULL;
  char *body;

  if (g_strcmp0 (path, "/metrics") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      soup_message_headers_append (soup_server_message_get_response_headers (msg), "Allow",
                                   "GET, HEAD");
      return;
    }

  /* One scrape, one connection: nothing is left open when the command exits, and a scrape
   * every few seconds gains nothing from keep-alive. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  recording = wire_recorder_snapshot (self->recorder);
  body = wire_export_openmetrics_string (recording);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg,
                                    wire_export_format_get_content_type (WIRE_EXPORT_OPENMETRICS),
                                    SOUP_MEMORY_TAKE, body, strlen (body));
}

static gboolean
parse_host_port (const char  *host_port,
                 char       **out_host,
                 guint       *out_port,
                 GError     **error)
{
  const char *colon = strrchr (host_port, ':');
  g_autofree char *host = NULL;
  guint64 port = 0;

  if (colon == NULL || colon == host_port || colon[1] == '\0'
      || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--metrics-listen: “%s” is not HOST:PORT", host_port);
      return FALSE;
    }
  host = g_strndup (host_port, (gsize) (colon - host_port));
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

gboolean
wire_cli_metrics_server_listen (WireCliMetricsServer  *self,
                                const char            *host_port,
                                GError               **error)
{
  g_autofree char *host = NULL;
  g_autoptr (GInetAddress) address = NULL;
  g_autoptr (GSocketAddress) socket_address = NULL;
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GSocket) socket = NULL;
  guint port = 0;

  g_return_val_if_fail (WIRE_IS_CLI_METRICS_SERVER (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);

  if (!parse_host_port (host_port, &host, &port, error))
    return FALSE;
  if (g_strcmp0 (host, "localhost") == 0)
    address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    address = g_inet_address_new_from_string (host);
  if (address == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--metrics-listen: “%s” is not an IP address", host);
      return FALSE;
    }

  /* Our own socket, so that the bound port (PORT 0) is read from it directly. */
  socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;
  socket_address = g_inet_socket_address_new (address, port);
  if (!g_socket_bind (socket, socket_address, TRUE, error) || !g_socket_listen (socket, error))
    return FALSE;
  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    return FALSE;

  self->server = soup_server_new ("server-header", "wirescope-cli", NULL);
  soup_server_add_handler (self->server, NULL, metrics_cb, self, NULL);
  if (!soup_server_listen_socket (self->server, socket, 0, error))
    {
      g_clear_object (&self->server);
      return FALSE;
    }

  {
    g_autofree char *h = g_inet_address_to_string (address);

    self->url = g_strdup_printf (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6
                                   ? "http://[%s]:%u/metrics" : "http://%s:%u/metrics",
                                 h, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  }
  return TRUE;
}

const char *
wire_cli_metrics_server_get_url (WireCliMetricsServer *self)
{
  g_return_val_if_fail (WIRE_IS_CLI_METRICS_SERVER (self), NULL);
  return self->url;
}
