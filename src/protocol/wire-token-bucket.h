/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A token bucket: @rate tokens a second, at most @burst saved up. Plain struct, no allocation:
 * the gateway keeps one per (connection, channel). Times are monotonic microseconds. */
typedef struct
{
  double rate;
  double burst;
  double tokens;
  gint64 last_us;
} WireTokenBucket;

/* A @rate_per_sec of 0 means no limit (every take succeeds). @burst is at least 1. */
void     wire_token_bucket_init   (WireTokenBucket *bucket,
                                   double           rate_per_sec,
                                   double           burst,
                                   gint64           now_us);
/* Takes one token. On FALSE, *@out_retry_after_ms (if given) is when the next token is due,
 * rounded up to a whole millisecond and at least 1; on TRUE it is 0. */
gboolean wire_token_bucket_take   (WireTokenBucket *bucket,
                                   gint64           now_us,
                                   gint64          *out_retry_after_ms);
/* Tokens available now (refills first). */
double   wire_token_bucket_peek   (WireTokenBucket *bucket,
                                   gint64           now_us);

G_END_DECLS
