#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-message-ring.h"

#define FLUSH_INTERVAL_MS 100
/* Status changes signalled one by one up to this many per flush; beyond, as one range. */
#define MAX_CHANGED_SIGNALS 32

/* About 48 bytes per entry: channel and event names are interned, so 100 000 rows cost a few
 * megabytes plus their ids. */
typedef struct
{
  gint64      time_ms;
  const char *channel;
  const char *event;
  char       *id;
  char       *text;
  guint32     size;
  guint32     text_len;
  gint8       priority;
  guint8      direction;
  guint8      status;
  guint8      marks;
} Entry;

struct _WireMessageRing
{
  GObject     parent_instance;

  Entry      *entries;
  guint       capacity;
  guint       n_allocated;  /* grows up to capacity: an idle connection costs little */

  /* Live entries are [first_seq, end_seq); the model reports [pub_first, pub_end). */
  guint64     first_seq;
  guint64     end_seq;
  guint64     pub_first;
  guint64     pub_end;
  /* Published seqs whose status changed since the last flush (sorted at flush). */
  GArray     *changed;

  GHashTable *ids[2];   /* id (owned by its entry) → seq, per direction */

  gsize       text_bytes;
  gsize       text_budget;
  guint64     text_tail;  /* entries before this have no text */

  /* The names of the last append: messages come in runs on one channel and event. */
  const char *last_channel;
  const char *last_event;

  guint       flush_id;
  gboolean    paused;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WireMessageRing, wire_message_ring, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static inline Entry *
entry_at (WireMessageRing *self,
          guint64          seq)
{
  return &self->entries[seq % self->capacity];
}

static inline gboolean
seq_is_live (WireMessageRing *self,
             guint64          seq)
{
  return seq >= self->first_seq && seq < self->end_seq;
}

/* The id index maps to a seq. Where a pointer holds 64 bits the seq is stored in it, which spares
 * an allocation per row; elsewhere it is boxed. */
#if GLIB_SIZEOF_VOID_P >= 8
#define SEQ_VALUE_FREE NULL

static inline gpointer
seq_value_new (guint64 seq)
{
  return GSIZE_TO_POINTER ((gsize) seq);
}

static inline guint64
seq_value_get (gconstpointer value)
{
  return (guint64) GPOINTER_TO_SIZE (value);
}
#else
#define SEQ_VALUE_FREE g_free

static inline gpointer
seq_value_new (guint64 seq)
{
  guint64 *p = g_new (guint64, 1);

  *p = seq;
  return p;
}

static inline guint64
seq_value_get (gconstpointer value)
{
  return *(const guint64 *) value;
}
#endif

static void
entry_drop_text (WireMessageRing *self,
                 Entry           *entry)
{
  if (entry->text == NULL)
    return;
  self->text_bytes -= entry->text_len;
  g_clear_pointer (&entry->text, g_free);
  entry->text_len = 0;
}

static void
entry_clear (WireMessageRing *self,
             guint64          seq)
{
  Entry *entry = entry_at (self, seq);

  if (entry->id != NULL)
    {
      GHashTable *ids = self->ids[entry->direction];
      gpointer value;

      /* Only the newest entry of an id is indexed; an older one leaves the index alone. */
      if (g_hash_table_lookup_extended (ids, entry->id, NULL, &value)
          && seq_value_get (value) == seq)
        g_hash_table_remove (ids, entry->id);
      g_clear_pointer (&entry->id, g_free);
    }
  entry_drop_text (self, entry);
  memset (entry, 0, sizeof *entry);
}

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

/* g_intern_string() takes a global lock and hashes; a compare with the last name is enough for
 * nearly every append. */
static inline const char *
intern_like (const char  *name,
             const char **last)
{
  if (name == NULL)
    return NULL;
  if (*last == NULL || strcmp (name, *last) != 0)
    *last = g_intern_string (name);
  return *last;
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
  Entry *entry;

  if (seq >= self->pub_end)
    return NULL;

  /* The ring wrapped past rows the view still shows (a paused view, or a burst larger than the
   * ring between two flushes): they are gone, say so rather than show another row's data. */
  if (!seq_is_live (self, seq))
    return wire_message_row_new (seq, 0, WIRE_MESSAGE_IN, NULL, NULL, -1, 0, NULL,
                                 WIRE_MESSAGE_STATUS_OVERWRITTEN);

  entry = entry_at (self, seq);
  return wire_message_row_new (seq, entry->time_ms, entry->direction, entry->channel,
                               entry->event, entry->priority, entry->size, entry->id,
                               entry->status);
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
  for (guint64 seq = self->first_seq; seq < self->end_seq; seq++)
    entry_clear (self, seq);
  g_free (self->entries);
  g_hash_table_unref (self->ids[0]);
  g_hash_table_unref (self->ids[1]);
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
  self->ids[0] = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, SEQ_VALUE_FREE);
  self->ids[1] = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, SEQ_VALUE_FREE);
  self->changed = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->text_budget = WIRE_MESSAGE_RING_DEFAULT_TEXT_BUDGET;
}

/**
 * wire_message_ring_new:
 * @capacity: rows kept; 0 means the default (100 000)
 */
WireMessageRing *
wire_message_ring_new (guint capacity)
{
  WireMessageRing *self = g_object_new (WIRE_TYPE_MESSAGE_RING, NULL);

  self->capacity = capacity > 0 ? capacity : WIRE_MESSAGE_RING_DEFAULT_CAPACITY;

  return self;
}

guint
wire_message_ring_get_capacity (WireMessageRing *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), 0);
  return self->capacity;
}

static void
enforce_text_budget (WireMessageRing *self)
{
  self->text_tail = MAX (self->text_tail, self->first_seq);
  while (self->text_bytes > self->text_budget && self->text_tail < self->end_seq)
    {
      entry_drop_text (self, entry_at (self, self->text_tail));
      self->text_tail++;
    }
}

void
wire_message_ring_set_text_budget (WireMessageRing *self,
                                   gsize            bytes)
{
  g_return_if_fail (WIRE_IS_MESSAGE_RING (self));

  self->text_budget = bytes;
  enforce_text_budget (self);
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
  Entry *entry;

  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), 0);
  g_return_val_if_fail (direction == WIRE_MESSAGE_IN || direction == WIRE_MESSAGE_OUT, 0);

  if (self->end_seq - self->first_seq == self->capacity)
    {
      entry_clear (self, self->first_seq);
      self->first_seq++;
    }

  seq = self->end_seq++;
  if (seq % self->capacity >= self->n_allocated)
    {
      guint old = self->n_allocated;
      guint want = (guint) MIN ((guint64) self->capacity, MAX (seq % self->capacity + 1, 2 * (guint64) old));

      want = MAX (want, MIN (self->capacity, 256u));
      self->entries = g_renew (Entry, self->entries, want);
      memset (self->entries + old, 0, (want - old) * sizeof (Entry));
      self->n_allocated = want;
    }
  entry = entry_at (self, seq);
  entry->time_ms = time_ms;
  entry->direction = direction;
  entry->channel = intern_like (channel, &self->last_channel);
  entry->event = intern_like (event, &self->last_event);
  entry->priority = (gint8) CLAMP (priority, -1, G_MAXINT8);
  entry->size = size;
  entry->status = status;
  entry->marks = 0;

  if (id != NULL)
    {
      entry->id = g_strdup (id);
      /* The key belongs to the newest entry with this id. */
      g_hash_table_replace (self->ids[direction], entry->id, seq_value_new (seq));
    }

  if (text != NULL && text_len <= self->text_budget && text_len < G_MAXUINT32)
    {
      entry->text = g_strndup (text, text_len);
      entry->text_len = (guint32) text_len;
      self->text_bytes += text_len;
    }
  enforce_text_budget (self);

  schedule_flush (self);

  return seq;
}

gboolean
wire_message_ring_find_id (WireMessageRing      *self,
                           WireMessageDirection  direction,
                           const char           *id,
                           guint64              *out_seq)
{
  gpointer value;

  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), FALSE);
  g_return_val_if_fail (direction == WIRE_MESSAGE_IN || direction == WIRE_MESSAGE_OUT, FALSE);

  if (id == NULL)
    return FALSE;

  if (!g_hash_table_lookup_extended (self->ids[direction], id, NULL, &value))
    return FALSE;
  if (out_seq != NULL)
    *out_seq = seq_value_get (value);

  return TRUE;
}

gboolean
wire_message_ring_set_status (WireMessageRing   *self,
                              guint64            seq,
                              WireMessageStatus  status)
{
  Entry *entry;

  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), FALSE);

  if (!seq_is_live (self, seq))
    return FALSE;

  entry = entry_at (self, seq);
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

  if (!seq_is_live (self, seq))
    return FALSE;
  if (out_status != NULL)
    *out_status = entry_at (self, seq)->status;

  return TRUE;
}

guint
wire_message_ring_get_marks (WireMessageRing *self,
                             guint64          seq)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), 0);

  return seq_is_live (self, seq) ? entry_at (self, seq)->marks : 0;
}

void
wire_message_ring_set_marks (WireMessageRing *self,
                             guint64          seq,
                             guint            marks)
{
  g_return_if_fail (WIRE_IS_MESSAGE_RING (self));

  if (seq_is_live (self, seq))
    entry_at (self, seq)->marks = (guint8) marks;
}

char *
wire_message_ring_dup_text (WireMessageRing *self,
                            guint64          seq)
{
  Entry *entry;

  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), NULL);

  if (!seq_is_live (self, seq))
    return NULL;
  entry = entry_at (self, seq);

  return entry->text != NULL ? g_strndup (entry->text, entry->text_len) : NULL;
}

gboolean
wire_message_ring_set_text (WireMessageRing *self,
                            guint64          seq,
                            const char      *text,
                            gsize            text_len)
{
  Entry *entry;

  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), FALSE);

  if (!seq_is_live (self, seq))
    return FALSE;

  entry = entry_at (self, seq);
  entry_drop_text (self, entry);
  if (text != NULL && text_len <= self->text_budget && text_len < G_MAXUINT32)
    {
      entry->text = g_strndup (text, text_len);
      entry->text_len = (guint32) text_len;
      self->text_bytes += text_len;
      /* An older entry may carry text again: the budget walks from its tail. */
      self->text_tail = MIN (self->text_tail, seq);
    }
  enforce_text_budget (self);

  return TRUE;
}

guint
wire_message_ring_get_n_live (WireMessageRing *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), 0);
  return (guint) (self->end_seq - self->first_seq);
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
  removed = (guint) (MIN (self->first_seq, old_end) - self->pub_first);
  kept = (guint) (old_end - MIN (self->first_seq, old_end));

  self->pub_first = MIN (self->first_seq, old_end);
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
  self->pub_first = self->first_seq;
  self->pub_end = MAX (self->pub_end, self->pub_first);

  g_array_sort (self->changed, compare_seq);
  for (guint i = 0; i < self->changed->len; i++)
    {
      guint64 seq = g_array_index (self->changed, guint64, i);

      if (seq >= self->first_seq && seq < old_end && seq != last)
        n_changed++;
      last = seq;
    }

  if (n_changed > MAX_CHANGED_SIGNALS)
    {
      /* Many scattered changes: one signal from the first of them to the end of the old rows. */
      guint64 first_changed = MAX (g_array_index (self->changed, guint64, 0), self->first_seq);

      pos = (guint) (first_changed - self->first_seq);
      if (kept > pos)
        g_list_model_items_changed (G_LIST_MODEL (self), pos, kept - pos, kept - pos);
    }
  else
    {
      last = G_MAXUINT64;
      for (guint i = 0; i < self->changed->len; i++)
        {
          guint64 seq = g_array_index (self->changed, guint64, i);

          if (seq >= self->first_seq && seq < old_end && seq != last)
            g_list_model_items_changed (G_LIST_MODEL (self), (guint) (seq - self->first_seq), 1, 1);
          last = seq;
        }
    }
  g_array_set_size (self->changed, 0);

  self->pub_end = self->end_seq;
  added = (guint) (self->pub_end - self->pub_first) - kept;
  if (added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), kept, 0, added);
}

void
wire_message_ring_clear (WireMessageRing *self)
{
  g_return_if_fail (WIRE_IS_MESSAGE_RING (self));

  for (guint64 seq = self->first_seq; seq < self->end_seq; seq++)
    entry_clear (self, seq);
  self->first_seq = self->end_seq;
  self->text_tail = self->end_seq;
  schedule_flush (self);
}
