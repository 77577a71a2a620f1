#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-message-store.h"

#define MIN_INDEX_SIZE  512u
#define MIN_IDS_SIZE    4096u
/* Id positions are renumbered from 0 before they could wrap around 32 bits. */
#define MAX_IDS_HEAD    (G_MAXUINT32 / 2)
/* Protocol ids are short; a longer one is not kept (nor found), so that ids stay compact. */
#define MAX_ID_LEN      1024
#define MIN_TEXTS_SIZE  16384u

/* ---- Names -------------------------------------------------------------------------------- */

/* A run of messages on one channel costs a compare with the last name; a new name is interned.
 * Past 65 535 distinct names (a gateway inventing one per message) new ones are not kept. */
static inline guint16
name_number (WireMessageStore *self,
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

static inline guint32
entry_hash (WireMessageStore       *self,
            const WireMessageEntry *entry)
{
  return id_hash (wire_message_store_id (self, entry), entry->id_len);
}

/* Copies the ids of the live entries, oldest first, to the start of a buffer of @size bytes. */
static void
ids_repack (WireMessageStore *self,
            guint32           size)
{
  guint32 head = 0;
  char *ids;

  ids = g_malloc (size);
  for (guint64 seq = self->first_seq; seq < self->end_seq; seq++)
    {
      WireMessageEntry *entry = wire_message_store_entry (self, seq);

      if (entry->flags & WIRE_MESSAGE_ENTRY_HAS_ID)
        {
          memcpy (ids + head, wire_message_store_id (self, entry), entry->id_len + 1);
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
ids_store (WireMessageStore *self,
           const char       *id,
           guint16           len,
           guint32          *out_pos)
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
index_find (WireMessageStore     *self,
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
      const WireMessageEntry *entry = &self->entries[self->index[i] - 1];

      if (entry->direction == direction && entry->id_len == len
          && memcmp (wire_message_store_id (self, entry), id, len) == 0)
        return i;
    }
  return -1;
}

/* Indexes the entry in @slot (it has an id), replacing an older entry with the same id. */
static void
index_insert (WireMessageStore *self,
              guint32           slot,
              guint32           hash)
{
  const WireMessageEntry *entry = &self->entries[slot];
  guint32 mask = self->index_size - 1;
  guint32 i;

  for (i = hash & mask; self->index[i] != 0; i = (i + 1) & mask)
    {
      const WireMessageEntry *other = &self->entries[self->index[i] - 1];

      if (other->direction == entry->direction && other->id_len == entry->id_len
          && memcmp (wire_message_store_id (self, other), wire_message_store_id (self, entry),
                     entry->id_len) == 0)
        break;
    }
  self->index[i] = slot + 1;
}

/* Unindexes the entry in @slot if it is the indexed one for its id. Linear probing deletes by
 * moving later members of the cluster back, so that no lookup stops short of them. */
static void
index_remove (WireMessageStore *self,
              guint32           slot)
{
  const WireMessageEntry *entry = &self->entries[slot];
  guint32 mask = self->index_size - 1;
  gssize found = index_find (self, entry->direction, wire_message_store_id (self, entry),
                             entry->id_len, entry_hash (self, entry));
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
index_rebuild (WireMessageStore *self)
{
  guint32 size = MIN_INDEX_SIZE;

  while (size < 2 * (guint64) self->n_allocated)
    size *= 2;
  g_free (self->index);
  self->index = g_new0 (guint32, size);
  self->index_size = size;
  for (guint64 seq = self->first_seq; seq < self->end_seq; seq++)
    if (wire_message_store_entry (self, seq)->flags & WIRE_MESSAGE_ENTRY_HAS_ID)
      index_insert (self, (guint32) (seq % self->capacity),
                    entry_hash (self, wire_message_store_entry (self, seq)));
}

/* ---- Texts -------------------------------------------------------------------------------- */

static inline gboolean
entry_has_text (WireMessageStore       *self,
                const WireMessageEntry *entry)
{
  return entry->text_len != WIRE_MESSAGE_NO_TEXT
         && self->texts_head - entry->text_pos <= self->texts_size;
}

/* Moves the texts still intact into a buffer of @size bytes, the newest first as long as they
 * fit; the others are dropped. Virtual positions keep growing, so that no dropped text can look
 * intact again. */
static void
texts_repack (WireMessageStore *self,
              gsize             size)
{
  guint64 base, first_kept = self->end_seq;
  gsize total = 0;
  char *texts = size > 0 ? g_malloc (size) : NULL;

  for (guint64 seq = self->end_seq; seq > self->first_seq; seq--)
    {
      WireMessageEntry *entry = wire_message_store_entry (self, seq - 1);

      if (!entry_has_text (self, entry))
        entry->text_len = WIRE_MESSAGE_NO_TEXT;
      else if (total + entry->text_len <= size)
        {
          total += entry->text_len;
          first_kept = seq - 1;
        }
      else
        break;
    }
  for (guint64 seq = self->first_seq; seq < first_kept; seq++)
    wire_message_store_entry (self, seq)->text_len = WIRE_MESSAGE_NO_TEXT;

  /* Start at a multiple of the size so that the texts lie in one piece from byte 0. */
  base = size > 0 ? (self->texts_head / size + 1) * size : self->texts_head;
  self->texts_head = base;
  for (guint64 seq = first_kept; seq < self->end_seq; seq++)
    {
      WireMessageEntry *entry = wire_message_store_entry (self, seq);

      if (entry->text_len == WIRE_MESSAGE_NO_TEXT)
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
entry_set_text (WireMessageStore *self,
                WireMessageEntry *entry,
                const char       *text,
                gsize             len)
{
  gsize phys;

  entry->text_len = WIRE_MESSAGE_NO_TEXT;
  if (text == NULL || len > self->text_budget || len >= WIRE_MESSAGE_NO_TEXT)
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
entry_clear (WireMessageStore *self,
             guint64           seq)
{
  WireMessageEntry *entry = wire_message_store_entry (self, seq);

  if (entry->flags & WIRE_MESSAGE_ENTRY_HAS_ID)
    {
      index_remove (self, (guint32) (seq % self->capacity));
      /* Entries go oldest first: the bytes up to the end of this id are free. */
      self->ids_tail = entry->id_pos + entry->id_len + 1;
    }
  memset (entry, 0, sizeof *entry);
  entry->text_len = WIRE_MESSAGE_NO_TEXT;
}

/* ---- The store ---------------------------------------------------------------------------- */

void
wire_message_store_init (WireMessageStore *self,
                         guint             capacity,
                         gsize             text_budget)
{
  memset (self, 0, sizeof *self);
  self->capacity = capacity;
  self->text_budget = text_budget;
  self->names = g_ptr_array_new ();
  g_ptr_array_add (self->names, NULL);  /* number 0: no name */
  self->name_numbers = g_hash_table_new (g_direct_hash, g_direct_equal);
}

void
wire_message_store_clear (WireMessageStore *self)
{
  /* Entries own nothing: the buffers hold all their bytes. */
  g_clear_pointer (&self->entries, g_free);
  g_clear_pointer (&self->ids, g_free);
  g_clear_pointer (&self->index, g_free);
  g_clear_pointer (&self->texts, g_free);
  g_clear_pointer (&self->names, g_ptr_array_unref);
  g_clear_pointer (&self->name_numbers, g_hash_table_unref);
}

guint64
wire_message_store_append (WireMessageStore     *self,
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
  WireMessageEntry *entry;
  guint64 seq;
  gsize id_len;

  if (self->end_seq - self->first_seq == self->capacity)
    {
      entry_clear (self, self->first_seq);
      self->first_seq++;
    }

  seq = self->end_seq;
  if (seq % self->capacity >= self->n_allocated)
    {
      guint old = self->n_allocated;
      guint want = (guint) MIN ((guint64) self->capacity,
                                MAX (seq % self->capacity + 1, 2 * (guint64) old));

      want = MAX (want, MIN (self->capacity, 256u));
      self->entries = g_renew (WireMessageEntry, self->entries, want);
      memset (self->entries + old, 0, (want - old) * sizeof (WireMessageEntry));
      self->n_allocated = want;
      if (2 * (guint64) want > self->index_size)
        index_rebuild (self);
    }
  entry = wire_message_store_entry (self, seq);
  entry->time_ms = time_ms;
  entry->direction = direction;
  entry->channel = name_number (self, channel, &self->last_channel, &self->last_channel_number);
  entry->event = name_number (self, event, &self->last_event, &self->last_event_number);
  entry->priority = (gint8) CLAMP (priority, -1, G_MAXINT8);
  entry->size = size;
  entry->status = status;
  entry->marks = 0;
  entry->flags = 0;
  entry->text_len = WIRE_MESSAGE_NO_TEXT;

  if (id != NULL && (id_len = strlen (id)) <= MAX_ID_LEN
      && ids_store (self, id, (guint16) id_len, &entry->id_pos))
    {
      entry->id_len = (guint16) id_len;
      entry->flags |= WIRE_MESSAGE_ENTRY_HAS_ID;
      /* The index belongs to the newest entry with this id. */
      index_insert (self, (guint32) (seq % self->capacity), id_hash (id, id_len));
    }
  self->end_seq++;

  entry_set_text (self, entry, text, text_len);

  return seq;
}

gboolean
wire_message_store_find_id (WireMessageStore     *self,
                            WireMessageDirection  direction,
                            const char           *id,
                            guint64              *out_seq)
{
  gssize found;
  gsize len;

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

char *
wire_message_store_dup_text (WireMessageStore *self,
                             guint64           seq)
{
  WireMessageEntry *entry;

  if (!wire_message_store_is_live (self, seq))
    return NULL;
  entry = wire_message_store_entry (self, seq);

  if (!entry_has_text (self, entry))
    return NULL;
  if (entry->text_len == 0)
    return g_strdup ("");
  return g_strndup (self->texts + entry->text_pos % self->texts_size, entry->text_len);
}

void
wire_message_store_set_text (WireMessageStore *self,
                             guint64           seq,
                             const char       *text,
                             gsize             text_len)
{
  /* The new text goes where the newest texts are; the old bytes are overwritten in turn. */
  if (wire_message_store_is_live (self, seq))
    entry_set_text (self, wire_message_store_entry (self, seq), text, text_len);
}

void
wire_message_store_set_text_budget (WireMessageStore *self,
                                    gsize             bytes)
{
  if (bytes == self->text_budget)
    return;
  self->text_budget = bytes;
  /* A larger budget is taken up as texts come; a smaller one drops the oldest texts now. */
  if (self->texts_size > bytes)
    texts_repack (self, bytes);
}

void
wire_message_store_drop_all (WireMessageStore *self)
{
  for (guint64 seq = self->first_seq; seq < self->end_seq; seq++)
    entry_clear (self, seq);
  self->first_seq = self->end_seq;
}
