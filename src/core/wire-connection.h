/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "wire-protocol.h"
#include "wire-config.h"
#include "wire-backoff.h"
#include "wire-message-queue.h"
#include "wire-network-monitor.h"

G_BEGIN_DECLS

typedef enum
{
  WIRE_CONNECTION_DISCONNECTED,
  WIRE_CONNECTION_CONNECTING,
  WIRE_CONNECTION_AUTHENTICATING,
  WIRE_CONNECTION_CONNECTED,
  WIRE_CONNECTION_RECONNECTING,
  WIRE_CONNECTION_ERROR,
} WireConnectionState;

/* The guide's six metrics plus ours. Times are real-time ms (0 = never); RTT -1 = unknown. */
typedef struct
{
  gint64  connected_at_ms;
  gint64  last_message_at_ms;
  guint64 messages_sent;
  guint64 messages_received;
  guint64 errors;
  guint64 reconnect_attempts;   /* attempts since the last stable connection */
  guint64 reconnects_total;
  guint64 bytes_sent;
  guint64 bytes_received;
  guint64 dedup_hits;
  guint64 rate_limited;
  guint64 overflows;
  gint64  rtt_last_ms;
  gint64  rtt_p50_ms;
  gint64  rtt_p95_ms;
} WireMetrics;

/* One state change. */
typedef struct
{
  gint64               time_ms;      /* real time */
  WireConnectionState  from;
  WireConnectionState  to;
  int                  close_code;   /* 0 when the change was not caused by a close */
  char                *reason;       /* close reason or error message, may be NULL */
  guint                attempt;      /* reconnect attempt number, 0 when none */
  gint64               delay_ms;     /* the backoff delay chosen, -1 when none */
} WireTransition;

typedef struct
{
  char    *channel;
  gboolean subscribed;
  gboolean read_only;       /* an admin's inspection subscription */
  guint64  messages_in;
  guint64  messages_out;
  char    *last_event;
  gint64   last_event_at_ms;
} WireChannelStats;

#define WIRE_TYPE_TRANSITION (wire_transition_get_type ())
GType            wire_transition_get_type  (void) G_GNUC_CONST;
WireTransition  *wire_transition_copy      (const WireTransition *transition);
void             wire_transition_free      (WireTransition       *transition);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WireTransition, wire_transition_free)

void             wire_channel_stats_free   (WireChannelStats     *stats);

/* Asked before every (re)connect, and once more with @refresh TRUE after a 4001. Returns a newly
 * allocated token, or NULL when there is none. */
typedef char *(*WireTokenFunc) (gpointer user_data,
                                gboolean refresh);

#define WIRE_TYPE_CONNECTION (wire_connection_get_type ())
G_DECLARE_FINAL_TYPE (WireConnection, wire_connection, WIRE, CONNECTION, GObject)

/* Properties:
 *   config (WireConfig, construct-only), network-monitor (WireNetworkMonitor, construct-only, may be NULL),
 *   url (string, construct-only), kind (WireEndpointKind, read-only), slot-id (read-only),
 *   state (WireConnectionState, read-only), user-id, session-id (the chat session sent in the
 *   auth frame), connection-id (from auth_ok), token-expiry (int64 s, from the JWT's exp; 0 none),
 *   last-close-code (int), last-error (string), channels (GStrv: requested at auth),
 *   available-channels (GStrv, read-only: granted), heartbeat-interval-ms (read-only, negotiated).
 *
 * Signals:
 *   message (WireEnvelope *): a delivered, non-duplicate `message` frame.
 *   frame (WireEnvelope *): every frame received, for logs (duplicates included; for a
 *   delivery it comes before `message`).
 *   transition (WireTransition *): after each state change (state is notified too).
 *   publish-sent (id, channel, event, WirePriority, guint size) / publish-completed (id,
 *   status or NULL, GError * or NULL): forwarded from the queue (see WireMessageQueue).
 *   subscribed (GStrv granted, GStrv denied-as-"channel: reason"): after auth_ok and after each
 *   `subscribed` answer.
 *
 * Nothing is notified per frame: the metrics, channel stats and RTT are read with the getters
 * (the UI polls them). Without a session id, a chat connection speaks for its path's session.
 *
 * What a close does next is PROTOCOL.md §6 (wire_close_code_action()): 1000 and 4009 stay
 * disconnected; 1003, 1008, 4000, 4003 go to error; 4001 asks the token func once for a fresh
 * token (refresh TRUE) and reconnects at once, a second 4001 is an error; 1009 fails the publish
 * written last and reconnects; 1013 waits at least 5 s; the rest reconnect with the backoff
 * (max-attempts reached: error, "Gave up after N reconnect attempts"). A link that goes quiet
 * for heartbeat-timeout-ms after a heartbeat is treated as 1006. With a network monitor, no
 * attempt is made while it says offline, and the next one starts as soon as it does not;
 * slow and unstable stretch the delay (wire_network_status_min_delay_ms()). */

/* @url: ws:// or wss:// URL whose path is one of PROTOCOL.md §1; WIRE_ERROR_INVALID_ARGUMENT
 * otherwise, with a message that says what is wrong. */
WireConnection   *wire_connection_new                (WireConfig          *config,
                                                      WireNetworkMonitor  *monitor,
                                                      const char          *url,
                                                      GError             **error);
void              wire_connection_set_token          (WireConnection      *self,
                                                      const char          *token);
void              wire_connection_set_token_func     (WireConnection      *self,
                                                      WireTokenFunc        func,
                                                      gpointer             user_data,
                                                      GDestroyNotify       destroy);
void              wire_connection_set_session_id     (WireConnection      *self,
                                                      const char          *session_id);
void              wire_connection_set_channels       (WireConnection      *self,
                                                      const char * const  *channels);
/* Backoff randomness and clock, for exact tests. */
WireBackoff      *wire_connection_get_backoff        (WireConnection      *self);
WireMessageQueue *wire_connection_get_queue          (WireConnection      *self);
WireConfig       *wire_connection_get_config         (WireConnection      *self);
WireChannelPolicy *wire_connection_get_policy        (WireConnection      *self);

void              wire_connection_connect            (WireConnection      *self);
/* Closes with 1000 and stays disconnected; the queue keeps its messages. */
void              wire_connection_disconnect         (WireConnection      *self);
/* Skips the rest of a backoff delay (or drops the link and connects again). */
void              wire_connection_reconnect_now      (WireConnection      *self);
/* Disconnects and fails every queued publish with WIRE_ERROR_CLOSED: the connection is gone
 * for good (the manager calls it when a connection is removed). A pending publish holds a
 * reference on its connection until it completes. */
void              wire_connection_shutdown           (WireConnection      *self);

/* Checked locally against the policy first: WIRE_ERROR_FORBIDDEN for what the gateway would
 * refuse. Otherwise sent now, or at the next authentication. */
gboolean          wire_connection_subscribe          (WireConnection      *self,
                                                      const char * const  *channels,
                                                      GError             **error);
gboolean          wire_connection_unsubscribe        (WireConnection      *self,
                                                      const char * const  *channels,
                                                      GError             **error);
/* Policy is checked before the message is queued (WIRE_ERROR_PUBLISH_DENIED,
 * WIRE_ERROR_FORBIDDEN_EVENT, WIRE_ERROR_NOT_SUBSCRIBED, WIRE_ERROR_BAD_FRAME for a payload
 * that is not a JSON object, WIRE_ERROR_TOO_LARGE past the gateway's maxMessageBytes); the task
 * then completes on the gateway's ack. Returns the id (free it), or NULL when the publish was
 * refused at once (the callback still runs, with the error). */
char             *wire_connection_publish_async      (WireConnection      *self,
                                                      const char          *channel,
                                                      const char          *event,
                                                      WirePriority         priority,
                                                      const char          *payload_json,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean          wire_connection_publish_finish     (WireConnection      *self,
                                                      GAsyncResult        *result,
                                                      const char         **out_status,
                                                      GError             **error);

WireConnectionState wire_connection_get_state        (WireConnection      *self);
WireEndpointKind  wire_connection_get_kind           (WireConnection      *self);
const char       *wire_connection_get_url            (WireConnection      *self);
const char       *wire_connection_get_slot_id        (WireConnection      *self);
const char       *wire_connection_get_user_id        (WireConnection      *self);
const char       *wire_connection_get_session_id     (WireConnection      *self);
const char       *wire_connection_get_connection_id  (WireConnection      *self);
gint64            wire_connection_get_token_expiry   (WireConnection      *self);
int               wire_connection_get_last_close_code (WireConnection     *self);
const char       *wire_connection_get_last_error     (WireConnection      *self);
const char * const *wire_connection_get_available_channels (WireConnection *self);
void              wire_connection_get_metrics        (WireConnection      *self,
                                                      WireMetrics         *out_metrics);
/* Owned by the connection, oldest first, bounded (the newest 1000 are kept). */
GPtrArray        *wire_connection_get_transitions    (WireConnection      *self);
/* A new array of WireChannelStats, one per channel seen (free with g_ptr_array_unref). */
GPtrArray        *wire_connection_dup_channel_stats  (WireConnection      *self);

const char       *wire_connection_state_to_string    (WireConnectionState  state);

G_END_DECLS
