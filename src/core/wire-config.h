/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  WIRE_JITTER_NONE,
  WIRE_JITTER_EQUAL,   /* delay × U[0.5, 1.0] (the guide's) */
  WIRE_JITTER_FULL,    /* U[0, delay] */
} WireJitter;

typedef enum
{
  WIRE_OVERFLOW_REJECT_NEW,    /* the new enqueue fails with WIRE_ERROR_QUEUE_FULL */
  WIRE_OVERFLOW_DROP_LOWEST,   /* the oldest message of the lowest class fails with WIRE_ERROR_OVERFLOW */
} WireOverflowPolicy;

#define WIRE_TYPE_CONFIG (wire_config_get_type ())
G_DECLARE_FINAL_TYPE (WireConfig, wire_config, WIRE, CONFIG, GObject)

/* Every setting of the connection manager as a plain GObject property, so that the CLI sets them
 * from flags and the app binds them to GSettings with g_settings_bind(). Connections watch
 * notify and apply a change at once (the next backoff, the queue's capacity, …).
 *
 * Properties (name: type, default):
 *   reconnect-max-attempts: uint, 0 (never give up)
 *   reconnect-base-delay-ms: uint, 1000
 *   reconnect-max-delay-ms: uint, 30000
 *   jitter: WireJitter, equal
 *   reset-after-ms: uint, 60000
 *   heartbeat-interval-ms: uint, 30000 (0 = use the gateway's heartbeatIntervalMs)
 *   heartbeat-timeout-ms: uint, 10000
 *   probe-interval-ms: uint, 30000
 *   slow-threshold-ms: uint, 5000
 *   unstable-threshold-ms: uint, 1000
 *   health-path: string, "/api/health"
 *   connect-timeout-ms: uint, 10000 (open + auth)
 *   idle-timeout-ms: uint, 0 (off: close a connection with no traffic for this long)
 *   queue-capacity: uint, 10000
 *   overflow: WireOverflowPolicy, reject-new
 *   max-retries: uint, 3
 *   retry-delay-ms: uint, 1000
 *   ack-timeout-ms: uint, 10000
 *   dedup-ttl-ms: uint, 300000
 *   max-connections: uint, 100
 *   max-connections-per-host: uint, 100
 *   permessage-deflate: boolean, TRUE
 *   ca-file: string, NULL (extra trusted CA, PEM)
 *   insecure: boolean, FALSE (accept any certificate; loudly warned about)
 *   extra-headers: GStrv, NULL ("Name: value" pairs added to the handshake)
 */
WireConfig  *wire_config_new                    (void);
WireConfig  *wire_config_copy                   (WireConfig *self);

guint        wire_config_get_reconnect_max_attempts  (WireConfig *self);
guint        wire_config_get_reconnect_base_delay_ms (WireConfig *self);
guint        wire_config_get_reconnect_max_delay_ms  (WireConfig *self);
WireJitter   wire_config_get_jitter                  (WireConfig *self);
guint        wire_config_get_reset_after_ms          (WireConfig *self);
guint        wire_config_get_heartbeat_interval_ms   (WireConfig *self);
guint        wire_config_get_heartbeat_timeout_ms    (WireConfig *self);
guint        wire_config_get_probe_interval_ms       (WireConfig *self);
guint        wire_config_get_slow_threshold_ms       (WireConfig *self);
guint        wire_config_get_unstable_threshold_ms   (WireConfig *self);
const char  *wire_config_get_health_path             (WireConfig *self);
guint        wire_config_get_connect_timeout_ms      (WireConfig *self);
guint        wire_config_get_idle_timeout_ms         (WireConfig *self);
guint        wire_config_get_queue_capacity          (WireConfig *self);
WireOverflowPolicy wire_config_get_overflow          (WireConfig *self);
guint        wire_config_get_max_retries             (WireConfig *self);
guint        wire_config_get_retry_delay_ms          (WireConfig *self);
guint        wire_config_get_ack_timeout_ms          (WireConfig *self);
guint        wire_config_get_dedup_ttl_ms            (WireConfig *self);
guint        wire_config_get_max_connections         (WireConfig *self);
guint        wire_config_get_max_connections_per_host (WireConfig *self);
gboolean     wire_config_get_permessage_deflate      (WireConfig *self);
const char  *wire_config_get_ca_file                 (WireConfig *self);
gboolean     wire_config_get_insecure                (WireConfig *self);
const char * const *wire_config_get_extra_headers    (WireConfig *self);

const char  *wire_jitter_to_string            (WireJitter          jitter);
gboolean     wire_jitter_from_string          (const char         *str,
                                               WireJitter         *out);
const char  *wire_overflow_policy_to_string   (WireOverflowPolicy  policy);
gboolean     wire_overflow_policy_from_string (const char         *str,
                                               WireOverflowPolicy *out);

G_END_DECLS
