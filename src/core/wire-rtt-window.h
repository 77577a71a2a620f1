/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define WIRE_RTT_WINDOW_SIZE 64

/* The round-trip times of the last WIRE_RTT_WINDOW_SIZE heartbeats, with their median and 95th
 * percentile. A plain struct embedded in WireConnection: heartbeats are rare, so the
 * percentiles are recomputed on each sample rather than on each read. */
typedef struct
{
  gint64 samples[WIRE_RTT_WINDOW_SIZE];
  guint  count;     /* valid samples, at most WIRE_RTT_WINDOW_SIZE */
  guint  next;      /* ring position of the next sample */
  gint64 last_ms;   /* -1 = none yet */
  gint64 p50_ms;
  gint64 p95_ms;
} WireRttWindow;

void wire_rtt_window_init (WireRttWindow *window);
void wire_rtt_window_add  (WireRttWindow *window,
                           gint64         rtt_ms);

G_END_DECLS
