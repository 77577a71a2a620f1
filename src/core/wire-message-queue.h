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
 * depth (all classes), in-flight, retries, failures, overflows, rate-limited (counters). */
WireMessageQueue *wire_message_queue_new              (WireConfig        *config);

/* @id NULL: a unique id is generated. @payload_json: the payload object's JSON text (NULL = {}).
 * Returns the id (owned by the queue until completion; copy it if kept). */
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

guint             wire_message_queue_get_depth        (WireMessageQueue  *self,
                                                       WirePriority       priority);
guint             wire_message_queue_get_total_depth  (WireMessageQueue  *self);
guint             wire_message_queue_get_in_flight    (WireMessageQueue  *self);
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
