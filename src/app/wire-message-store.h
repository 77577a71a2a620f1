/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "wire-message-row.h"

G_BEGIN_DECLS

#define WIRE_MESSAGE_NO_TEXT      G_MAXUINT32
#define WIRE_MESSAGE_ENTRY_HAS_ID (1 << 0)

/* One row in 40 bytes, without an allocation of its own: channel and event are numbers in the
 * store's table of names, the id lives in the store's id buffer and the frame text in its text
 * buffer. A full store costs about 80 bytes a row, ids, index and texts included. */
typedef struct
{
  gint64   time_ms;
  guint64  text_pos;    /* in the text buffer, when text_len != WIRE_MESSAGE_NO_TEXT */
  guint32  text_len;
  guint32  size;
  guint32  id_pos;      /* in the id buffer, when WIRE_MESSAGE_ENTRY_HAS_ID */
  guint16  id_len;
  guint16  channel;     /* a number in names, 0 = none */
  guint16  event;
  gint8    priority;
  guint8   direction;
  guint8   status;
  guint8   marks;
  guint8   flags;
} WireMessageEntry;

/* The rows of a WireMessageRing: a fixed-capacity ring of entries (seq N in slot N % capacity,
 * live ones [first_seq, end_seq)), the channel and event names, the ids with their index, and
 * the frame texts within a byte budget. Plain storage, main thread only; the ring adds the list
 * model and the coalescing of its signals. Embedded by value, the fields are read directly. */
typedef struct
{
  WireMessageEntry *entries;
  guint             capacity;
  guint             n_allocated;  /* grows up to capacity: an idle connection costs little */
  guint64           first_seq;
  guint64           end_seq;

  /* Channel and event names: interned strings, numbered from 1 in the order they came. */
  GPtrArray        *names;
  GHashTable       *name_numbers;  /* interned name → number */
  const char       *last_channel;  /* messages come in runs on one channel and event */
  guint16           last_channel_number;
  const char       *last_event;
  guint16           last_event_number;

  /* Ids, NUL-terminated, one after the other in the order of their entries in a circular byte
   * buffer: entries leave oldest first, so the bytes of the oldest id are the first to be free
   * again. Positions are virtual (they only grow; the byte is at the position modulo the size),
   * head is where the next id goes, tail where the oldest is. */
  char             *ids;
  guint32           ids_size;
  guint32           ids_head;
  guint32           ids_tail;

  /* The id index, both directions: open addressing with linear probing over slot + 1
   * (0 = empty), at most half full. Only the newest entry of an id is indexed. */
  guint32          *index;
  guint32           index_size;

  /* Frame texts in a circular byte buffer of at most text_budget bytes: a new text overwrites
   * the oldest, so past the budget the oldest texts are dropped first, at no cost. A text at
   * virtual position p is intact while texts_head - p <= texts_size. */
  char             *texts;
  gsize             texts_size;
  guint64           texts_head;
  gsize             text_budget;
} WireMessageStore;

void              wire_message_store_init            (WireMessageStore     *self,
                                                      guint                 capacity,
                                                      gsize                 text_budget);
/* Frees what @self holds. */
void              wire_message_store_clear           (WireMessageStore     *self);

static inline gboolean
wire_message_store_is_live (const WireMessageStore *self,
                            guint64                 seq)
{
  return seq >= self->first_seq && seq < self->end_seq;
}

static inline WireMessageEntry *
wire_message_store_entry (const WireMessageStore *self,
                          guint64                 seq)
{
  return &self->entries[seq % self->capacity];
}

static inline const char *
wire_message_store_name (const WireMessageStore *self,
                         guint16                 number)
{
  return number != 0 ? g_ptr_array_index (self->names, number) : NULL;
}

static inline const char *
wire_message_store_id (const WireMessageStore *self,
                       const WireMessageEntry *entry)
{
  return (entry->flags & WIRE_MESSAGE_ENTRY_HAS_ID) ? self->ids + entry->id_pos % self->ids_size
                                                     : NULL;
}

/* Appends a row, the oldest going when the store is full; see wire_message_ring_append(). */
guint64           wire_message_store_append          (WireMessageStore     *self,
                                                      gint64                time_ms,
                                                      WireMessageDirection  direction,
                                                      const char           *channel,
                                                      const char           *event,
                                                      int                   priority,
                                                      guint                 size,
                                                      const char           *id,
                                                      const char           *text,
                                                      gsize                 text_len,
                                                      WireMessageStatus     status);
gboolean          wire_message_store_find_id         (WireMessageStore     *self,
                                                      WireMessageDirection  direction,
                                                      const char           *id,
                                                      guint64              *out_seq);
/* The text of the live row @seq, or NULL. */
char             *wire_message_store_dup_text        (WireMessageStore     *self,
                                                      guint64               seq);
/* Replaces the text of the live row @seq. */
void              wire_message_store_set_text        (WireMessageStore     *self,
                                                      guint64               seq,
                                                      const char           *text,
                                                      gsize                 text_len);
void              wire_message_store_set_text_budget (WireMessageStore     *self,
                                                      gsize                 bytes);
/* Drops every row; seqs go on growing. */
void              wire_message_store_drop_all        (WireMessageStore     *self);

G_END_DECLS
