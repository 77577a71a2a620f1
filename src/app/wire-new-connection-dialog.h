/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "wire-core.h"

G_BEGIN_DECLS

#define WIRE_TYPE_NEW_CONNECTION_DIALOG (wire_new_connection_dialog_get_type ())
G_DECLARE_FINAL_TYPE (WireNewConnectionDialog, wire_new_connection_dialog, WIRE, NEW_CONNECTION_DIALOG, AdwWindow)

/* Type, gateway URL, id, token (pasted or read from a file) and channels of a new connection.
 * What PROTOCOL.md would refuse (a bad id, a limit already reached) is explained inline and
 * cannot be submitted.
 *
 * Signals: connection-added (WireConnection *): the connection was added and is connecting. */
GtkWidget *wire_new_connection_dialog_new (GtkWindow   *parent,
                                           WireManager *manager,
                                           const char  *default_url);

G_END_DECLS
