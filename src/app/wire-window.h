/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "wire-core.h"

G_BEGIN_DECLS

typedef struct _WireApplication WireApplication;

#define WIRE_TYPE_WINDOW (wire_window_get_type ())
G_DECLARE_FINAL_TYPE (WireWindow, wire_window, WIRE, WINDOW, AdwApplicationWindow)

/* The main window: the sidebar of connections grouped by type with the network status, the
 * overview table, and the page of the selected connection (the admin sessions view too for an
 * admin connection).
 *
 * Actions: win.new-connection, win.start-demo, win.export-metrics, win.show-overview,
 * win.go-back, win.fault (string: drop-all, drop-one, stall, latency, refuse, clear), and the
 * "connection" group (connect, disconnect, reconnect) acting on the selected connection. */
WireWindow     *wire_window_new                (WireApplication *application);
void            wire_window_show_toast         (WireWindow      *self,
                                                const char      *message);
/* Selects @connection in the sidebar and shows its page; NULL shows the overview. */
void            wire_window_select_connection  (WireWindow      *self,
                                                WireConnection  *connection);
WireConnection *wire_window_get_selected       (WireWindow      *self);

/* Display helpers shared by the window's parts. */
const char     *wire_window_state_label        (WireConnectionState state);
const char     *wire_window_state_icon_name    (WireConnectionState state);
const char     *wire_window_state_css_class    (WireConnectionState state);
const char     *wire_window_kind_label         (WireEndpointKind    kind);
/* "trip-lisbon · demo-friend": the slot id, then the user once known. Newly allocated. */
char           *wire_window_dup_connection_name (WireConnection   *connection);
/* Sorts connections by type, then slot, then URL: the sidebar's order. */
int             wire_window_compare_connections (gconstpointer    a,
                                                 gconstpointer    b,
                                                 gpointer         user_data);
/* Puts the state-* style class of @state on @widget, removing the others. */
void            wire_window_set_state_class     (GtkWidget           *widget,
                                                 WireConnectionState  state);
/* Sets the accessible label and description, only when they change: assistive technologies
 * hear about each update. */
void            wire_window_update_accessible_text (GtkWidget  *widget,
                                                    const char *label,
                                                    const char *description);

G_END_DECLS
