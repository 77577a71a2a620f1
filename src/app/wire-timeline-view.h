/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "wire-connection.h"

G_BEGIN_DECLS

#define WIRE_TIMELINE_MAX_ROWS 1000

#define WIRE_TYPE_TIMELINE_VIEW (wire_timeline_view_get_type ())
G_DECLARE_FINAL_TYPE (WireTimelineView, wire_timeline_view, WIRE, TIMELINE_VIEW, GtkWidget)

/* Every state transition of a connection: time, from → to, close code and what it means
 * (PROTOCOL.md §6), the reconnect attempt and the backoff delay chosen. Filled from the
 * connection's history, then from its "transition" signal; the newest 1000 are kept. */
GtkWidget  *wire_timeline_view_new            (void);
void        wire_timeline_view_set_connection (WireTimelineView *self,
                                               WireConnection   *connection);
GListModel *wire_timeline_view_get_model      (WireTimelineView *self);
/* Appends one transition, as the signal does (for tests). */
void        wire_timeline_view_add            (WireTimelineView     *self,
                                               const WireTransition *transition);

G_END_DECLS
