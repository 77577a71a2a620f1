/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "wire-gateway-private.h"

G_BEGIN_DECLS

#define WIRE_TYPE_GATEWAY_SESSION (wire_gateway_session_get_type ())
G_DECLARE_FINAL_TYPE (WireGatewaySession, wire_gateway_session, WIRE, GATEWAY_SESSION, GObject)

/* One client connection on the gateway: the auth handshake and its timeout, frames, heartbeats,
 * idle close, rate limits, the bad-frame flood and the outgoing limit. Signals: "authenticated"
 * and "closed" (int code). */
WireGatewaySession *wire_gateway_session_new              (WireGateway             *gateway,
                                                           SoupWebsocketConnection *ws,
                                                           GSocket                 *socket,
                                                           WireEndpointKind         kind,
                                                           const char              *slot_id,
                                                           const char              *remote);
/* Arms the auth timeout. When @refuse_code is non-zero the connection is refused at once with
 * an auth_error (@refuse_reason) and that close code (a forbidden Origin). */
void                wire_gateway_session_start            (WireGatewaySession      *self,
                                                           int                      refuse_code,
                                                           const char              *refuse_reason);
/* The auth timeout and the idle close, checked by the gateway's sweep. */
void                wire_gateway_session_check_timeouts   (WireGatewaySession      *self,
                                                           gint64                   now_us);
const char         *wire_gateway_session_get_connection_id (WireGatewaySession     *self);
const char         *wire_gateway_session_get_user_id      (WireGatewaySession      *self);
const char         *wire_gateway_session_get_session_id   (WireGatewaySession      *self);
const char         *wire_gateway_session_get_slot_id      (WireGatewaySession      *self);
WireEndpointKind    wire_gateway_session_get_kind         (WireGatewaySession      *self);
gboolean            wire_gateway_session_is_authenticated (WireGatewaySession      *self);
gboolean            wire_gateway_session_is_admin         (WireGatewaySession      *self);
gboolean            wire_gateway_session_is_open          (WireGatewaySession      *self);
gboolean            wire_gateway_session_has_channel      (WireGatewaySession      *self,
                                                           const char              *channel);
/* Queues one text frame (copied). Past outgoing-limit-bytes of unsent data the connection is
 * closed with 1013. */
void                wire_gateway_session_send_text        (WireGatewaySession      *self,
                                                           const char              *text,
                                                           gsize                    len);
void                wire_gateway_session_close            (WireGatewaySession      *self,
                                                           int                      code,
                                                           const char              *reason);
/* Ends the TCP connection without a close frame (the peer sees 1006). */
void                wire_gateway_session_drop             (WireGatewaySession      *self);
/* Reads and answers nothing for @ms (half-open). */
void                wire_gateway_session_stall            (WireGatewaySession      *self,
                                                           guint                    ms);
void                wire_gateway_session_clear_stall      (WireGatewaySession      *self);
/* The admin feed's entry for this connection, as a JSON object. */
void                wire_gateway_session_append_json      (WireGatewaySession      *self,
                                                           GString                 *out);
/* Bytes queued in the gateway and not yet handed to the socket. */
gsize               wire_gateway_session_get_queued_bytes (WireGatewaySession      *self);
/* Testing only (a fuzz target that keeps one session across many inputs): forgets what earlier
 * inputs changed and a new session would not have: the bad frames counted, spent rate-limit
 * tokens, and channels other than @channels (NULL-terminated), which are subscribed again as
 * an auth request would when the set differs. */
void                wire_gateway_session_reset_for_testing (WireGatewaySession     *self,
                                                            const char * const     *channels);

G_END_DECLS
