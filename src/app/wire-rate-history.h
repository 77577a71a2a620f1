/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "wire-connection.h"

G_BEGIN_DECLS

#define WIRE_RATE_HISTORY_MAX_SAMPLES 3600

#define WIRE_TYPE_RATE_HISTORY (wire_rate_history_get_type ())
G_DECLARE_FINAL_TYPE (WireRateHistory, wire_rate_history, WIRE, RATE_HISTORY, GObject)

/* One sample a second of a connection's traffic (messages per second in and out, the last
 * heartbeat RTT), the newest hour kept in a fixed ring. The history of a connection is created on
 * first use and kept with the connection, so a chart switching between connections shows each
 * one's past at once. "changed" is emitted after each sample. */
WireRateHistory *wire_rate_history_new                (void);
WireRateHistory *wire_rate_history_get_for_connection (WireConnection  *connection);
/* @rtt_ms -1 when unknown. */
void             wire_rate_history_push               (WireRateHistory *self,
                                                       double           in_per_sec,
                                                       double           out_per_sec,
                                                       gint64           rtt_ms);
guint            wire_rate_history_get_n_samples      (WireRateHistory *self);
/* @age 0 is the newest sample. */
void             wire_rate_history_get_sample         (WireRateHistory *self,
                                                       guint            age,
                                                       double          *out_in_per_sec,
                                                       double          *out_out_per_sec,
                                                       gint64          *out_rtt_ms);
void             wire_rate_history_clear              (WireRateHistory *self);

G_END_DECLS
