/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "wire-connection.h"

G_BEGIN_DECLS

#define WIRE_TYPE_CONNECTION_HEADER (wire_connection_header_get_type ())
G_DECLARE_FINAL_TYPE (WireConnectionHeader, wire_connection_header, WIRE, CONNECTION_HEADER, GtkWidget)

/* The top of the connection page: state (icon, colour and words), URL, user, session, connection
 * id, uptime, the token's expiry countdown, the network status, and the Connect / Disconnect /
 * Reconnect now buttons (bound to the page's connection.* actions). Clock-driven figures change
 * when the page calls wire_connection_header_refresh(); the state changes as it is notified. */
GtkWidget      *wire_connection_header_new            (void);
void            wire_connection_header_set_connection (WireConnectionHeader *self,
                                                       WireConnection       *connection);
void            wire_connection_header_refresh        (WireConnectionHeader *self);
/* For tests: the state text shown, as a screen reader reads it. */
const char     *wire_connection_header_get_state_text (WireConnectionHeader *self);

/* "3 h 02 min", "45 s": a compact duration for people. */
char           *wire_format_duration                  (gint64                ms);

G_END_DECLS
