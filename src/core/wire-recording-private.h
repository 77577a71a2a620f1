/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-recorder.h"

G_BEGIN_DECLS

/* ---- Message log storage ------------------------------------------------------------------
 *
 * Messages live in fixed-size, reference-counted chunks that are only ever appended to. A
 * snapshot takes a reference on each chunk and remembers how many records it saw, so taking one
 * costs one reference count per chunk instead of one per message, and the worker thread that
 * exports it reads records the main thread never touches again (appends go past the snapshot's
 * count; eviction only drops the recorder's reference to a whole chunk). */

/* Small enough that a quiet connection costs little (a chunk is ~37 KiB), large enough that a
 * snapshot of a million messages takes ~2000 references. */
#define WIRE_MESSAGE_CHUNK_SIZE 512

typedef struct
{
  gatomicrefcount    ref_count;
  guint              len;                    /* records written; main thread only */
  WireMessageRecord  records[WIRE_MESSAGE_CHUNK_SIZE];
} WireMessageChunk;

/* One track of a snapshot. */
typedef struct
{
  WireTrackInfo  info;
  WireSample    *samples;
  guint          n_samples;
  GPtrArray     *transitions;   /* WireTransition */
  GPtrArray     *chunks;        /* WireMessageChunk, shared with the recorder */
  guint          message_head;  /* first record in chunks[0] */
  guint          n_messages;
} WireRecordingTrack;

struct _WireRecording
{
  gint64          time_ms;
  WireRecordingTrack *tracks;
  guint           n_tracks;
};

WireMessageChunk *wire_message_chunk_new    (void);
WireMessageChunk *wire_message_chunk_ref    (WireMessageChunk            *chunk);
void          wire_message_chunk_unref  (gpointer                 chunk);
gsize         wire_message_record_init  (WireMessageRecord       *record,
                                         const WireMessageRecord *from,
                                         const WireMessageRecord *previous,
                                         guint64                  max_text_bytes);
void          wire_track_info_clear     (WireTrackInfo           *info);
void          wire_track_info_copy      (WireTrackInfo           *to,
                                         const WireTrackInfo     *from);
/* An empty recording with @n_tracks zeroed tracks, for wire_recorder_snapshot() to fill. */
WireRecording *wire_recording_new       (guint                    n_tracks);

G_END_DECLS
