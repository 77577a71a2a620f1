/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "wire-core.h"

G_BEGIN_DECLS

#define WIRE_TYPE_ADMIN_VIEW (wire_admin_view_get_type ())
G_DECLARE_FINAL_TYPE (WireAdminView, wire_admin_view, WIRE, ADMIN_VIEW, GtkWidget)

/* The gateway's live session table, from an admin connection's `admin:sessions` feed
 * (PROTOCOL.md §4). "Watch" subscribes the admin connection, read-only, to a session's channels.
 *
 * Properties: connection (WireConnection, may be NULL: an admin connection). */
GtkWidget      *wire_admin_view_new            (void);
void            wire_admin_view_set_connection (WireAdminView  *self,
                                                WireConnection *connection);
WireConnection *wire_admin_view_get_connection (WireAdminView  *self);
/* The number of sessions in the table (for tests). */
guint           wire_admin_view_get_n_sessions (WireAdminView  *self);

G_END_DECLS
