#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* WireConnection: where its token comes from, what the token's claims say about who we are, the
 * auth frame that opens every link and the gateway's answer to it. */

#include "config.h"

#include <string.h>

#include "wire-connection-private.h"

/* Deliveries carry more than the payload a client may publish: leave room for the envelope. */
#define INCOMING_MARGIN      16384
#define SOUP_DEFAULT_INCOMING (128 * 1024)

void
wire_connection_update_claims (WireConnection *self,
                               const char     *token)
{
  g_autoptr(GError) error = NULL;
  gint64 expiry = 0;

  g_clear_pointer (&self->claims, wire_jwt_claims_free);
  if (token != NULL)
    {
      self->claims = wire_jwt_decode_unverified (token, &error);
      if (self->claims == NULL)
        g_debug ("Cannot read the token's claims: %s", error->message);
      else
        expiry = self->claims->exp;
    }

  if (self->claims != NULL && self->claims->sub != NULL && self->user_id == NULL)
    wire_connection_set_string (self, &self->user_id, self->claims->sub,
                                WIRE_CONNECTION_PROP_USER_ID);

  if (self->token_expiry != expiry)
    {
      self->token_expiry = expiry;
      wire_connection_notify (self, WIRE_CONNECTION_PROP_TOKEN_EXPIRY);
    }
}

/* The chat session this connection speaks for: the one set, else the path's. */
static const char *
effective_session_id (WireConnection *self)
{
  if (self->session_id != NULL)
    return self->session_id;
  if (self->kind == WIRE_ENDPOINT_CHAT)
    return self->slot_id;
  return NULL;
}

gboolean
wire_connection_fill_identity (WireConnection *self,
                               WireIdentity   *who)
{
  if (self->claims == NULL)
    return FALSE;

  who->user_id = self->claims->sub;
  who->is_admin = wire_jwt_claims_is_admin (self->claims);
  who->trips = (const char * const *) self->claims->trips;
  who->sessions = (const char * const *) self->claims->sessions;
  who->session_id = effective_session_id (self);
  return TRUE;
}

char *
wire_connection_obtain_token (WireConnection *self,
                              gboolean        refresh)
{
  if (self->token_func != NULL)
    return self->token_func (self->token_data, refresh);
  if (refresh)
    return NULL;
  return g_strdup (self->static_token);
}

/* The first frame on a new link: token, session, the channels asked for. */
char *
wire_connection_build_auth_frame (WireConnection *self)
{
  g_auto(GStrv) channels = g_strdupv ((char **) wire_str_ptr_array_as_strv (self->wanted));
  g_autofree char *resume = NULL;
  char *auth;
  gsize len;

  auth = wire_frame_build_auth (self->current_token, effective_session_id (self),
                                (const char * const *) channels);
  /* Resume extension: one more member at the end of the auth object. */
  resume = wire_connection_build_resume (self);
  len = strlen (auth);
  if (resume != NULL && len > 1 && auth[len - 1] == '}')
    {
      char *with_resume = g_strdup_printf ("%.*s,\"resume\":%s}", (int) (len - 1), auth, resume);

      g_free (auth);
      auth = with_resume;
    }
  return auth;
}

void
wire_connection_handle_auth_ok (WireConnection *self,
                                WireEnvelope   *env)
{
  g_auto(GStrv) available = wire_envelope_dup_member_strv (env, "availableChannels");
  g_auto(GStrv) denied = wire_dup_denied_channels (env, "deniedChannels");
  guint64 incoming;

  g_clear_handle_id (&self->connect_timeout_source, g_source_remove);
  g_clear_pointer (&self->auth_error, g_free);
  self->refresh_used = FALSE;

  if (env->user_id != NULL)
    wire_connection_set_string (self, &self->user_id, env->user_id, WIRE_CONNECTION_PROP_USER_ID);
  wire_connection_set_string (self, &self->connection_id, env->connection_id,
                              WIRE_CONNECTION_PROP_CONNECTION_ID);

  self->max_message_bytes = env->max_message_bytes > 0 ? env->max_message_bytes
                                                       : WIRE_DEFAULT_MAX_MESSAGE_BYTES;
  incoming = MAX ((guint64) SOUP_DEFAULT_INCOMING,
                  (guint64) self->max_message_bytes + INCOMING_MARGIN);
  /* Kept for the next link too, so that a large message right after auth_ok is not refused
   * before the I/O thread hears of the new limit. */
  if (incoming > self->max_incoming)
    {
      self->max_incoming = incoming;
      if (self->link != NULL)
        wire_link_set_max_incoming_payload_size (self->link, incoming);
    }

  self->gateway_heartbeat_ms = env->heartbeat_interval_ms > 0 ? env->heartbeat_interval_ms : 0;

  wire_connection_reset_granted (self, (const char * const *) available,
                                 (const char * const *) denied);

  self->connected_at_ms = g_get_real_time () / 1000;
  self->last_activity_us = g_get_monotonic_time ();
  wire_backoff_connected (self->backoff);
  wire_connection_set_last_error (self, NULL);

  wire_connection_start_heartbeat (self);
  wire_connection_schedule_idle_check (self, wire_config_get_idle_timeout_ms (self->config));

  wire_connection_set_state (self, WIRE_CONNECTION_CONNECTED, 0, NULL,
                             wire_backoff_get_attempt (self->backoff),
                             -1);
  if (self->state != WIRE_CONNECTION_CONNECTED)
    return;

  g_signal_emit (self, wire_connection_signals[WIRE_CONNECTION_SIGNAL_SUBSCRIBED], 0, available,
                 denied);
  if (self->state == WIRE_CONNECTION_CONNECTED)
    wire_message_queue_set_online (self->queue, TRUE);
}

void
wire_connection_handle_auth_error (WireConnection *self,
                                   WireEnvelope   *env)
{
  g_autoptr(JsonNode) node = wire_envelope_dup_member_node (env, "error");
  const char *code = NULL;
  const char *message = NULL;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *obj = json_node_get_object (node);

      code = json_object_get_string_member_with_default (obj, "code", NULL);
      message = json_object_get_string_member_with_default (obj, "message", NULL);
    }

  g_free (self->auth_error);
  self->auth_error = g_strdup_printf ("Authentication refused: %s%s%s%s",
                                      code ? code : "error",
                                      message ? " (" : "",
                                      message ? message : "",
                                      message ? ")" : "");
  wire_connection_set_last_error (self, self->auth_error);
  /* The gateway closes right after; the close code decides what happens next. */
}

void
wire_connection_set_token (WireConnection *self,
                           const char     *token)
{
  g_return_if_fail (WIRE_IS_CONNECTION (self));

  if (g_strcmp0 (self->static_token, token) == 0)
    return;
  g_free (self->static_token);
  self->static_token = g_strdup (token);
  if (self->token_func == NULL)
    wire_connection_update_claims (self, token);
}

void
wire_connection_set_token_func (WireConnection *self,
                                WireTokenFunc   func,
                                gpointer        user_data,
                                GDestroyNotify  destroy)
{
  g_return_if_fail (WIRE_IS_CONNECTION (self));

  if (self->token_destroy != NULL)
    self->token_destroy (self->token_data);
  self->token_func = func;
  self->token_data = user_data;
  self->token_destroy = destroy;
}

void
wire_connection_set_session_id (WireConnection *self,
                                const char     *session_id)
{
  g_return_if_fail (WIRE_IS_CONNECTION (self));

  wire_connection_set_string (self, &self->session_id, session_id, WIRE_CONNECTION_PROP_SESSION_ID);
}

gint64
wire_connection_get_token_expiry (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), 0);
  return self->token_expiry;
}

