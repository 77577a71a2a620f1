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

G_END_DECLS
