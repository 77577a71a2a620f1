/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  WIRE_MESSAGE_IN,
  WIRE_MESSAGE_OUT,
} WireMessageDirection;

typedef enum
{
  WIRE_MESSAGE_STATUS_NONE,          /* a control frame (heartbeat_ack, subscribed, …) */
  WIRE_MESSAGE_STATUS_RECEIVED,      /* a message frame not (yet) delivered */
  WIRE_MESSAGE_STATUS_DELIVERED,     /* delivered to the application */
  WIRE_MESSAGE_STATUS_DUPLICATE,     /* an incoming id seen before: dropped */
  WIRE_MESSAGE_STATUS_SENT,          /* written, waiting for the ack */
  WIRE_MESSAGE_STATUS_ACK,
  WIRE_MESSAGE_STATUS_ACK_DUPLICATE, /* the gateway had it already */
  WIRE_MESSAGE_STATUS_FAILED,
  WIRE_MESSAGE_STATUS_OVERWRITTEN,   /* the ring wrapped before the view caught up */
} WireMessageStatus;

#define WIRE_TYPE_MESSAGE_ROW (wire_message_row_get_type ())
G_DECLARE_FINAL_TYPE (WireMessageRow, wire_message_row, WIRE, MESSAGE_ROW, GObject)

/* One row of the message log, made on demand by WireMessageRing from its compact entries; a
 * snapshot: a later status change makes the ring hand out a new row. @channel and @event must be
 * interned strings (g_intern_string), @priority -1 when the frame has none. */
WireMessageRow      *wire_message_row_new           (guint64               seq,
                                                     gint64                time_ms,
                                                     WireMessageDirection  direction,
                                                     const char           *channel,
                                                     const char           *event,
                                                     int                   priority,
                                                     guint                 size,
                                                     const char           *id,
                                                     WireMessageStatus     status);
guint64              wire_message_row_get_seq       (WireMessageRow *self);
gint64               wire_message_row_get_time_ms   (WireMessageRow *self);
WireMessageDirection wire_message_row_get_direction (WireMessageRow *self);
const char          *wire_message_row_get_channel   (WireMessageRow *self);
const char          *wire_message_row_get_event     (WireMessageRow *self);
int                  wire_message_row_get_priority  (WireMessageRow *self);
guint                wire_message_row_get_size      (WireMessageRow *self);
const char          *wire_message_row_get_id        (WireMessageRow *self);
WireMessageStatus    wire_message_row_get_status    (WireMessageRow *self);

/* Translated, for people: "delivered", "ack", "failed", … ("" for none). */
const char          *wire_message_status_to_string  (WireMessageStatus status);

G_END_DECLS
