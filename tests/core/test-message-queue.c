#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-core.h"

/* Outcome of one enqueue, as the callback saw it. */
typedef struct
{
  char *status;   /* NULL on failure */
  GQuark domain;
  int code;
} Outcome;

typedef struct
{
  WireConfig *config;
  WireMessageQueue *queue;
  GPtrArray *sent;        /* ids in the order they were written */
  GPtrArray *outcomes;    /* Outcome, in completion order */
  GPtrArray *signalled;   /* ids in the order completed was emitted */
  guint fail_sends;       /* the next N writes fail */
} Fixture;

static void
outcome_free (gpointer data)
{
  Outcome *o = data;

  g_free (o->status);
  g_free (o);
}

static gboolean
sender (const char *id,
        const char *frame_text,
        gsize       frame_len,
        gpointer    user_data)
{
  Fixture *f = user_data;

  g_assert_cmpuint (strlen (frame_text), ==, frame_len);
  g_assert_nonnull (strstr (frame_text, id));
  g_assert_nonnull (strstr (frame_text, "\"publish\""));

  if (f->fail_sends > 0)
    {
      f->fail_sends--;
      return FALSE;
    }
  g_ptr_array_add (f->sent, g_strdup (id));
  return TRUE;
}

static void
completed_cb (WireMessageQueue *queue,
              const char       *id,
              const char       *status,
              GError           *error,
              Fixture          *f)
{
  g_assert_true ((status == NULL) != (error == NULL));
  g_ptr_array_add (f->signalled, g_strdup (id));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->config = wire_config_new ();
  g_object_set (f->config,
                "ack-timeout-ms", 5000,
                "retry-delay-ms", 10,
                NULL);
  f->queue = wire_message_queue_new (f->config);
  /* Channels outside the policy table are not paced; the pacing test uses a paced one. */
  wire_message_queue_set_sender (f->queue, sender, f);
  f->sent = g_ptr_array_new_with_free_func (g_free);
  f->outcomes = g_ptr_array_new_with_free_func (outcome_free);
  f->signalled = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->queue, "completed", G_CALLBACK (completed_cb), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (wire_message_queue_get_length (f->queue) > 0)
    {
      g_autoptr (GError) error = g_error_new_literal (WIRE_ERROR, WIRE_ERROR_CLOSED, "done");

      wire_message_queue_fail_all (f->queue, error);
    }
  /* Let pending task callbacks run so the tasks drop their references. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->queue);
  g_assert_finalize_object (f->config);
  g_ptr_array_unref (f->sent);
  g_ptr_array_unref (f->outcomes);
  g_ptr_array_unref (f->signalled);
}

static void
enqueue_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr (GError) error = NULL;
  Outcome *o = g_new0 (Outcome, 1);
  const char *status = NULL;
  gboolean ok;

  ok = wire_message_queue_enqueue_finish (WIRE_MESSAGE_QUEUE (source), result, &status, &error);
  g_assert_true (ok == (error == NULL));
  if (error != NULL)
    {
      o->domain = error->domain;
      o->code = error->code;
    }
  else
    o->status = g_strdup (status);
  g_ptr_array_add (f->outcomes, o);
}

/* Enqueues with a callback; returns a copy of the id. Which message an outcome belongs to is
 * checked through the completed signal, emitted in the same order. */
static char *
enqueue (Fixture      *f,
         const char   *id,
         WirePriority  priority,
         GCancellable *cancellable)
{
  const char *ret;

  ret = wire_message_queue_enqueue_async (f->queue, id, "test:room", "user_message", priority,
                                          "{\"n\":1}", cancellable, enqueue_done_cb, f);
  g_assert_nonnull (ret);
  return g_strdup (ret);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Spins the main loop until *@counter reaches @n; fails after a generous timeout. */
static void
wait_for_len (GPtrArray *array,
              guint      n)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (20, timeout_cb, &timed_out);

  while (array->len < n && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
}

/* Runs the loop for @ms so that anything due in that time happens (never asserted on). */
static void
spin_ms (guint ms)
{
  gboolean timed_out = FALSE;

  g_timeout_add (ms, timeout_cb, &timed_out);
  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
}

static void
assert_ids (GPtrArray          *array,
            const char * const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < MIN (n, array->len); i++)
    g_assert_cmpstr (g_ptr_array_index (array, i), ==, expected[i]);
  g_assert_cmpuint (array->len, ==, n);
}

static Outcome *
outcome (Fixture *f,
         guint    i)
{
  g_assert_cmpuint (i, <, f->outcomes->len);
  return g_ptr_array_index (f->outcomes, i);
}

static void
test_priority_order (Fixture       *f,
                     gconstpointer  data)
{
  static const char * const expected[] = { "c1", "c2", "h1", "n1", "n2", "l1", "l2", NULL };

  g_free (enqueue (f, "l1", WIRE_PRIORITY_LOW, NULL));
  g_free (enqueue (f, "n1", WIRE_PRIORITY_NORMAL, NULL));
  g_free (enqueue (f, "c1", WIRE_PRIORITY_CRITICAL, NULL));
  g_free (enqueue (f, "h1", WIRE_PRIORITY_HIGH, NULL));
  g_free (enqueue (f, "l2", WIRE_PRIORITY_LOW, NULL));
  g_free (enqueue (f, "n2", WIRE_PRIORITY_NORMAL, NULL));
  g_free (enqueue (f, "c2", WIRE_PRIORITY_CRITICAL, NULL));

  /* Offline: nothing is written, everything is counted per class. */
  g_assert_cmpuint (f->sent->len, ==, 0);
  g_assert_cmpuint (wire_message_queue_get_depth (f->queue, WIRE_PRIORITY_CRITICAL), ==, 2);
  g_assert_cmpuint (wire_message_queue_get_depth (f->queue, WIRE_PRIORITY_HIGH), ==, 1);
  g_assert_cmpuint (wire_message_queue_get_depth (f->queue, WIRE_PRIORITY_NORMAL), ==, 2);
  g_assert_cmpuint (wire_message_queue_get_depth (f->queue, WIRE_PRIORITY_LOW), ==, 2);
  g_assert_cmpuint (wire_message_queue_get_total_depth (f->queue), ==, 7);

  wire_message_queue_set_online (f->queue, TRUE);
  assert_ids (f->sent, expected);
  g_assert_cmpuint (wire_message_queue_get_total_depth (f->queue), ==, 0);
  g_assert_cmpuint (wire_message_queue_get_in_flight (f->queue), ==, 7);

  for (guint i = 0; expected[i]; i++)
    wire_message_queue_handle_ack (f->queue, expected[i], "ok");
  wait_for_len (f->outcomes, 7);
  g_assert_cmpuint (wire_message_queue_get_length (f->queue), ==, 0);
}

static void
test_ack_completes (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  wire_message_queue_set_online (f->queue, TRUE);
  a = enqueue (f, NULL, WIRE_PRIORITY_NORMAL, NULL);
  b = enqueue (f, NULL, WIRE_PRIORITY_NORMAL, NULL);
  g_assert_true (g_str_has_prefix (a, "m-"));
  g_assert_cmpstr (a, !=, b);
  g_assert_cmpuint (f->sent->len, ==, 2);

  /* Written is not done: only the ack completes. */
  spin_ms (20);
  g_assert_cmpuint (f->outcomes->len, ==, 0);
  g_assert_cmpuint (wire_message_queue_get_in_flight (f->queue), ==, 2);

  wire_message_queue_handle_ack (f->queue, "unknown-id", "ok");
  wire_message_queue_handle_ack (f->queue, b, "duplicate");
  wire_message_queue_handle_ack (f->queue, a, "ok");
  /* The signal comes first, at once; the callbacks in the next iteration. */
  g_assert_cmpuint (f->signalled->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f->signalled, 0), ==, b);
  wait_for_len (f->outcomes, 2);
  g_assert_cmpstr (outcome (f, 0)->status, ==, "duplicate");
  g_assert_cmpstr (outcome (f, 1)->status, ==, "ok");
  g_assert_cmpuint (wire_message_queue_get_in_flight (f->queue), ==, 0);
  g_assert_cmpuint (wire_message_queue_get_failures (f->queue), ==, 0);

  /* A second ack for the same id is ignored. */
  wire_message_queue_handle_ack (f->queue, a, "ok");
  g_assert_cmpuint (f->signalled->len, ==, 2);
}

static void
test_ack_timeout_retries (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *a = NULL;

  g_object_set (f->config, "ack-timeout-ms", 20, "retry-delay-ms", 5, "max-retries", 2, NULL);
  wire_message_queue_set_online (f->queue, TRUE);
  a = enqueue (f, NULL, WIRE_PRIORITY_HIGH, NULL);

  wait_for_len (f->outcomes, 1);
  /* One write plus max-retries re-sends, all with the same id. */
  g_assert_cmpuint (f->sent->len, ==, 3);
  for (guint i = 0; i < f->sent->len; i++)
    g_assert_cmpstr (g_ptr_array_index (f->sent, i), ==, a);
  g_assert_null (outcome (f, 0)->status);
  g_assert_cmpuint (outcome (f, 0)->domain, ==, WIRE_ERROR);
  g_assert_cmpint (outcome (f, 0)->code, ==, WIRE_ERROR_RETRIES_EXHAUSTED);
  g_assert_cmpuint (wire_message_queue_get_retries (f->queue), ==, 2);
  g_assert_cmpuint (wire_message_queue_get_failures (f->queue), ==, 1);
  g_assert_cmpuint (wire_message_queue_get_length (f->queue), ==, 0);
}

static void
test_late_ack_after_timeout (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *a = NULL;

  g_object_set (f->config, "ack-timeout-ms", 10, "retry-delay-ms", 60000, NULL);
  wire_message_queue_set_online (f->queue, TRUE);
  a = enqueue (f, NULL, WIRE_PRIORITY_NORMAL, NULL);

  /* The ack timed out and the re-send waits a minute; the late ack still completes it. */
  while (wire_message_queue_get_retries (f->queue) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (wire_message_queue_get_in_flight (f->queue), ==, 0);
  g_assert_cmpuint (wire_message_queue_get_depth (f->queue, WIRE_PRIORITY_NORMAL), ==, 1);
  wire_message_queue_handle_ack (f->queue, a, "ok");
  wait_for_len (f->outcomes, 1);
  g_assert_cmpstr (outcome (f, 0)->status, ==, "ok");
  g_assert_cmpuint (f->sent->len, ==, 1);
}

static void
test_send_failure_retry (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *a = NULL;

  g_object_set (f->config, "max-retries", 3, NULL);
  f->fail_sends = 2;
  wire_message_queue_set_online (f->queue, TRUE);
  a = enqueue (f, NULL, WIRE_PRIORITY_NORMAL, NULL);
  g_assert_cmpuint (f->sent->len, ==, 0);

  wait_for_len (f->sent, 1);
  g_assert_cmpstr (g_ptr_array_index (f->sent, 0), ==, a);
  g_assert_cmpuint (wire_message_queue_get_retries (f->queue), ==, 2);
  wire_message_queue_handle_ack (f->queue, a, "ok");
  wait_for_len (f->outcomes, 1);
  g_assert_cmpstr (outcome (f, 0)->status, ==, "ok");

  /* With no retries left, a failed write fails the message. */
  g_object_set (f->config, "max-retries", 0, NULL);
  f->fail_sends = 1;
  g_free (enqueue (f, NULL, WIRE_PRIORITY_NORMAL, NULL));
  wait_for_len (f->outcomes, 2);
  g_assert_cmpint (outcome (f, 1)->code, ==, WIRE_ERROR_RETRIES_EXHAUSTED);
}

static void
test_rate_limited (Fixture       *f,
                   gconstpointer  data)
{
  static const char * const before[] = { "a", "b", NULL };
  static const char * const after[] = { "a", "b", "a", "c", NULL };

  /* No retry may be used: with max-retries 0 a counted retry would fail the message. */
  g_object_set (f->config, "max-retries", 0, NULL);
  wire_message_queue_set_online (f->queue, TRUE);
  g_free (enqueue (f, "a", WIRE_PRIORITY_NORMAL, NULL));
  g_free (enqueue (f, "b", WIRE_PRIORITY_NORMAL, NULL));
  assert_ids (f->sent, before);

  wire_message_queue_handle_error (f->queue, "a", "rate_limited", "slow down", 40);
  g_assert_cmpuint (wire_message_queue_get_rate_limited (f->queue), ==, 1);
  /* c must not overtake a's re-send; other classes are not held back. */
  g_free (enqueue (f, "c", WIRE_PRIORITY_NORMAL, NULL));
  g_free (enqueue (f, "x", WIRE_PRIORITY_CRITICAL, NULL));
  g_assert_cmpuint (f->sent->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (f->sent, 2), ==, "x");
  g_ptr_array_remove_index (f->sent, 2);

  wait_for_len (f->sent, 4);
  assert_ids (f->sent, after);
  g_assert_cmpuint (wire_message_queue_get_retries (f->queue), ==, 0);

  wire_message_queue_handle_ack (f->queue, "a", "ok");
  wire_message_queue_handle_ack (f->queue, "b", "ok");
  wire_message_queue_handle_ack (f->queue, "c", "ok");
  wire_message_queue_handle_ack (f->queue, "x", "ok");
  wait_for_len (f->outcomes, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (outcome (f, i)->status, ==, "ok");
  g_assert_cmpuint (wire_message_queue_get_failures (f->queue), ==, 0);
}

static void
test_error_frame_fails (Fixture       *f,
                        gconstpointer  data)
{
  wire_message_queue_set_online (f->queue, TRUE);
  g_free (enqueue (f, "a", WIRE_PRIORITY_NORMAL, NULL));
  wire_message_queue_handle_error (f->queue, "a", "forbidden_event", "not allowed", -1);
  wait_for_len (f->outcomes, 1);
  g_assert_cmpuint (outcome (f, 0)->domain, ==, WIRE_ERROR);
  g_assert_cmpint (outcome (f, 0)->code, ==, WIRE_ERROR_FORBIDDEN_EVENT);
  g_assert_cmpuint (f->sent->len, ==, 1);
}

static void
test_overflow_reject_new (Fixture       *f,
                          gconstpointer  data)
{
  const char *ret;

  g_object_set (f->config, "queue-capacity", 3, NULL);
  g_assert_cmpuint (wire_message_queue_get_capacity (f->queue), ==, 3);
  g_free (enqueue (f, "a", WIRE_PRIORITY_LOW, NULL));
  g_free (enqueue (f, "b", WIRE_PRIORITY_LOW, NULL));
  g_free (enqueue (f, "c", WIRE_PRIORITY_LOW, NULL));
  g_free (enqueue (f, "d", WIRE_PRIORITY_CRITICAL, NULL));

  wait_for_len (f->outcomes, 1);
  g_assert_cmpint (outcome (f, 0)->code, ==, WIRE_ERROR_QUEUE_FULL);
  g_assert_cmpstr (g_ptr_array_index (f->signalled, 0), ==, "d");
  g_assert_cmpuint (wire_message_queue_get_overflows (f->queue), ==, 1);
  g_assert_cmpuint (wire_message_queue_get_length (f->queue), ==, 3);

  /* Without a callback, a refused message returns NULL and is still reported by the signal. */
  ret = wire_message_queue_enqueue_async (f->queue, "e", "test:room", "user_message",
                                          WIRE_PRIORITY_LOW, NULL, NULL, NULL, NULL);
  g_assert_null (ret);
  g_assert_cmpstr (g_ptr_array_index (f->signalled, 1), ==, "e");
  g_assert_cmpuint (wire_message_queue_get_failures (f->queue), ==, 2);

  wire_message_queue_set_online (f->queue, TRUE);
  for (guint i = 0; i < f->sent->len; i++)
    wire_message_queue_handle_ack (f->queue, g_ptr_array_index (f->sent, i), "ok");
  wait_for_len (f->outcomes, 4);
}

static void
test_overflow_drop_lowest (Fixture       *f,
                           gconstpointer  data)
{
  static const char * const victims[] = { "l1", "l2", "l3", "h3", NULL };

  g_object_set (f->config, "queue-capacity", 3, "overflow", WIRE_OVERFLOW_DROP_LOWEST, NULL);
  g_free (enqueue (f, "n1", WIRE_PRIORITY_NORMAL, NULL));
  g_free (enqueue (f, "l1", WIRE_PRIORITY_LOW, NULL));
  g_free (enqueue (f, "l2", WIRE_PRIORITY_LOW, NULL));

  /* The oldest message of the lowest class makes room, then the next oldest. */
  g_free (enqueue (f, "h1", WIRE_PRIORITY_HIGH, NULL));
  g_free (enqueue (f, "l3", WIRE_PRIORITY_LOW, NULL));
  g_assert_cmpuint (f->signalled->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f->signalled, 0), ==, "l1");
  g_assert_cmpstr (g_ptr_array_index (f->signalled, 1), ==, "l2");

  g_free (enqueue (f, "h2", WIRE_PRIORITY_HIGH, NULL));   /* drops l3 */
  g_assert_cmpuint (wire_message_queue_get_depth (f->queue, WIRE_PRIORITY_LOW), ==, 0);

  /* Now n1, h1, h2: a new low message is the lowest of all and fails itself. */
  wire_message_queue_enqueue_async (f->queue, "h3", "test:room", "user_message",
                                    WIRE_PRIORITY_LOW, NULL, NULL, enqueue_done_cb, f);
  wait_for_len (f->outcomes, 4);
  assert_ids (f->signalled, victims);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpuint (outcome (f, i)->domain, ==, WIRE_ERROR);
      g_assert_cmpint (outcome (f, i)->code, ==, WIRE_ERROR_OVERFLOW);
    }
  g_assert_cmpuint (wire_message_queue_get_overflows (f->queue), ==, 4);
  g_assert_cmpuint (wire_message_queue_get_depth (f->queue, WIRE_PRIORITY_NORMAL), ==, 1);
  g_assert_cmpuint (wire_message_queue_get_depth (f->queue, WIRE_PRIORITY_HIGH), ==, 2);

  /* A critical message pushes out the normal one. */
  g_free (enqueue (f, "c1", WIRE_PRIORITY_CRITICAL, NULL));
  g_assert_cmpstr (g_ptr_array_index (f->signalled, 4), ==, "n1");

  wire_message_queue_set_online (f->queue, TRUE);
  g_assert_cmpstr (g_ptr_array_index (f->sent, 0), ==, "c1");
  for (guint i = 0; i < f->sent->len; i++)
    wire_message_queue_handle_ack (f->queue, g_ptr_array_index (f->sent, i), "ok");
  wait_for_len (f->outcomes, 8);
}

static void
test_reconnect_resend (Fixture       *f,
                       gconstpointer  data)
{
  static const char * const expected[] = {
    "n1", "n2", "n3", "n4",   /* first link */
    "c1", "n1", "n3", "n4", "n5", NULL   /* after the reconnect */
  };

  g_object_set (f->queue, "window", 4, NULL);
  wire_message_queue_set_online (f->queue, TRUE);
  g_free (enqueue (f, "n1", WIRE_PRIORITY_NORMAL, NULL));
  g_free (enqueue (f, "n2", WIRE_PRIORITY_NORMAL, NULL));
  g_free (enqueue (f, "n3", WIRE_PRIORITY_NORMAL, NULL));
  g_free (enqueue (f, "n4", WIRE_PRIORITY_NORMAL, NULL));
  wire_message_queue_handle_ack (f->queue, "n2", "ok");

  wire_message_queue_set_online (f->queue, FALSE);
  g_assert_cmpuint (wire_message_queue_get_in_flight (f->queue), ==, 0);
  g_assert_cmpuint (wire_message_queue_get_depth (f->queue, WIRE_PRIORITY_NORMAL), ==, 3);
  g_free (enqueue (f, "n5", WIRE_PRIORITY_NORMAL, NULL));
  g_free (enqueue (f, "c1", WIRE_PRIORITY_CRITICAL, NULL));
  g_assert_cmpuint (f->sent->len, ==, 4);

  wire_message_queue_set_online (f->queue, TRUE);
  /* Window 4: c1, n1, n3, n4 go at once; n5 after the next ack. */
  g_assert_cmpuint (f->sent->len, ==, 8);
  wire_message_queue_handle_ack (f->queue, "c1", "ok");
  assert_ids (f->sent, expected);

  wire_message_queue_handle_ack (f->queue, "n1", "duplicate");
  wire_message_queue_handle_ack (f->queue, "n3", "ok");
  wire_message_queue_handle_ack (f->queue, "n4", "ok");
  wire_message_queue_handle_ack (f->queue, "n5", "ok");
  wait_for_len (f->outcomes, 6);
  g_assert_cmpuint (wire_message_queue_get_failures (f->queue), ==, 0);
  g_assert_cmpuint (wire_message_queue_get_retries (f->queue), ==, 0);
}

static void
test_window (Fixture       *f,
             gconstpointer  data)
{
  g_object_set (f->queue, "window", 2, NULL);
  for (guint i = 0; i < 5; i++)
    g_free (enqueue (f, NULL, WIRE_PRIORITY_NORMAL, NULL));
  wire_message_queue_set_online (f->queue, TRUE);
  g_assert_cmpuint (f->sent->len, ==, 2);
  g_assert_cmpuint (wire_message_queue_get_in_flight (f->queue), ==, 2);
  g_assert_cmpuint (wire_message_queue_get_total_depth (f->queue), ==, 3);

  for (guint i = 0; i < 5; i++)
    wire_message_queue_handle_ack (f->queue, g_ptr_array_index (f->sent, i), "ok");
  g_assert_cmpuint (f->sent->len, ==, 5);
  wait_for_len (f->outcomes, 5);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr (GCancellable) waiting = g_cancellable_new ();
  g_autoptr (GCancellable) flying = g_cancellable_new ();
  g_autoptr (GCancellable) early = g_cancellable_new ();
  const char *ret;

  g_object_set (f->queue, "window", 1, NULL);
  wire_message_queue_set_online (f->queue, TRUE);
  g_free (enqueue (f, "in-flight", WIRE_PRIORITY_NORMAL, flying));
  g_free (enqueue (f, "waiting", WIRE_PRIORITY_NORMAL, waiting));
  g_free (enqueue (f, "other", WIRE_PRIORITY_NORMAL, NULL));
  g_assert_cmpuint (wire_message_queue_get_length (f->queue), ==, 3);

  g_cancellable_cancel (waiting);
  wait_for_len (f->outcomes, 1);
  g_assert_cmpuint (outcome (f, 0)->domain, ==, G_IO_ERROR);
  g_assert_cmpint (outcome (f, 0)->code, ==, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (g_ptr_array_index (f->signalled, 0), ==, "waiting");
  g_assert_cmpuint (wire_message_queue_get_length (f->queue), ==, 2);

  /* Cancelling the one on the wire frees the window for the next one. */
  g_cancellable_cancel (flying);
  wait_for_len (f->outcomes, 2);
  g_assert_cmpint (outcome (f, 1)->code, ==, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (f->sent->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f->sent, 1), ==, "other");
  wire_message_queue_handle_ack (f->queue, "in-flight", "ok");   /* ignored */
  g_assert_cmpuint (f->signalled->len, ==, 2);

  /* Already cancelled: refused at once. */
  g_cancellable_cancel (early);
  ret = wire_message_queue_enqueue_async (f->queue, "early", "test:room", "user_message",
                                          WIRE_PRIORITY_HIGH, NULL, early, enqueue_done_cb, f);
  g_assert_cmpstr (ret, ==, "early");
  wait_for_len (f->outcomes, 3);
  g_assert_cmpint (outcome (f, 2)->code, ==, G_IO_ERROR_CANCELLED);

  wire_message_queue_handle_ack (f->queue, "other", "ok");
  wait_for_len (f->outcomes, 4);
  g_assert_cmpuint (wire_message_queue_get_length (f->queue), ==, 0);
}

static void
test_capacity_runtime (Fixture       *f,
                       gconstpointer  data)
{
  g_object_set (f->config, "queue-capacity", 5, "overflow", WIRE_OVERFLOW_DROP_LOWEST, NULL);
  for (guint i = 0; i < 4; i++)
    g_free (enqueue (f, NULL, WIRE_PRIORITY_LOW, NULL));

  /* Lowered below the length: nothing is dropped, new messages are refused. */
  g_object_set (f->config, "queue-capacity", 2, NULL);
  g_assert_cmpuint (wire_message_queue_get_capacity (f->queue), ==, 2);
  g_assert_cmpuint (wire_message_queue_get_length (f->queue), ==, 4);
  g_free (enqueue (f, "refused", WIRE_PRIORITY_CRITICAL, NULL));
  wait_for_len (f->outcomes, 1);
  g_assert_cmpint (outcome (f, 0)->code, ==, WIRE_ERROR_QUEUE_FULL);
  g_assert_cmpstr (g_ptr_array_index (f->signalled, 0), ==, "refused");
  g_assert_cmpuint (wire_message_queue_get_length (f->queue), ==, 4);

  /* Drained below the capacity: accepted again. */
  wire_message_queue_set_online (f->queue, TRUE);
  for (guint i = 0; i < 3; i++)
    wire_message_queue_handle_ack (f->queue, g_ptr_array_index (f->sent, i), "ok");
  g_assert_cmpuint (wire_message_queue_get_length (f->queue), ==, 1);
  g_free (enqueue (f, "accepted", WIRE_PRIORITY_CRITICAL, NULL));
  g_assert_cmpuint (wire_message_queue_get_length (f->queue), ==, 2);
  wire_message_queue_handle_ack (f->queue, g_ptr_array_index (f->sent, 3), "ok");
  wire_message_queue_handle_ack (f->queue, "accepted", "ok");
  wait_for_len (f->outcomes, 6);
  g_assert_cmpuint (wire_message_queue_get_failures (f->queue), ==, 1);
}

static void
test_ids (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *long_id = g_strnfill (129, 'x');

  for (guint i = 0; i < 1000; i++)
    {
      const char *id = wire_message_queue_enqueue_async (f->queue, NULL, "test:room", "e",
                                                         WIRE_PRIORITY_LOW, NULL, NULL, NULL,
                                                         NULL);
      g_assert_true (g_hash_table_add (seen, g_strdup (id)));
    }

  g_free (enqueue (f, "dup", WIRE_PRIORITY_LOW, NULL));
  g_free (enqueue (f, "dup", WIRE_PRIORITY_LOW, NULL));
  g_free (enqueue (f, long_id, WIRE_PRIORITY_LOW, NULL));
  wait_for_len (f->outcomes, 2);
  g_assert_cmpint (outcome (f, 0)->code, ==, WIRE_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (outcome (f, 1)->code, ==, WIRE_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (wire_message_queue_get_length (f->queue), ==, 1001);
}

static void
test_fail_all_and_age (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr (GError) error = g_error_new_literal (WIRE_ERROR, WIRE_ERROR_CLOSED, "closed");

  g_assert_cmpint (wire_message_queue_get_oldest_age_ms (f->queue), ==, 0);
  wire_message_queue_set_online (f->queue, TRUE);
  g_free (enqueue (f, "a", WIRE_PRIORITY_NORMAL, NULL));
  wire_message_queue_set_online (f->queue, FALSE);
  g_free (enqueue (f, "b", WIRE_PRIORITY_HIGH, NULL));
  spin_ms (30);
  g_assert_cmpint (wire_message_queue_get_oldest_age_ms (f->queue), >=, 20);
  {
    gint64 age = 0;

    g_object_get (f->queue, "oldest-age-ms", &age, NULL);
    g_assert_cmpint (age, >=, 20);
  }

  wire_message_queue_fail_all (f->queue, error);
  wait_for_len (f->outcomes, 2);
  g_assert_cmpint (outcome (f, 0)->code, ==, WIRE_ERROR_CLOSED);
  g_assert_cmpint (outcome (f, 1)->code, ==, WIRE_ERROR_CLOSED);
  g_assert_cmpuint (wire_message_queue_get_length (f->queue), ==, 0);
  g_assert_cmpint (wire_message_queue_get_oldest_age_ms (f->queue), ==, 0);
}

static void
test_pacing (Fixture       *f,
             gconstpointer  data)
{
  guint first_burst;

  /* chat:* allows 10 messages a second with a burst of 10 (PROTOCOL.md §3). */
  wire_message_queue_set_online (f->queue, TRUE);
  for (guint i = 0; i < 13; i++)
    wire_message_queue_enqueue_async (f->queue, NULL, "chat:s1", "user_message",
                                      WIRE_PRIORITY_NORMAL, NULL, NULL, enqueue_done_cb, f);
  first_burst = f->sent->len;
  g_assert_cmpuint (first_burst, ==, 10);

  wait_for_len (f->sent, 13);
  for (guint i = 0; i < 13; i++)
    wire_message_queue_handle_ack (f->queue, g_ptr_array_index (f->sent, i), "ok");
  wait_for_len (f->outcomes, 13);

  /* Without pacing everything goes at once. */
  g_object_set (f->queue, "pacing", FALSE, NULL);
  g_ptr_array_set_size (f->sent, 0);
  for (guint i = 0; i < 30; i++)
    wire_message_queue_enqueue_async (f->queue, NULL, "chat:s2", "user_message",
                                      WIRE_PRIORITY_NORMAL, NULL, NULL, enqueue_done_cb, f);
  g_assert_cmpuint (f->sent->len, ==, 30);
  for (guint i = 0; i < 30; i++)
    wire_message_queue_handle_ack (f->queue, g_ptr_array_index (f->sent, i), "ok");
  wait_for_len (f->outcomes, 43);
}

static void
sent_cb (WireMessageQueue *queue,
         const char       *id,
         const char       *channel,
         const char       *event,
         WirePriority      priority,
         guint             size,
         guint            *count)
{
  g_assert_cmpstr (channel, ==, "test:room");
  g_assert_cmpstr (event, ==, "user_message");
  g_assert_cmpint (priority, ==, WIRE_PRIORITY_HIGH);
  g_assert_cmpuint (size, >, strlen (id));
  (*count)++;
}

static void
test_sent_signal_and_props (Fixture       *f,
                            gconstpointer  data)
{
  guint count = 0;
  guint depth_high = 0;
  guint64 retries = 1;

  g_signal_connect (f->queue, "sent", G_CALLBACK (sent_cb), &count);
  g_free (enqueue (f, "a", WIRE_PRIORITY_HIGH, NULL));
  g_object_get (f->queue, "depth-high", &depth_high, "retries", &retries, NULL);
  g_assert_cmpuint (depth_high, ==, 1);
  g_assert_cmpuint (retries, ==, 0);
  wire_message_queue_set_online (f->queue, TRUE);
  g_assert_cmpuint (count, ==, 1);
  wire_message_queue_handle_ack (f->queue, "a", "ok");
  wait_for_len (f->outcomes, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/wire/queue/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("priority-order", test_priority_order);
  ADD ("ack-completes", test_ack_completes);
  ADD ("ack-timeout-retries", test_ack_timeout_retries);
  ADD ("late-ack", test_late_ack_after_timeout);
  ADD ("send-failure-retry", test_send_failure_retry);
  ADD ("rate-limited", test_rate_limited);
  ADD ("error-frame", test_error_frame_fails);
  ADD ("overflow-reject-new", test_overflow_reject_new);
  ADD ("overflow-drop-lowest", test_overflow_drop_lowest);
  ADD ("reconnect-resend", test_reconnect_resend);
  ADD ("window", test_window);
  ADD ("cancel", test_cancel);
  ADD ("capacity-runtime", test_capacity_runtime);
  ADD ("ids", test_ids);
  ADD ("fail-all-and-age", test_fail_all_and_age);
  ADD ("pacing", test_pacing);
  ADD ("sent-signal", test_sent_signal_and_props);

#undef ADD

  return g_test_run ();
}
