/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "wire-gateway-private.h"

G_BEGIN_DECLS

/* Every HTTP request on the server, above all a WebSocket upgrade (TLS handshake included),
 * must be complete within a timeout: a client that opens TCP and sends nothing, or half a
 * request line, is cut off instead of holding a descriptor for ever. libsoup 3.2 has no such
 * timeout of its own. */
typedef struct _WireHandshakeGuard WireHandshakeGuard;

/* @timeout_ms is read each time a request starts (the gateway's property). */
WireHandshakeGuard *wire_handshake_guard_new    (WireGateway        *gateway,
                                                 SoupServer         *server,
                                                 const guint        *timeout_ms);
void                wire_handshake_guard_free   (WireHandshakeGuard *guard);
/* The request upgraded: it is a WebSocket session now. */
void                wire_handshake_guard_forget (WireHandshakeGuard *guard,
                                                 SoupServerMessage  *msg);

G_END_DECLS
