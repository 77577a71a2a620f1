/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "wire-message-row.h"

G_BEGIN_DECLS

#define WIRE_MESSAGE_RING_DEFAULT_CAPACITY    100000
#define WIRE_MESSAGE_RING_DEFAULT_TEXT_BUDGET (1024 * 1024)

#define WIRE_TYPE_MESSAGE_RING (wire_message_ring_get_type ())
G_DECLARE_FINAL_TYPE (WireMessageRing, wire_message_ring, WIRE, MESSAGE_RING, GObject)

/* A GListModel of WireMessageRow over a fixed-capacity ring of compact entries: once full, each
 * append overwrites the oldest entry, so memory stays flat. Rows are created on demand by
 * get_item. Appends and status changes take effect at once in the ring, but items-changed is
 * emitted at most once per flush interval (100 ms), so a burst of thousands of messages costs the
 * views one update. Frame texts (for the JSON view) are kept within a byte budget: past it, the
 * oldest texts are dropped first.
 *
 * Each entry has a sequence number (growing from 0); position = seq - first live seq. */
WireMessageRing *wire_message_ring_new            (guint                 capacity);
guint            wire_message_ring_get_capacity   (WireMessageRing      *self);
void             wire_message_ring_set_text_budget (WireMessageRing     *self,
                                                   gsize                 bytes);

/* @channel, @event, @id, @text may be NULL; @priority -1 when none. An id longer than 1024
 * bytes (no protocol id is) is not kept. Returns the seq. */
guint64          wire_message_ring_append         (WireMessageRing      *self,
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
/* The newest live entry of @direction with @id. */
gboolean         wire_message_ring_find_id        (WireMessageRing      *self,
                                                   WireMessageDirection  direction,
                                                   const char           *id,
                                                   guint64              *out_seq);
/* FALSE when @seq is no longer (or not yet) in the ring. */
gboolean         wire_message_ring_set_status     (WireMessageRing      *self,
                                                   guint64               seq,
                                                   WireMessageStatus     status);
gboolean         wire_message_ring_get_status     (WireMessageRing      *self,
                                                   guint64               seq,
                                                   WireMessageStatus    *out_status);
/* Free bits for the caller's bookkeeping on an entry (the log marks which signals it saw). */
guint            wire_message_ring_get_marks      (WireMessageRing      *self,
                                                   guint64               seq);
void             wire_message_ring_set_marks      (WireMessageRing      *self,
                                                   guint64               seq,
                                                   guint                 marks);
/* The frame text kept for @seq, or NULL (dropped by the budget, or gone). */
char            *wire_message_ring_dup_text       (WireMessageRing      *self,
                                                   guint64               seq);
/* Replaces the frame text kept for @seq (within the budget); FALSE when @seq is gone. */
gboolean         wire_message_ring_set_text       (WireMessageRing      *self,
                                                   guint64               seq,
                                                   const char           *text,
                                                   gsize                 text_len);
/* Entries in the ring now, published or not. */
guint            wire_message_ring_get_n_live     (WireMessageRing      *self);

/* While paused the model does not change (the view holds still); the ring keeps recording. */
void             wire_message_ring_set_paused     (WireMessageRing      *self,
                                                   gboolean              paused);
gboolean         wire_message_ring_get_paused     (WireMessageRing      *self);
/* Emits the pending items-changed now (unless paused). */
void             wire_message_ring_flush          (WireMessageRing      *self);
void             wire_message_ring_clear          (WireMessageRing      *self);

G_END_DECLS
