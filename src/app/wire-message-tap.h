/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "wire-connection.h"
#include "wire-message-ring.h"
#include "wire-recorder.h"

G_BEGIN_DECLS

#define WIRE_TYPE_MESSAGE_TAP (wire_message_tap_get_type ())
G_DECLARE_FINAL_TYPE (WireMessageTap, wire_message_tap, WIRE, MESSAGE_TAP, GObject)

/* Records what one connection sends and receives into a WireMessageRing: incoming frames from
 * the connection's "frame" and "message" signals (a message frame that is never delivered is a
 * duplicate the client dropped), outgoing publishes from its queue's "sent" and "completed"
 * signals (status sent → ack / duplicate / failed).
 *
 * One tap per connection, created on first use and kept with the connection, so that its history
 * survives the page switching to another connection and back.
 *
 * A tap is the one handler of its connection's "frame" signal: when the connection is followed by
 * the recorder given to wire_message_tap_set_recorder(), the tap takes the recording of its frames
 * over (wire_recorder_take_frames()) and hands each frame on by a direct call. */
WireMessageTap  *wire_message_tap_get_for_connection (WireConnection *connection);
WireMessageRing *wire_message_tap_get_ring           (WireMessageTap *self);
/* How many rows the logs of connections tapped from now on keep (the message-log-history
 * setting); a log that exists keeps its size, so no history is cut away under the user. */
void             wire_message_tap_set_default_capacity (guint         capacity);
guint            wire_message_tap_get_default_capacity (void);
/* The recorder that taps made from now on feed with the frames of their connection (the app's
 * recorder, wire_recorder_ensure_for_manager()); %NULL for none. Not referenced: a recorder that
 * goes away is forgotten. */
void             wire_message_tap_set_recorder         (WireRecorder *recorder);
/* The payload of a publish about to be sent (the queue's signals do not carry it), so that the
 * log can show the whole frame. Forgotten once the publish completes. */
void             wire_message_tap_remember_payload   (WireMessageTap *self,
                                                      const char     *id,
                                                      const char     *channel,
                                                      const char     *event,
                                                      WirePriority    priority,
                                                      const char     *payload_json);

G_END_DECLS
