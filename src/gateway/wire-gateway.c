#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "wire-gateway.h"
#include "wire-gateway-private.h"
#include "wire-gateway-session.h"
#include "wire-message-router.h"
#include "wire-admin-feed.h"
#include "wire-fault-injector.h"
#include "wire-handshake-guard.h"
#include "wire-slot-table.h"
#include "wire-socket-reaper.h"
#include "wire-chat-service.h"
#include "wire-agent-service.h"
#include "wire-trip-service.h"
#include "wire-notification-service.h"

#define DEFAULT_OUTGOING_LIMIT_BYTES (1024 * 1024)
#define DEFAULT_DEMO_TICK_MS         1000
#define LISTEN_BACKLOG               4096
#define DEFAULT_HANDSHAKE_TIMEOUT_MS 10000

struct _WireGateway
{
  GObject                  parent_instance;

  WireGatewayConfig        config;
  gint64                   seed;
  gboolean                 faults;
  guint                    handshake_timeout_ms;
  GTlsCertificate         *tls_certificate;

  SoupServer              *server;
  guint                    port;
  char                    *url;
  gint64                   started_us;
  gboolean                 listening;

  WireChannelPolicy       *policy;
  WireMessageRouter       *router;
  WireAdminFeed           *admin_feed;
  WireFaultInjector       *fault_injector;
  GRand                   *rand;
  WireChatService         *chat;
  WireAgentService        *agent;
  WireTripService         *trip;
  WireNotificationService *notification;

  GHashTable              *sessions;     /* connection id → WireGatewaySession */
  WireSlotTable           *slots;
  GPtrArray               *graveyard;    /* closed sessions, released from an idle */
  guint                    graveyard_id;
  GPtrArray               *delayed;      /* GSource: health answers behind a latency fault */
  WireHandshakeGuard      *handshakes;
  WireSocketReaper        *reaper;
  guint                    sweep_id;
  gint64                   last_expire_us;
};

enum
{
  PROP_0,
  PROP_SECRET,
  PROP_DEMO,
  PROP_SEED,
  PROP_FAULTS,
  PROP_RATE_LIMITS,
  PROP_AUTH_TIMEOUT_MS,
  PROP_MAX_MESSAGE_BYTES,
  PROP_HEARTBEAT_INTERVAL_MS,
  PROP_DEDUP_TTL_MS,
  PROP_OUTGOING_LIMIT_BYTES,
  PROP_ALLOWED_ORIGINS,
  PROP_LOG_JSON,
  PROP_TLS_CERTIFICATE,
  PROP_DEMO_TICK_MS,
  PROP_HANDSHAKE_TIMEOUT_MS,
  PROP_CONNECTION_COUNT,
  PROP_PORT,
  PROP_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (WireGateway, wire_gateway, G_TYPE_OBJECT)

const WireGatewayConfig *
wire_gateway_get_config (WireGateway *self)
{
  return &self->config;
}

WireGatewayConfig *
wire_gateway_get_config_mut (WireGateway *self)
{
  return &self->config;
}

WireChannelPolicy *
wire_gateway_get_policy (WireGateway *self)
{
  return self->policy;
}

WireMessageRouter *
wire_gateway_get_router (WireGateway *self)
{
  return self->router;
}

WireAdminFeed *
wire_gateway_get_admin_feed (WireGateway *self)
{
  return self->admin_feed;
}

WireGatewaySession *
wire_gateway_lookup_session (WireGateway *self,
                             const char  *connection_id)
{
  return g_hash_table_lookup (self->sessions, connection_id);
}

GPtrArray *
wire_gateway_list_sessions (WireGateway *self)
{
  GPtrArray *out = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (out, value);
  return out;
}

void
wire_gateway_log_event (WireGateway        *self,
                        WireGatewaySession *session,
                        const char         *event,
                        const char         *reason,
                        int                 code)
{
  g_autoptr (GString) line = NULL;

  if (!self->config.log_json)
    return;

  line = g_string_new ("{\"ts\":");
  g_string_append_printf (line, "%" G_GINT64_FORMAT ",\"event\":", g_get_real_time () / 1000);
  wire_json_append_string (line, event);
  if (session != NULL)
    {
      const char *user = wire_gateway_session_get_user_id (session);

      g_string_append (line, ",\"connectionId\":");
      wire_json_append_string (line, wire_gateway_session_get_connection_id (session));
      g_string_append (line, ",\"type\":");
      wire_json_append_string (line,
                               wire_endpoint_kind_to_string (wire_gateway_session_get_kind (session)));
      if (user != NULL)
        {
          g_string_append (line, ",\"userId\":");
          wire_json_append_string (line, user);
        }
    }
  if (reason != NULL)
    {
      g_string_append (line, ",\"reason\":");
      wire_json_append_string (line, reason);
    }
  if (code != 0)
    g_string_append_printf (line, ",\"code\":%d", code);
  g_string_append (line, "}\n");
  fputs (line->str, stderr);
  fflush (stderr);
}

gboolean
wire_gateway_admit (WireGateway        *self,
                    WireGatewaySession *session,
                    int                *out_code)
{
  return wire_slot_table_admit (self->slots, session, out_code);
}

static gboolean
graveyard_cb (gpointer user_data)
{
  WireGateway *self = user_data;

  self->graveyard_id = 0;
  g_ptr_array_set_size (self->graveyard, 0);
  return G_SOURCE_REMOVE;
}

static void
session_closed_cb (WireGatewaySession *session,
                   int                 code,
                   WireGateway        *self)
{
  const char *id = wire_gateway_session_get_connection_id (session);
  gpointer stolen = NULL;
  g_autofree char *stolen_key = NULL;

  wire_slot_table_leave (self->slots, session);
  wire_gateway_log_event (self, session, "closed", NULL, code);
  if (!g_hash_table_steal_extended (self->sessions, id, (gpointer *) &stolen_key, &stolen))
    return;
  if (self->admin_feed != NULL)
    wire_admin_feed_closed (self->admin_feed, session, code);
  /* Released from an idle: we are inside the session's and libsoup's signal emission. */
  g_signal_handlers_disconnect_by_data (session, self);
  g_ptr_array_add (self->graveyard, stolen);
  if (self->graveyard_id == 0)
    self->graveyard_id = g_idle_add (graveyard_cb, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION_COUNT]);
}

static void
session_authenticated_cb (WireGatewaySession *session,
                          WireGateway        *self)
{
  if (self->admin_feed != NULL)
    wire_admin_feed_opened (self->admin_feed, session);
}

static gboolean
origin_allowed (WireGateway *self,
                const char  *origin)
{
  /* Native clients send no Origin; browsers always do. */
  if (origin == NULL || self->config.allowed_origins == NULL)
    return TRUE;
  return g_strv_contains ((const char * const *) self->config.allowed_origins, origin);
}

/* Runs before the upgrade: unknown paths are 404 and a refuse fault answers 503. */
static void
ws_precheck_cb (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  WireGateway *self = user_data;
  WireEndpointKind kind;
  g_autofree char *slot = NULL;

  if (!wire_endpoint_parse_path (path, &kind, &slot, NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (self->config.refuse_until_us > g_get_monotonic_time ())
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "1");
      /* A refused upgrade closes its connection (see close_after_answer). */
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      wire_gateway_log_event (self, NULL, "refused", "refuse_fault", 503);
    }
}

static void
ws_connected_cb (SoupServer              *server,
                 SoupServerMessage       *msg,
                 const char              *path,
                 SoupWebsocketConnection *ws,
                 gpointer                 user_data)
{
  WireGateway *self = user_data;
  WireGatewaySession *session;
  WireEndpointKind kind;
  g_autofree char *slot = NULL;
  const char *origin;

  if (self->handshakes != NULL)
    wire_handshake_guard_forget (self->handshakes, msg);
  if (!wire_endpoint_parse_path (path, &kind, &slot, NULL))
    {
      soup_websocket_connection_close (ws, WIRE_CLOSE_FORBIDDEN, NULL);
      return;
    }

  session = wire_gateway_session_new (self, ws, soup_server_message_get_socket (msg), kind, slot,
                                      soup_server_message_get_remote_host (msg));
  g_hash_table_insert (self->sessions,
                       g_strdup (wire_gateway_session_get_connection_id (session)), session);
  g_signal_connect (session, "closed", G_CALLBACK (session_closed_cb), self);
  g_signal_connect (session, "authenticated", G_CALLBACK (session_authenticated_cb), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION_COUNT]);
  wire_gateway_log_event (self, session, "opened", NULL, 0);

  origin = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Origin");
  if (!origin_allowed (self, origin))
    wire_gateway_session_start (session, WIRE_CLOSE_FORBIDDEN, "Origin not allowed");
  else
    wire_gateway_session_start (session, 0, NULL);
}

/* libsoup 3.2 leaks a kept-alive connection once its client closes it (descriptor and all;
 * fixed in libsoup 3.3): plain HTTP answers close their connection instead, so nothing is left
 * idle. Costs a TCP handshake per probe; tests/gateway/test-bad-input-http.c checks it. */
static void
close_after_answer (SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
}

static void
set_json_response (SoupServerMessage *msg,
                   guint              status,
                   const char        *json)
{
  close_after_answer (msg);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json,
                                    strlen (json));
}

typedef struct
{
  WireGateway       *self;
  SoupServerMessage *msg;
} DelayedAnswer;

static void
delayed_answer_free (gpointer data)
{
  DelayedAnswer *delayed = data;

  g_object_unref (delayed->msg);
  g_free (delayed);
}

static gboolean
delayed_answer_cb (gpointer data)
{
  DelayedAnswer *delayed = data;

  g_ptr_array_remove_fast (delayed->self->delayed, g_main_current_source ());
  soup_server_message_unpause (delayed->msg);
  return G_SOURCE_REMOVE;
}

static void
health_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  WireGateway *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_autofree char *json = NULL;

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }
  json = g_strdup_printf ("{\"status\":\"ok\",\"connections\":%u,\"uptimeMs\":%" G_GINT64_FORMAT
                          "}",
                          g_hash_table_size (self->sessions),
                          (g_get_monotonic_time () - self->started_us) / 1000);
  set_json_response (msg, SOUP_STATUS_OK, json);

  if (self->config.latency_ms > 0)
    {
      DelayedAnswer *delayed = g_new0 (DelayedAnswer, 1);
      GSource *source = g_timeout_source_new (self->config.latency_ms);

      delayed->self = self;
      delayed->msg = g_object_ref (msg);
      g_source_set_callback (source, delayed_answer_cb, delayed, delayed_answer_free);
      g_source_attach (source, NULL);
      g_ptr_array_add (self->delayed, source);
      soup_server_message_pause (msg);
    }
}

static void
faults_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  WireGateway *self = user_data;
  const char *auth;
  g_autoptr (WireJwtClaims) claims = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) answer = NULL;
  JsonNode *root;
  gsize secret_len;
  const guint8 *secret;

  if (!self->faults)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                       "Authorization");
  secret = g_bytes_get_data (self->config.secret, &secret_len);
  if (auth != NULL && g_str_has_prefix (auth, "Bearer "))
    claims = wire_jwt_verify_hs256 (auth + strlen ("Bearer "), secret, secret_len,
                                    g_get_real_time () / G_USEC_PER_SEC, WIRE_JWT_LEEWAY_S, NULL);
  if (claims == NULL || !wire_jwt_claims_is_admin (claims))
    {
      set_json_response (msg, SOUP_STATUS_FORBIDDEN,
                         "{\"error\":\"An admin token is required\"}");
      return;
    }

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   g_bytes_get_size (body), &error)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      set_json_response (msg, SOUP_STATUS_BAD_REQUEST,
                         "{\"error\":\"The body must be a JSON object\"}");
      return;
    }
  if (!wire_fault_injector_apply (self->fault_injector, json_node_get_object (root), &error))
    {
      answer = g_string_new ("{\"error\":");
      wire_json_append_string (answer, error->message);
      g_string_append_c (answer, '}');
      set_json_response (msg, SOUP_STATUS_BAD_REQUEST, answer->str);
      return;
    }
  set_json_response (msg, SOUP_STATUS_OK, "{\"ok\":true}");
}

static void
ensure_secret (WireGateway *self)
{
  guint8 buf[32];

  if (self->config.secret != NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (buf); i += 4)
    {
      guint32 r = g_random_int ();
      memcpy (buf + i, &r, 4);
    }
  self->config.secret = g_bytes_new (buf, sizeof buf);
}

static gboolean
sweep_cb (gpointer user_data)
{
  WireGateway *self = user_data;
  g_autoptr (GPtrArray) sessions = wire_gateway_list_sessions (self);
  gint64 now = g_get_monotonic_time ();

  g_ptr_array_set_free_func (sessions, g_object_unref);
  for (guint i = 0; i < sessions->len; i++)
    g_object_ref (g_ptr_array_index (sessions, i));
  for (guint i = 0; i < sessions->len; i++)
    wire_gateway_session_check_timeouts (g_ptr_array_index (sessions, i), now);
  /* Once a second is plenty for ids kept for minutes. */
  if (now - self->last_expire_us >= G_USEC_PER_SEC)
    {
      self->last_expire_us = now;
      wire_message_router_expire (self->router, g_get_real_time () / 1000);
      wire_socket_reaper_sweep (self->reaper);
    }
  return G_SOURCE_CONTINUE;
}

/* One timer checks every connection's auth timeout and idle close: a fifth of the shorter of
 * the two, at most a second (a few ms late is fine for both). */
static guint
sweep_interval_ms (WireGateway *self)
{
  guint shortest = MIN (self->config.auth_timeout_ms,
                        self->config.heartbeat_interval_ms * WIRE_IDLE_HEARTBEATS);

  return CLAMP (shortest / 5, 5, 1000);
}

static GInetAddress *
resolve_host (const char  *host,
              GError     **error)
{
  g_autoptr (GResolver) resolver = NULL;
  GList *list;
  GInetAddress *addr;

  addr = g_inet_address_new_from_string (host);
  if (addr != NULL)
    return addr;
  if (g_strcmp0 (host, "localhost") == 0)
    return g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  resolver = g_resolver_get_default ();
  list = g_resolver_lookup_by_name (resolver, host, NULL, error);
  if (list == NULL)
    return NULL;
  addr = g_object_ref (list->data);
  g_resolver_free_addresses (list);
  return addr;
}

gboolean
wire_gateway_listen (WireGateway  *self,
                     const char   *host,
                     guint         port,
                     GError      **error)
{
  g_autoptr (GInetAddress) addr = NULL;
  g_autoptr (GSocketAddress) sockaddr = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autofree char *host_text = NULL;
  SoupServerListenOptions options = 0;

  g_return_val_if_fail (WIRE_IS_GATEWAY (self), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (port <= 65535, FALSE);

  if (self->listening)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_FAILED, "The gateway is already listening");
      return FALSE;
    }

  addr = resolve_host (host, error);
  if (addr == NULL)
    return FALSE;
  sockaddr = g_inet_socket_address_new (addr, port);
  socket = g_socket_new (g_inet_address_get_family (addr), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;
  /* GSocket's default backlog of 10 drops SYNs when thousands of clients arrive at once. */
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_bind (socket, sockaddr, TRUE, error) || !g_socket_listen (socket, error))
    return FALSE;

  if (self->tls_certificate != NULL)
    {
      soup_server_set_tls_certificate (self->server, self->tls_certificate);
      options |= SOUP_SERVER_LISTEN_HTTPS;
    }
  if (!soup_server_listen_socket (self->server, socket, options, error))
    return FALSE;

  local = g_socket_get_local_address (socket, error);
  if (local == NULL)
    return FALSE;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  host_text = g_inet_address_to_string (addr);
  g_free (self->url);
  if (g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV6)
    self->url = g_strdup_printf ("%s://[%s]:%u", options ? "wss" : "ws", host_text, self->port);
  else
    self->url = g_strdup_printf ("%s://%s:%u", options ? "wss" : "ws", host_text, self->port);
  self->listening = TRUE;
  self->started_us = g_get_monotonic_time ();

  ensure_secret (self);
  self->sweep_id = g_timeout_add (sweep_interval_ms (self), sweep_cb, self);
  self->rand = self->seed != 0 ? g_rand_new_with_seed ((guint32) self->seed) : g_rand_new ();
  self->chat = wire_chat_service_new (self, self->rand);
  self->agent = wire_agent_service_new (self, self->rand);
  self->trip = wire_trip_service_new (self, self->rand);
  self->notification = wire_notification_service_new (self, self->rand);
  wire_chat_service_start (self->chat);
  wire_agent_service_start (self->agent);
  wire_trip_service_start (self->trip);
  wire_notification_service_start (self->notification);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
  return TRUE;
}

guint
wire_gateway_get_port (WireGateway *self)
{
  g_return_val_if_fail (WIRE_IS_GATEWAY (self), 0);
  return self->port;
}

const char *
wire_gateway_get_url (WireGateway *self)
{
  g_return_val_if_fail (WIRE_IS_GATEWAY (self), NULL);
  return self->url;
}

guint
wire_gateway_get_connection_count (WireGateway *self)
{
  g_return_val_if_fail (WIRE_IS_GATEWAY (self), 0);
  return g_hash_table_size (self->sessions);
}

void
wire_gateway_set_secret (WireGateway  *self,
                         const guint8 *secret,
                         gsize         len)
{
  g_return_if_fail (WIRE_IS_GATEWAY (self));
  g_return_if_fail (secret != NULL && len > 0);

  g_clear_pointer (&self->config.secret, g_bytes_unref);
  self->config.secret = g_bytes_new (secret, len);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECRET]);
}

char *
wire_gateway_mint_token (WireGateway        *self,
                         const char         *user_id,
                         const char         *role,
                         const char * const *trips,
                         const char * const *sessions,
                         gint64              ttl_s)
{
  g_autoptr (WireJwtClaims) claims = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gsize len;
  const guint8 *secret;

  g_return_val_if_fail (WIRE_IS_GATEWAY (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  ensure_secret (self);
  claims = wire_jwt_claims_new ();
  claims->sub = g_strdup (user_id);
  g_free (claims->role);
  claims->role = g_strdup (role != NULL ? role : "user");
  claims->iat = now;
  claims->exp = now + ttl_s;
  g_strfreev (claims->trips);
  claims->trips = trips != NULL ? g_strdupv ((char **) trips) : g_new0 (char *, 1);
  g_strfreev (claims->sessions);
  claims->sessions = sessions != NULL ? g_strdupv ((char **) sessions) : NULL;
  secret = g_bytes_get_data (self->config.secret, &len);
  return wire_jwt_sign_hs256 (claims, secret, len);
}

gboolean
wire_gateway_apply_fault (WireGateway  *self,
                          JsonObject   *fault,
                          GError      **error)
{
  g_return_val_if_fail (WIRE_IS_GATEWAY (self), FALSE);
  g_return_val_if_fail (fault != NULL, FALSE);

  return wire_fault_injector_apply (self->fault_injector, fault, error);
}

char **
wire_gateway_dup_connection_ids (WireGateway *self)
{
  GPtrArray *ids = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (WIRE_IS_GATEWAY (self), NULL);

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (wire_gateway_session_is_authenticated (value))
      g_ptr_array_add (ids, g_strdup (key));
  g_ptr_array_sort (ids, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (ids, NULL);
  return (char **) g_ptr_array_free (ids, FALSE);
}

void
wire_gateway_shutdown (WireGateway *self)
{
  g_autoptr (GPtrArray) sessions = NULL;

  g_return_if_fail (WIRE_IS_GATEWAY (self));

  sessions = wire_gateway_list_sessions (self);
  for (guint i = 0; i < sessions->len; i++)
    wire_gateway_session_close (g_ptr_array_index (sessions, i), WIRE_CLOSE_GOING_AWAY,
                                "Gateway going away");
  if (self->listening)
    {
      soup_server_disconnect (self->server);
      self->listening = FALSE;
    }
}

static void
wire_gateway_dispose (GObject *object)
{
  WireGateway *self = WIRE_GATEWAY (object);

  g_clear_handle_id (&self->sweep_id, g_source_remove);
  g_clear_pointer (&self->handshakes, wire_handshake_guard_free);
  g_clear_pointer (&self->reaper, wire_socket_reaper_free);
  g_clear_object (&self->chat);
  g_clear_object (&self->agent);
  g_clear_object (&self->trip);
  g_clear_object (&self->notification);
  if (self->delayed != NULL)
    {
      for (guint i = 0; i < self->delayed->len; i++)
        g_source_destroy (g_ptr_array_index (self->delayed, i));
      g_ptr_array_set_size (self->delayed, 0);
    }
  if (self->sessions != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->sessions);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_signal_handlers_disconnect_by_data (value, self);
      g_hash_table_remove_all (self->sessions);
    }
  g_clear_handle_id (&self->graveyard_id, g_source_remove);
  if (self->graveyard != NULL)
    g_ptr_array_set_size (self->graveyard, 0);
  g_clear_object (&self->admin_feed);
  g_clear_object (&self->fault_injector);
  g_clear_object (&self->router);
  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }
  g_clear_object (&self->tls_certificate);

  G_OBJECT_CLASS (wire_gateway_parent_class)->dispose (object);
}

static void
wire_gateway_finalize (GObject *object)
{
  WireGateway *self = WIRE_GATEWAY (object);

  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->slots, wire_slot_table_free);
  g_clear_pointer (&self->graveyard, g_ptr_array_unref);
  g_clear_pointer (&self->delayed, g_ptr_array_unref);
  g_clear_pointer (&self->policy, wire_channel_policy_free);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->config.secret, g_bytes_unref);
  g_clear_pointer (&self->config.allowed_origins, g_strfreev);
  g_free (self->url);

  G_OBJECT_CLASS (wire_gateway_parent_class)->finalize (object);
}

static gboolean
set_uint (WireGateway  *self,
          guint        *field,
          const GValue *value,
          guint         prop_id)
{
  guint v = g_value_get_uint (value);

  if (*field == v)
    return FALSE;
  *field = v;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
  return TRUE;
}

static gboolean
set_bool (WireGateway  *self,
          gboolean     *field,
          const GValue *value,
          guint         prop_id)
{
  gboolean v = g_value_get_boolean (value);

  if (*field == v)
    return FALSE;
  *field = v;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
  return TRUE;
}

static void
wire_gateway_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  WireGateway *self = WIRE_GATEWAY (object);

  switch (prop_id)
    {
    case PROP_SECRET:
      {
        GBytes *bytes = g_value_get_boxed (value);

        if (bytes != NULL && g_bytes_get_size (bytes) > 0)
          wire_gateway_set_secret (self, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      }
      break;
    case PROP_DEMO:
      set_bool (self, &self->config.demo, value, prop_id);
      break;
    case PROP_SEED:
      if (self->seed != g_value_get_int64 (value))
        {
          self->seed = g_value_get_int64 (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_FAULTS:
      set_bool (self, &self->faults, value, prop_id);
      break;
    case PROP_RATE_LIMITS:
      set_bool (self, &self->config.rate_limits, value, prop_id);
      break;
    case PROP_AUTH_TIMEOUT_MS:
      set_uint (self, &self->config.auth_timeout_ms, value, prop_id);
      break;
    case PROP_MAX_MESSAGE_BYTES:
      set_uint (self, &self->config.max_message_bytes, value, prop_id);
      break;
    case PROP_HEARTBEAT_INTERVAL_MS:
      set_uint (self, &self->config.heartbeat_interval_ms, value, prop_id);
      break;
    case PROP_DEDUP_TTL_MS:
      set_uint (self, &self->config.dedup_ttl_ms, value, prop_id);
      break;
    case PROP_OUTGOING_LIMIT_BYTES:
      set_uint (self, &self->config.outgoing_limit_bytes, value, prop_id);
      break;
    case PROP_DEMO_TICK_MS:
      set_uint (self, &self->config.demo_tick_ms, value, prop_id);
      break;
    case PROP_HANDSHAKE_TIMEOUT_MS:
      set_uint (self, &self->handshake_timeout_ms, value, prop_id);
      break;
    case PROP_ALLOWED_ORIGINS:
      g_strfreev (self->config.allowed_origins);
      self->config.allowed_origins = g_value_dup_boxed (value);
      g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_LOG_JSON:
      set_bool (self, &self->config.log_json, value, prop_id);
      break;
    case PROP_TLS_CERTIFICATE:
      if (g_set_object (&self->tls_certificate, g_value_get_object (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_gateway_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  WireGateway *self = WIRE_GATEWAY (object);

  switch (prop_id)
    {
    case PROP_SECRET:
      g_value_set_boxed (value, self->config.secret);
      break;
    case PROP_DEMO:
      g_value_set_boolean (value, self->config.demo);
      break;
    case PROP_SEED:
      g_value_set_int64 (value, self->seed);
      break;
    case PROP_FAULTS:
      g_value_set_boolean (value, self->faults);
      break;
    case PROP_RATE_LIMITS:
      g_value_set_boolean (value, self->config.rate_limits);
      break;
    case PROP_AUTH_TIMEOUT_MS:
      g_value_set_uint (value, self->config.auth_timeout_ms);
      break;
    case PROP_MAX_MESSAGE_BYTES:
      g_value_set_uint (value, self->config.max_message_bytes);
      break;
    case PROP_HEARTBEAT_INTERVAL_MS:
      g_value_set_uint (value, self->config.heartbeat_interval_ms);
      break;
    case PROP_DEDUP_TTL_MS:
      g_value_set_uint (value, self->config.dedup_ttl_ms);
      break;
    case PROP_OUTGOING_LIMIT_BYTES:
      g_value_set_uint (value, self->config.outgoing_limit_bytes);
      break;
    case PROP_DEMO_TICK_MS:
      g_value_set_uint (value, self->config.demo_tick_ms);
      break;
    case PROP_HANDSHAKE_TIMEOUT_MS:
      g_value_set_uint (value, self->handshake_timeout_ms);
      break;
    case PROP_ALLOWED_ORIGINS:
      g_value_set_boxed (value, self->config.allowed_origins);
      break;
    case PROP_LOG_JSON:
      g_value_set_boolean (value, self->config.log_json);
      break;
    case PROP_TLS_CERTIFICATE:
      g_value_set_object (value, self->tls_certificate);
      break;
    case PROP_CONNECTION_COUNT:
      g_value_set_uint (value, g_hash_table_size (self->sessions));
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RW (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)
#define RO (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)

static void
wire_gateway_class_init (WireGatewayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wire_gateway_dispose;
  object_class->finalize = wire_gateway_finalize;
  object_class->set_property = wire_gateway_set_property;
  object_class->get_property = wire_gateway_get_property;

  properties[PROP_SECRET] = g_param_spec_boxed ("secret", NULL, NULL, G_TYPE_BYTES, RW);
  properties[PROP_DEMO] = g_param_spec_boolean ("demo", NULL, NULL, FALSE, RW);
  properties[PROP_SEED] = g_param_spec_int64 ("seed", NULL, NULL, G_MININT64, G_MAXINT64, 0, RW);
  properties[PROP_FAULTS] = g_param_spec_boolean ("faults", NULL, NULL, FALSE, RW);
  properties[PROP_RATE_LIMITS] = g_param_spec_boolean ("rate-limits", NULL, NULL, TRUE, RW);
  properties[PROP_AUTH_TIMEOUT_MS] = g_param_spec_uint ("auth-timeout-ms", NULL, NULL, 1,
                                                        G_MAXUINT, WIRE_DEFAULT_AUTH_TIMEOUT_MS,
                                                        RW);
  properties[PROP_MAX_MESSAGE_BYTES] = g_param_spec_uint ("max-message-bytes", NULL, NULL, 256,
                                                          G_MAXUINT,
                                                          WIRE_DEFAULT_MAX_MESSAGE_BYTES, RW);
  properties[PROP_HEARTBEAT_INTERVAL_MS] = g_param_spec_uint ("heartbeat-interval-ms", NULL, NULL,
                                                              1, G_MAXUINT / 4,
                                                              WIRE_DEFAULT_HEARTBEAT_MS, RW);
  properties[PROP_DEDUP_TTL_MS] = g_param_spec_uint ("dedup-ttl-ms", NULL, NULL, 1, G_MAXUINT,
                                                     WIRE_DEFAULT_DEDUP_TTL_MS, RW);
  properties[PROP_OUTGOING_LIMIT_BYTES] = g_param_spec_uint ("outgoing-limit-bytes", NULL, NULL,
                                                             0, G_MAXUINT,
                                                             DEFAULT_OUTGOING_LIMIT_BYTES, RW);
  properties[PROP_ALLOWED_ORIGINS] = g_param_spec_boxed ("allowed-origins", NULL, NULL,
                                                         G_TYPE_STRV, RW);
  properties[PROP_LOG_JSON] = g_param_spec_boolean ("log-json", NULL, NULL, FALSE, RW);
  properties[PROP_TLS_CERTIFICATE] = g_param_spec_object ("tls-certificate", NULL, NULL,
                                                          G_TYPE_TLS_CERTIFICATE, RW);
  /* How often the demo services act (ms); tests make it small. */
  properties[PROP_DEMO_TICK_MS] = g_param_spec_uint ("demo-tick-ms", NULL, NULL, 1, G_MAXUINT,
                                                     DEFAULT_DEMO_TICK_MS, RW);
  /* How long an HTTP request (a WebSocket upgrade, TLS included) may take from accept. */
  properties[PROP_HANDSHAKE_TIMEOUT_MS] = g_param_spec_uint ("handshake-timeout-ms", NULL, NULL,
                                                             1, G_MAXUINT,
                                                             DEFAULT_HANDSHAKE_TIMEOUT_MS, RW);
  properties[PROP_CONNECTION_COUNT] = g_param_spec_uint ("connection-count", NULL, NULL, 0,
                                                         G_MAXUINT, 0, RO);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0, RO);
  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, RO);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wire_gateway_init (WireGateway *self)
{
  self->config.auth_timeout_ms = WIRE_DEFAULT_AUTH_TIMEOUT_MS;
  self->config.max_message_bytes = WIRE_DEFAULT_MAX_MESSAGE_BYTES;
  self->config.heartbeat_interval_ms = WIRE_DEFAULT_HEARTBEAT_MS;
  self->config.dedup_ttl_ms = WIRE_DEFAULT_DEDUP_TTL_MS;
  self->config.outgoing_limit_bytes = DEFAULT_OUTGOING_LIMIT_BYTES;
  self->config.demo_tick_ms = DEFAULT_DEMO_TICK_MS;
  self->config.rate_limits = TRUE;
  self->handshake_timeout_ms = DEFAULT_HANDSHAKE_TIMEOUT_MS;

  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->slots = wire_slot_table_new (self);
  self->graveyard = g_ptr_array_new_with_free_func (g_object_unref);
  self->delayed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
  self->policy = wire_channel_policy_new_default ();
  self->router = wire_message_router_new (self);
  self->admin_feed = wire_admin_feed_new (self);
  self->fault_injector = wire_fault_injector_new (self);

  self->server = soup_server_new ("server-header", "wirescope-gateway ", NULL);
  /* permessage-deflate keeps two zlib streams per connection (hundreds of KiB): far past the
   * per-connection memory budget, for frames that are small JSON anyway. */
  soup_server_remove_websocket_extension (self->server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_handler (self->server, "/ws", ws_precheck_cb, self, NULL);
  soup_server_add_websocket_handler (self->server, "/ws", NULL, NULL, ws_connected_cb, self, NULL);
  soup_server_add_handler (self->server, WIRE_HEALTH_PATH, health_cb, self, NULL);
  soup_server_add_handler (self->server, WIRE_FAULTS_PATH, faults_cb, self, NULL);
  self->handshakes = wire_handshake_guard_new (self, self->server, &self->handshake_timeout_ms);
  self->reaper = wire_socket_reaper_new (self->server);
}

WireGateway *
wire_gateway_new (void)
{
  return g_object_new (WIRE_TYPE_GATEWAY, NULL);
}

void
wire_gateway_get_table_sizes (WireGateway           *self,
                              WireGatewayTableSizes *out)
{
  g_return_if_fail (WIRE_IS_GATEWAY (self));
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);
  out->sessions = g_hash_table_size (self->sessions);
  out->graveyard = self->graveyard->len;
  out->slots = wire_slot_table_get_size (self->slots);
  wire_message_router_get_table_sizes (self->router, &out->channels, &out->dedup_users,
                                       &out->histories);
  out->accepted_sockets = self->reaper != NULL ? wire_socket_reaper_count (self->reaper) : 0;
}

/* Testing entry point (fuzzing and tests, see wire-gateway-private.h): the same steps as
 * ws_connected_cb for a server-side WebSocket over any stream, so that frames can be fed to a
 * real session without a socket or an HTTP upgrade. */
SoupWebsocketConnection *
wire_gateway_attach_stream (WireGateway *self,
                            GIOStream   *stream,
                            const char  *path)
{
  g_autoptr (GUri) uri = NULL;
  g_autofree char *slot = NULL;
  g_autofree char *url = NULL;
  WireGatewaySession *session;
  SoupWebsocketConnection *ws;
  WireEndpointKind kind;

  g_return_val_if_fail (WIRE_IS_GATEWAY (self), NULL);
  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (!wire_endpoint_parse_path (path, &kind, &slot, NULL))
    return NULL;
  url = g_strconcat ("ws://127.0.0.1", path, NULL);
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  ws = soup_websocket_connection_new (stream, uri, SOUP_WEBSOCKET_CONNECTION_SERVER, NULL, NULL,
                                      NULL);
  session = wire_gateway_session_new (self, ws, NULL, kind, slot, "127.0.0.1");
  g_hash_table_insert (self->sessions,
                       g_strdup (wire_gateway_session_get_connection_id (session)), session);
  g_signal_connect (session, "closed", G_CALLBACK (session_closed_cb), self);
  g_signal_connect (session, "authenticated", G_CALLBACK (session_authenticated_cb), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION_COUNT]);
  wire_gateway_session_start (session, 0, NULL);
  return ws;
}
