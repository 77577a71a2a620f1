/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "wire-priority.h"
#include "wire-config.h"

G_BEGIN_DECLS

#define WIRE_TYPE_MESSAGE_QUEUE (wire_message_queue_get_type ())
G_DECLARE_FINAL_TYPE (WireMessageQueue, wire_message_queue, WIRE, MESSAGE_QUEUE, GObject)

/* Writes one publish frame; returns FALSE when it could not be written (not connected). */
typedef gboolean (*WireQueueSendFunc) (const char *id,
                                       const char *frame_text,
                                       gsize       frame_len,
                                       gpointer    user_data);

/* The priority message queue: critical, high, normal, low; FIFO within a class. An enqueue
 * completes when the gateway's ack arrives ("ok" or "duplicate"), not when bytes were written.
 * No ack within ack-timeout, or a failed send, is retried after retry-delay × retry-count up to
 * max-retries, then fails with WIRE_ERROR_RETRIES_EXHAUSTED. rate_limited waits retryAfterMs
 * without using up a retry. Capacity is bounded with an overflow policy; nothing disappears
 * silently. The queue outlives reconnects: un-acked messages are re-sent with their original id.
 *
 * Properties: capacity, overflow (WireOverflowPolicy), max-retries, retry-delay-ms,
 * ack-timeout-ms (all read-write, following the WireConfig given at construction), and read-only
 * depth (all classes), in-flight, retries, failures, overflows, rate-limited (counters).
 * Also: config (construct-only, may be NULL for the defaults), window (read-write, default 128:
 * the most publishes on the wire without an ack, so a reconnect never re-sends thousands at
 * once), pacing (read-write, default TRUE: a token bucket per channel at the rate of the default
 * channel policy, so the gateway's rate_limited is the exception), online (read-only),
 * depth-critical, depth-high, depth-normal, depth-low (read-only), oldest-age-ms (read-only,
 * computed when read and never notified, since it changes with the clock).
 *
 * Depth counts messages waiting to be written; in-flight those written and not yet acknowledged.
 * Capacity bounds both together (wire_message_queue_get_length()). Lowering the capacity below
 * the current length drops nothing: new messages are refused with WIRE_ERROR_QUEUE_FULL (under
 * either policy) until the queue is below it. drop-lowest fails the oldest *waiting* message of
 * the lowest class (a message on the wire is not recalled); when the new message's class is
 * lower than every waiting one, the new message itself fails with WIRE_ERROR_OVERFLOW.
 *
 * Retries: a publish is written at most 1 + max-retries times; the n-th re-send waits
 * retry-delay × n. A rate_limited error waits retryAfterMs (retry-delay when absent) and uses no
 * retry. Other error frames for the id fail the message with the matching WireError.
 *
 * Order: whenever a frame is written it belongs to the highest class that has a message ready.
 * Within one class, first transmissions follow enqueue order, and a message that must be
 * re-sent (lost link, ack timeout, failed write, rate_limited) is re-sent, in enqueue order,
 * before any later message of its class is written for the first time: such a message holds
 * back its own class (never the other classes) while it waits; so does a message waiting for
 * its channel's pacing token. set_online(TRUE) cancels pending retry and rate-limit waits,
 * since they belonged to the old link.
 *
 * Timers: one GSource per queue (the earliest ack deadline or wake-up), attached to the
 * thread-default main context at construction. Cancelling an enqueue's GCancellable fails it
 * with G_IO_ERROR_CANCELLED in the next main-loop iteration and removes it. */
WireMessageQueue *wire_message_queue_new              (WireConfig        *config);

/* @id NULL: a unique id is generated ("m-<random 64-bit hex>-<counter>"); a given id has 1 to 128
 * characters and must not be queued already. @payload_json: the payload object's JSON text
 * (NULL = {}), validated by the caller. @callback may be NULL: the outcome is then only reported
 * by the completed signal.
 * Returns the id (owned by the queue until completion, and with a callback until the callback
 * ran; copy it if kept), or NULL when the message was refused at once without a callback. */
const char       *wire_message_queue_enqueue_async    (WireMessageQueue  *self,
                                                       const char        *id,
                                                       const char        *channel,
                                                       const char        *event,
                                                       WirePriority       priority,
                                                       const char        *payload_json,
                                                       GCancellable      *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer           user_data);
/* TRUE with *@out_status "ok" or "duplicate" (static strings); FALSE with a WIRE_ERROR. */
gboolean          wire_message_queue_enqueue_finish   (WireMessageQueue  *self,
                                                       GAsyncResult      *result,
                                                       const char       **out_status,
                                                       GError           **error);

/* The connection side. */
void              wire_message_queue_set_sender       (WireMessageQueue  *self,
                                                       WireQueueSendFunc  func,
                                                       gpointer           user_data);
/* TRUE once authenticated: flushes in strict priority order. FALSE when the link is lost:
 * in-flight messages go back to the head of their class, in their original order. */
void              wire_message_queue_set_online       (WireMessageQueue  *self,
                                                       gboolean           online);
void              wire_message_queue_handle_ack       (WireMessageQueue  *self,
                                                       const char        *id,
                                                       const char        *status);
/* An error frame carrying a publish id. */
void              wire_message_queue_handle_error     (WireMessageQueue  *self,
                                                       const char        *id,
                                                       const char        *code,
                                                       const char        *message,
                                                       gint64             retry_after_ms);
/* Fails everything queued with @error (the connection is closed for good). */
void              wire_message_queue_fail_all         (WireMessageQueue  *self,
                                                       const GError      *error);

/* The publish frame of a message still queued or in flight (from a "sent" handler, say), or
 * NULL. Owned by the queue: valid until the message completes. */
const char       *wire_message_queue_peek_frame       (WireMessageQueue  *self,
                                                       const char        *id,
                                                       gsize             *out_len);

guint             wire_message_queue_get_depth        (WireMessageQueue  *self,
                                                       WirePriority       priority);
guint             wire_message_queue_get_total_depth  (WireMessageQueue  *self);
guint             wire_message_queue_get_in_flight    (WireMessageQueue  *self);
/* Waiting plus in flight: what capacity bounds. */
guint             wire_message_queue_get_length       (WireMessageQueue  *self);
gboolean          wire_message_queue_get_online       (WireMessageQueue  *self);
/* Age of the oldest message not yet acknowledged, ms; 0 when empty. */
gint64            wire_message_queue_get_oldest_age_ms (WireMessageQueue *self);
guint             wire_message_queue_get_capacity     (WireMessageQueue  *self);
WireOverflowPolicy wire_message_queue_get_overflow    (WireMessageQueue  *self);
guint64           wire_message_queue_get_retries      (WireMessageQueue  *self);
guint64           wire_message_queue_get_failures     (WireMessageQueue  *self);
guint64           wire_message_queue_get_overflows    (WireMessageQueue  *self);
guint64           wire_message_queue_get_rate_limited (WireMessageQueue  *self);

/* Signals:
 *   completed (const char *id, const char *status, GError *error): one per enqueue, status NULL
 *   on failure; emitted before the GTask's callback runs.
 *   sent (const char *id, const char *channel, const char *event, WirePriority, guint size):
 *   each time a publish frame is written (retries included). */

G_END_DECLS
