#define G_LOG_DOMAIN "wire-protocol"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>

#include "wire-token-bucket.h"

void
wire_token_bucket_init (WireTokenBucket *bucket,
                        double           rate_per_sec,
                        double           burst,
                        gint64           now_us)
{
  g_return_if_fail (bucket != NULL);

  bucket->rate = MAX (rate_per_sec, 0.0);
  /* A bucket must hold at least one token or nothing could ever pass. */
  bucket->burst = MAX (burst, 1.0);
  bucket->tokens = bucket->burst;
  bucket->last_us = now_us;
}

static void
refill (WireTokenBucket *bucket,
        gint64           now_us)
{
  /* Monotonic time never goes back; if a caller's clock does, keep the tokens and move on. */
  if (now_us > bucket->last_us)
    {
      double elapsed_s = (double) (now_us - bucket->last_us) / G_USEC_PER_SEC;

      bucket->tokens = MIN (bucket->burst, bucket->tokens + elapsed_s * bucket->rate);
    }
  bucket->last_us = now_us;
}

gboolean
wire_token_bucket_take (WireTokenBucket *bucket,
                        gint64           now_us,
                        gint64          *out_retry_after_ms)
{
  g_return_val_if_fail (bucket != NULL, FALSE);

  /* A rate of 0 means no limit (PROTOCOL.md §3, "—"). */
  if (bucket->rate <= 0.0)
    {
      if (out_retry_after_ms != NULL)
        *out_retry_after_ms = 0;
      return TRUE;
    }

  refill (bucket, now_us);

  if (bucket->tokens >= 1.0)
    {
      bucket->tokens -= 1.0;
      if (out_retry_after_ms != NULL)
        *out_retry_after_ms = 0;
      return TRUE;
    }

  if (out_retry_after_ms != NULL)
    {
      double missing = 1.0 - bucket->tokens;
      gint64 ms = (gint64) ceil (missing * 1000.0 / bucket->rate);

      *out_retry_after_ms = MAX (ms, 1);
    }

  return FALSE;
}

double
wire_token_bucket_peek (WireTokenBucket *bucket,
                        gint64           now_us)
{
  g_return_val_if_fail (bucket != NULL, 0.0);

  if (bucket->rate <= 0.0)
    return bucket->burst;

  refill (bucket, now_us);

  return bucket->tokens;
}
