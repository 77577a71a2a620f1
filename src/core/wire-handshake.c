#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-protocol.h"
#include "wire-handshake.h"

GUri *
wire_handshake_parse_url (const char  *url,
                          GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                           "No gateway URL given");
      return NULL;
    }

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a valid URL: %s", url, local_error->message);
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "ws") != 0 && g_ascii_strcasecmp (scheme, "wss") != 0)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                   "“%s” must start with ws:// or wss://, not %s://", url, scheme);
      return NULL;
    }

  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                   "“%s” has no host", url);
      return NULL;
    }

  if (!wire_endpoint_parse_path (g_uri_get_path (uri), NULL, NULL, &local_error))
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a gateway endpoint: %s", url, local_error->message);
      return NULL;
    }

  return g_steal_pointer (&uri);
}

static gboolean
uri_is_secure (GUri *uri)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "wss") == 0;
}

static int
uri_port (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port > 0)
    return port;
  return uri_is_secure (uri) ? 443 : 80;
}

/* IPv6 literals need brackets when a port follows. */
static char *
host_for_authority (GUri *uri)
{
  const char *host = g_uri_get_host (uri);

  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]", host);
  return g_ascii_strdown (host, -1);
}

char *
wire_handshake_host_key (GUri *uri)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  host = host_for_authority (uri);
  return g_strdup_printf ("%s:%d", host, uri_port (uri));
}

char *
wire_handshake_probe_uri (GUri       *uri,
                          const char *health_path)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  if (health_path == NULL || *health_path == '\0')
    health_path = WIRE_HEALTH_PATH;

  host = host_for_authority (uri);
  return g_strdup_printf ("%s://%s:%d%s%s",
                          uri_is_secure (uri) ? "https" : "http",
                          host, uri_port (uri),
                          health_path[0] == '/' ? "" : "/",
                          health_path);
}

static gboolean
accept_any_certificate_cb (SoupMessage          *msg,
                           GTlsCertificate      *certificate,
                           GTlsCertificateFlags  errors,
                           gpointer              user_data)
{
  return TRUE;
}

/* Called only when the system trust store refused the certificate: a second chance against
 * the configured CA file. */
static gboolean
accept_with_ca_file_cb (SoupMessage          *msg,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        GTlsDatabase         *database)
{
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) error = NULL;
  GUri *uri = soup_message_get_uri (msg);
  GTlsCertificateFlags flags;

  identity = g_network_address_new (g_uri_get_host (uri), (guint16) uri_port (uri));
  flags = g_tls_database_verify_chain (database, certificate,
                                       G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                       identity, NULL, G_TLS_DATABASE_VERIFY_NONE,
                                       NULL, &error);
  if (error != NULL)
    g_debug ("Verifying against the CA file failed: %s", error->message);

  return error == NULL && flags == 0;
}

SoupMessage *
wire_handshake_build_message (GUri        *uri,
                              WireConfig  *config,
                              GError     **error)
{
  static gsize insecure_warned = 0;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GUri) http_uri = NULL;
  SoupMessageHeaders *headers;
  const char * const *extra;
  const char *ca_file;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (WIRE_IS_CONFIG (config), NULL);

  /* The upgrade is an HTTP request: libsoup wants the http(s) form of the URL. */
  http_uri = soup_uri_copy (uri,
                            SOUP_URI_SCHEME, uri_is_secure (uri) ? "https" : "http",
                            SOUP_URI_NONE);
  msg = soup_message_new_from_uri (SOUP_METHOD_GET, http_uri);
  headers = soup_message_get_request_headers (msg);

  extra = wire_config_get_extra_headers (config);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    {
      const char *colon = strchr (extra[i], ':');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (colon == NULL || colon == extra[i])
        {
          g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                       "Extra header “%s” is not of the form “Name: value”", extra[i]);
          return NULL;
        }
      name = g_strstrip (g_strndup (extra[i], colon - extra[i]));
      value = g_strstrip (g_strdup (colon + 1));
      soup_message_headers_append (headers, name, value);
    }

  if (!wire_config_get_permessage_deflate (config))
    soup_message_disable_feature (msg, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);

  if (wire_config_get_insecure (config))
    {
      if (g_once_init_enter (&insecure_warned))
        {
          g_warning ("TLS certificate checks are OFF (insecure): any server can pose as the "
                     "gateway and read every message and token");
          g_once_init_leave (&insecure_warned, 1);
        }
      g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate_cb), NULL);
    }
  else if ((ca_file = wire_config_get_ca_file (config)) != NULL && *ca_file != '\0')
    {
      g_autoptr(GError) local_error = NULL;
      GTlsDatabase *database = g_tls_file_database_new (ca_file, &local_error);

      if (database == NULL)
        {
          g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                       "Cannot use CA file “%s”: %s", ca_file, local_error->message);
          return NULL;
        }
      g_signal_connect_data (msg, "accept-certificate", G_CALLBACK (accept_with_ca_file_cb),
                             database, (GClosureNotify) (void (*) (void)) g_object_unref, 0);
    }

  return g_steal_pointer (&msg);
}

void
wire_handshake_prepare_session (SoupSession *session)
{
  g_return_if_fail (SOUP_IS_SESSION (session));

  if (!soup_session_has_feature (session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER))
    soup_session_add_feature_by_type (session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
}
