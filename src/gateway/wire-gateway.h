/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "wire-protocol.h"

G_BEGIN_DECLS

#define WIRE_TYPE_GATEWAY (wire_gateway_get_type ())
G_DECLARE_FINAL_TYPE (WireGateway, wire_gateway, WIRE, GATEWAY, GObject)

/* The reference gateway of PROTOCOL.md on SoupServer: authentication, channel policy, the
 * message router and the four services, demo traffic and fault injection. A library, so that
 * `wirescope-gateway`, the app's demo mode and the tests all run the same code in-process.
 *
 * Properties (set before listening unless noted):
 *   secret (GBytes; random when unset), demo (boolean), seed (int64, 0 = random),
 *   faults (boolean), rate-limits (boolean, TRUE), auth-timeout-ms (uint, 5000),
 *   max-message-bytes (uint, 65536), heartbeat-interval-ms (uint, 30000),
 *   dedup-ttl-ms (uint, 300000), outgoing-limit-bytes (uint: a slow reader's unsent backlog
 *   past which it is closed with 1013), allowed-origins (GStrv; NULL = any), log-json (boolean),
 *   tls-certificate (GTlsCertificate, NULL = plain ws://),
 *   demo-tick-ms (uint, 1000: how often the demo services act),
 *   handshake-timeout-ms (uint, 10000: an HTTP request or upgrade unfinished by then is cut),
 *   connection-count (uint, read-only), port (uint, read-only), url (string, read-only:
 *   "ws://127.0.0.1:PORT"). */
WireGateway *wire_gateway_new                (void);
/* @host: "127.0.0.1", "::1", "0.0.0.0" or a name; @port 0 picks a free port. */
gboolean     wire_gateway_listen             (WireGateway         *self,
                                              const char          *host,
                                              guint                port,
                                              GError             **error);
guint        wire_gateway_get_port           (WireGateway         *self);
/* "ws://HOST:PORT" (or wss://) of the first listening address. */
const char  *wire_gateway_get_url            (WireGateway         *self);
guint        wire_gateway_get_connection_count (WireGateway       *self);
void         wire_gateway_set_secret         (WireGateway         *self,
                                              const guint8        *secret,
                                              gsize                len);
/* Signs a token with the gateway's secret. @role NULL = "user"; @trips/@sessions may be NULL. */
char        *wire_gateway_mint_token         (WireGateway         *self,
                                              const char          *user_id,
                                              const char          *role,
                                              const char * const  *trips,
                                              const char * const  *sessions,
                                              gint64               ttl_s);
/* Applies one fault of PROTOCOL.md §7 in-process (the body of POST /api/faults), whether or
 * not the faults property is set: tests and the app's demo use it directly. */
gboolean     wire_gateway_apply_fault        (WireGateway         *self,
                                              JsonObject          *fault,
                                              GError             **error);
/* The connection ids of live, authenticated connections (for "drop this one"). */
char       **wire_gateway_dup_connection_ids (WireGateway         *self);
/* Closes every connection with 1001 and stops listening. */
void         wire_gateway_shutdown           (WireGateway         *self);

G_END_DECLS
