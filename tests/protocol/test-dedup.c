#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-protocol.h"

static void
test_basic (void)
{
  g_autoptr(WireDedupCache) cache = wire_dedup_cache_new (1000, 0);

  g_assert_cmpint (wire_dedup_cache_get_ttl (cache), ==, 1000);
  g_assert_false (wire_dedup_cache_check_and_insert (cache, "a", 0));
  g_assert_true (wire_dedup_cache_check_and_insert (cache, "a", 10));
  g_assert_true (wire_dedup_cache_check_and_insert (cache, "a", 999));
  g_assert_true (wire_dedup_cache_contains (cache, "a", 999));
  g_assert_false (wire_dedup_cache_contains (cache, "b", 999));
  g_assert_cmpuint (wire_dedup_cache_get_hits (cache), ==, 2);
  g_assert_cmpuint (wire_dedup_cache_size (cache), ==, 1);

  /* Expired exactly at insert time + TTL; a re-send after that is new again. */
  g_assert_false (wire_dedup_cache_contains (cache, "a", 1000));
  g_assert_cmpuint (wire_dedup_cache_size (cache), ==, 0);
  g_assert_false (wire_dedup_cache_check_and_insert (cache, "a", 1000));
  g_assert_cmpuint (wire_dedup_cache_get_hits (cache), ==, 2);
  g_assert_cmpuint (wire_dedup_cache_get_evicted (cache), ==, 0);
}

static void
test_expiry_order (void)
{
  g_autoptr(WireDedupCache) cache = wire_dedup_cache_new (100, 0);

  for (int i = 0; i < 10; i++)
    {
      char id[8];

      g_snprintf (id, sizeof id, "id%d", i);
      g_assert_false (wire_dedup_cache_check_and_insert (cache, id, i * 10));
    }
  g_assert_cmpuint (wire_dedup_cache_size (cache), ==, 10);

  /* At t=135 the ids inserted at 0..30 are gone, 40..90 remain. */
  wire_dedup_cache_expire (cache, 135);
  g_assert_cmpuint (wire_dedup_cache_size (cache), ==, 6);
  g_assert_false (wire_dedup_cache_contains (cache, "id3", 135));
  g_assert_true (wire_dedup_cache_contains (cache, "id4", 135));
  g_assert_true (wire_dedup_cache_contains (cache, "id9", 135));

  /* Inserting expires what is due. */
  g_assert_false (wire_dedup_cache_check_and_insert (cache, "late", 175));
  g_assert_cmpuint (wire_dedup_cache_size (cache), ==, 3);   /* id8, id9, late */

  wire_dedup_cache_expire (cache, G_MAXINT64 / 2);
  g_assert_cmpuint (wire_dedup_cache_size (cache), ==, 0);
}

static void
test_bound (void)
{
  g_autoptr(WireDedupCache) cache = wire_dedup_cache_new (1000000, 3);

  g_assert_false (wire_dedup_cache_check_and_insert (cache, "a", 1));
  g_assert_false (wire_dedup_cache_check_and_insert (cache, "b", 2));
  g_assert_false (wire_dedup_cache_check_and_insert (cache, "c", 3));
  g_assert_false (wire_dedup_cache_check_and_insert (cache, "d", 4));
  g_assert_cmpuint (wire_dedup_cache_size (cache), ==, 3);
  g_assert_cmpuint (wire_dedup_cache_get_evicted (cache), ==, 1);
  /* The oldest went first. */
  g_assert_false (wire_dedup_cache_contains (cache, "a", 5));
  g_assert_true (wire_dedup_cache_contains (cache, "b", 5));
  g_assert_true (wire_dedup_cache_contains (cache, "d", 5));

  /* A hit does not insert, so it evicts nothing. */
  g_assert_true (wire_dedup_cache_check_and_insert (cache, "b", 6));
  g_assert_cmpuint (wire_dedup_cache_get_evicted (cache), ==, 1);

  for (int i = 0; i < 1000; i++)
    {
      char id[16];

      g_snprintf (id, sizeof id, "x%d", i);
      wire_dedup_cache_check_and_insert (cache, id, 10 + i);
    }
  g_assert_cmpuint (wire_dedup_cache_size (cache), ==, 3);
  g_assert_cmpuint (wire_dedup_cache_get_evicted (cache), ==, 1001);
  g_assert_true (wire_dedup_cache_contains (cache, "x999", 2000));
  g_assert_false (wire_dedup_cache_contains (cache, "x996", 2000));
}

static void
test_ttl_change (void)
{
  g_autoptr(WireDedupCache) cache = wire_dedup_cache_new (1000, 0);

  g_assert_false (wire_dedup_cache_check_and_insert (cache, "long", 0));     /* until 1000 */
  wire_dedup_cache_set_ttl (cache, 100);
  g_assert_cmpint (wire_dedup_cache_get_ttl (cache), ==, 100);
  g_assert_false (wire_dedup_cache_check_and_insert (cache, "short", 10));   /* until 110 */

  /* "short" expires before the older "long": it must not be reported as seen. */
  g_assert_true (wire_dedup_cache_contains (cache, "short", 109));
  g_assert_false (wire_dedup_cache_contains (cache, "short", 110));
  g_assert_false (wire_dedup_cache_check_and_insert (cache, "short", 120));
  g_assert_true (wire_dedup_cache_contains (cache, "long", 150));
  g_assert_true (wire_dedup_cache_contains (cache, "short", 219));
  g_assert_false (wire_dedup_cache_contains (cache, "short", 220));
  g_assert_true (wire_dedup_cache_contains (cache, "long", 999));
  g_assert_cmpuint (wire_dedup_cache_size (cache), ==, 1);
  wire_dedup_cache_expire (cache, 1000);
  g_assert_cmpuint (wire_dedup_cache_size (cache), ==, 0);
  g_assert_cmpuint (wire_dedup_cache_get_hits (cache), ==, 0);
}

static void
test_many (void)
{
  g_autoptr(WireDedupCache) cache = wire_dedup_cache_new (1000, 0);
  guint64 hits = 0;

  /* One insert per ms and a re-send of the id from 500 ms ago: the cache holds one TTL's
   * worth of ids, and every re-send is a hit. */
  for (gint64 t = 0; t < 20000; t++)
    {
      char id[24];

      g_snprintf (id, sizeof id, "m-%" G_GINT64_FORMAT, t);
      g_assert_false (wire_dedup_cache_check_and_insert (cache, id, t));
      if (t >= 500)
        {
          g_snprintf (id, sizeof id, "m-%" G_GINT64_FORMAT, t - 500);
          g_assert_true (wire_dedup_cache_check_and_insert (cache, id, t));
          hits++;
        }
      g_assert_cmpuint (wire_dedup_cache_size (cache), <=, 1000);
    }

  g_assert_cmpuint (wire_dedup_cache_get_hits (cache), ==, hits);
  g_assert_cmpuint (wire_dedup_cache_size (cache), ==, 1000);
  g_assert_cmpuint (wire_dedup_cache_get_evicted (cache), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/dedup/basic", test_basic);
  g_test_add_func ("/wire/dedup/expiry-order", test_expiry_order);
  g_test_add_func ("/wire/dedup/bound", test_bound);
  g_test_add_func ("/wire/dedup/ttl-change", test_ttl_change);
  g_test_add_func ("/wire/dedup/many", test_many);

  return g_test_run ();
}
