#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-message-ring.h"
#include "wire-message-store.h"

#define FLUSH_INTERVAL_MS 100
/* Status changes signalled one by one up to this many per flush; beyond, as one range. */
#define MAX_CHANGED_SIGNALS 32

struct _WireMessageRing
{
  GObject           parent_instance;

  WireMessageStore  store;

  /* The model reports [pub_first, pub_end) of the store's seqs. */
  guint64           pub_first;
  guint64           pub_end;
  /* Published seqs whose status changed since the last flush (sorted at flush). */
  GArray           *changed;

  guint             flush_id;
  gboolean          paused;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WireMessageRing, wire_message_ring, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static gboolean
flush_cb (gpointer user_data)
{
  WireMessageRing *self = user_data;

  self->flush_id = 0;
  wire_message_ring_flush (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_flush (WireMessageRing *self)
{
  if (self->flush_id == 0 && !self->paused)
    self->flush_id = g_timeout_add (FLUSH_INTERVAL_MS, flush_cb, self);
}

static GType
wire_message_ring_get_item_type (GListModel *model)
{
  return WIRE_TYPE_MESSAGE_ROW;
}

static guint
wire_message_ring_get_n_items (GListModel *model)
{
  WireMessageRing *self = WIRE_MESSAGE_RING (model);

  return (guint) (self->pub_end - self->pub_first);
}

static gpointer
wire_message_ring_get_item (GListModel *model,
                            guint       position)
{
  WireMessageRing *self = WIRE_MESSAGE_RING (model);
  guint64 seq = self->pub_first + position;
  const WireMessageEntry *entry;

  if (seq >= self->pub_end)
    return NULL;

  /* The ring wrapped past rows the view still shows (a paused view, or a burst larger than the
   * ring between two flushes): they are gone, say so rather than show another row's data. */
  if (!wire_message_store_is_live (&self->store, seq))
    return wire_message_row_new (seq, 0, WIRE_MESSAGE_IN, NULL, NULL, -1, 0, NULL,
                                 WIRE_MESSAGE_STATUS_OVERWRITTEN);

  entry = wire_message_store_entry (&self->store, seq);
  return wire_message_row_new (seq, entry->time_ms, entry->direction,
                               wire_message_store_name (&self->store, entry->channel),
                               wire_message_store_name (&self->store, entry->event),
                               entry->priority, entry->size,
                               wire_message_store_id (&self->store, entry), entry->status);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = wire_message_ring_get_item_type;
  iface->get_n_items = wire_message_ring_get_n_items;
  iface->get_item = wire_message_ring_get_item;
}

static void
wire_message_ring_finalize (GObject *object)
{
  WireMessageRing *self = WIRE_MESSAGE_RING (object);

  g_clear_handle_id (&self->flush_id, g_source_remove);
  wire_message_store_clear (&self->store);
  g_array_unref (self->changed);

  G_OBJECT_CLASS (wire_message_ring_parent_class)->finalize (object);
}

static void
wire_message_ring_class_init (WireMessageRingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wire_message_ring_finalize;
}

static void
wire_message_ring_init (WireMessageRing *self)
{
  wire_message_store_init (&self->store, WIRE_MESSAGE_RING_DEFAULT_CAPACITY,
                           WIRE_MESSAGE_RING_DEFAULT_TEXT_BUDGET);
  self->changed = g_array_new (FALSE, FALSE, sizeof (guint64));
}

/**
 * wire_message_ring_new:
 * @capacity: rows kept; 0 means the default (100 000)
 */
WireMessageRing *
wire_message_ring_new (guint capacity)
{
  WireMessageRing *self = g_object_new (WIRE_TYPE_MESSAGE_RING, NULL);

  if (capacity > 0)
    self->store.capacity = capacity;

  return self;
}

guint
wire_message_ring_get_capacity (WireMessageRing *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), 0);
  return self->store.capacity;
}

void
wire_message_ring_set_text_budget (WireMessageRing *self,
                                   gsize            bytes)
{
  g_return_if_fail (WIRE_IS_MESSAGE_RING (self));

  wire_message_store_set_text_budget (&self->store, bytes);
}

guint64
wire_message_ring_append (WireMessageRing      *self,
                          gint64                time_ms,
                          WireMessageDirection  direction,
                          const char           *channel,
                          const char           *event,
                          int                   priority,
                          guint                 size,
                          const char           *id,
                          const char           *text,
                          gsize                 text_len,
                          WireMessageStatus     status)
{
  guint64 seq;

  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), 0);
  g_return_val_if_fail (direction == WIRE_MESSAGE_IN || direction == WIRE_MESSAGE_OUT, 0);

  seq = wire_message_store_append (&self->store, time_ms, direction, channel, event, priority,
                                   size, id, text, text_len, status);
  schedule_flush (self);

  return seq;
}

gboolean
wire_message_ring_find_id (WireMessageRing      *self,
                           WireMessageDirection  direction,
                           const char           *id,
                           guint64              *out_seq)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), FALSE);
  g_return_val_if_fail (direction == WIRE_MESSAGE_IN || direction == WIRE_MESSAGE_OUT, FALSE);

  return wire_message_store_find_id (&self->store, direction, id, out_seq);
}

gboolean
wire_message_ring_set_status (WireMessageRing   *self,
                              guint64            seq,
                              WireMessageStatus  status)
{
  WireMessageEntry *entry;

  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), FALSE);

  if (!wire_message_store_is_live (&self->store, seq))
    return FALSE;

  entry = wire_message_store_entry (&self->store, seq);
  if (entry->status == status)
    return TRUE;
  entry->status = status;

  if (seq >= self->pub_first && seq < self->pub_end)
    {
      /* Bounded even while paused: past the limit only the oldest change matters, since the
       * flush then signals one range from it to the end anyway. */
      if (self->changed->len >= 4 * MAX_CHANGED_SIGNALS)
        {
          guint64 oldest = seq;

          for (guint i = 0; i < self->changed->len; i++)
            oldest = MIN (oldest, g_array_index (self->changed, guint64, i));
          g_array_set_size (self->changed, MAX_CHANGED_SIGNALS + 1);
          for (guint i = 0; i <= MAX_CHANGED_SIGNALS; i++)
            g_array_index (self->changed, guint64, i) = oldest + i;
        }
      else
        g_array_append_val (self->changed, seq);
      schedule_flush (self);
    }

  return TRUE;
}

gboolean
wire_message_ring_get_status (WireMessageRing   *self,
                              guint64            seq,
                              WireMessageStatus *out_status)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), FALSE);

  if (!wire_message_store_is_live (&self->store, seq))
    return FALSE;
  if (out_status != NULL)
    *out_status = wire_message_store_entry (&self->store, seq)->status;

  return TRUE;
}

guint
wire_message_ring_get_marks (WireMessageRing *self,
                             guint64          seq)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), 0);

  if (!wire_message_store_is_live (&self->store, seq))
    return 0;
  return wire_message_store_entry (&self->store, seq)->marks;
}

void
wire_message_ring_set_marks (WireMessageRing *self,
                             guint64          seq,
                             guint            marks)
{
  g_return_if_fail (WIRE_IS_MESSAGE_RING (self));

  if (wire_message_store_is_live (&self->store, seq))
    wire_message_store_entry (&self->store, seq)->marks = (guint8) marks;
}

char *
wire_message_ring_dup_text (WireMessageRing *self,
                            guint64          seq)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), NULL);

  return wire_message_store_dup_text (&self->store, seq);
}

gboolean
wire_message_ring_set_text (WireMessageRing *self,
                            guint64          seq,
                            const char      *text,
                            gsize            text_len)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), FALSE);

  if (!wire_message_store_is_live (&self->store, seq))
    return FALSE;

  wire_message_store_set_text (&self->store, seq, text, text_len);

  return TRUE;
}

guint
wire_message_ring_get_n_live (WireMessageRing *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), 0);
  return (guint) (self->store.end_seq - self->store.first_seq);
}

void
wire_message_ring_set_paused (WireMessageRing *self,
                              gboolean         paused)
{
  g_return_if_fail (WIRE_IS_MESSAGE_RING (self));

  paused = !!paused;
  if (self->paused == paused)
    return;
  self->paused = paused;

  if (paused)
    g_clear_handle_id (&self->flush_id, g_source_remove);
  else
    wire_message_ring_flush (self);
}

gboolean
wire_message_ring_get_paused (WireMessageRing *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), FALSE);
  return self->paused;
}

static int
compare_seq (gconstpointer a,
             gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

void
wire_message_ring_flush (WireMessageRing *self)
{
  guint64 old_end, last = G_MAXUINT64;
  guint removed, kept, added, pos, n_changed = 0;

  g_return_if_fail (WIRE_IS_MESSAGE_RING (self));

  g_clear_handle_id (&self->flush_id, g_source_remove);
  if (self->paused)
    return;

  /* First the rows that fell off the front, then the rows whose status changed, then the new
   * rows: a bounded number of signals, whatever happened since the last flush. */
  old_end = self->pub_end;
  removed = (guint) (MIN (self->store.first_seq, old_end) - self->pub_first);
  kept = (guint) (old_end - MIN (self->store.first_seq, old_end));

  self->pub_first = MIN (self->store.first_seq, old_end);
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
  self->pub_first = self->store.first_seq;
  self->pub_end = MAX (self->pub_end, self->pub_first);

  g_array_sort (self->changed, compare_seq);
  for (guint i = 0; i < self->changed->len; i++)
    {
      guint64 seq = g_array_index (self->changed, guint64, i);

      if (seq >= self->store.first_seq && seq < old_end && seq != last)
        n_changed++;
      last = seq;
    }

  if (n_changed > MAX_CHANGED_SIGNALS)
    {
      /* Many scattered changes: one signal from the first of them to the end of the old rows. */
      guint64 first_changed = MAX (g_array_index (self->changed, guint64, 0),
                                   self->store.first_seq);

      pos = (guint) (first_changed - self->store.first_seq);
      if (kept > pos)
        g_list_model_items_changed (G_LIST_MODEL (self), pos, kept - pos, kept - pos);
    }
  else
    {
      last = G_MAXUINT64;
      for (guint i = 0; i < self->changed->len; i++)
        {
          guint64 seq = g_array_index (self->changed, guint64, i);

          if (seq >= self->store.first_seq && seq < old_end && seq != last)
            g_list_model_items_changed (G_LIST_MODEL (self), (guint) (seq - self->store.first_seq),
                                        1, 1);
          last = seq;
        }
    }
  g_array_set_size (self->changed, 0);

  self->pub_end = self->store.end_seq;
  added = (guint) (self->pub_end - self->pub_first) - kept;
  if (added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), kept, 0, added);
}

void
wire_message_ring_clear (WireMessageRing *self)
{
  g_return_if_fail (WIRE_IS_MESSAGE_RING (self));

  wire_message_store_drop_all (&self->store);
  schedule_flush (self);
}
