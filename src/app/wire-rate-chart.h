/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "wire-connection.h"

G_BEGIN_DECLS

#define WIRE_RATE_CHART_DEFAULT_SECONDS 300

#define WIRE_TYPE_RATE_CHART (wire_rate_chart_get_type ())
G_DECLARE_FINAL_TYPE (WireRateChart, wire_rate_chart, WIRE, RATE_CHART, GtkWidget)

/* Messages per second in and out and the heartbeat RTT over the last minutes, drawn with cairo
 * through GtkSnapshot. With a connection it samples wire_connection_get_metrics() once a second;
 * tests and other sources can push samples themselves. The accessible description always
 * summarises the latest values.
 *
 * Properties: connection (WireConnection, may be NULL), seconds (uint: the span shown). */
GtkWidget      *wire_rate_chart_new             (void);
void            wire_rate_chart_set_connection  (WireRateChart  *self,
                                                 WireConnection *connection);
WireConnection *wire_rate_chart_get_connection  (WireRateChart  *self);
/* One second's figures; @rtt_ms -1 when unknown. */
void            wire_rate_chart_push_sample     (WireRateChart  *self,
                                                 double          in_per_sec,
                                                 double          out_per_sec,
                                                 gint64          rtt_ms);
guint           wire_rate_chart_get_n_samples   (WireRateChart  *self);
void            wire_rate_chart_clear           (WireRateChart  *self);

G_END_DECLS
