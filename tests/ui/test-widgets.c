#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "wire-channel-list.h"
#include "wire-composer.h"
#include "wire-connection-header.h"
#include "wire-connection-page.h"
#include "wire-core.h"
#include "wire-gateway.h"
#include "wire-message-log.h"
#include "wire-message-ring.h"
#include "wire-message-tap.h"
#include "wire-queue-view.h"
#include "wire-rate-chart.h"
#include "wire-rate-history.h"
#include "wire-timeline-view.h"

/* Waits are generous (a loaded machine, a sanitizer build): they bound a hang, nothing more. */
#define WAIT_MS 20000

typedef gboolean (*Condition) (gpointer data);

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_for (Condition condition,
          gpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;
  guint wake = g_timeout_add (20, wake_cb, NULL);
  gboolean ok;

  while (!(ok = condition (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);

  return ok;
}

/* Runs the main loop for a while: for things that must *not* happen early. */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;
  guint wake = g_timeout_add (10, wake_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

/* ---- message ring ------------------------------------------------------------------------ */

typedef struct
{
  guint n_signals;
  guint last_position;
  guint last_removed;
  guint last_added;
} ChangeCounter;

static void
items_changed_cb (GListModel    *model,
                  guint          position,
                  guint          removed,
                  guint          added,
                  ChangeCounter *counter)
{
  counter->n_signals++;
  counter->last_position = position;
  counter->last_removed = removed;
  counter->last_added = added;
}

static guint64
append_simple (WireMessageRing      *ring,
               WireMessageDirection  direction,
               const char           *channel,
               const char           *event,
               const char           *id,
               const char           *text)
{
  return wire_message_ring_append (ring, g_get_real_time () / 1000, direction, channel, event,
                                   WIRE_PRIORITY_NORMAL, text ? (guint) strlen (text) : 10, id,
                                   text, text ? strlen (text) : 0,
                                   direction == WIRE_MESSAGE_IN ? WIRE_MESSAGE_STATUS_DELIVERED
                                                                : WIRE_MESSAGE_STATUS_SENT);
}

static void
test_ring_wraps_at_capacity (void)
{
  WireMessageRing *ring = wire_message_ring_new (10);
  g_autoptr(WireMessageRow) first = NULL;
  g_autoptr(WireMessageRow) last = NULL;
  guint64 seq;

  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *id = g_strdup_printf ("m-%u", i);
      append_simple (ring, WIRE_MESSAGE_IN, "chat:s1", "user_message", id, NULL);
    }
  wire_message_ring_flush (ring);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ring)), ==, 10);
  g_assert_cmpuint (wire_message_ring_get_n_live (ring), ==, 10);

  /* The oldest 15 are gone, from the model and from the id index. */
  first = g_list_model_get_item (G_LIST_MODEL (ring), 0);
  last = g_list_model_get_item (G_LIST_MODEL (ring), 9);
  g_assert_cmpstr (wire_message_row_get_id (first), ==, "m-15");
  g_assert_cmpstr (wire_message_row_get_id (last), ==, "m-24");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (ring), 10));
  g_assert_false (wire_message_ring_find_id (ring, WIRE_MESSAGE_IN, "m-3", NULL));
  g_assert_true (wire_message_ring_find_id (ring, WIRE_MESSAGE_IN, "m-20", &seq));
  g_assert_cmpuint (seq, ==, 20);
  g_assert_false (wire_message_ring_find_id (ring, WIRE_MESSAGE_OUT, "m-20", NULL));
  g_assert_false (wire_message_ring_set_status (ring, 2, WIRE_MESSAGE_STATUS_ACK));

  g_assert_finalize_object (ring);
}

static void
test_ring_coalesces_items_changed (void)
{
  WireMessageRing *ring = wire_message_ring_new (100000);
  ChangeCounter counter = { 0 };
  g_autoptr(WireMessageRow) row = NULL;
  guint64 seq5 = 0;

  g_signal_connect (ring, "items-changed", G_CALLBACK (items_changed_cb), &counter);

  for (guint i = 0; i < 20000; i++)
    {
      g_autofree char *id = g_strdup_printf ("out-%u", i);
      guint64 seq = append_simple (ring, WIRE_MESSAGE_OUT, "trip:t1", "cursor_move", id, NULL);

      if (i == 5)
        seq5 = seq;
    }

  /* Recorded at once, announced later and once. */
  g_assert_cmpuint (wire_message_ring_get_n_live (ring), ==, 20000);
  g_assert_cmpuint (counter.n_signals, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ring)), ==, 0);

  g_assert_true (wait_for ((Condition) g_list_model_get_n_items, ring));
  g_assert_cmpuint (counter.n_signals, ==, 1);
  g_assert_cmpuint (counter.last_position, ==, 0);
  g_assert_cmpuint (counter.last_removed, ==, 0);
  g_assert_cmpuint (counter.last_added, ==, 20000);

  /* A status change is one row's change; new rows come after it in the same flush. */
  g_assert_true (wire_message_ring_set_status (ring, seq5, WIRE_MESSAGE_STATUS_ACK));
  append_simple (ring, WIRE_MESSAGE_OUT, "trip:t1", "cursor_move", "late", NULL);
  counter.n_signals = 0;
  wire_message_ring_flush (ring);
  g_assert_cmpuint (counter.n_signals, ==, 2);
  g_assert_cmpuint (counter.last_position, ==, 20000);
  g_assert_cmpuint (counter.last_added, ==, 1);
  row = g_list_model_get_item (G_LIST_MODEL (ring), 5);
  g_assert_cmpint (wire_message_row_get_status (row), ==, WIRE_MESSAGE_STATUS_ACK);

  /* Nothing pending: no signal. */
  counter.n_signals = 0;
  wire_message_ring_flush (ring);
  g_assert_cmpuint (counter.n_signals, ==, 0);

  g_signal_handlers_disconnect_by_func (ring, items_changed_cb, &counter);
  g_assert_finalize_object (ring);
}

static void
test_ring_wrap_signals (void)
{
  WireMessageRing *ring = wire_message_ring_new (100);
  ChangeCounter counter = { 0 };

  g_signal_connect (ring, "items-changed", G_CALLBACK (items_changed_cb), &counter);
  for (guint i = 0; i < 100; i++)
    append_simple (ring, WIRE_MESSAGE_IN, "c:1", "e", NULL, NULL);
  wire_message_ring_flush (ring);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ring)), ==, 100);

  /* 30 more: 30 fall off the front, 30 join at the end; the count stays at the capacity. */
  counter.n_signals = 0;
  for (guint i = 0; i < 30; i++)
    append_simple (ring, WIRE_MESSAGE_IN, "c:1", "e", NULL, NULL);
  wire_message_ring_flush (ring);
  g_assert_cmpuint (counter.n_signals, ==, 2);
  g_assert_cmpuint (counter.last_position, ==, 70);
  g_assert_cmpuint (counter.last_added, ==, 30);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ring)), ==, 100);

  /* More than the capacity between two flushes: everything old goes, the view stays sane. */
  for (guint i = 0; i < 250; i++)
    append_simple (ring, WIRE_MESSAGE_IN, "c:1", "e", NULL, NULL);
  wire_message_ring_flush (ring);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ring)), ==, 100);

  g_signal_handlers_disconnect_by_func (ring, items_changed_cb, &counter);
  g_assert_finalize_object (ring);
}

static void
test_ring_pause_and_text_budget (void)
{
  WireMessageRing *ring = wire_message_ring_new (50);
  ChangeCounter counter = { 0 };
  g_autofree char *text0 = NULL;
  g_autofree char *text4 = NULL;
  guint64 seqs[5];

  g_signal_connect (ring, "items-changed", G_CALLBACK (items_changed_cb), &counter);

  wire_message_ring_set_paused (ring, TRUE);
  for (guint i = 0; i < 10; i++)
    append_simple (ring, WIRE_MESSAGE_IN, "c:1", "e", NULL, NULL);
  wire_message_ring_flush (ring);
  spin (250);
  g_assert_cmpuint (counter.n_signals, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ring)), ==, 0);
  wire_message_ring_set_paused (ring, FALSE);
  g_assert_cmpuint (counter.n_signals, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ring)), ==, 10);

  /* Texts beyond the budget are dropped oldest first; the rows stay. */
  wire_message_ring_set_text_budget (ring, 100);
  for (guint i = 0; i < 5; i++)
    seqs[i] = append_simple (ring, WIRE_MESSAGE_IN, "c:1", "e", NULL,
                             "{\"type\":\"message\",\"payload\":{\"n\":12345}}");
  text0 = wire_message_ring_dup_text (ring, seqs[0]);
  text4 = wire_message_ring_dup_text (ring, seqs[4]);
  g_assert_null (text0);
  g_assert_nonnull (text4);
  g_assert_true (g_str_has_prefix (text4, "{\"type\":\"message\""));
  g_assert_cmpuint (wire_message_ring_get_n_live (ring), ==, 15);

  g_signal_handlers_disconnect_by_func (ring, items_changed_cb, &counter);
  g_assert_finalize_object (ring);
}

/* The id index, the id buffer and the text buffer against a plain model, over thousands of
 * appends with ids of every length (a few repeated, some absent), both directions, text budget
 * changes and late texts: every live row keeps its id and finds it, a repeated id finds its
 * newest row, and a text is either the one given or gone, never another's. */
static void
test_ring_ids_and_texts_model (void)
{
  const guint capacity = 300;
  WireMessageRing *ring = wire_message_ring_new (capacity);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);     /* by seq */
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);   /* by seq */
  g_autoptr(GArray) dirs = g_array_new (FALSE, FALSE, sizeof (guint8));
  g_autofree char *too_long = g_strnfill (5000, 'z');
  guint64 end = 0;
  guint n_texts_kept = 0;

  for (guint round = 0; round < 6000; round++)
    {
      guint8 dir = g_rand_int_range (rand, 0, 4) == 0 ? WIRE_MESSAGE_OUT : WIRE_MESSAGE_IN;
      char *id = NULL;
      char *text = NULL;
      guint64 seq;

      switch (g_rand_int_range (rand, 0, 6))
        {
        case 0:
          break;                                                       /* no id */
        case 1:
          id = g_strdup_printf ("dup-%d", g_rand_int_range (rand, 0, 20));  /* repeated */
          break;
        case 2:
          id = g_strnfill (g_rand_int_range (rand, 0, 400), 'a' + round % 26);  /* long, or "" */
          break;
        default:
          id = g_strdup_printf ("m-%u-%0*u", round, g_rand_int_range (rand, 1, 30), round);
          break;
        }
      if (g_rand_boolean (rand))
        text = g_strdup_printf ("{\"n\":%u,\"pad\":\"%0*d\"}", round,
                                g_rand_int_range (rand, 0, 300), 7);

      seq = wire_message_ring_append (ring, round, dir, "c:1", "e", -1, 1, id, text,
                                      text != NULL ? strlen (text) : 0,
                                      WIRE_MESSAGE_STATUS_DELIVERED);
      g_assert_cmpuint (seq, ==, end);
      end++;
      g_ptr_array_add (ids, id);
      g_ptr_array_add (texts, text);
      g_array_append_val (dirs, dir);

      if (round % 997 == 0)
        wire_message_ring_set_text_budget (ring, g_rand_int_range (rand, 0, 8000));
      if (round % 13 == 0 && end > 1)
        {
          guint64 late = end - 1 - g_rand_int_range (rand, 0, (int) MIN (end - 1, capacity - 1));
          char *late_text = g_strdup_printf ("{\"late\":%u}", round);

          g_assert_true (wire_message_ring_set_text (ring, late, late_text, strlen (late_text)));
          g_free (texts->pdata[late]);
          texts->pdata[late] = late_text;
        }

      if (round % 50 != 0)
        continue;

      for (guint64 s = end > capacity ? end - capacity : 0; s < end; s++)
        {
          g_autofree char *kept = wire_message_ring_dup_text (ring, s);
          const char *want = g_ptr_array_index (ids, s);
          guint8 d = g_array_index (dirs, guint8, s);
          guint64 found = G_MAXUINT64;

          g_assert_true (kept == NULL || g_strcmp0 (kept, g_ptr_array_index (texts, s)) == 0);
          n_texts_kept += kept != NULL;
          if (want == NULL)
            continue;
          g_assert_true (wire_message_ring_find_id (ring, d, want, &found));
          /* The newest live row with this id and direction. */
          for (guint64 t = end; t-- > s;)
            if (g_strcmp0 (g_ptr_array_index (ids, t), want) == 0
                && g_array_index (dirs, guint8, t) == d)
              {
                g_assert_cmpuint (found, ==, t);
                break;
              }
        }
      /* Ids gone with their rows are not found. */
      if (end > capacity)
        {
          const char *gone = g_ptr_array_index (ids, end - capacity - 1);

          if (gone != NULL && !g_str_has_prefix (gone, "dup-") && strlen (gone) > 0
              && gone[0] == 'm')
            g_assert_false (wire_message_ring_find_id (ring, WIRE_MESSAGE_IN, gone, NULL)
                            || wire_message_ring_find_id (ring, WIRE_MESSAGE_OUT, gone, NULL));
        }
    }

  g_assert_cmpuint (n_texts_kept, >, 1000);

  /* An id far longer than any protocol id is not kept: the row stays, without it. */
  end = wire_message_ring_append (ring, 0, WIRE_MESSAGE_IN, NULL, NULL, -1, 1, too_long, NULL, 0,
                                  WIRE_MESSAGE_STATUS_DELIVERED) + 1;
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (texts, NULL);
  g_assert_false (wire_message_ring_find_id (ring, WIRE_MESSAGE_IN, too_long, NULL));

  /* Rows read back their ids through the model. */
  wire_message_ring_flush (ring);
  for (guint i = 0; i < capacity; i++)
    {
      g_autoptr(WireMessageRow) row = g_list_model_get_item (G_LIST_MODEL (ring), i);

      g_assert_cmpstr (wire_message_row_get_id (row), ==,
                       g_ptr_array_index (ids, wire_message_row_get_seq (row)));
    }

  wire_message_ring_clear (ring);
  g_assert_false (wire_message_ring_find_id (ring, WIRE_MESSAGE_IN, "dup-1", NULL));
  g_assert_finalize_object (ring);
}

/* ---- message tap ------------------------------------------------------------------------- */

static WireEnvelope *
parse_frame (const char *text)
{
  g_autoptr(GError) error = NULL;
  WireEnvelope *envelope = wire_envelope_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  return envelope;
}

static WireMessageStatus
status_of (WireMessageRing      *ring,
           guint                 position)
{
  g_autoptr(WireMessageRow) row = g_list_model_get_item (G_LIST_MODEL (ring), position);

  g_assert_nonnull (row);
  return wire_message_row_get_status (row);
}

/* A tap made while the app's recorder follows its connection hands each frame to the recorder:
 * every frame is recorded once, heartbeat acks not at all, and the log still gets them all. */
static void
test_tap_feeds_recorder (void)
{
  WireConfig *config = wire_config_new ();
  WireConnection *connection = wire_connection_new (config, NULL,
                                                    "ws://127.0.0.1:1/ws/chat/s1", NULL);
  WireRecorder *recorder = wire_recorder_new (0, 0);
  g_autoptr(WireEnvelope) message = parse_frame ("{\"type\":\"message\",\"id\":\"a\","
                                                 "\"channel\":\"chat:s1\",\"event\":\"e\","
                                                 "\"payload\":{\"token\":\"abc\"}}");
  g_autoptr(WireEnvelope) ack = parse_frame ("{\"type\":\"heartbeat_ack\",\"ts\":1}");
  g_autoptr(WireRecording) recording = NULL;
  WireMessageRing *ring;
  guint track;

  track = wire_recorder_add_connection (recorder, connection);
  wire_message_tap_set_recorder (recorder);
  ring = wire_message_tap_get_ring (wire_message_tap_get_for_connection (connection));
  wire_message_tap_set_recorder (NULL);

  g_signal_emit_by_name (connection, "frame", message);
  g_signal_emit_by_name (connection, "message", message);
  g_signal_emit_by_name (connection, "frame", ack);

  wire_message_ring_flush (ring);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ring)), ==, 2);
  recording = wire_recorder_snapshot (recorder);
  g_assert_cmpuint (wire_recording_get_n_messages (recording, track), ==, 1);
  g_assert_cmpstr (wire_recording_get_message (recording, track, 0)->id, ==, "a");
  g_assert_null (strstr (wire_recording_get_message (recording, track, 0)->text, "abc"));
  g_clear_pointer (&recording, wire_recording_unref);

  /* The tap goes with its connection; the recorder's track stays for export. */
  g_assert_finalize_object (connection);
  recording = wire_recorder_snapshot (recorder);
  g_assert_cmpuint (wire_recording_get_n_messages (recording, track), ==, 1);
  g_clear_pointer (&recording, wire_recording_unref);
  g_assert_finalize_object (recorder);
  g_assert_finalize_object (config);
}

/* The message-log-history setting: taps made after a change keep that many rows; a tap that
 * exists keeps its size. */
static void
test_tap_default_capacity (void)
{
  WireConfig *config = wire_config_new ();
  WireConnection *before = wire_connection_new (config, NULL, "ws://127.0.0.1:1/ws/chat/s1", NULL);
  WireConnection *after = wire_connection_new (config, NULL, "ws://127.0.0.1:1/ws/chat/s2", NULL);
  guint saved = wire_message_tap_get_default_capacity ();
  WireMessageRing *old_ring = wire_message_tap_get_ring (wire_message_tap_get_for_connection (before));
  guint old_capacity = wire_message_ring_get_capacity (old_ring);

  wire_message_tap_set_default_capacity (250);
  g_assert_cmpuint (wire_message_ring_get_capacity (wire_message_tap_get_ring (
                      wire_message_tap_get_for_connection (after))), ==, 250);
  g_assert_cmpuint (wire_message_ring_get_capacity (old_ring), ==, old_capacity);
  wire_message_tap_set_default_capacity (saved);

  g_assert_finalize_object (before);
  g_assert_finalize_object (after);
  g_assert_finalize_object (config);
}

static void
test_tap_statuses (void)
{
  WireConfig *config = wire_config_new ();
  g_autoptr(GError) error = NULL;
  WireConnection *connection = wire_connection_new (config, NULL,
                                                    "ws://127.0.0.1:1/ws/chat/s1", &error);
  WireMessageTap *tap;
  WireMessageRing *ring;
  g_autoptr(WireEnvelope) first = parse_frame ("{\"type\":\"message\",\"id\":\"a\",\"channel\":\"chat:s1\","
                                               "\"event\":\"user_message\",\"payload\":{}}");
  g_autoptr(WireEnvelope) second = parse_frame ("{\"type\":\"message\",\"id\":\"b\",\"channel\":\"chat:s1\","
                                                "\"event\":\"typing_start\",\"payload\":{}}");
  g_autoptr(WireEnvelope) control = parse_frame ("{\"type\":\"heartbeat_ack\",\"ts\":1}");
  g_autoptr(WireMessageRow) control_row = NULL;

  g_assert_no_error (error);
  tap = wire_message_tap_get_for_connection (connection);
  g_assert_true (tap == wire_message_tap_get_for_connection (connection));
  ring = wire_message_tap_get_ring (tap);
  g_assert_cmpuint (wire_message_ring_get_capacity (ring), ==,
                    wire_message_tap_get_default_capacity ());

  /* frame then message: one delivered row; the same id again without a message: a duplicate. */
  g_signal_emit_by_name (connection, "frame", first);
  g_signal_emit_by_name (connection, "message", first);
  g_signal_emit_by_name (connection, "frame", first);
  /* message then frame (the other order): still one row. */
  g_signal_emit_by_name (connection, "message", second);
  g_signal_emit_by_name (connection, "frame", second);
  /* A control frame is logged under its type. */
  g_signal_emit_by_name (connection, "frame", control);

  /* Outgoing: written, then acknowledged as a duplicate by the gateway; a refused one fails. */
  wire_message_tap_remember_payload (tap, "out-1", "chat:s1", "user_message", WIRE_PRIORITY_HIGH,
                                     "{\"text\":\"hi\"}");
  g_signal_emit_by_name (wire_connection_get_queue (connection), "sent", "out-1", "chat:s1",
                         "user_message", WIRE_PRIORITY_HIGH, 80u);
  g_signal_emit_by_name (wire_connection_get_queue (connection), "completed", "out-1", "duplicate",
                         NULL);
  error = g_error_new_literal (WIRE_ERROR, WIRE_ERROR_PUBLISH_DENIED, "denied");
  g_signal_emit_by_name (wire_connection_get_queue (connection), "completed", "out-2", NULL, error);
  g_clear_error (&error);

  wire_message_ring_flush (ring);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ring)), ==, 6);
  g_assert_cmpint (status_of (ring, 0), ==, WIRE_MESSAGE_STATUS_DELIVERED);
  g_assert_cmpint (status_of (ring, 1), ==, WIRE_MESSAGE_STATUS_DUPLICATE);
  g_assert_cmpint (status_of (ring, 2), ==, WIRE_MESSAGE_STATUS_DELIVERED);
  g_assert_cmpint (status_of (ring, 3), ==, WIRE_MESSAGE_STATUS_NONE);
  g_assert_cmpint (status_of (ring, 4), ==, WIRE_MESSAGE_STATUS_ACK_DUPLICATE);
  g_assert_cmpint (status_of (ring, 5), ==, WIRE_MESSAGE_STATUS_FAILED);
  control_row = g_list_model_get_item (G_LIST_MODEL (ring), 3);
  g_assert_cmpstr (wire_message_row_get_event (control_row), ==, "heartbeat_ack");

  /* The payload given for the outgoing publish is in its frame text. */
  {
    g_autofree char *text = wire_message_ring_dup_text (ring, 4);

    g_assert_nonnull (text);
    g_assert_nonnull (strstr (text, "\"text\":\"hi\""));
    g_assert_nonnull (strstr (text, "\"priority\":\"high\""));
  }

  /* The tap and its ring go with the connection. */
  g_object_add_weak_pointer (G_OBJECT (ring), (gpointer *) &ring);
  g_assert_finalize_object (connection);
  g_assert_null (ring);
  g_assert_finalize_object (config);
}

/* ---- message log ------------------------------------------------------------------------- */

static gboolean
filter_settled (gpointer data)
{
  return gtk_filter_list_model_get_pending (GTK_FILTER_LIST_MODEL (data)) == 0;
}

static void
test_log_filters (void)
{
  WireMessageRing *ring = wire_message_ring_new (1000);
  GtkWidget *window = gtk_window_new ();
  WireMessageLog *log = WIRE_MESSAGE_LOG (wire_message_log_new ());
  GListModel *shown;
  g_autofree char *detail = NULL;

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *id = g_strdup_printf ("id-%u", i);
      g_autofree char *text = g_strdup_printf ("{\"type\":\"message\",\"id\":\"%s\",\"channel\":\"%s\","
                                               "\"event\":\"x\",\"payload\":{\"i\":%u}}",
                                               id, i % 3 == 0 ? "chat:s1" : "trip:t1", i);

      append_simple (ring, i % 2 == 0 ? WIRE_MESSAGE_IN : WIRE_MESSAGE_OUT,
                     i % 3 == 0 ? "chat:s1" : "trip:t1", i % 3 == 0 ? "user_message" : "cursor_move",
                     id, text);
    }
  wire_message_ring_flush (ring);

  g_object_ref (log);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (log));
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 500);
  gtk_window_present (GTK_WINDOW (window));

  wire_message_log_set_ring (log, ring);
  shown = wire_message_log_get_model (log);
  g_assert_true (wait_for (filter_settled, shown));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 300);

  /* Text filter: channel, case-insensitive. */
  wire_message_log_set_filter_text (log, "CHAT");
  g_assert_true (wait_for (filter_settled, shown));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 100);

  /* Direction on top of the text: even i are incoming, i % 3 == 0 are chat: i % 6 == 0. */
  wire_message_log_set_direction (log, WIRE_MESSAGE_LOG_IN);
  g_assert_true (wait_for (filter_settled, shown));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 50);

  /* By id. */
  wire_message_log_set_direction (log, WIRE_MESSAGE_LOG_ALL);
  wire_message_log_set_filter_text (log, "id-123");
  g_assert_true (wait_for (filter_settled, shown));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);

  /* The selected row's frame, pretty-printed. */
  wire_message_log_select (log, 0);
  detail = wire_message_log_dup_detail_text (log);
  g_assert_nonnull (strstr (detail, "\"id\" : \"id-123\""));
  g_assert_nonnull (strstr (detail, "\n"));

  /* Pause holds the view still while the ring records. */
  wire_message_log_set_filter_text (log, NULL);
  g_assert_true (wait_for (filter_settled, shown));
  wire_message_log_set_paused (log, TRUE);
  append_simple (ring, WIRE_MESSAGE_IN, "chat:s1", "user_message", "while-paused", NULL);
  spin (250);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 300);
  wire_message_log_set_paused (log, FALSE);
  g_assert_true (wait_for (filter_settled, shown));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 301);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (log);
  g_assert_finalize_object (ring);
}

/* ---- rate chart -------------------------------------------------------------------------- */

static gboolean
has_width (gpointer data)
{
  return gtk_widget_get_width (GTK_WIDGET (data)) > 0;
}

/* Draws the widget's own snapshot into an image and counts pixels of the "in" series' blue. */
static guint
count_blue_pixels (GtkWidget *widget)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  cairo_surface_t *surface;
  cairo_t *cr;
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  guint count = 0;
  const guint8 *data;
  int stride;

  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cr = cairo_create (surface);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 px = *(const guint32 *) (data + y * stride + x * 4);
        guint8 a = px >> 24, r = (px >> 16) & 0xff, g = (px >> 8) & 0xff, b = px & 0xff;

        if (a > 200 && b > 180 && r < 100 && g > 90 && g < 170)
          count++;
      }

  cairo_surface_destroy (surface);
  gsk_render_node_unref (node);

  return count;
}

static void
test_rate_chart_draws_samples (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *chart = wire_rate_chart_new ();
  const char *tooltip;

  g_object_ref (chart);
  gtk_window_set_child (GTK_WINDOW (window), chart);
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 200);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_for (has_width, chart));

  g_assert_cmpuint (wire_rate_chart_get_n_samples (WIRE_RATE_CHART (chart)), ==, 0);
  g_assert_cmpuint (count_blue_pixels (chart), ==, 0);

  for (guint i = 0; i < 60; i++)
    wire_rate_chart_push_sample (WIRE_RATE_CHART (chart), 10 + i % 7, 3, 4 + i % 3);
  wire_rate_chart_push_sample (WIRE_RATE_CHART (chart), 12.0, 3.0, 7);
  g_assert_cmpuint (wire_rate_chart_get_n_samples (WIRE_RATE_CHART (chart)), ==, 61);
  g_assert_cmpuint (count_blue_pixels (chart), >, 20);

  /* The summary a screen reader gets (mirrored in the tooltip). */
  tooltip = gtk_widget_get_tooltip_text (chart);
  g_assert_nonnull (strstr (tooltip, "12.0"));
  g_assert_nonnull (strstr (tooltip, "7 ms"));

  /* More samples than the history holds: still bounded, still drawn. */
  for (guint i = 0; i < 5000; i++)
    wire_rate_chart_push_sample (WIRE_RATE_CHART (chart), 1000, 0, -1);
  g_assert_cmpuint (wire_rate_chart_get_n_samples (WIRE_RATE_CHART (chart)), ==, 3600);
  g_assert_cmpuint (count_blue_pixels (chart), >, 20);
  tooltip = gtk_widget_get_tooltip_text (chart);
  g_assert_nonnull (strstr (tooltip, "unknown"));

  wire_rate_chart_clear (WIRE_RATE_CHART (chart));
  g_assert_cmpuint (count_blue_pixels (chart), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (chart);
}

/* ---- queue view -------------------------------------------------------------------------- */

static void
test_queue_view_shows_depths (void)
{
  WireConfig *config = wire_config_new ();
  WireMessageQueue *queue = wire_message_queue_new (config);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = wire_queue_view_new ();
  g_autoptr(GError) error = g_error_new_literal (WIRE_ERROR, WIRE_ERROR_CLOSED, "test over");
  static const struct { WirePriority priority; guint n; } fill[] = {
    { WIRE_PRIORITY_CRITICAL, 3 }, { WIRE_PRIORITY_HIGH, 1 }, { WIRE_PRIORITY_LOW, 6 },
  };

  g_object_ref (view);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));

  /* Nothing connected: the queue holds everything. */
  for (guint i = 0; i < G_N_ELEMENTS (fill); i++)
    for (guint j = 0; j < fill[i].n; j++)
      g_assert_nonnull (wire_message_queue_enqueue_async (queue, NULL, "trip:t1", "trip_update",
                                                          fill[i].priority, "{}", NULL, NULL,
                                                          NULL));

  wire_queue_view_set_queue (WIRE_QUEUE_VIEW (view), queue);
  g_assert_true (wait_for (has_width, view));
  g_assert_cmpfloat (wire_queue_view_get_level (WIRE_QUEUE_VIEW (view), WIRE_PRIORITY_CRITICAL), ==, 3);
  g_assert_cmpfloat (wire_queue_view_get_level (WIRE_QUEUE_VIEW (view), WIRE_PRIORITY_HIGH), ==, 1);
  g_assert_cmpfloat (wire_queue_view_get_level (WIRE_QUEUE_VIEW (view), WIRE_PRIORITY_NORMAL), ==, 0);
  g_assert_cmpfloat (wire_queue_view_get_level (WIRE_QUEUE_VIEW (view), WIRE_PRIORITY_LOW), ==, 6);
  g_assert_cmpstr (wire_queue_view_get_depth_text (WIRE_QUEUE_VIEW (view), WIRE_PRIORITY_LOW), ==, "6");

  /* Refreshing reads the queue again. */
  wire_message_queue_fail_all (queue, error);
  wire_queue_view_refresh (WIRE_QUEUE_VIEW (view));
  g_assert_cmpfloat (wire_queue_view_get_level (WIRE_QUEUE_VIEW (view), WIRE_PRIORITY_LOW), ==, 0);
  g_assert_cmpstr (wire_queue_view_get_depth_text (WIRE_QUEUE_VIEW (view), WIRE_PRIORITY_CRITICAL), ==, "0");
  spin (50);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
  g_assert_finalize_object (queue);
  g_assert_finalize_object (config);
}

/* ---- the page against the real gateway ---------------------------------------------------- */

typedef struct
{
  WireGateway        *gateway;
  WireConfig         *config;
  WireConnection     *connection;
  GtkWidget          *window;
  WireConnectionPage *page;
} PageFixture;

static gboolean
is_connected (gpointer data)
{
  return wire_connection_get_state (WIRE_CONNECTION (data)) == WIRE_CONNECTION_CONNECTED;
}

static gboolean
is_disconnected (gpointer data)
{
  return wire_connection_get_state (WIRE_CONNECTION (data)) == WIRE_CONNECTION_DISCONNECTED;
}

typedef struct
{
  const char *path;
  const char *channel;
} Endpoint;

static const Endpoint chat_endpoint = { "/ws/chat/s1", "chat:s1" };
static const Endpoint notifications_endpoint = { "/ws/notifications/user-1", "notifications:user-1" };

static void
page_fixture_set_up (PageFixture   *fixture,
                     gconstpointer  data)
{
  const Endpoint *endpoint = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *token = NULL;
  const char * const channels[] = { endpoint->channel, NULL };

  fixture->gateway = wire_gateway_new ();
  g_object_set (fixture->gateway, "demo", TRUE, "seed", (gint64) 7, NULL);
  g_assert_true (wire_gateway_listen (fixture->gateway, "127.0.0.1", 0, &error));
  g_assert_no_error (error);

  fixture->config = wire_config_new ();
  url = g_strdup_printf ("%s%s", wire_gateway_get_url (fixture->gateway), endpoint->path);
  fixture->connection = wire_connection_new (fixture->config, NULL, url, &error);
  g_assert_no_error (error);
  token = wire_gateway_mint_token (fixture->gateway, "user-1", NULL, NULL, NULL, 3600);
  wire_connection_set_token (fixture->connection, token);
  if (g_str_has_prefix (endpoint->path, "/ws/chat/"))
    wire_connection_set_session_id (fixture->connection, "s1");
  wire_connection_set_channels (fixture->connection, channels);

  fixture->window = gtk_window_new ();
  fixture->page = WIRE_CONNECTION_PAGE (wire_connection_page_new ());
  g_object_ref (fixture->page);
  gtk_window_set_child (GTK_WINDOW (fixture->window), GTK_WIDGET (fixture->page));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1000, 760);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
page_fixture_tear_down (PageFixture   *fixture,
                        gconstpointer  data)
{
  wire_connection_page_set_connection (fixture->page, NULL);
  if (wire_connection_get_state (fixture->connection) != WIRE_CONNECTION_DISCONNECTED)
    {
      wire_connection_disconnect (fixture->connection);
      g_assert_true (wait_for (is_disconnected, fixture->connection));
    }
  spin (100);

  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_assert_finalize_object (fixture->page);
  g_assert_finalize_object (fixture->connection);
  g_assert_finalize_object (fixture->config);
  wire_gateway_shutdown (fixture->gateway);
  spin (100);
  g_assert_finalize_object (fixture->gateway);
}

typedef struct
{
  WireMessageRing      *ring;
  WireMessageDirection  direction;
  WireMessageStatus     status;
} RowQuery;

static gboolean
ring_has_row (gpointer data)
{
  RowQuery *q = data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (q->ring));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(WireMessageRow) row = g_list_model_get_item (G_LIST_MODEL (q->ring), i);

      if (wire_message_row_get_direction (row) == q->direction
          && wire_message_row_get_status (row) == q->status)
        return TRUE;
    }

  return FALSE;
}

static gboolean
history_has_samples (gpointer data)
{
  return wire_rate_history_get_n_samples (WIRE_RATE_HISTORY (data)) >= 2;
}

static gboolean
composer_done (gpointer data)
{
  const char *result = wire_composer_get_result (WIRE_COMPOSER (data));

  return result != NULL && *result != '\0' && strstr (result, "…") == NULL;
}

static gboolean
composer_offers_chat (gpointer data)
{
  wire_composer_refresh (WIRE_COMPOSER (data));
  return wire_composer_select_channel (WIRE_COMPOSER (data), "chat:s1");
}

static void
test_page_live_connection (PageFixture   *fixture,
                           gconstpointer  data)
{
  WireComposer *composer;
  WireConnectionHeader *header;
  WireTimelineView *timeline;
  WireChannelList *channels;
  WireMessageRing *ring;
  RowQuery acked, delivered;

  header = WIRE_CONNECTION_HEADER (gtk_widget_get_template_child (GTK_WIDGET (fixture->page),
                                                                  WIRE_TYPE_CONNECTION_PAGE, "header"));
  composer = WIRE_COMPOSER (gtk_widget_get_template_child (GTK_WIDGET (fixture->page),
                                                           WIRE_TYPE_CONNECTION_PAGE, "composer"));
  timeline = WIRE_TIMELINE_VIEW (gtk_widget_get_template_child (GTK_WIDGET (fixture->page),
                                                                WIRE_TYPE_CONNECTION_PAGE, "timeline_view"));
  channels = WIRE_CHANNEL_LIST (gtk_widget_get_template_child (GTK_WIDGET (fixture->page),
                                                               WIRE_TYPE_CONNECTION_PAGE, "channel_list"));

  wire_connection_page_set_connection (fixture->page, fixture->connection);
  g_assert_true (wire_connection_page_get_connection (fixture->page) == fixture->connection);
  g_assert_cmpstr (wire_connection_header_get_state_text (header), ==, "Disconnected");

  /* The header's Connect button runs this action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "connection.connect", NULL));
  g_assert_true (wait_for (is_connected, fixture->connection));
  g_assert_cmpstr (wire_connection_header_get_state_text (header), ==, "Connected");
  g_assert_cmpuint (g_list_model_get_n_items (wire_timeline_view_get_model (timeline)), >=, 2);

  wire_channel_list_refresh (channels);
  g_assert_cmpuint (g_list_model_get_n_items (wire_channel_list_get_model (channels)), >=, 1);

  /* Explained before sending: empty, not JSON, not an object. */
  g_assert_true (wait_for (composer_offers_chat, composer));
  g_assert_true (wire_composer_select_event (composer, "user_message"));
  g_assert_false (wire_composer_can_send (composer));
  g_assert_nonnull (strstr (wire_composer_get_problem (composer), "empty"));
  wire_composer_set_payload (composer, "{\"text\": ");
  g_assert_false (wire_composer_can_send (composer));
  g_assert_nonnull (strstr (wire_composer_get_problem (composer), "JSON"));
  wire_composer_set_payload (composer, "[1, 2]");
  g_assert_false (wire_composer_can_send (composer));
  g_assert_nonnull (strstr (wire_composer_get_problem (composer), "object"));

  /* A real publish: acknowledged in the composer and on the log row; the assistant answers. */
  wire_composer_set_payload (composer, "{\"text\": \"Hello from the test\"}");
  g_assert_true (wire_composer_can_send (composer));
  wire_composer_send (composer);
  g_assert_true (wait_for (composer_done, composer));
  g_assert_nonnull (strstr (wire_composer_get_result (composer), "acknowledged"));

  ring = wire_message_tap_get_ring (wire_message_tap_get_for_connection (fixture->connection));
  acked = (RowQuery) { ring, WIRE_MESSAGE_OUT, WIRE_MESSAGE_STATUS_ACK };
  delivered = (RowQuery) { ring, WIRE_MESSAGE_IN, WIRE_MESSAGE_STATUS_DELIVERED };
  g_assert_true (wait_for (ring_has_row, &acked));
  g_assert_true (wait_for (ring_has_row, &delivered));

  /* The chart samples the connection once a second, into a history kept with it. */
  g_assert_true (wait_for (history_has_samples,
                           wire_rate_history_get_for_connection (fixture->connection)));

  /* Disconnect from the page's action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "connection.disconnect", NULL));
  g_assert_true (wait_for (is_disconnected, fixture->connection));
  g_assert_cmpstr (wire_connection_header_get_state_text (header), !=, "Connected");
}

static void
test_page_switches_connections (PageFixture   *fixture,
                                gconstpointer  data)
{
  WireConnectionHeader *header;

  header = WIRE_CONNECTION_HEADER (gtk_widget_get_template_child (GTK_WIDGET (fixture->page),
                                                                  WIRE_TYPE_CONNECTION_PAGE, "header"));

  wire_connection_page_set_connection (fixture->page, fixture->connection);
  wire_connection_connect (fixture->connection);
  g_assert_true (wait_for (is_connected, fixture->connection));
  g_assert_cmpstr (wire_connection_header_get_state_text (header), ==, "Connected");

  /* Away and back: the page lets go of the connection, then shows it again. */
  wire_connection_page_set_connection (fixture->page, NULL);
  g_assert_cmpstr (wire_connection_header_get_state_text (header), ==, "Disconnected");
  /* Without a connection the page's actions touch nothing. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "connection.disconnect", NULL);
  spin (100);
  g_assert_cmpint (wire_connection_get_state (fixture->connection), ==, WIRE_CONNECTION_CONNECTED);
  wire_connection_page_set_connection (fixture->page, fixture->connection);
  g_assert_cmpstr (wire_connection_header_get_state_text (header), ==, "Connected");
}

static gboolean
composer_offers_notifications (gpointer data)
{
  wire_composer_refresh (WIRE_COMPOSER (data));
  return wire_composer_select_channel (WIRE_COMPOSER (data), "notifications:user-1");
}

static void
test_page_refusals_explained (PageFixture   *fixture,
                              gconstpointer  data)
{
  WireComposer *composer;
  WireChannelList *channels;
  GtkWidget *entry, *button, *feedback;

  composer = WIRE_COMPOSER (gtk_widget_get_template_child (GTK_WIDGET (fixture->page),
                                                           WIRE_TYPE_CONNECTION_PAGE, "composer"));
  channels = WIRE_CHANNEL_LIST (gtk_widget_get_template_child (GTK_WIDGET (fixture->page),
                                                               WIRE_TYPE_CONNECTION_PAGE, "channel_list"));

  wire_connection_page_set_connection (fixture->page, fixture->connection);
  wire_connection_connect (fixture->connection);
  g_assert_true (wait_for (is_connected, fixture->connection));

  /* Notifications are read-only for clients: said before anything is sent, Send stays off. */
  g_assert_true (wait_for (composer_offers_notifications, composer));
  wire_composer_set_payload (composer, "{\"title\": \"hi\"}");
  g_assert_false (wire_composer_can_send (composer));
  g_assert_nonnull (strstr (wire_composer_get_problem (composer), "read-only"));
  wire_composer_send (composer);
  g_assert_cmpstr (wire_composer_get_result (composer), ==, "");

  /* Another user's channel: the local policy refuses the subscription, inline. */
  entry = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (channels), WIRE_TYPE_CHANNEL_LIST,
                                                     "channel_entry"));
  button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (channels), WIRE_TYPE_CHANNEL_LIST,
                                                      "subscribe_button"));
  feedback = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (channels), WIRE_TYPE_CHANNEL_LIST,
                                                        "feedback_label"));
  gtk_editable_set_text (GTK_EDITABLE (entry), "agent:someone-else");
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpstr (wire_channel_list_get_feedback (channels), !=, "");
  g_assert_true (gtk_widget_get_visible (feedback));
  g_assert_true (gtk_widget_has_css_class (feedback, "error"));
}

static void
skip_without_display (void)
{
  g_test_skip ("no display (run under xvfb-run)");
}

int
main (int   argc,
      char *argv[])
{
  gboolean have_display;

  g_test_init (&argc, &argv, NULL);

  have_display = gtk_init_check ();

  g_test_add_func ("/wire/ui/message-ring/wraps-at-capacity", test_ring_wraps_at_capacity);
  g_test_add_func ("/wire/ui/message-ring/coalesces-items-changed", test_ring_coalesces_items_changed);
  g_test_add_func ("/wire/ui/message-ring/wrap-signals", test_ring_wrap_signals);
  g_test_add_func ("/wire/ui/message-ring/pause-and-text-budget", test_ring_pause_and_text_budget);
  g_test_add_func ("/wire/ui/message-ring/ids-and-texts-model", test_ring_ids_and_texts_model);

  g_test_add_func ("/wire/ui/message-tap/statuses", test_tap_statuses);
  g_test_add_func ("/wire/ui/message-tap/default-capacity", test_tap_default_capacity);
  g_test_add_func ("/wire/ui/message-tap/feeds-recorder", test_tap_feeds_recorder);

  if (!have_display)
    {
      /* The ring needs no display; the widgets do: they are reported as skipped. */
      g_test_add_func ("/wire/ui/message-log/filters", skip_without_display);
      g_test_add_func ("/wire/ui/rate-chart/draws-samples", skip_without_display);
      g_test_add_func ("/wire/ui/queue-view/shows-depths", skip_without_display);
      g_test_add_func ("/wire/ui/connection-page/live-connection", skip_without_display);
      g_test_add_func ("/wire/ui/connection-page/switches-connections", skip_without_display);
      g_test_add_func ("/wire/ui/connection-page/refusals-explained", skip_without_display);
      return g_test_run ();
    }

  adw_init ();

  g_test_add_func ("/wire/ui/message-log/filters", test_log_filters);
  g_test_add_func ("/wire/ui/rate-chart/draws-samples", test_rate_chart_draws_samples);
  g_test_add_func ("/wire/ui/queue-view/shows-depths", test_queue_view_shows_depths);
  g_test_add ("/wire/ui/connection-page/live-connection", PageFixture, &chat_endpoint,
              page_fixture_set_up, test_page_live_connection, page_fixture_tear_down);
  g_test_add ("/wire/ui/connection-page/switches-connections", PageFixture, &chat_endpoint,
              page_fixture_set_up, test_page_switches_connections, page_fixture_tear_down);
  g_test_add ("/wire/ui/connection-page/refusals-explained", PageFixture, &notifications_endpoint,
              page_fixture_set_up, test_page_refusals_explained, page_fixture_tear_down);

  return g_test_run ();
}
