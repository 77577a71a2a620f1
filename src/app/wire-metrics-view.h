/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "wire-connection.h"

G_BEGIN_DECLS

#define WIRE_TYPE_METRICS_VIEW (wire_metrics_view_get_type ())
G_DECLARE_FINAL_TYPE (WireMetricsView, wire_metrics_view, WIRE, METRICS_VIEW, GtkWidget)

/* The guide's six metrics (connectedAt, lastMessageAt, messagesSent, messagesReceived, errors,
 * reconnectAttempts) and ours: bytes in/out, RTT last/p50/p95, dedup hits, rate-limited and
 * overflows. Figures change only when wire_metrics_view_update() is called. */
GtkWidget  *wire_metrics_view_new     (void);
/* @metrics NULL: no connection. */
void        wire_metrics_view_update  (WireMetricsView   *self,
                                       const WireMetrics *metrics);
/* For tests: the text shown for a metric by its guide name ("messagesReceived", "rttP95"). */
const char *wire_metrics_view_get_text (WireMetricsView  *self,
                                        const char       *name);

G_END_DECLS
