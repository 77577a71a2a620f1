/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "wire-core.h"

G_BEGIN_DECLS

#define WIRE_TYPE_SIDEBAR_ROW (wire_sidebar_row_get_type ())
G_DECLARE_FINAL_TYPE (WireSidebarRow, wire_sidebar_row, WIRE, SIDEBAR_ROW, GtkBox)

/* One connection in the window's sidebar: its state as icon, colour and text, its name, and
 * its messages per second; above it, when it is the first of its type, the type as a heading
 * (GtkListView of GTK 4.8 has no sections). A state change shows (and is announced) at once;
 * the rate waits for wire_sidebar_row_refresh(), which the window calls on each refresh.
 *
 * Properties: connection (WireConnection, may be NULL), show-header (boolean). */
GtkWidget      *wire_sidebar_row_new             (void);
void            wire_sidebar_row_set_connection  (WireSidebarRow *self,
                                                  WireConnection *connection);
WireConnection *wire_sidebar_row_get_connection  (WireSidebarRow *self);
void            wire_sidebar_row_set_show_header (WireSidebarRow *self,
                                                  gboolean        show_header);
gboolean        wire_sidebar_row_get_show_header (WireSidebarRow *self);
/* Reads the connection's state and rate now. */
void            wire_sidebar_row_refresh         (WireSidebarRow *self);

G_END_DECLS
