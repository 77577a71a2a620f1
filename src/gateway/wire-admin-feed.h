/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-gateway-session.h"

G_BEGIN_DECLS

#define WIRE_TYPE_ADMIN_FEED (wire_admin_feed_get_type ())
G_DECLARE_FINAL_TYPE (WireAdminFeed, wire_admin_feed, WIRE, ADMIN_FEED, GObject)

/* The admin feed on admin:sessions (PROTOCOL.md §4): a `sessions` snapshot for each new
 * subscriber, then session_opened, session_updated (at most once a second per connection) and
 * session_closed. Costs nothing while nobody subscribes. */
WireAdminFeed *wire_admin_feed_new     (WireGateway        *gateway);
/* The counters of @session changed. */
void           wire_admin_feed_touch   (WireAdminFeed      *self,
                                        WireGatewaySession *session);
void           wire_admin_feed_opened  (WireAdminFeed      *self,
                                        WireGatewaySession *session);
void           wire_admin_feed_closed  (WireAdminFeed      *self,
                                        WireGatewaySession *session,
                                        int                 code);

G_END_DECLS
