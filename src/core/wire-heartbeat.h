/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define WIRE_RTT_WINDOW_SIZE 64

/* PROTOCOL.md §5 for one link: a heartbeat every interval, the round trip measured on its ack
 * (last, median and 95th percentile of the last WIRE_RTT_WINDOW_SIZE), and the half-open
 * verdict when nothing at all has arrived for the timeout after a heartbeat. libsoup 3.2 has
 * no pong timeout, so this is done at the protocol level.
 *
 * A plain struct embedded in WireConnection; the connection writes the frame and decides what
 * a dead link means. Traffic is recorded with one store per frame. */

typedef void (*WireHeartbeatSendFunc) (gint64   ts,
                                       gpointer user_data);
typedef void (*WireHeartbeatDeadFunc) (guint    timeout_ms,
                                       gpointer user_data);

typedef struct
{
  /* Round trips, ms; -1 = none yet. */
  gint64                 samples[WIRE_RTT_WINDOW_SIZE];
  guint                  n_samples;
  guint                  next_sample;
  gint64                 rtt_last_ms;
  gint64                 rtt_p50_ms;
  gint64                 rtt_p95_ms;

  /* The running link. */
  guint                  interval_ms;
  guint                  timeout_ms;
  guint                  beat_source;
  guint                  watchdog_source;
  gint64                 sent_us;        /* monotonic time of the last heartbeat */
  gint64                 sent_ts;        /* its "ts" */
  gint64                 last_rx_us;     /* monotonic time of the last frame received */

  WireHeartbeatSendFunc  send;
  WireHeartbeatDeadFunc  dead;
  gpointer               user_data;
} WireHeartbeat;

void wire_heartbeat_init    (WireHeartbeat         *heartbeat,
                             WireHeartbeatSendFunc  send,
                             WireHeartbeatDeadFunc  dead,
                             gpointer               user_data);
/* (Re)starts beating: the first heartbeat goes out after @interval_ms. @timeout_ms 0 turns
 * half-open detection off. */
void wire_heartbeat_start   (WireHeartbeat         *heartbeat,
                             guint                  interval_ms,
                             guint                  timeout_ms);
void wire_heartbeat_stop    (WireHeartbeat         *heartbeat);
/* A heartbeat_ack with @ts (< 0 when absent). */
void wire_heartbeat_ack     (WireHeartbeat         *heartbeat,
                             gint64                 ts,
                             gint64                 now_us);
/* Adds one round trip to the window (for tests). */
void wire_heartbeat_add_rtt (WireHeartbeat         *heartbeat,
                             gint64                 rtt_ms);

/* Any frame at all counts as a sign of life. */
static inline void
wire_heartbeat_saw_traffic (WireHeartbeat *heartbeat,
                            gint64         now_us)
{
  heartbeat->last_rx_us = now_us;
}

G_END_DECLS
