/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "wire-core.h"

G_BEGIN_DECLS

/* How the window's parts show a connection: its state and type in words, icon and style class,
 * its name, its place in the sidebar's order. */
const char *wire_display_state_label        (WireConnectionState  state);
const char *wire_display_state_icon_name    (WireConnectionState  state);
const char *wire_display_state_css_class    (WireConnectionState  state);
const char *wire_display_kind_label         (WireEndpointKind     kind);
/* "trip-lisbon · demo-friend": the slot id, then the user once known. Newly allocated. */
char       *wire_display_dup_connection_name (WireConnection      *connection);
/* Sorts connections by type, then slot, then URL: the sidebar's order. */
int         wire_display_compare_connections (gconstpointer        a,
                                              gconstpointer        b,
                                              gpointer             user_data);
/* Puts the state-* style class of @state on @widget, removing the others. */
void        wire_display_set_state_class    (GtkWidget           *widget,
                                             WireConnectionState  state);
/* Sets the accessible label and description, only when they change: assistive technologies
 * hear about each update. */
void        wire_display_update_accessible_text (GtkWidget  *widget,
                                                 const char *label,
                                                 const char *description);

G_END_DECLS
