#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "wire-rtt-window.h"

void
wire_rtt_window_init (WireRttWindow *window)
{
  g_return_if_fail (window != NULL);

  memset (window, 0, sizeof *window);
  window->last_ms = -1;
  window->p50_ms = -1;
  window->p95_ms = -1;
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
wire_rtt_window_add (WireRttWindow *window,
                     gint64         rtt_ms)
{
  gint64 sorted[WIRE_RTT_WINDOW_SIZE];

  g_return_if_fail (window != NULL);

  rtt_ms = MAX (rtt_ms, 0);
  window->samples[window->next] = rtt_ms;
  window->next = (window->next + 1) % WIRE_RTT_WINDOW_SIZE;
  window->count = MIN (window->count + 1, WIRE_RTT_WINDOW_SIZE);
  window->last_ms = rtt_ms;

  memcpy (sorted, window->samples, window->count * sizeof (gint64));
  qsort (sorted, window->count, sizeof (gint64), compare_gint64);
  window->p50_ms = percentile (sorted, window->count, 50);
  window->p95_ms = percentile (sorted, window->count, 95);
}
