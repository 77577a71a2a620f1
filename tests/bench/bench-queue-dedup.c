#define G_LOG_DOMAIN "wire-bench"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Cost per operation of the message queue and the dedup cache as the count grows ×10: both are
 * meant to be O(1), so ns/op should stay flat.
 *
 *   bench-queue-dedup [--quick] [--no-10m] [--repeat R]
 *
 * Each row is the best of R runs (default 3): on a shared machine the minimum is the figure
 * least disturbed by the neighbours.
 *
 * queue steady:   enqueue one publish, the sender writes it, ack it (the queue stays near empty).
 * queue backlog:  enqueue N while offline (depth N), go online, ack everything as the in-flight
 *                 window (128) refills: enqueue, flush and ack against a deep queue.
 * queue + GTask:  as steady, with a callback per enqueue (GTask, completed from the main loop).
 * dedup:          insert a new id and look up an id seen 1000 operations earlier, while the
 *                 clock advances so that ids expire (TTL 5 s, 10 operations per ms: about 50 000
 *                 live ids in steady state). */

#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "wire-core.h"

#define WINDOW 128

typedef struct
{
  const char *ring[WINDOW];
  guint head;
  guint len;
} SentRing;

static gboolean
ring_sender (const char *id,
             const char *frame_text,
             gsize       frame_len,
             gpointer    user_data)
{
  SentRing *ring = user_data;

  g_assert (ring->len < WINDOW);
  /* The id stays valid until the message completes, which is after we ack it. */
  ring->ring[(ring->head + ring->len) % WINDOW] = id;
  ring->len++;
  return TRUE;
}

static const char *
ring_pop (SentRing *ring)
{
  const char *id;

  g_assert (ring->len > 0);
  id = ring->ring[ring->head];
  ring->head = (ring->head + 1) % WINDOW;
  ring->len--;
  return id;
}

/* CPU time of this thread, in ns: the machine may be shared, so wall time would measure the
 * neighbours too. */
static gint64
cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static double
ns_per_op (gint64 start_ns,
           guint  n)
{
  return (double) (cpu_ns () - start_ns) / n;
}

static long
max_rss_kib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static WireMessageQueue *
new_queue (guint capacity)
{
  g_autoptr (WireConfig) config = wire_config_new ();

  g_object_set (config, "queue-capacity", capacity, NULL);
  return wire_message_queue_new (config);
}

static double
bench_queue_steady (guint n)
{
  g_autoptr (WireMessageQueue) queue = new_queue (n);
  SentRing ring = { 0 };
  gint64 start;

  wire_message_queue_set_sender (queue, ring_sender, &ring);
  wire_message_queue_set_online (queue, TRUE);

  start = cpu_ns ();
  for (guint i = 0; i < n; i++)
    {
      wire_message_queue_enqueue_async (queue, NULL, "bench:room", "user_message",
                                        (WirePriority) (i & 3), "{\"n\":1}", NULL, NULL, NULL);
      wire_message_queue_handle_ack (queue, ring_pop (&ring), "ok");
    }
  g_assert_cmpuint (wire_message_queue_get_length (queue), ==, 0);
  return ns_per_op (start, n);
}

static double
bench_queue_backlog (guint n)
{
  g_autoptr (WireMessageQueue) queue = new_queue (n);
  SentRing ring = { 0 };
  gint64 start;
  guint acked = 0;

  wire_message_queue_set_sender (queue, ring_sender, &ring);

  start = cpu_ns ();
  for (guint i = 0; i < n; i++)
    wire_message_queue_enqueue_async (queue, NULL, "bench:room", "user_message",
                                      (WirePriority) (i & 3), "{\"n\":1}", NULL, NULL, NULL);
  g_assert_cmpuint (wire_message_queue_get_total_depth (queue), ==, n);

  wire_message_queue_set_online (queue, TRUE);
  while (ring.len > 0)
    {
      wire_message_queue_handle_ack (queue, ring_pop (&ring), "ok");
      acked++;
    }
  g_assert_cmpuint (acked, ==, n);
  g_assert_cmpuint (wire_message_queue_get_length (queue), ==, 0);
  return ns_per_op (start, n);
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  guint *done = user_data;

  if (wire_message_queue_enqueue_finish (WIRE_MESSAGE_QUEUE (source), result, NULL, NULL))
    (*done)++;
}

static double
bench_queue_task (guint n)
{
  g_autoptr (WireMessageQueue) queue = new_queue (n);
  SentRing ring = { 0 };
  gint64 start;
  guint done = 0;

  wire_message_queue_set_sender (queue, ring_sender, &ring);
  wire_message_queue_set_online (queue, TRUE);

  start = cpu_ns ();
  for (guint i = 0; i < n; i++)
    {
      wire_message_queue_enqueue_async (queue, NULL, "bench:room", "user_message",
                                        WIRE_PRIORITY_NORMAL, "{\"n\":1}", NULL, done_cb, &done);
      wire_message_queue_handle_ack (queue, ring_pop (&ring), "ok");
      /* Callbacks run from the main loop, as in the application. */
      if ((i & 1023) == 1023)
        while (g_main_context_iteration (NULL, FALSE))
          ;
    }
  while (done < n)
    g_main_context_iteration (NULL, TRUE);
  return ns_per_op (start, n);
}

/* A cheap id: "id-" and the number in hex, so formatting does not dominate. */
static void
format_id (char    *buf,
           guint64  v)
{
  static const char hex[] = "0123456789abcdef";
  char tmp[17];
  int len = 0;

  do
    {
      tmp[len++] = hex[v & 15];
      v >>= 4;
    }
  while (v != 0);

  memcpy (buf, "id-", 3);
  for (int i = 0; i < len; i++)
    buf[3 + i] = tmp[len - 1 - i];
  buf[3 + len] = '\0';
}

static double
bench_dedup (guint  n,
             guint *out_live)
{
  g_autoptr (WireDedupCache) cache = wire_dedup_cache_new (5000, 0);
  char id[32];
  gint64 start;
  gint64 now_ms = 1;
  guint hits = 0;

  start = cpu_ns ();
  for (guint i = 0; i < n; i++)
    {
      if (i % 10 == 0)
        now_ms++;
      format_id (id, i);
      if (wire_dedup_cache_check_and_insert (cache, id, now_ms))
        g_error ("id %s reported as seen", id);
      if (i >= 1000)
        {
          format_id (id, i - 1000);
          hits += wire_dedup_cache_contains (cache, id, now_ms);
        }
    }
  g_assert_cmpuint (hits, ==, n > 1000 ? n - 1000 : 0);
  *out_live = wire_dedup_cache_size (cache);
  return ns_per_op (start, n);
}

static double
best_of (guint   repeat,
         double (*bench) (guint n),
         guint   n)
{
  double best = bench (n);

  for (guint r = 1; r < repeat; r++)
    best = MIN (best, bench (n));
  return best;
}

int
main (int   argc,
      char *argv[])
{
  gboolean quick = FALSE;
  gboolean no_10m = FALSE;
  guint repeat = 3;
  const guint sizes[] = { 100000, 1000000, 10000000 };
  guint n_queue_sizes;
  guint n_dedup_sizes;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--quick"))
        quick = TRUE;
      else if (g_str_equal (argv[i], "--no-10m"))
        no_10m = TRUE;
      else if (g_str_equal (argv[i], "--repeat") && i + 1 < argc)
        {
          repeat = (guint) g_ascii_strtoull (argv[++i], NULL, 10);
          repeat = MAX (repeat, 1);
        }
      else
        {
          g_printerr ("Usage: %s [--quick] [--no-10m] [--repeat R]\n", argv[0]);
          return 2;
        }
    }
  n_queue_sizes = quick ? 1 : 2;
  n_dedup_sizes = quick ? 1 : (no_10m ? 2 : 3);

  /* Warm up allocator and type system so the first row is not penalised. */
  bench_queue_steady (10000);

  g_print ("%-34s %10s %12s %12s\n", "operation", "N", "CPU ns/op", "max RSS KiB");
  for (guint s = 0; s < n_queue_sizes; s++)
    {
      double ns = best_of (repeat, bench_queue_steady, sizes[s]);

      g_print ("%-34s %10u %12.1f %12ld\n", "queue enqueue+ack (steady)", sizes[s], ns,
               max_rss_kib ());
    }
  for (guint s = 0; s < n_queue_sizes; s++)
    {
      double ns = best_of (repeat, bench_queue_backlog, sizes[s]);

      g_print ("%-34s %10u %12.1f %12ld\n", "queue enqueue+ack (backlog of N)", sizes[s], ns,
               max_rss_kib ());
    }
  for (guint s = 0; s < n_queue_sizes; s++)
    {
      double ns = best_of (repeat, bench_queue_task, sizes[s]);

      g_print ("%-34s %10u %12.1f %12ld\n", "queue enqueue+ack (GTask callback)", sizes[s], ns,
               max_rss_kib ());
    }
  for (guint s = 0; s < n_dedup_sizes; s++)
    {
      guint live = 0;
      double ns = bench_dedup (sizes[s], &live);

      for (guint r = 1; r < repeat; r++)
        ns = MIN (ns, bench_dedup (sizes[s], &live));

      g_print ("%-34s %10u %12.1f %12ld  (%u ids live at the end)\n",
               "dedup insert+lookup, expiring", sizes[s], ns, max_rss_kib (), live);
    }

  return 0;
}
