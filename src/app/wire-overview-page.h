/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "wire-core.h"

G_BEGIN_DECLS

#define WIRE_TYPE_OVERVIEW_PAGE (wire_overview_page_get_type ())
G_DECLARE_FINAL_TYPE (WireOverviewPage, wire_overview_page, WIRE, OVERVIEW_PAGE, GtkWidget)

/* All connections in one sortable table: name, state, uptime, RTT, messages in and out per
 * second, queue depth, reconnects and errors. The figures are read on
 * wire_overview_page_refresh(), which the window calls on each refresh; a table sorted by a live
 * column is sorted again every few refreshes, slower than the figures change.
 *
 * Properties: connections (GListModel of WireConnection, may be NULL).
 * Signals: connection-activated (WireConnection *): a row was activated. */
GtkWidget  *wire_overview_page_new             (void);
void        wire_overview_page_set_connections (WireOverviewPage *self,
                                                GListModel       *connections);
GListModel *wire_overview_page_get_connections (WireOverviewPage *self);
void        wire_overview_page_refresh         (WireOverviewPage *self);

G_END_DECLS
