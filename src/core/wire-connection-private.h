/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-connection.h"
#include "wire-heartbeat.h"
#include "wire-link.h"

G_BEGIN_DECLS

/* Internals of WireConnection, shared by the files that implement it:
 *   wire-connection.c           the state machine, reconnect scheduling, properties, public API;
 *   wire-connection-channels.c  per-channel bookkeeping, subscriptions, resume positions;
 *   wire-connection-auth.c      tokens and their claims, the auth frame and its answer;
 *   wire-connection-receive.c   the receive path: frames from the gateway and their dispatch;
 *   wire-connection-link.c      opening, writing to, keeping alive and ending the WebSocket;
 *   wire-connection-publish.c   checks on a publish and the glue to the message queue. */

/* What the connection knows about one channel. Updated per delivered message without
 * allocating: the event name is copied only when it changes. */
typedef struct
{
  char    *channel;
  gboolean subscribed;
  gboolean read_only;
  guint64  messages_in;
  guint64  messages_out;
  char    *last_event;
  gint64   last_event_us;   /* monotonic */
  guint64  resume_seq;      /* resume extension: the last "seq" seen on the channel */
} WireChannelEntry;

struct _WireConnection
{
  GObject             parent_instance;

  WireConfig         *config;
  WireNetworkMonitor *monitor;
  char               *url;
  GUri               *uri;
  char               *host_key;
  WireEndpointKind    kind;
  char               *slot_id;

  WireConnectionState state;
  char               *user_id;
  char               *session_id;
  char               *connection_id;
  char               *last_error;
  int                 last_close_code;

  /* Tokens. */
  char               *static_token;
  char               *current_token;
  WireTokenFunc       token_func;
  gpointer            token_data;
  GDestroyNotify      token_destroy;
  WireJwtClaims      *claims;
  gint64              token_expiry;
  gboolean            refresh_pending;   /* the next attempt asks for a fresh token */
  gboolean            refresh_used;      /* the one refresh after 4001 was spent */
  char               *auth_error;        /* message of the last auth_error frame */

  /* Channels: what we ask for (kept across reconnects) and what was granted. */
  GPtrArray          *wanted;
  GPtrArray          *granted;
  char              **available_strv;    /* cached view of granted */
  GHashTable         *channel_stats;     /* channel → WireChannelEntry, never removed */
  WireChannelEntry   *last_entry;        /* of the last delivery */

  WireBackoff        *backoff;
  WireMessageQueue   *queue;
  WireChannelPolicy  *policy;
  WireDedupCache     *dedup;

  /* The link. */
  WireLink           *link;              /* on the I/O thread: see wire-link.h */
  guint64             max_incoming;      /* the largest message the link accepts */
  guint               reconnect_source;
  guint               connect_timeout_source;
  guint               idle_source;
  gboolean            waiting_for_network;
  WireNetworkStatus   network_status;
  int                 peer_close_code;   /* seen when libsoup reported an error */

  WireHeartbeat       heartbeat;
  gint64              heartbeat_interval_ms;  /* in use */
  gint64              gateway_heartbeat_ms;   /* heartbeatIntervalMs of auth_ok, 0 = none */
  gint64              max_message_bytes;

  /* Metrics; times monotonic µs unless named _ms. */
  gint64              connected_at_ms;
  gint64              last_message_us;
  gint64              last_activity_us;
  guint64             messages_sent;
  guint64             messages_received;
  guint64             errors;
  guint64             reconnects_total;
  guint64             bytes_sent;
  guint64             bytes_received;
  guint64             dedup_hits;
  char               *last_sent_id;

  GPtrArray          *transitions;
};

enum
{
  WIRE_CONNECTION_PROP_0,
  WIRE_CONNECTION_PROP_CONFIG,
  WIRE_CONNECTION_PROP_NETWORK_MONITOR,
  WIRE_CONNECTION_PROP_URL,
  WIRE_CONNECTION_PROP_KIND,
  WIRE_CONNECTION_PROP_SLOT_ID,
  WIRE_CONNECTION_PROP_STATE,
  WIRE_CONNECTION_PROP_USER_ID,
  WIRE_CONNECTION_PROP_SESSION_ID,
  WIRE_CONNECTION_PROP_CONNECTION_ID,
  WIRE_CONNECTION_PROP_TOKEN_EXPIRY,
  WIRE_CONNECTION_PROP_LAST_CLOSE_CODE,
  WIRE_CONNECTION_PROP_LAST_ERROR,
  WIRE_CONNECTION_PROP_CHANNELS,
  WIRE_CONNECTION_PROP_AVAILABLE_CHANNELS,
  WIRE_CONNECTION_PROP_HEARTBEAT_INTERVAL_MS,
  WIRE_CONNECTION_N_PROPS
};

enum
{
  WIRE_CONNECTION_SIGNAL_MESSAGE,
  WIRE_CONNECTION_SIGNAL_FRAME,
  WIRE_CONNECTION_SIGNAL_TRANSITION,
  WIRE_CONNECTION_SIGNAL_PUBLISH_SENT,
  WIRE_CONNECTION_SIGNAL_PUBLISH_COMPLETED,
  WIRE_CONNECTION_SIGNAL_SUBSCRIBED,
  WIRE_CONNECTION_N_SIGNALS
};

extern GParamSpec *wire_connection_properties[WIRE_CONNECTION_N_PROPS];
extern guint wire_connection_signals[WIRE_CONNECTION_N_SIGNALS];

static inline void
wire_connection_notify (WireConnection *self,
                        guint           prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), wire_connection_properties[prop]);
}

/* A NULL-terminated view of @array (whose strings it borrows). */
static inline const char * const *
wire_str_ptr_array_as_strv (GPtrArray *array)
{
  g_ptr_array_add (array, NULL);
  g_ptr_array_set_size (array, array->len - 1);
  return (const char * const *) array->pdata;
}

static inline gboolean
wire_str_ptr_array_contains (GPtrArray  *array,
                             const char *str)
{
  for (guint i = 0; i < array->len; i++)
    if (g_str_equal (g_ptr_array_index (array, i), str))
      return TRUE;
  return FALSE;
}

static inline gint64
wire_real_ms_from_monotonic_us (gint64 mono_us)
{
  if (mono_us == 0)
    return 0;
  return (g_get_real_time () - (g_get_monotonic_time () - mono_us)) / 1000;
}

/* State (wire-connection.c) */
void     wire_connection_set_string          (WireConnection       *self,
                                              char                **field,
                                              const char           *value,
                                              guint                 prop);
void     wire_connection_set_last_error      (WireConnection       *self,
                                              const char           *message);
void     wire_connection_set_last_close_code (WireConnection       *self,
                                              int                   code);
void     wire_connection_set_state           (WireConnection       *self,
                                              WireConnectionState   state,
                                              int                   close_code,
                                              const char           *reason,
                                              guint                 attempt,
                                              gint64                delay_ms);
void     wire_connection_enter_error         (WireConnection       *self,
                                              int                   close_code,
                                              const char           *reason);
void     wire_connection_handle_link_lost    (WireConnection       *self,
                                              int                   code,
                                              const char           *reason);

/* Channels (wire-connection-channels.c) */
void              wire_channel_entry_free                    (gpointer              data);
WireChannelEntry *wire_connection_ensure_channel             (WireConnection       *self,
                                                              const char           *channel);
char            **wire_dup_denied_channels                   (WireEnvelope         *env,
                                                              const char           *member);
void              wire_connection_reset_granted              (WireConnection       *self,
                                                              const char * const   *available,
                                                              const char * const   *denied);
void              wire_connection_handle_subscription_answer (WireConnection       *self,
                                                              WireEnvelope         *env,
                                                              gboolean              subscribed);
void              wire_connection_note_resume_seq            (WireConnection       *self,
                                                              WireEnvelope         *env,
                                                              const char           *channel);
char             *wire_connection_build_resume               (WireConnection       *self);

/* Authentication (wire-connection-auth.c) */
void     wire_connection_update_claims       (WireConnection       *self,
                                              const char           *token);
gboolean wire_connection_fill_identity       (WireConnection       *self,
                                              WireIdentity         *who);
char    *wire_connection_obtain_token        (WireConnection       *self,
                                              gboolean              refresh);
char    *wire_connection_build_auth_frame    (WireConnection       *self);
void     wire_connection_handle_auth_ok      (WireConnection       *self,
                                              WireEnvelope         *env);
void     wire_connection_handle_auth_error   (WireConnection       *self,
                                              WireEnvelope         *env);

/* Receive path (wire-connection-receive.c): the link's frames, errors and close. */
void     wire_connection_receive_frame       (int                   type,
                                              GBytes               *message,
                                              gint64                received_us,
                                              gpointer              user_data);
void     wire_connection_receive_error       (const GError         *error,
                                              int                   peer_close_code,
                                              gpointer              user_data);
void     wire_connection_receive_closed      (int                   close_code,
                                              const char           *close_data,
                                              gpointer              user_data);

/* Link (wire-connection-link.c) */
/* Tests: opens the link over @ws on this thread (wire_link_new_direct()) and sends the auth
 * frame, as when an upgrade succeeds. */
void     wire_connection_open_direct_link    (WireConnection       *self,
                                              SoupWebsocketConnection *ws);
gboolean wire_connection_send_text           (WireConnection       *self,
                                              const char           *text,
                                              gsize                 len);
gboolean wire_connection_send_owned_text     (WireConnection       *self,
                                              char                 *text);
void     wire_connection_teardown_link       (WireConnection       *self,
                                              gushort               code,
                                              const char           *reason);
void     wire_connection_start_attempt       (WireConnection       *self);
void     wire_connection_init_heartbeat      (WireConnection       *self);
void     wire_connection_start_heartbeat     (WireConnection       *self);
void     wire_connection_schedule_idle_check (WireConnection       *self,
                                              gint64                delay_ms);

/* Publishing (wire-connection-publish.c) */
void     wire_connection_setup_queue         (WireConnection       *self);

/* For WireManager: the parsed URL's "host:port", the key of per-host limits. */
const char *wire_connection_get_host_key (WireConnection *self);

G_END_DECLS
