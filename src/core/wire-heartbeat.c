#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "wire-heartbeat.h"

void
wire_heartbeat_init (WireHeartbeat         *heartbeat,
                     WireHeartbeatSendFunc  send,
                     WireHeartbeatDeadFunc  dead,
                     gpointer               user_data)
{
  g_return_if_fail (heartbeat != NULL);

  memset (heartbeat, 0, sizeof *heartbeat);
  heartbeat->rtt_last_ms = -1;
  heartbeat->rtt_p50_ms = -1;
  heartbeat->rtt_p95_ms = -1;
  heartbeat->send = send;
  heartbeat->dead = dead;
  heartbeat->user_data = user_data;
}

static gboolean
watchdog_cb (gpointer user_data)
{
  WireHeartbeat *heartbeat = user_data;
  gint64 silent_us = g_get_monotonic_time () - heartbeat->last_rx_us;
  gint64 timeout_us = (gint64) heartbeat->timeout_ms * 1000;

  heartbeat->watchdog_source = 0;
  if (heartbeat->last_rx_us >= heartbeat->sent_us)
    return G_SOURCE_REMOVE;

  /* A heartbeat is unanswered, but it may have been sent a moment ago (the beat and this
   * watchdog can fire in the same main-loop round): the link is dead only once nothing at all
   * has arrived for the whole timeout. Until then, look again when that would be the case. */
  if (silent_us >= timeout_us)
    heartbeat->dead (heartbeat->timeout_ms, heartbeat->user_data);
  else
    heartbeat->watchdog_source = g_timeout_add ((guint) ((timeout_us - silent_us + 999) / 1000),
                                                watchdog_cb, heartbeat);
  return G_SOURCE_REMOVE;
}

static gboolean
beat_cb (gpointer user_data)
{
  WireHeartbeat *heartbeat = user_data;

  heartbeat->sent_us = g_get_monotonic_time ();
  heartbeat->sent_ts = g_get_real_time () / 1000;
  heartbeat->send (heartbeat->sent_ts, heartbeat->user_data);

  /* One watchdog at a time, armed by the oldest heartbeat nothing has answered since. */
  if (heartbeat->timeout_ms > 0 && heartbeat->watchdog_source == 0)
    heartbeat->watchdog_source =
      heartbeat->timeout_ms % 1000 == 0
        ? g_timeout_add_seconds (heartbeat->timeout_ms / 1000, watchdog_cb, heartbeat)
        : g_timeout_add (heartbeat->timeout_ms, watchdog_cb, heartbeat);

  return G_SOURCE_CONTINUE;
}

void
wire_heartbeat_start (WireHeartbeat *heartbeat,
                      guint          interval_ms,
                      guint          timeout_ms)
{
  g_return_if_fail (heartbeat != NULL);
  g_return_if_fail (interval_ms > 0);

  wire_heartbeat_stop (heartbeat);
  heartbeat->interval_ms = interval_ms;
  heartbeat->timeout_ms = timeout_ms;
  /* Whole seconds go through g_timeout_add_seconds(), which GLib fires together for the whole
   * process: a thousand connections then wake the loop once a second instead of a thousand
   * times, and every wake-up of a loop with many sources costs time in proportion to them. */
  if (interval_ms % 1000 == 0)
    heartbeat->beat_source = g_timeout_add_seconds (interval_ms / 1000, beat_cb, heartbeat);
  else
    heartbeat->beat_source = g_timeout_add (interval_ms, beat_cb, heartbeat);
}

void
wire_heartbeat_stop (WireHeartbeat *heartbeat)
{
  g_return_if_fail (heartbeat != NULL);

  g_clear_handle_id (&heartbeat->beat_source, g_source_remove);
  g_clear_handle_id (&heartbeat->watchdog_source, g_source_remove);
}

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted @values. */
static gint64
percentile (const gint64 *values,
            guint         n,
            guint         pct)
{
  guint rank = (pct * n + 99) / 100;

  g_assert (n > 0);
  return values[MAX (rank, 1) - 1];
}

void
wire_heartbeat_add_rtt (WireHeartbeat *heartbeat,
                        gint64         rtt_ms)
{
  gint64 sorted[WIRE_RTT_WINDOW_SIZE];

  g_return_if_fail (heartbeat != NULL);

  rtt_ms = MAX (rtt_ms, 0);
  heartbeat->samples[heartbeat->next_sample] = rtt_ms;
  heartbeat->next_sample = (heartbeat->next_sample + 1) % WIRE_RTT_WINDOW_SIZE;
  heartbeat->n_samples = MIN (heartbeat->n_samples + 1, WIRE_RTT_WINDOW_SIZE);
  heartbeat->rtt_last_ms = rtt_ms;

  /* Heartbeats are rare: sorting 64 values per ack is cheaper than any cleverness. */
  memcpy (sorted, heartbeat->samples, heartbeat->n_samples * sizeof (gint64));
  qsort (sorted, heartbeat->n_samples, sizeof (gint64), compare_gint64);
  heartbeat->rtt_p50_ms = percentile (sorted, heartbeat->n_samples, 50);
  heartbeat->rtt_p95_ms = percentile (sorted, heartbeat->n_samples, 95);
}

void
wire_heartbeat_ack (WireHeartbeat *heartbeat,
                    gint64         ts,
                    gint64         now_us)
{
  g_return_if_fail (heartbeat != NULL);

  /* Our own heartbeat: monotonic time, immune to clock steps. An older one: wall clock. */
  if (ts >= 0 && ts == heartbeat->sent_ts)
    wire_heartbeat_add_rtt (heartbeat, (now_us - heartbeat->sent_us) / 1000);
  else if (ts >= 0)
    wire_heartbeat_add_rtt (heartbeat, g_get_real_time () / 1000 - ts);
}
