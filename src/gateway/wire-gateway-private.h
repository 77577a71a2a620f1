/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-gateway.h"

G_BEGIN_DECLS

typedef struct _WireGatewaySession WireGatewaySession;
typedef struct _WireMessageRouter  WireMessageRouter;
typedef struct _WireAdminFeed      WireAdminFeed;
typedef struct _WireFaultInjector  WireFaultInjector;

/* The settings every part of the gateway reads. Owned by WireGateway; the others borrow it
 * for as long as the gateway lives, so a change (a latency fault, say) reaches all of them. */
typedef struct
{
  GBytes  *secret;
  guint    auth_timeout_ms;
  guint    max_message_bytes;
  guint    heartbeat_interval_ms;
  guint    dedup_ttl_ms;
  guint    outgoing_limit_bytes;
  guint    demo_tick_ms;
  gboolean rate_limits;
  gboolean log_json;
  gboolean demo;
  char   **allowed_origins;
  /* Fault state (PROTOCOL.md §7), written by WireFaultInjector. */
  guint    latency_ms;
  gint64   refuse_until_us;
} WireGatewayConfig;

const WireGatewayConfig *wire_gateway_get_config       (WireGateway        *self);
WireGatewayConfig       *wire_gateway_get_config_mut   (WireGateway        *self);
WireChannelPolicy       *wire_gateway_get_policy       (WireGateway        *self);
WireMessageRouter       *wire_gateway_get_router       (WireGateway        *self);
WireAdminFeed           *wire_gateway_get_admin_feed   (WireGateway        *self);
/* Slot rules of PROTOCOL.md §1, applied once the user is known: supersedes this user's older
 * connection to the slot (4009), or returns FALSE with *@out_code = 4029 when the slot is full. */
gboolean                 wire_gateway_admit            (WireGateway        *self,
                                                        WireGatewaySession *session,
                                                        int                *out_code);
WireGatewaySession      *wire_gateway_lookup_session   (WireGateway        *self,
                                                        const char         *connection_id);
/* Every live session (borrowed), authenticated or not. */
GPtrArray               *wire_gateway_list_sessions    (WireGateway        *self);
/* --log-json: one line on stderr. @reason may be NULL; @code 0 omits it. */
void                     wire_gateway_log_event        (WireGateway        *self,
                                                        WireGatewaySession *session,
                                                        const char         *event,
                                                        const char         *reason,
                                                        int                 code);

/* Testing only (fuzz targets, tests): attaches a server-side WebSocket over @stream (memory
 * streams will do: no socket, no HTTP upgrade) as a new session on endpoint @path, exactly as an
 * upgraded connection would be. Returns the connection (transfer full; NULL for an unknown path):
 * emitting its "message" signal delivers a frame to the session as libsoup would, and closing it
 * ends the session through the gateway's usual path. */
SoupWebsocketConnection *wire_gateway_attach_stream    (WireGateway        *self,
                                                        GIOStream          *stream,
                                                        const char         *path);

/* Testing only: the size of every table that grows with connections, users and channels, so that
 * a test can show each one shrinks back once they are gone. */
typedef struct
{
  guint sessions;           /* live sessions, authenticated or not */
  guint graveyard;          /* closed sessions waiting for their release */
  guint slots;              /* endpoint slots with a connection */
  guint channels;           /* channels with a subscriber */
  guint dedup_users;        /* users with remembered publish ids */
  guint histories;          /* channels keeping a resume history */
  guint accepted_sockets;   /* sockets the server accepted that are still alive */
} WireGatewayTableSizes;

void                     wire_gateway_get_table_sizes  (WireGateway           *self,
                                                        WireGatewayTableSizes *out);

G_END_DECLS
