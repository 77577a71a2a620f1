#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-core-enums.h"
#include "wire-connection.h"
#include "wire-connection-private.h"
#include "wire-handshake.h"
#include "wire-heartbeat.h"

#define MAX_TRANSITIONS      1000
#define DEDUP_MAX_ENTRIES    100000

G_DEFINE_FINAL_TYPE (WireConnection, wire_connection, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (WireTransition, wire_transition, wire_transition_copy, wire_transition_free)

GParamSpec *wire_connection_properties[WIRE_CONNECTION_N_PROPS];
guint wire_connection_signals[WIRE_CONNECTION_N_SIGNALS];

/* WireTransition */

WireTransition *
wire_transition_copy (const WireTransition *transition)
{
  WireTransition *copy;

  g_return_val_if_fail (transition != NULL, NULL);

  copy = g_new (WireTransition, 1);
  *copy = *transition;
  copy->reason = g_strdup (transition->reason);
  return copy;
}

void
wire_transition_free (WireTransition *transition)
{
  if (transition == NULL)
    return;
  g_free (transition->reason);
  g_free (transition);
}

/* Properties and state */

void
wire_connection_set_string (WireConnection  *self,
                            char           **field,
                            const char      *value,
                            guint            prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  wire_connection_notify (self, prop);
}

void
wire_connection_set_last_error (WireConnection *self,
                                const char     *message)
{
  wire_connection_set_string (self, &self->last_error, message, WIRE_CONNECTION_PROP_LAST_ERROR);
}

void
wire_connection_set_last_close_code (WireConnection *self,
                                     int             code)
{
  if (self->last_close_code == code)
    return;
  self->last_close_code = code;
  wire_connection_notify (self, WIRE_CONNECTION_PROP_LAST_CLOSE_CODE);
}

void
wire_connection_set_state (WireConnection      *self,
                           WireConnectionState  state,
                           int                  close_code,
                           const char          *reason,
                           guint                attempt,
                           gint64               delay_ms)
{
  WireTransition *transition;

  if (self->state == state)
    return;

  transition = g_new0 (WireTransition, 1);
  transition->time_ms = g_get_real_time () / 1000;
  transition->from = self->state;
  transition->to = state;
  transition->close_code = close_code;
  transition->reason = g_strdup (reason);
  transition->attempt = attempt;
  transition->delay_ms = delay_ms;

  if (self->transitions->len >= MAX_TRANSITIONS)
    g_ptr_array_remove_index (self->transitions, 0);
  g_ptr_array_add (self->transitions, transition);

  g_debug ("%s: %s → %s (close %d, %s, attempt %u, delay %" G_GINT64_FORMAT " ms)",
           self->url, wire_connection_state_to_string (self->state),
           wire_connection_state_to_string (state), close_code,
           reason ? reason : "-", attempt, delay_ms);

  self->state = state;
  wire_connection_notify (self, WIRE_CONNECTION_PROP_STATE);
  g_signal_emit (self, wire_connection_signals[WIRE_CONNECTION_SIGNAL_TRANSITION], 0, transition);
}

/* Errors and reconnect scheduling */

void
wire_connection_enter_error (WireConnection *self,
                             int             close_code,
                             const char     *reason)
{
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  self->waiting_for_network = FALSE;
  wire_connection_teardown_link (self, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  self->errors++;
  wire_connection_set_last_error (self, reason);
  wire_connection_set_state (self, WIRE_CONNECTION_ERROR, close_code, reason,
                             wire_backoff_get_attempt (self->backoff), -1);
}

static gboolean
reconnect_timeout_cb (gpointer user_data)
{
  WireConnection *self = user_data;

  self->reconnect_source = 0;
  wire_connection_start_attempt (self);
  return G_SOURCE_REMOVE;
}

/* Chooses the delay before the next attempt: the backoff (unless @use_backoff is FALSE), at
 * least @min_delay_ms, at least what the network status asks for; no timer at all while the
 * network is offline (the monitor's return starts the attempt). */
static void
schedule_reconnect (WireConnection *self,
                    int             close_code,
                    const char     *reason,
                    gint64          min_delay_ms,
                    gboolean        use_backoff)
{
  gint64 delay = 0;
  guint attempt;

  g_clear_handle_id (&self->reconnect_source, g_source_remove);

  if (use_backoff)
    {
      delay = wire_backoff_next_delay (self->backoff);
      if (delay < 0)
        {
          g_autofree char *message = NULL;

          message = g_strdup_printf ("Gave up after %u reconnect attempts (last: %s)",
                                     wire_backoff_get_attempt (self->backoff),
                                     reason ? reason : "connection lost");
          wire_connection_enter_error (self, close_code, message);
          return;
        }
    }
  delay = MAX (delay, min_delay_ms);
  attempt = wire_backoff_get_attempt (self->backoff);

  if (self->monitor != NULL)
    {
      WireNetworkStatus status = wire_network_monitor_get_status (self->monitor);

      if (status == WIRE_NETWORK_OFFLINE)
        {
          self->waiting_for_network = TRUE;
          wire_network_monitor_probe_now (self->monitor);
          wire_connection_set_state (self, WIRE_CONNECTION_RECONNECTING, close_code, reason,
                                     attempt, -1);
          return;
        }
      delay = MAX (delay, wire_network_status_min_delay_ms (status));
    }

  self->reconnect_source = g_timeout_add ((guint) MIN (delay, G_MAXUINT), reconnect_timeout_cb,
                                          self);
  wire_connection_set_state (self, WIRE_CONNECTION_RECONNECTING, close_code, reason, attempt,
                             delay);
}

/* The 1009 close names no message: the one written last is the one the gateway refused. */
static void
fail_offending_message (WireConnection *self)
{
  g_autofree char *id = g_steal_pointer (&self->last_sent_id);

  if (id != NULL)
    wire_message_queue_handle_error (self->queue, id, "too_large",
                                     "The gateway refused the message as too large (1009)", -1);
}

/* PROTOCOL.md §6: what a close (or a lost link, as 1006) means for the next step. */
void
wire_connection_handle_link_lost (WireConnection *self,
                                  int             code,
                                  const char     *reason)
{
  gboolean was_connected = self->state == WIRE_CONNECTION_CONNECTED;
  g_autofree char *why = NULL;

  if (self->auth_error != NULL && self->state == WIRE_CONNECTION_AUTHENTICATING)
    why = g_strdup (self->auth_error);
  else if (reason != NULL && *reason != '\0')
    why = g_strdup (reason);
  else if (code > 0)
    why = g_strdup (wire_close_code_describe (code));
  else
    why = g_strdup ("Connection lost");

  wire_connection_teardown_link (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  if (code > 0)
    wire_connection_set_last_close_code (self, code);
  if (was_connected)
    wire_backoff_disconnected (self->backoff);

  switch (code > 0 ? wire_close_code_action (code) : WIRE_CLOSE_ACTION_RECONNECT)
    {
    case WIRE_CLOSE_ACTION_STAY_DISCONNECTED:
      if (code != WIRE_CLOSE_NORMAL)
        wire_connection_set_last_error (self, why);
      wire_connection_set_state (self, WIRE_CONNECTION_DISCONNECTED, code, why,
                                 wire_backoff_get_attempt (self->backoff), -1);
      break;

    case WIRE_CLOSE_ACTION_ERROR:
      wire_connection_enter_error (self, code, why);
      break;

    case WIRE_CLOSE_ACTION_REFRESH_TOKEN:
      if (self->refresh_used || self->token_func == NULL)
        {
          g_autofree char *message = NULL;

          message = g_strdup_printf ("%s%s", why,
                                     self->token_func == NULL
                                       ? " (no token source to ask for a new one)"
                                       : " (also after a token refresh)");
          wire_connection_enter_error (self, code, message);
        }
      else
        {
          self->refresh_used = TRUE;
          self->refresh_pending = TRUE;
          wire_connection_set_last_error (self, why);
          schedule_reconnect (self, code, why, 0, FALSE);
        }
      break;

    case WIRE_CLOSE_ACTION_RECONNECT_AFTER_ERROR:
      self->errors++;
      wire_connection_set_last_error (self, why);
      fail_offending_message (self);
      schedule_reconnect (self, code, why, 0, TRUE);
      break;

    case WIRE_CLOSE_ACTION_RECONNECT_SLOW:
      schedule_reconnect (self, code, why, WIRE_CLOSE_SLOW_RECONNECT_MIN_MS, TRUE);
      break;

    case WIRE_CLOSE_ACTION_RECONNECT:
    default:
      schedule_reconnect (self, code, why, 0, TRUE);
      break;
    }
}

/* Reactions to the network monitor and the settings */

static void
network_status_cb (WireNetworkMonitor *monitor,
                   GParamSpec         *pspec,
                   WireConnection     *self)
{
  WireNetworkStatus previous = self->network_status;

  self->network_status = wire_network_monitor_get_status (monitor);

  /* Back from offline: go now rather than after the rest of the backoff. */
  if (self->network_status != WIRE_NETWORK_OFFLINE &&
      self->state == WIRE_CONNECTION_RECONNECTING &&
      (self->waiting_for_network || previous == WIRE_NETWORK_OFFLINE))
    wire_connection_start_attempt (self);
}

static void
sync_backoff (WireConnection *self)
{
  g_object_set (self->backoff,
                "base-delay-ms", wire_config_get_reconnect_base_delay_ms (self->config),
                "max-delay-ms", wire_config_get_reconnect_max_delay_ms (self->config),
                "max-attempts", wire_config_get_reconnect_max_attempts (self->config),
                "jitter", wire_config_get_jitter (self->config),
                "reset-after-ms", wire_config_get_reset_after_ms (self->config),
                NULL);
}

static void
config_notify_cb (WireConfig     *config,
                  GParamSpec     *pspec,
                  WireConnection *self)
{
  const char *name = pspec->name;

  if (g_str_has_prefix (name, "reconnect-") || g_str_equal (name, "jitter") ||
      g_str_equal (name, "reset-after-ms"))
    sync_backoff (self);
  else if (g_str_equal (name, "heartbeat-interval-ms") ||
           g_str_equal (name, "heartbeat-timeout-ms"))
    {
      if (self->state == WIRE_CONNECTION_CONNECTED)
        wire_connection_start_heartbeat (self);
    }
  else if (g_str_equal (name, "dedup-ttl-ms"))
    wire_dedup_cache_set_ttl (self->dedup, wire_config_get_dedup_ttl_ms (config));
  else if (g_str_equal (name, "idle-timeout-ms"))
    {
      if (self->state == WIRE_CONNECTION_CONNECTED)
        wire_connection_schedule_idle_check (self, wire_config_get_idle_timeout_ms (config));
    }
}

/* GObject */

static void
wire_connection_constructed (GObject *object)
{
  WireConnection *self = WIRE_CONNECTION (object);
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (wire_connection_parent_class)->constructed (object);

  if (self->config == NULL)
    self->config = wire_config_new ();
  self->uri = wire_handshake_parse_url (self->url, &error);
  if (self->uri == NULL)
    g_critical ("WireConnection: %s", error->message);
  else
    {
      wire_endpoint_parse_path (g_uri_get_path (self->uri), &self->kind, &self->slot_id, NULL);
      self->host_key = wire_handshake_host_key (self->uri);
    }

  self->backoff = wire_backoff_new ();
  sync_backoff (self);
  wire_connection_setup_queue (self);
  self->policy = wire_channel_policy_new_default ();
  self->dedup = wire_dedup_cache_new (wire_config_get_dedup_ttl_ms (self->config),
                                      DEDUP_MAX_ENTRIES);

  g_signal_connect (self->config, "notify", G_CALLBACK (config_notify_cb), self);

  if (self->monitor != NULL)
    {
      self->network_status = wire_network_monitor_get_status (self->monitor);
      g_signal_connect (self->monitor, "notify::status", G_CALLBACK (network_status_cb), self);

      if (self->uri != NULL)
        {
          g_autofree char *current = NULL;

          g_object_get (self->monitor, "probe-uri", &current, NULL);
          if (current == NULL || *current == '\0')
            {
              g_autofree char *probe = NULL;

              probe = wire_handshake_probe_uri (self->uri,
                                                wire_config_get_health_path (self->config));
              wire_network_monitor_set_probe_uri (self->monitor, probe);
            }
        }
    }
}

static void
wire_connection_dispose (GObject *object)
{
  WireConnection *self = WIRE_CONNECTION (object);

  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  if (self->queue != NULL)
    {
      wire_connection_teardown_link (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      wire_message_queue_set_sender (self->queue, NULL, NULL);
      g_signal_handlers_disconnect_by_data (self->queue, self);
    }
  if (self->config != NULL)
    g_signal_handlers_disconnect_by_data (self->config, self);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);

  g_clear_object (&self->queue);
  g_clear_object (&self->backoff);
  g_clear_object (&self->monitor);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (wire_connection_parent_class)->dispose (object);
}

static void
wire_connection_finalize (GObject *object)
{
  WireConnection *self = WIRE_CONNECTION (object);

  if (self->token_destroy != NULL)
    self->token_destroy (self->token_data);

  g_clear_pointer (&self->policy, wire_channel_policy_free);
  g_clear_pointer (&self->dedup, wire_dedup_cache_free);
  g_clear_pointer (&self->claims, wire_jwt_claims_free);
  g_clear_pointer (&self->uri, g_uri_unref);
  g_clear_pointer (&self->transitions, g_ptr_array_unref);
  g_clear_pointer (&self->wanted, g_ptr_array_unref);
  g_clear_pointer (&self->granted, g_ptr_array_unref);
  g_clear_pointer (&self->available_strv, g_strfreev);
  g_clear_pointer (&self->channel_stats, g_hash_table_unref);
  g_free (self->url);
  g_free (self->host_key);
  g_free (self->slot_id);
  g_free (self->user_id);
  g_free (self->session_id);
  g_free (self->connection_id);
  g_free (self->last_error);
  g_free (self->static_token);
  g_free (self->current_token);
  g_free (self->auth_error);
  g_free (self->last_sent_id);

  G_OBJECT_CLASS (wire_connection_parent_class)->finalize (object);
}

static void
wire_connection_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  WireConnection *self = WIRE_CONNECTION (object);

  switch (prop_id)
    {
    case WIRE_CONNECTION_PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    case WIRE_CONNECTION_PROP_NETWORK_MONITOR:
      g_value_set_object (value, self->monitor);
      break;
    case WIRE_CONNECTION_PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case WIRE_CONNECTION_PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case WIRE_CONNECTION_PROP_SLOT_ID:
      g_value_set_string (value, self->slot_id);
      break;
    case WIRE_CONNECTION_PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case WIRE_CONNECTION_PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;
    case WIRE_CONNECTION_PROP_SESSION_ID:
      g_value_set_string (value, self->session_id);
      break;
    case WIRE_CONNECTION_PROP_CONNECTION_ID:
      g_value_set_string (value, self->connection_id);
      break;
    case WIRE_CONNECTION_PROP_TOKEN_EXPIRY:
      g_value_set_int64 (value, self->token_expiry);
      break;
    case WIRE_CONNECTION_PROP_LAST_CLOSE_CODE:
      g_value_set_int (value, self->last_close_code);
      break;
    case WIRE_CONNECTION_PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case WIRE_CONNECTION_PROP_CHANNELS:
      g_value_set_boxed (value, wire_str_ptr_array_as_strv (self->wanted));
      break;
    case WIRE_CONNECTION_PROP_AVAILABLE_CHANNELS:
      g_value_set_boxed (value, self->available_strv);
      break;
    case WIRE_CONNECTION_PROP_HEARTBEAT_INTERVAL_MS:
      g_value_set_int64 (value, self->heartbeat_interval_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_connection_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  WireConnection *self = WIRE_CONNECTION (object);

  switch (prop_id)
    {
    case WIRE_CONNECTION_PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;
    case WIRE_CONNECTION_PROP_NETWORK_MONITOR:
      self->monitor = g_value_dup_object (value);
      break;
    case WIRE_CONNECTION_PROP_URL:
      self->url = g_value_dup_string (value);
      break;
    case WIRE_CONNECTION_PROP_USER_ID:
      wire_connection_set_string (self, &self->user_id, g_value_get_string (value),
                                  WIRE_CONNECTION_PROP_USER_ID);
      break;
    case WIRE_CONNECTION_PROP_SESSION_ID:
      wire_connection_set_session_id (self, g_value_get_string (value));
      break;
    case WIRE_CONNECTION_PROP_CHANNELS:
      wire_connection_set_channels (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_connection_class_init (WireConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = wire_connection_constructed;
  object_class->dispose = wire_connection_dispose;
  object_class->finalize = wire_connection_finalize;
  object_class->get_property = wire_connection_get_property;
  object_class->set_property = wire_connection_set_property;

  wire_connection_properties[WIRE_CONNECTION_PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL, WIRE_TYPE_CONFIG, co);
  wire_connection_properties[WIRE_CONNECTION_PROP_NETWORK_MONITOR] =
    g_param_spec_object ("network-monitor", NULL, NULL, WIRE_TYPE_NETWORK_MONITOR, co);
  wire_connection_properties[WIRE_CONNECTION_PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL, co);
  wire_connection_properties[WIRE_CONNECTION_PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, WIRE_TYPE_ENDPOINT_KIND, WIRE_ENDPOINT_CHAT, ro);
  wire_connection_properties[WIRE_CONNECTION_PROP_SLOT_ID] =
    g_param_spec_string ("slot-id", NULL, NULL, NULL, ro);
  wire_connection_properties[WIRE_CONNECTION_PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, WIRE_TYPE_CONNECTION_STATE,
                       WIRE_CONNECTION_DISCONNECTED, ro);
  wire_connection_properties[WIRE_CONNECTION_PROP_USER_ID] =
    g_param_spec_string ("user-id", NULL, NULL, NULL, rw);
  wire_connection_properties[WIRE_CONNECTION_PROP_SESSION_ID] =
    g_param_spec_string ("session-id", NULL, NULL, NULL, rw);
  wire_connection_properties[WIRE_CONNECTION_PROP_CONNECTION_ID] =
    g_param_spec_string ("connection-id", NULL, NULL, NULL, ro);
  wire_connection_properties[WIRE_CONNECTION_PROP_TOKEN_EXPIRY] =
    g_param_spec_int64 ("token-expiry", NULL, NULL, 0, G_MAXINT64, 0, ro);
  wire_connection_properties[WIRE_CONNECTION_PROP_LAST_CLOSE_CODE] =
    g_param_spec_int ("last-close-code", NULL, NULL, 0, G_MAXINT, 0, ro);
  wire_connection_properties[WIRE_CONNECTION_PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL, ro);
  wire_connection_properties[WIRE_CONNECTION_PROP_CHANNELS] =
    g_param_spec_boxed ("channels", NULL, NULL, G_TYPE_STRV, rw);
  wire_connection_properties[WIRE_CONNECTION_PROP_AVAILABLE_CHANNELS] =
    g_param_spec_boxed ("available-channels", NULL, NULL, G_TYPE_STRV, ro);
  wire_connection_properties[WIRE_CONNECTION_PROP_HEARTBEAT_INTERVAL_MS] =
    g_param_spec_int64 ("heartbeat-interval-ms", NULL, NULL, 0, G_MAXINT64, 0, ro);

  g_object_class_install_properties (object_class, WIRE_CONNECTION_N_PROPS,
                                     wire_connection_properties);

  /* Per-frame signals get a real marshaller and a va_list one: the generic marshaller goes
   * through libffi on every emission. */
  wire_connection_signals[WIRE_CONNECTION_SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, g_cclosure_marshal_VOID__BOXED, G_TYPE_NONE, 1,
                  WIRE_TYPE_ENVELOPE | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (wire_connection_signals[WIRE_CONNECTION_SIGNAL_MESSAGE],
                              G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__BOXEDv);
  wire_connection_signals[WIRE_CONNECTION_SIGNAL_FRAME] =
    g_signal_new ("frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, g_cclosure_marshal_VOID__BOXED, G_TYPE_NONE, 1,
                  WIRE_TYPE_ENVELOPE | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (wire_connection_signals[WIRE_CONNECTION_SIGNAL_FRAME],
                              G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__BOXEDv);
  wire_connection_signals[WIRE_CONNECTION_SIGNAL_TRANSITION] =
    g_signal_new ("transition", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, g_cclosure_marshal_VOID__BOXED, G_TYPE_NONE, 1,
                  WIRE_TYPE_TRANSITION | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (wire_connection_signals[WIRE_CONNECTION_SIGNAL_TRANSITION],
                              G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__BOXEDv);
  wire_connection_signals[WIRE_CONNECTION_SIGNAL_PUBLISH_SENT] =
    g_signal_new ("publish-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 5,
                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, WIRE_TYPE_PRIORITY, G_TYPE_UINT);
  wire_connection_signals[WIRE_CONNECTION_SIGNAL_PUBLISH_COMPLETED] =
    g_signal_new ("publish-completed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_ERROR);
  wire_connection_signals[WIRE_CONNECTION_SIGNAL_SUBSCRIBED] =
    g_signal_new ("subscribed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_STRV, G_TYPE_STRV);
}

static void
wire_connection_init (WireConnection *self)
{
  self->state = WIRE_CONNECTION_DISCONNECTED;
  self->transitions = g_ptr_array_new_with_free_func ((GDestroyNotify) wire_transition_free);
  self->wanted = g_ptr_array_new_with_free_func (g_free);
  self->granted = g_ptr_array_new_with_free_func (g_free);
  self->available_strv = g_new0 (char *, 1);
  self->channel_stats = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                               wire_channel_entry_free);
  self->max_message_bytes = WIRE_DEFAULT_MAX_MESSAGE_BYTES;
  self->network_status = WIRE_NETWORK_ONLINE;
  wire_connection_init_heartbeat (self);
}

/* Public API */

WireConnection *
wire_connection_new (WireConfig          *config,
                     WireNetworkMonitor  *monitor,
                     const char          *url,
                     GError             **error)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (config == NULL || WIRE_IS_CONFIG (config), NULL);
  g_return_val_if_fail (monitor == NULL || WIRE_IS_NETWORK_MONITOR (monitor), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = wire_handshake_parse_url (url, error);
  if (uri == NULL)
    return NULL;

  return g_object_new (WIRE_TYPE_CONNECTION,
                       "config", config,
                       "network-monitor", monitor,
                       "url", url,
                       NULL);
}

WireBackoff *
wire_connection_get_backoff (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), NULL);
  return self->backoff;
}

WireMessageQueue *
wire_connection_get_queue (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), NULL);
  return self->queue;
}

WireConfig *
wire_connection_get_config (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), NULL);
  return self->config;
}

WireChannelPolicy *
wire_connection_get_policy (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), NULL);
  return self->policy;
}

void
wire_connection_connect (WireConnection *self)
{
  g_return_if_fail (WIRE_IS_CONNECTION (self));
  g_return_if_fail (self->uri != NULL);

  if (self->state == WIRE_CONNECTION_CONNECTING ||
      self->state == WIRE_CONNECTION_AUTHENTICATING ||
      self->state == WIRE_CONNECTION_CONNECTED)
    return;

  /* A connect by hand starts afresh: full backoff budget, one token refresh. */
  if (self->state != WIRE_CONNECTION_RECONNECTING)
    {
      wire_backoff_reset (self->backoff);
      self->refresh_used = FALSE;
      self->refresh_pending = FALSE;
    }
  wire_connection_start_attempt (self);
}

void
wire_connection_disconnect (WireConnection *self)
{
  g_return_if_fail (WIRE_IS_CONNECTION (self));

  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  self->waiting_for_network = FALSE;
  if (self->state == WIRE_CONNECTION_DISCONNECTED)
    return;

  wire_connection_teardown_link (self, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  wire_connection_set_last_close_code (self, WIRE_CLOSE_NORMAL);
  wire_connection_set_state (self, WIRE_CONNECTION_DISCONNECTED, WIRE_CLOSE_NORMAL,
                             "Closed by the user", 0, -1);
}

void
wire_connection_shutdown (WireConnection *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (WIRE_IS_CONNECTION (self));

  wire_connection_disconnect (self);
  error = g_error_new (WIRE_ERROR, WIRE_ERROR_CLOSED, "The connection to %s was closed for good",
                       self->url);
  wire_message_queue_fail_all (self->queue, error);
}

void
wire_connection_reconnect_now (WireConnection *self)
{
  g_return_if_fail (WIRE_IS_CONNECTION (self));

  if (self->state == WIRE_CONNECTION_DISCONNECTED || self->state == WIRE_CONNECTION_ERROR)
    wire_connection_connect (self);
  else
    wire_connection_start_attempt (self);
}

WireConnectionState
wire_connection_get_state (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), WIRE_CONNECTION_DISCONNECTED);
  return self->state;
}

WireEndpointKind
wire_connection_get_kind (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), WIRE_ENDPOINT_CHAT);
  return self->kind;
}

const char *
wire_connection_get_url (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), NULL);
  return self->url;
}

const char *
wire_connection_get_slot_id (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), NULL);
  return self->slot_id;
}

const char *
wire_connection_get_user_id (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), NULL);
  return self->user_id;
}

const char *
wire_connection_get_session_id (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), NULL);
  return self->session_id;
}

const char *
wire_connection_get_connection_id (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), NULL);
  return self->connection_id;
}

int
wire_connection_get_last_close_code (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), 0);
  return self->last_close_code;
}

const char *
wire_connection_get_last_error (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), NULL);
  return self->last_error;
}

const char *
wire_connection_get_host_key (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), NULL);
  return self->host_key;
}

void
wire_connection_get_metrics (WireConnection *self,
                             WireMetrics    *out_metrics)
{
  g_return_if_fail (WIRE_IS_CONNECTION (self));
  g_return_if_fail (out_metrics != NULL);

  memset (out_metrics, 0, sizeof *out_metrics);
  out_metrics->connected_at_ms = self->connected_at_ms;
  out_metrics->last_message_at_ms = wire_real_ms_from_monotonic_us (self->last_message_us);
  out_metrics->messages_sent = self->messages_sent;
  out_metrics->messages_received = self->messages_received;
  out_metrics->errors = self->errors;
  out_metrics->reconnect_attempts = wire_backoff_get_attempt (self->backoff);
  out_metrics->reconnects_total = self->reconnects_total;
  out_metrics->bytes_sent = self->bytes_sent;
  out_metrics->bytes_received = self->bytes_received;
  out_metrics->dedup_hits = self->dedup_hits;
  out_metrics->rate_limited = wire_message_queue_get_rate_limited (self->queue);
  out_metrics->overflows = wire_message_queue_get_overflows (self->queue);
  out_metrics->rtt_last_ms = self->heartbeat.rtt_last_ms;
  out_metrics->rtt_p50_ms = self->heartbeat.rtt_p50_ms;
  out_metrics->rtt_p95_ms = self->heartbeat.rtt_p95_ms;
}

GPtrArray *
wire_connection_get_transitions (WireConnection *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (self), NULL);
  return self->transitions;
}

const char *
wire_connection_state_to_string (WireConnectionState state)
{
  switch (state)
    {
    case WIRE_CONNECTION_DISCONNECTED:
      return "disconnected";
    case WIRE_CONNECTION_CONNECTING:
      return "connecting";
    case WIRE_CONNECTION_AUTHENTICATING:
      return "authenticating";
    case WIRE_CONNECTION_CONNECTED:
      return "connected";
    case WIRE_CONNECTION_RECONNECTING:
      return "reconnecting";
    case WIRE_CONNECTION_ERROR:
      return "error";
    default:
      return "unknown";
    }
}
