/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "wire-core.h"

G_BEGIN_DECLS

#define WIRE_TYPE_NETWORK_INDICATOR (wire_network_indicator_get_type ())
G_DECLARE_FINAL_TYPE (WireNetworkIndicator, wire_network_indicator, WIRE, NETWORK_INDICATOR, GtkBox)

/* The whole app's network status (online, slow, unstable, offline) as icon, colour and text,
 * with the latency of the last health probe; the same in words for screen readers and as a
 * tooltip. Follows the monitor's status and latency-ms as they change.
 *
 * Properties: monitor (WireNetworkMonitor, may be NULL). */
GtkWidget          *wire_network_indicator_new         (void);
void                wire_network_indicator_set_monitor (WireNetworkIndicator *self,
                                                        WireNetworkMonitor   *monitor);
WireNetworkMonitor *wire_network_indicator_get_monitor (WireNetworkIndicator *self);

G_END_DECLS
