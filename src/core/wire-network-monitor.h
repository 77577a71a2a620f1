/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "wire-config.h"

G_BEGIN_DECLS

typedef enum
{
  WIRE_NETWORK_ONLINE,
  WIRE_NETWORK_UNSTABLE,   /* probe latency > unstable threshold (1000 ms) */
  WIRE_NETWORK_SLOW,       /* probe latency > slow threshold (5000 ms) */
  WIRE_NETWORK_OFFLINE,    /* probe failed, or no network and no probe target answers */
} WireNetworkStatus;

#define WIRE_TYPE_NETWORK_MONITOR (wire_network_monitor_get_type ())
G_DECLARE_FINAL_TYPE (WireNetworkMonitor, wire_network_monitor, WIRE, NETWORK_MONITOR, GObject)

/* GNetworkMonitor plus a health probe (HEAD on the gateway's health path) every probe-interval
 * and at once when the network changes. GNetworkMonitor's "no network" is a hint to probe now,
 * not a verdict: a loopback gateway that answers is reachable.
 *
 * Properties: status (WireNetworkStatus, read-only), latency-ms (int64, -1 before the first
 * probe, read-only), probe-uri (string: "http://host:port/api/health"), probe-interval-ms,
 * slow-threshold-ms, unstable-threshold-ms, last-probe-time (int64 real-time ms, read-only).
 * Also: probe-timeout-ms (0, the default, means max(2 × slow-threshold, 10 s): a probe never
 * hangs; one that runs out is a failed probe) and probe-count (uint64, read-only, completed
 * probes). probe-interval-ms 0 turns the periodic probe off (network changes and probe_now()
 * still probe). status is ONLINE until the first probe; without a probe-uri it follows
 * GNetworkMonitor's availability alone. Probes use their own SoupSession and never block. */
WireNetworkMonitor *wire_network_monitor_new          (void);
/* A monitor whose probe-interval-ms, slow-threshold-ms and unstable-threshold-ms follow @config
 * (one-way bindings, at once and on every change). */
WireNetworkMonitor *wire_network_monitor_new_for_config (WireConfig      *config);
void                wire_network_monitor_set_probe_uri (WireNetworkMonitor *self,
                                                        const char         *uri);
/* Probes now (coalesces with a probe already running). */
void                wire_network_monitor_probe_now     (WireNetworkMonitor *self);
WireNetworkStatus   wire_network_monitor_get_status    (WireNetworkMonitor *self);
gint64              wire_network_monitor_get_latency_ms (WireNetworkMonitor *self);
gint64              wire_network_monitor_get_last_probe_time (WireNetworkMonitor *self);
/* TRUE while a probe is running. */
gboolean            wire_network_monitor_get_probing   (WireNetworkMonitor *self);

/* The classification rule alone, for tests and plots. */
WireNetworkStatus   wire_network_status_classify       (gboolean            probe_ok,
                                                        gint64              latency_ms,
                                                        guint               unstable_threshold_ms,
                                                        guint               slow_threshold_ms);
const char         *wire_network_status_to_string      (WireNetworkStatus   status);
/* The least delay the guide's policy allows before an attempt: slow 5000, unstable 2000. */
gint64              wire_network_status_min_delay_ms   (WireNetworkStatus   status);

G_END_DECLS
