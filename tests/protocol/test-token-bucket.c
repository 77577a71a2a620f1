#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-protocol.h"

#define SEC G_GINT64_CONSTANT (1000000)

static void
test_burst_then_refused (void)
{
  WireTokenBucket bucket;
  gint64 retry = -1;

  /* The chat row of PROTOCOL.md §3: 10 msg/s, burst 10. */
  wire_token_bucket_init (&bucket, 10, 10, 0);
  g_assert_cmpfloat (wire_token_bucket_peek (&bucket, 0), ==, 10);
  for (int i = 0; i < 10; i++)
    g_assert_true (wire_token_bucket_take (&bucket, 0, &retry));
  g_assert_cmpint (retry, ==, 0);

  g_assert_false (wire_token_bucket_take (&bucket, 0, &retry));
  /* One token at 10/s is due in 100 ms. */
  g_assert_cmpint (retry, ==, 100);

  /* 40 ms later, 60 ms are left. */
  g_assert_false (wire_token_bucket_take (&bucket, 40000, &retry));
  g_assert_cmpint (retry, ==, 60);

  /* At the promised time the token is there. */
  g_assert_true (wire_token_bucket_take (&bucket, 100000, &retry));
  g_assert_false (wire_token_bucket_take (&bucket, 100000, NULL));
}

static void
test_refill_caps_at_burst (void)
{
  WireTokenBucket bucket;

  wire_token_bucket_init (&bucket, 20, 20, 5 * SEC);
  for (int i = 0; i < 20; i++)
    g_assert_true (wire_token_bucket_take (&bucket, 5 * SEC, NULL));
  g_assert_cmpfloat_with_epsilon (wire_token_bucket_peek (&bucket, 5 * SEC + SEC / 4), 5, 1e-9);
  /* An hour of silence saves up no more than the burst. */
  g_assert_cmpfloat (wire_token_bucket_peek (&bucket, 3600 * SEC), ==, 20);
  for (int i = 0; i < 20; i++)
    g_assert_true (wire_token_bucket_take (&bucket, 3600 * SEC, NULL));
  g_assert_false (wire_token_bucket_take (&bucket, 3600 * SEC, NULL));
}

static void
test_sustained_rate (void)
{
  WireTokenBucket bucket;
  int taken = 0;

  /* Over 10 s at one attempt per ms, a 20/s bucket passes 20 × 10 plus its burst of 20. */
  wire_token_bucket_init (&bucket, 20, 20, 0);
  for (gint64 t = 0; t <= 10 * SEC; t += 1000)
    if (wire_token_bucket_take (&bucket, t, NULL))
      taken++;
  g_assert_cmpint (taken, ==, 220);
}

static void
test_fractional_retry_rounds_up (void)
{
  WireTokenBucket bucket;
  gint64 retry = 0;

  /* 3 tokens/s: the next one is 333.3 ms away, reported as 334 (never too early). */
  wire_token_bucket_init (&bucket, 3, 1, 0);
  g_assert_true (wire_token_bucket_take (&bucket, 0, NULL));
  g_assert_false (wire_token_bucket_take (&bucket, 0, &retry));
  g_assert_cmpint (retry, ==, 334);
  g_assert_false (wire_token_bucket_take (&bucket, 333000, &retry));
  g_assert_cmpint (retry, >=, 1);
  g_assert_true (wire_token_bucket_take (&bucket, 334000, NULL));
}

static void
test_unlimited_and_clock (void)
{
  WireTokenBucket bucket;
  gint64 retry = -1;

  /* Rate 0 is "no limit" (the "—" rows). */
  wire_token_bucket_init (&bucket, 0, 0, 0);
  for (int i = 0; i < 1000; i++)
    g_assert_true (wire_token_bucket_take (&bucket, 0, &retry));
  g_assert_cmpint (retry, ==, 0);

  /* A clock that steps back neither refills nor breaks the bucket. */
  wire_token_bucket_init (&bucket, 1, 1, 10 * SEC);
  g_assert_true (wire_token_bucket_take (&bucket, 10 * SEC, NULL));
  g_assert_false (wire_token_bucket_take (&bucket, 5 * SEC, &retry));
  g_assert_cmpint (retry, ==, 1000);
  g_assert_true (wire_token_bucket_take (&bucket, 6 * SEC, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/token-bucket/burst-then-refused", test_burst_then_refused);
  g_test_add_func ("/wire/token-bucket/refill-caps-at-burst", test_refill_caps_at_burst);
  g_test_add_func ("/wire/token-bucket/sustained-rate", test_sustained_rate);
  g_test_add_func ("/wire/token-bucket/fractional-retry", test_fractional_retry_rounds_up);
  g_test_add_func ("/wire/token-bucket/unlimited-and-clock", test_unlimited_and_clock);

  return g_test_run ();
}
