/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "wire-config.h"

G_BEGIN_DECLS

#define WIRE_TYPE_BACKOFF (wire_backoff_get_type ())
G_DECLARE_FINAL_TYPE (WireBackoff, wire_backoff, WIRE, BACKOFF, GObject)

/* Returns a double in [0, 1); injectable so tests are exact. */
typedef double (*WireRandomFunc) (gpointer user_data);
/* Returns monotonic milliseconds; injectable so tests control time. */
typedef gint64 (*WireClockFunc)  (gpointer user_data);

/* Exponential backoff: delay = min(base × 2^attempt, max), then jitter. The attempt count is
 * reset only once a connection has stayed up for reset-after (the guide's sample reset it on
 * the first call, because its last-success time started at 0).
 *
 * Properties: base-delay-ms, max-delay-ms, max-attempts (0 = never give up), jitter,
 * reset-after-ms, attempt (read-only), gave-up (read-only: no attempt is left).
 *
 * Jitter: none keeps the delay; equal draws from [delay/2, delay] (the guide's); full draws from
 * [0, delay]. Attempts of 32 and more are capped without computing 2^attempt (no overflow).
 * The reset rule: wire_backoff_connected() stamps the time; wire_backoff_disconnected() (or the
 * next wire_backoff_next_delay() while still marked connected) resets the attempt count only
 * when the connection stayed up for at least reset-after. A link that flaps faster than that
 * keeps climbing the backoff. */
WireBackoff *wire_backoff_new                (void);
/* A backoff whose properties follow @config (reconnect-base-delay-ms, reconnect-max-delay-ms,
 * reconnect-max-attempts, jitter, reset-after-ms) through one-way bindings, at once and on every
 * later change. The bindings go away with either object. */
WireBackoff *wire_backoff_new_for_config     (WireConfig     *config);
void         wire_backoff_set_random_func    (WireBackoff    *self,
                                              WireRandomFunc  func,
                                              gpointer        user_data);
void         wire_backoff_set_clock_func     (WireBackoff    *self,
                                              WireClockFunc   func,
                                              gpointer        user_data);
/* The delay before the next attempt, in ms, and counts the attempt; -1 once max-attempts
 * attempts were made (give up). Random source and clock default to g_random_double() and
 * monotonic time; pass NULL to restore them. */
gint64       wire_backoff_next_delay         (WireBackoff    *self);
/* The un-jittered delay of attempt @attempt (0-based), for plots and tests. */
gint64       wire_backoff_base_delay_for     (WireBackoff    *self,
                                              guint           attempt);
/* A connection was established (authenticated) now. */
void         wire_backoff_connected          (WireBackoff    *self);
/* The connection was lost now: if it had been up for reset-after, the attempt count resets. */
void         wire_backoff_disconnected       (WireBackoff    *self);
void         wire_backoff_reset              (WireBackoff    *self);
guint        wire_backoff_get_attempt        (WireBackoff    *self);
gboolean     wire_backoff_gave_up            (WireBackoff    *self);

G_END_DECLS
