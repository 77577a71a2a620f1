#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <float.h>

#include "wire-core.h"

static double
fixed_random (gpointer user_data)
{
  return *(double *) user_data;
}

static gint64
fake_clock (gpointer user_data)
{
  return *(gint64 *) user_data;
}

/* The largest double below 1: what g_random_double() can return at most. */
#define ALMOST_ONE (1.0 - DBL_EPSILON)

static WireBackoff *
new_backoff (WireJitter  jitter,
             double     *random_value)
{
  WireBackoff *backoff = wire_backoff_new ();

  g_object_set (backoff,
                "base-delay-ms", 1000,
                "max-delay-ms", 30000,
                "jitter", jitter,
                NULL);
  wire_backoff_set_random_func (backoff, fixed_random, random_value);
  return backoff;
}

static void
test_no_jitter (void)
{
  double r = 0.5;
  g_autoptr (WireBackoff) backoff = new_backoff (WIRE_JITTER_NONE, &r);
  static const gint64 expected[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000 };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_cmpint (wire_backoff_get_attempt (backoff), ==, i);
      g_assert_cmpint (wire_backoff_next_delay (backoff), ==, expected[i]);
    }
  g_assert_cmpint (wire_backoff_base_delay_for (backoff, 3), ==, 8000);
}

static void
test_equal_jitter_bounds (void)
{
  double r = 0.0;
  g_autoptr (WireBackoff) low = new_backoff (WIRE_JITTER_EQUAL, &r);
  double r1 = ALMOST_ONE;
  g_autoptr (WireBackoff) high = new_backoff (WIRE_JITTER_EQUAL, &r1);

  /* delay × U[0.5, 1.0]: the lower bound is exactly half, the upper bound just below all. */
  for (guint i = 0; i < 8; i++)
    {
      gint64 base = wire_backoff_base_delay_for (low, i);
      gint64 lo = wire_backoff_next_delay (low);
      gint64 hi = wire_backoff_next_delay (high);

      g_assert_cmpint (lo, ==, base / 2);
      g_assert_cmpint (hi, <=, base);
      g_assert_cmpint (hi, >=, base - 1);
    }
}

static void
test_full_jitter_bounds (void)
{
  double r = 0.0;
  g_autoptr (WireBackoff) low = new_backoff (WIRE_JITTER_FULL, &r);
  double r1 = ALMOST_ONE;
  g_autoptr (WireBackoff) high = new_backoff (WIRE_JITTER_FULL, &r1);
  double r2 = 0.25;
  g_autoptr (WireBackoff) quarter = new_backoff (WIRE_JITTER_FULL, &r2);

  for (guint i = 0; i < 8; i++)
    {
      gint64 base = wire_backoff_base_delay_for (low, i);

      g_assert_cmpint (wire_backoff_next_delay (low), ==, 0);
      g_assert_cmpint (wire_backoff_next_delay (high), >=, base - 1);
      g_assert_cmpint (wire_backoff_next_delay (quarter), ==, base / 4);
    }
}

static void
test_real_random_bounds (void)
{
  g_autoptr (WireBackoff) backoff = wire_backoff_new ();

  /* The default source stays within the documented ranges. */
  for (guint mode = WIRE_JITTER_NONE; mode <= WIRE_JITTER_FULL; mode++)
    {
      g_object_set (backoff, "jitter", mode, "base-delay-ms", 100, "max-delay-ms", 800, NULL);
      for (guint i = 0; i < 200; i++)
        {
          gint64 base;
          gint64 d;

          wire_backoff_reset (backoff);
          for (guint k = 0; k < i % 6; k++)
            wire_backoff_next_delay (backoff);
          base = wire_backoff_base_delay_for (backoff, wire_backoff_get_attempt (backoff));
          d = wire_backoff_next_delay (backoff);
          g_assert_cmpint (d, <=, base);
          if (mode == WIRE_JITTER_EQUAL)
            g_assert_cmpint (d, >=, base / 2);
          else if (mode == WIRE_JITTER_NONE)
            g_assert_cmpint (d, ==, base);
          else
            g_assert_cmpint (d, >=, 0);
        }
    }
}

static void
test_cap_and_overflow (void)
{
  double r = 0.5;
  g_autoptr (WireBackoff) backoff = new_backoff (WIRE_JITTER_NONE, &r);

  g_object_set (backoff, "base-delay-ms", G_MAXUINT, "max-delay-ms", G_MAXUINT, NULL);
  g_assert_cmpint (wire_backoff_base_delay_for (backoff, 0), ==, G_MAXUINT);
  g_assert_cmpint (wire_backoff_base_delay_for (backoff, 31), ==, G_MAXUINT);
  g_assert_cmpint (wire_backoff_base_delay_for (backoff, 64), ==, G_MAXUINT);
  g_assert_cmpint (wire_backoff_base_delay_for (backoff, G_MAXUINT), ==, G_MAXUINT);

  g_object_set (backoff, "base-delay-ms", 1, "max-delay-ms", 60000, NULL);
  g_assert_cmpint (wire_backoff_base_delay_for (backoff, 15), ==, 32768);
  g_assert_cmpint (wire_backoff_base_delay_for (backoff, 16), ==, 60000);
  g_assert_cmpint (wire_backoff_base_delay_for (backoff, 1000), ==, 60000);

  /* max below base: max wins. */
  g_object_set (backoff, "base-delay-ms", 5000, "max-delay-ms", 3000, NULL);
  g_assert_cmpint (wire_backoff_base_delay_for (backoff, 0), ==, 3000);
}

static void
test_max_attempts (void)
{
  double r = 0.5;
  g_autoptr (WireBackoff) backoff = new_backoff (WIRE_JITTER_NONE, &r);

  g_object_set (backoff, "max-attempts", 3, NULL);
  g_assert_false (wire_backoff_gave_up (backoff));
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 1000);
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 2000);
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 4000);
  g_assert_true (wire_backoff_gave_up (backoff));
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, -1);
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, -1);
  g_assert_cmpuint (wire_backoff_get_attempt (backoff), ==, 3);

  /* 0 means never give up. */
  g_object_set (backoff, "max-attempts", 0, NULL);
  g_assert_false (wire_backoff_gave_up (backoff));
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 8000);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpint (wire_backoff_next_delay (backoff), >, 0);
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 30000);

  wire_backoff_reset (backoff);
  g_assert_cmpuint (wire_backoff_get_attempt (backoff), ==, 0);
}

static void
test_reset_rule (void)
{
  double r = 0.5;
  gint64 now = 0;   /* the guide's bug showed at time 0: its last success started at 0 */
  g_autoptr (WireBackoff) backoff = new_backoff (WIRE_JITTER_NONE, &r);

  g_object_set (backoff, "reset-after-ms", 60000, NULL);
  wire_backoff_set_clock_func (backoff, fake_clock, &now);

  now = 1000000;
  /* Nothing ever connected: the count keeps climbing however much time passes. */
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 1000);
  now += 120000;
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 2000);
  g_assert_cmpuint (wire_backoff_get_attempt (backoff), ==, 2);

  /* Up for less than reset-after: no reset. */
  wire_backoff_connected (backoff);
  now += 59999;
  wire_backoff_disconnected (backoff);
  g_assert_cmpuint (wire_backoff_get_attempt (backoff), ==, 2);
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 4000);

  /* Up for exactly reset-after: reset. */
  wire_backoff_connected (backoff);
  now += 60000;
  wire_backoff_disconnected (backoff);
  g_assert_cmpuint (wire_backoff_get_attempt (backoff), ==, 0);
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 1000);

  /* next_delay while still marked connected counts as the disconnection. */
  wire_backoff_connected (backoff);
  now += 70000;
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 1000);
  wire_backoff_connected (backoff);
  now += 10;
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 2000);

  /* A second disconnected() without a connection changes nothing. */
  now += 100000;
  wire_backoff_disconnected (backoff);
  g_assert_cmpuint (wire_backoff_get_attempt (backoff), ==, 2);
}

static void
test_follows_config (void)
{
  g_autoptr (WireConfig) config = wire_config_new ();
  g_autoptr (WireBackoff) backoff = NULL;
  guint base = 0;
  WireJitter jitter = WIRE_JITTER_EQUAL;

  g_object_set (config, "reconnect-base-delay-ms", 250, "jitter", WIRE_JITTER_NONE, NULL);
  backoff = wire_backoff_new_for_config (config);
  g_object_get (backoff, "base-delay-ms", &base, "jitter", &jitter, NULL);
  g_assert_cmpuint (base, ==, 250);
  g_assert_cmpint (jitter, ==, WIRE_JITTER_NONE);

  g_object_set (config, "reconnect-max-attempts", 1, "reconnect-max-delay-ms", 100, NULL);
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 100);
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, -1);
  g_assert_finalize_object (g_steal_pointer (&backoff));
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_attempt_notify (void)
{
  g_autoptr (WireBackoff) backoff = wire_backoff_new ();
  guint count = 0;

  g_signal_connect (backoff, "notify::attempt", G_CALLBACK (notify_cb), &count);
  wire_backoff_next_delay (backoff);
  wire_backoff_next_delay (backoff);
  g_assert_cmpuint (count, ==, 2);
  wire_backoff_reset (backoff);
  wire_backoff_reset (backoff);
  g_assert_cmpuint (count, ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/backoff/no-jitter", test_no_jitter);
  g_test_add_func ("/wire/backoff/equal-jitter-bounds", test_equal_jitter_bounds);
  g_test_add_func ("/wire/backoff/full-jitter-bounds", test_full_jitter_bounds);
  g_test_add_func ("/wire/backoff/real-random-bounds", test_real_random_bounds);
  g_test_add_func ("/wire/backoff/cap-and-overflow", test_cap_and_overflow);
  g_test_add_func ("/wire/backoff/max-attempts", test_max_attempts);
  g_test_add_func ("/wire/backoff/reset-rule", test_reset_rule);
  g_test_add_func ("/wire/backoff/follows-config", test_follows_config);
  g_test_add_func ("/wire/backoff/attempt-notify", test_attempt_notify);

  return g_test_run ();
}
