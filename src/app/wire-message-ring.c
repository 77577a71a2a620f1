#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-message-ring.h"

#define FLUSH_INTERVAL_MS 100
/* Status changes signalled one by one up to this many per flush; beyond, as one range. */
#define MAX_CHANGED_SIGNALS 32

#define NO_TEXT         G_MAXUINT32
#define ENTRY_HAS_ID    (1 << 0)
#define MIN_INDEX_SIZE  512u
#define MIN_IDS_SIZE    4096u
/* Id positions are renumbered from 0 before they could wrap around 32 bits. */
#define MAX_IDS_HEAD    (G_MAXUINT32 / 2)
/* Protocol ids are short; a longer one is not kept (nor found), so that ids stay compact. */
#define MAX_ID_LEN      1024
#define MIN_TEXTS_SIZE  16384u

/* One row in 40 bytes, without an allocation of its own: channel and event are numbers in the
 * ring's table of names, the id lives in the ring's id buffer and the frame text in its text
 * buffer (see below). A full ring costs about 80 bytes a row, ids, index and texts included. */
typedef struct
{
  gint64   time_ms;
  guint64  text_pos;    /* in the text arena, when text_len != NO_TEXT */
  guint32  text_len;
  guint32  size;
  guint32  id_pos;      /* in the id buffer, when ENTRY_HAS_ID */
  guint16  id_len;
  guint16  channel;     /* index into names, 0 = none */
  guint16  event;
  gint8    priority;
  guint8   direction;
  guint8   status;
  guint8   marks;
  guint8   flags;
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

  /* Channel and event names: interned strings, numbered from 1 in the order they came. */
  GPtrArray  *names;
  GHashTable *name_numbers;  /* interned name → number */
  const char *last_channel;  /* messages come in runs on one channel and event */
  guint16     last_channel_number;
  const char *last_event;
  guint16     last_event_number;

  /* Ids, NUL-terminated, one after the other in the order of their entries in a circular byte
   * buffer: entries leave oldest first, so the bytes of the oldest id are the first to be free
   * again. Positions are virtual (they only grow; the byte is at the position modulo the size),
   * head is where the next id goes, tail where the oldest is. */
  char       *ids;
  guint32     ids_size;
  guint32     ids_head;
  guint32     ids_tail;

  /* The id index, per direction: open addressing with linear probing over slot + 1 (0 = empty),
   * at most half full. Only the newest entry of an id is indexed. */
  guint32    *index;
  guint32     index_size;

  /* Frame texts in a circular byte buffer of at most text_budget bytes: a new text overwrites
   * the oldest, so past the budget the oldest texts are dropped first, at no cost. A text at
   * virtual position p is intact while texts_head - p <= texts_size. */
  char       *texts;
  gsize       texts_size;
  guint64     texts_head;
  gsize       text_budget;

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

/* ---- Names -------------------------------------------------------------------------------- */

static inline const char *
name_of (WireMessageRing *self,
         guint16          number)
{
  return number != 0 ? g_ptr_array_index (self->names, number) : NULL;
}

/* A run of messages on one channel costs a compare with the last name; a new name is interned.
 * Past 65 535 distinct names (a gateway inventing one per message) new ones are not kept. */
static inline guint16
name_number (WireMessageRing  *self,
             const char       *name,
             const char      **last,
             guint16          *last_number)
{
  const char *interned;
  guint number;

  if (name == NULL)
    return 0;
  if (*last != NULL && strcmp (name, *last) == 0)
    return *last_number;

  interned = g_intern_string (name);
  number = GPOINTER_TO_UINT (g_hash_table_lookup (self->name_numbers, interned));
  if (number == 0)
    {
      if (self->names->len > G_MAXUINT16)
        return 0;
      number = self->names->len;
      g_ptr_array_add (self->names, (gpointer) interned);
      g_hash_table_insert (self->name_numbers, (gpointer) interned, GUINT_TO_POINTER (number));
    }
  *last = interned;
  *last_number = (guint16) number;
  return *last_number;
}

/* ---- Ids ---------------------------------------------------------------------------------- */

static inline guint32
id_hash (const char *id,
         gsize       len)
{
  guint32 h = 2166136261u;  /* FNV-1a */

  for (gsize i = 0; i < len; i++)
    h = (h ^ (guchar) id[i]) * 16777619u;
  return h;
}

static inline const char *
entry_id (WireMessageRing *self,
          const Entry     *entry)
{
  return (entry->flags & ENTRY_HAS_ID) ? self->ids + entry->id_pos % self->ids_size : NULL;
}

static inline guint32
entry_hash (WireMessageRing *self,
            const Entry     *entry)
{
  return id_hash (entry_id (self, entry), entry->id_len);
}

/* Copies the ids of the live entries, oldest first, to the start of a buffer of @size bytes. */
static void
ids_repack (WireMessageRing *self,
            guint32          size)
{
  guint32 head = 0;
  char *ids;

  ids = g_malloc (size);
  for (guint64 seq = self->first_seq; seq < self->end_seq; seq++)
    {
      Entry *entry = entry_at (self, seq);

      if (entry->flags & ENTRY_HAS_ID)
        {
          memcpy (ids + head, entry_id (self, entry), entry->id_len + 1);
          entry->id_pos = head;
          head += entry->id_len + 1;
        }
    }
  g_free (self->ids);
  self->ids = ids;
  self->ids_size = size;
  self->ids_head = head;
  self->ids_tail = 0;
}

/* Stores a copy of @id, whose bytes stay put until its entry is cleared, at *@out_pos; FALSE
 * when the ids of the live rows would not fit in 2 GiB. */
static gboolean
ids_store (WireMessageRing *self,
           const char      *id,
           guint16          len,
           guint32         *out_pos)
{
  guint32 need = (guint32) len + 1;

  for (;;)
    {
      guint32 phys = self->ids_size > 0 ? self->ids_head % self->ids_size : 0;
      /* An id never wraps around the end of the buffer: the bytes before the end are skipped. */
      guint32 pad = phys + need > self->ids_size ? self->ids_size - phys : 0;

      if (self->ids_size != 0 && (self->ids_head - self->ids_tail) + pad + need <= self->ids_size
          && self->ids_head < MAX_IDS_HEAD)
        {
          guint32 pos = self->ids_head + pad;
          char *to = self->ids + pos % self->ids_size;

          memcpy (to, id, len);
          to[len] = '\0';
          self->ids_head = pos + need;
          *out_pos = pos;
          return TRUE;
        }
      /* An eighth more than needed, in pages: the ids of a full ring take little more than
       * their bytes, and ids of a steady length never need another copy. */
      {
        guint64 want = (guint64) (self->ids_head - self->ids_tail) + 2 * need;

        want = MAX (want + want / 8, MAX (self->ids_size, MIN_IDS_SIZE));
        want = (want + 4095) / 4096 * 4096;
        if (want > MAX_IDS_HEAD)
          return FALSE;
        ids_repack (self, (guint32) want);
      }
    }
}

static gssize
index_find (WireMessageRing      *self,
            WireMessageDirection  direction,
            const char           *id,
            gsize                 len,
            guint32               hash)
{
  guint32 mask = self->index_size - 1;

  if (self->index_size == 0)
    return -1;

  for (guint32 i = hash & mask; self->index[i] != 0; i = (i + 1) & mask)
    {
      const Entry *entry = &self->entries[self->index[i] - 1];

      if (entry->direction == direction && entry->id_len == len
          && memcmp (entry_id (self, entry), id, len) == 0)
        return i;
    }
  return -1;
}

/* Indexes the entry in @slot (it has an id), replacing an older entry with the same id. */
static void
index_insert (WireMessageRing *self,
              guint32          slot,
              guint32          hash)
{
  const Entry *entry = &self->entries[slot];
  guint32 mask = self->index_size - 1;
  guint32 i;

  for (i = hash & mask; self->index[i] != 0; i = (i + 1) & mask)
    {
      const Entry *other = &self->entries[self->index[i] - 1];

      if (other->direction == entry->direction && other->id_len == entry->id_len
          && memcmp (entry_id (self, other), entry_id (self, entry), entry->id_len) == 0)
        break;
    }
  self->index[i] = slot + 1;
}

/* Unindexes the entry in @slot if it is the indexed one for its id. Linear probing deletes by
 * moving later members of the cluster back, so that no lookup stops short of them. */
static void
index_remove (WireMessageRing *self,
              guint32          slot)
{
  const Entry *entry = &self->entries[slot];
  guint32 mask = self->index_size - 1;
  gssize found = index_find (self, entry->direction, entry_id (self, entry), entry->id_len,
                             entry_hash (self, entry));
  guint32 hole, j;

  if (found < 0 || self->index[found] != slot + 1)
    return;

  hole = (guint32) found;
  for (j = (hole + 1) & mask; self->index[j] != 0; j = (j + 1) & mask)
    {
      guint32 home = entry_hash (self, &self->entries[self->index[j] - 1]) & mask;

      /* The member at j may fill the hole unless its home lies cyclically in (hole, j]. */
      if (hole <= j ? (home > hole && home <= j) : (home > hole || home <= j))
        continue;
      self->index[hole] = self->index[j];
      hole = j;
    }
  self->index[hole] = 0;
}

/* Sized for every allocated entry at half load; rebuilt oldest first, so the newest entry of an
 * id is the one indexed. */
static void
index_rebuild (WireMessageRing *self)
{
  guint32 size = MIN_INDEX_SIZE;

  while (size < 2 * (guint64) self->n_allocated)
    size *= 2;
  g_free (self->index);
  self->index = g_new0 (guint32, size);
  self->index_size = size;
  for (guint64 seq = self->first_seq; seq < self->end_seq; seq++)
    if (entry_at (self, seq)->flags & ENTRY_HAS_ID)
      index_insert (self, (guint32) (seq % self->capacity),
                    entry_hash (self, entry_at (self, seq)));
}

/* ---- Texts -------------------------------------------------------------------------------- */

static inline gboolean
entry_has_text (WireMessageRing *self,
                const Entry     *entry)
{
  return entry->text_len != NO_TEXT && self->texts_head - entry->text_pos <= self->texts_size;
}

/* Moves the texts still intact into a buffer of @size bytes, the newest first as long as they
 * fit; the others are dropped. Virtual positions keep growing, so that no dropped text can look
 * intact again. */
static void
texts_repack (WireMessageRing *self,
              gsize            size)
{
  guint64 base, first_kept = self->end_seq;
  gsize total = 0;
  char *texts = size > 0 ? g_malloc (size) : NULL;

  for (guint64 seq = self->end_seq; seq > self->first_seq; seq--)
    {
      Entry *entry = entry_at (self, seq - 1);

      if (!entry_has_text (self, entry))
        entry->text_len = NO_TEXT;
      else if (total + entry->text_len <= size)
        {
          total += entry->text_len;
          first_kept = seq - 1;
        }
      else
        break;
    }
  for (guint64 seq = self->first_seq; seq < first_kept; seq++)
    entry_at (self, seq)->text_len = NO_TEXT;

  /* Start at a multiple of the size so that the texts lie in one piece from byte 0. */
  base = size > 0 ? (self->texts_head / size + 1) * size : self->texts_head;
  self->texts_head = base;
  for (guint64 seq = first_kept; seq < self->end_seq; seq++)
    {
      Entry *entry = entry_at (self, seq);

      if (entry->text_len == NO_TEXT)
        continue;
      if (entry->text_len == 0)
        {
          entry->text_pos = self->texts_head;
          continue;
        }
      memcpy (texts + (self->texts_head - base), self->texts + entry->text_pos % self->texts_size,
              entry->text_len);
      entry->text_pos = self->texts_head;
      self->texts_head += entry->text_len;
    }
  g_free (self->texts);
  self->texts = texts;
  self->texts_size = size;
}

static void
entry_set_text (WireMessageRing *self,
                Entry           *entry,
                const char      *text,
                gsize            len)
{
  gsize phys;

  entry->text_len = NO_TEXT;
  if (text == NULL || len > self->text_budget || len >= NO_TEXT)
    return;
  if (len == 0)
    {
      entry->text_pos = self->texts_head;
      entry->text_len = 0;
      return;
    }

  /* Grown up to the budget as texts come, so that a quiet connection costs little. */
  phys = self->texts_size > 0 ? self->texts_head % self->texts_size : 0;
  if (phys + len > self->texts_size && self->texts_size < self->text_budget)
    {
      gsize size = MAX (self->texts_size, MIN_TEXTS_SIZE);

      while (size < self->texts_size + len)
        size *= 2;
      texts_repack (self, MIN (size, self->text_budget));
      phys = self->texts_head % self->texts_size;
    }
  /* A text never wraps around the end of the buffer: the bytes before the end are skipped. */
  if (phys + len > self->texts_size)
    self->texts_head += self->texts_size - phys;

  memcpy (self->texts + self->texts_head % self->texts_size, text, len);
  entry->text_pos = self->texts_head;
  entry->text_len = (guint32) len;
  self->texts_head += len;
}

/* ---- Entries ------------------------------------------------------------------------------ */

static void
entry_clear (WireMessageRing *self,
             guint64          seq)
{
  Entry *entry = entry_at (self, seq);

  if (entry->flags & ENTRY_HAS_ID)
    {
      index_remove (self, (guint32) (seq % self->capacity));
      /* Entries go oldest first: the bytes up to the end of this id are free. */
      self->ids_tail = entry->id_pos + entry->id_len + 1;
    }
  memset (entry, 0, sizeof *entry);
  entry->text_len = NO_TEXT;
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
  return wire_message_row_new (seq, entry->time_ms, entry->direction,
                               name_of (self, entry->channel), name_of (self, entry->event),
                               entry->priority, entry->size, entry_id (self, entry),
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
  g_free (self->ids);
  g_free (self->index);
  g_free (self->texts);
  g_ptr_array_unref (self->names);
  g_hash_table_unref (self->name_numbers);
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
  self->names = g_ptr_array_new ();
  g_ptr_array_add (self->names, NULL);  /* number 0: no name */
  self->name_numbers = g_hash_table_new (g_direct_hash, g_direct_equal);
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

void
wire_message_ring_set_text_budget (WireMessageRing *self,
                                   gsize            bytes)
{
  g_return_if_fail (WIRE_IS_MESSAGE_RING (self));

  if (bytes == self->text_budget)
    return;
  self->text_budget = bytes;
  /* A larger budget is taken up as texts come; a smaller one drops the oldest texts now. */
  if (self->texts_size > bytes)
    texts_repack (self, bytes);
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
  gsize id_len;

  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), 0);
  g_return_val_if_fail (direction == WIRE_MESSAGE_IN || direction == WIRE_MESSAGE_OUT, 0);

  if (self->end_seq - self->first_seq == self->capacity)
    {
      entry_clear (self, self->first_seq);
      self->first_seq++;
    }

  seq = self->end_seq;
  if (seq % self->capacity >= self->n_allocated)
    {
      guint old = self->n_allocated;
      guint want = (guint) MIN ((guint64) self->capacity, MAX (seq % self->capacity + 1, 2 * (guint64) old));

      want = MAX (want, MIN (self->capacity, 256u));
      self->entries = g_renew (Entry, self->entries, want);
      memset (self->entries + old, 0, (want - old) * sizeof (Entry));
      self->n_allocated = want;
      if (2 * (guint64) want > self->index_size)
        index_rebuild (self);
    }
  entry = entry_at (self, seq);
  entry->time_ms = time_ms;
  entry->direction = direction;
  entry->channel = name_number (self, channel, &self->last_channel, &self->last_channel_number);
  entry->event = name_number (self, event, &self->last_event, &self->last_event_number);
  entry->priority = (gint8) CLAMP (priority, -1, G_MAXINT8);
  entry->size = size;
  entry->status = status;
  entry->marks = 0;
  entry->flags = 0;
  entry->text_len = NO_TEXT;

  if (id != NULL && (id_len = strlen (id)) <= MAX_ID_LEN
      && ids_store (self, id, (guint16) id_len, &entry->id_pos))
    {
      entry->id_len = (guint16) id_len;
      entry->flags |= ENTRY_HAS_ID;
      /* The index belongs to the newest entry with this id. */
      index_insert (self, (guint32) (seq % self->capacity), id_hash (id, id_len));
    }
  self->end_seq++;

  entry_set_text (self, entry, text, text_len);

  schedule_flush (self);

  return seq;
}

gboolean
wire_message_ring_find_id (WireMessageRing      *self,
                           WireMessageDirection  direction,
                           const char           *id,
                           guint64              *out_seq)
{
  gssize found;
  gsize len;

  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), FALSE);
  g_return_val_if_fail (direction == WIRE_MESSAGE_IN || direction == WIRE_MESSAGE_OUT, FALSE);

  if (id == NULL || (len = strlen (id)) > MAX_ID_LEN)
    return FALSE;

  found = index_find (self, direction, id, len, id_hash (id, len));
  if (found < 0)
    return FALSE;
  if (out_seq != NULL)
    {
      guint64 slot = self->index[found] - 1;

      /* Live entries are at most capacity apart: the slot says which one it is. */
      *out_seq = self->first_seq + (slot + self->capacity - self->first_seq % self->capacity)
                                   % self->capacity;
    }

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

  if (!entry_has_text (self, entry))
    return NULL;
  if (entry->text_len == 0)
    return g_strdup ("");
  return g_strndup (self->texts + entry->text_pos % self->texts_size, entry->text_len);
}

gboolean
wire_message_ring_set_text (WireMessageRing *self,
                            guint64          seq,
                            const char      *text,
                            gsize            text_len)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_RING (self), FALSE);

  if (!seq_is_live (self, seq))
    return FALSE;

  /* The new text goes where the newest texts are; the old bytes are overwritten in turn. */
  entry_set_text (self, entry_at (self, seq), text, text_len);

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
  schedule_flush (self);
}
