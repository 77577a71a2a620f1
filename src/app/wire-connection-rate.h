/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-core.h"

G_BEGIN_DECLS

/* Messages per second of one connection, as the sidebar and the overview show them: measured
 * over about a second between two calls of wire_connection_rate_update(), which the window
 * makes on each refresh. The figures are kept with the connection, so every view reads the
 * same ones; before two measurements they are 0. */
void    wire_connection_rate_update  (WireConnection *connection,
                                      gint64          now_us);
double  wire_connection_rate_get_in  (WireConnection *connection);
double  wire_connection_rate_get_out (WireConnection *connection);
/* "12.5", or "340" once the figure is 100 or more. Newly allocated. */
char   *wire_connection_rate_format  (double          per_s);

G_END_DECLS
