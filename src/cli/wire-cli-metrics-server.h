/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "wire-recorder.h"

G_BEGIN_DECLS

#define WIRE_TYPE_CLI_METRICS_SERVER (wire_cli_metrics_server_get_type ())
G_DECLARE_FINAL_TYPE (WireCliMetricsServer, wire_cli_metrics_server, WIRE, CLI_METRICS_SERVER,
                      GObject)

/* Serves GET /metrics: the OpenMetrics exposition of @recorder's latest samples, for Prometheus
 * to scrape (`connect --metrics-listen HOST:PORT`). */
WireCliMetricsServer *wire_cli_metrics_server_new    (WireRecorder          *recorder);
/* @host_port: "HOST:PORT" (PORT 0 picks a free one; "[::1]:PORT" for IPv6).
 * G_OPTION_ERROR_BAD_VALUE for a malformed value, a GIO error when the port is taken. */
gboolean              wire_cli_metrics_server_listen (WireCliMetricsServer  *self,
                                                      const char            *host_port,
                                                      GError               **error);
/* "http://HOST:PORT/metrics" once listening. */
const char           *wire_cli_metrics_server_get_url (WireCliMetricsServer *self);

G_END_DECLS
