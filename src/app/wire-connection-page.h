/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "wire-connection.h"

G_BEGIN_DECLS

#define WIRE_TYPE_CONNECTION_PAGE (wire_connection_page_get_type ())
G_DECLARE_FINAL_TYPE (WireConnectionPage, wire_connection_page, WIRE, CONNECTION_PAGE, GtkWidget)

/* Everything about one connection: header (state, identity, token expiry, actions), metrics,
 * a live rate chart, the queue, channels, the state timeline, the message log and a composer.
 * The page is reused: setting another connection disconnects every handler of the previous one.
 *
 * Properties: connection (WireConnection, read-write, may be NULL).
 * Actions (on the page): connection.connect, connection.disconnect, connection.reconnect. */
GtkWidget      *wire_connection_page_new             (void);
void            wire_connection_page_set_connection  (WireConnectionPage *self,
                                                      WireConnection     *connection);
WireConnection *wire_connection_page_get_connection  (WireConnectionPage *self);

G_END_DECLS
