/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "wire-connection.h"

G_BEGIN_DECLS

#define WIRE_TYPE_MANAGER (wire_manager_get_type ())
G_DECLARE_FINAL_TYPE (WireManager, wire_manager, WIRE, MANAGER, GObject)

/* Owns the connections (a GListModel of WireConnection) and one network monitor; their
 * WebSockets run on the core's I/O thread (wire-link.h). Enforces the guide's per-type limits
 * locally (1 chat per session, 1 agent-status per user, 3 trip-collab per trip, 1 notifications
 * per user, per gateway host) and the pool's max-connections and max-connections-per-host. */
WireManager        *wire_manager_new                 (WireConfig          *config);
WireConfig         *wire_manager_get_config          (WireManager         *self);
WireNetworkMonitor *wire_manager_get_network_monitor (WireManager         *self);

/* Creates a connection (not yet connected). WIRE_ERROR_INVALID_ARGUMENT for a bad URL or id,
 * WIRE_ERROR_LIMIT_REACHED (with the rule in the message) when a limit is reached.
 * @token may be NULL when a token func is set later. Returns a borrowed pointer. */
WireConnection     *wire_manager_add_connection      (WireManager         *self,
                                                      const char          *url,
                                                      const char          *token,
                                                      const char          *session_id,
                                                      const char * const  *channels,
                                                      GError             **error);
/* Would @url be accepted? Same errors as add, nothing created (the New Connection dialog). */
gboolean            wire_manager_check_limits        (WireManager         *self,
                                                      const char          *url,
                                                      GError             **error);
void                wire_manager_remove_connection   (WireManager         *self,
                                                      WireConnection      *connection);
void                wire_manager_connect_all         (WireManager         *self);
void                wire_manager_disconnect_all      (WireManager         *self);

G_END_DECLS
