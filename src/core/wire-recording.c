#define G_LOG_DOMAIN "wire-recorder"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-recording-private.h"
#include "wire-redact.h"

WireMessageChunk *
wire_message_chunk_new (void)
{
  WireMessageChunk *chunk = g_malloc (sizeof (WireMessageChunk));

  g_atomic_ref_count_init (&chunk->ref_count);
  chunk->len = 0;
  return chunk;
}

WireMessageChunk *
wire_message_chunk_ref (WireMessageChunk *chunk)
{
  g_atomic_ref_count_inc (&chunk->ref_count);
  return chunk;
}

void
wire_message_chunk_unref (gpointer data)
{
  WireMessageChunk *chunk = data;

  if (!g_atomic_ref_count_dec (&chunk->ref_count))
    return;

  for (guint i = 0; i < chunk->len; i++)
    {
      WireMessageRecord *record = &chunk->records[i];

      /* type, channel, event and status are interned; id and text share one block (see
       * wire_message_record_init). */
      g_free (record->id != NULL ? record->id : record->text);
    }
  g_free (chunk);
}

/* The same few names come back in runs: a compare with the previous record's copy spares the
 * lock and the hash of g_intern_string() for nearly every message. */
static inline char *
intern_like (const char *value,
             const char *previous)
{
  if (value == NULL)
    return NULL;
  if (previous != NULL && strcmp (value, previous) == 0)
    return (char *) previous;
  return (char *) g_intern_string (value);
}

/* Frame type, channel, event and status are a small set of names repeated by every message:
 * they are interned (never freed) instead of copied four times per message. The id and the
 * (redacted) text are the message's own, in one block: the id first, then the text. @previous is
 * the record written before this one, or %NULL. A text longer than @max_text_bytes is left out.
 * Returns the bytes of the text kept. */
gsize
wire_message_record_init (WireMessageRecord       *record,
                          const WireMessageRecord *from,
                          const WireMessageRecord *previous,
                          guint64                  max_text_bytes)
{
  g_autofree char *redacted = NULL;
  const char *text = from->text;
  gsize id_size = from->id != NULL ? strlen (from->id) + 1 : 0;
  gsize text_size = 0;
  char *block = NULL;

  if (text != NULL && wire_redact_needed (text))
    text = redacted = wire_redact_text (text);
  if (text != NULL)
    text_size = strlen (text) + 1;
  if (text_size > 0 && text_size - 1 > max_text_bytes)
    {
      text = NULL;
      text_size = 0;
    }
  if (id_size + text_size > 0)
    block = g_malloc (id_size + text_size);

  record->time_ms = from->time_ms;
  record->direction = from->direction;
  record->type = intern_like (from->type, previous != NULL ? previous->type : NULL);
  record->id = from->id != NULL ? memcpy (block, from->id, id_size) : NULL;
  record->channel = intern_like (from->channel, previous != NULL ? previous->channel : NULL);
  record->event = intern_like (from->event, previous != NULL ? previous->event : NULL);
  record->priority = from->priority;
  record->size = from->size;
  record->status = intern_like (from->status, previous != NULL ? previous->status : NULL);
  record->text = text != NULL ? memcpy (block + id_size, text, text_size) : NULL;

  return text_size > 0 ? text_size - 1 : 0;
}

void
wire_track_info_clear (WireTrackInfo *info)
{
  g_clear_pointer (&info->name, g_free);
  g_clear_pointer (&info->url, g_free);
  g_clear_pointer (&info->slot_id, g_free);
  g_clear_pointer (&info->user_id, g_free);
  g_clear_pointer (&info->connection_id, g_free);
}

void
wire_track_info_copy (WireTrackInfo       *to,
                 const WireTrackInfo *from)
{
  *to = *from;
  to->name = g_strdup (from->name);
  to->url = g_strdup (from->url);
  to->slot_id = g_strdup (from->slot_id);
  to->user_id = g_strdup (from->user_id);
  to->connection_id = g_strdup (from->connection_id);
}

/* ---- WireRecording -------------------------------------------------------------------------- */



static void
wire_recording_free (gpointer data)
{
  WireRecording *recording = data;

  for (guint i = 0; i < recording->n_tracks; i++)
    {
      WireRecordingTrack *track = &recording->tracks[i];

      wire_track_info_clear (&track->info);
      g_free (track->samples);
      g_ptr_array_unref (track->transitions);
      g_ptr_array_unref (track->chunks);
    }
  g_free (recording->tracks);
}

WireRecording *
wire_recording_ref (WireRecording *recording)
{
  g_return_val_if_fail (recording != NULL, NULL);
  return g_atomic_rc_box_acquire (recording);
}

void
wire_recording_unref (WireRecording *recording)
{
  g_return_if_fail (recording != NULL);
  g_atomic_rc_box_release_full (recording, wire_recording_free);
}

G_DEFINE_BOXED_TYPE (WireRecording, wire_recording, wire_recording_ref, wire_recording_unref)

guint
wire_recording_get_n_tracks (WireRecording *recording)
{
  g_return_val_if_fail (recording != NULL, 0);
  return recording->n_tracks;
}

#define CHECK_TRACK(r, t, val) \
  g_return_val_if_fail ((r) != NULL, val); \
  g_return_val_if_fail ((t) < (r)->n_tracks, val)

const WireTrackInfo *
wire_recording_get_track_info (WireRecording *recording,
                               guint          track)
{
  CHECK_TRACK (recording, track, NULL);
  return &recording->tracks[track].info;
}

guint
wire_recording_get_n_samples (WireRecording *recording,
                              guint          track)
{
  CHECK_TRACK (recording, track, 0);
  return recording->tracks[track].n_samples;
}

const WireSample *
wire_recording_get_sample (WireRecording *recording,
                           guint          track,
                           guint          index)
{
  CHECK_TRACK (recording, track, NULL);
  g_return_val_if_fail (index < recording->tracks[track].n_samples, NULL);
  return &recording->tracks[track].samples[index];
}

const WireSample *
wire_recording_get_last_sample (WireRecording *recording,
                                guint          track)
{
  WireRecordingTrack *t;

  CHECK_TRACK (recording, track, NULL);
  t = &recording->tracks[track];
  return t->n_samples > 0 ? &t->samples[t->n_samples - 1] : NULL;
}

guint
wire_recording_get_n_transitions (WireRecording *recording,
                                  guint          track)
{
  CHECK_TRACK (recording, track, 0);
  return recording->tracks[track].transitions->len;
}

const WireTransition *
wire_recording_get_transition (WireRecording *recording,
                               guint          track,
                               guint          index)
{
  CHECK_TRACK (recording, track, NULL);
  g_return_val_if_fail (index < recording->tracks[track].transitions->len, NULL);
  return g_ptr_array_index (recording->tracks[track].transitions, index);
}

guint
wire_recording_get_n_messages (WireRecording *recording,
                               guint          track)
{
  CHECK_TRACK (recording, track, 0);
  return recording->tracks[track].n_messages;
}

const WireMessageRecord *
wire_recording_get_message (WireRecording *recording,
                            guint          track,
                            guint          index)
{
  WireRecordingTrack *t;
  WireMessageChunk *chunk;
  guint pos;

  CHECK_TRACK (recording, track, NULL);
  t = &recording->tracks[track];
  g_return_val_if_fail (index < t->n_messages, NULL);

  pos = t->message_head + index;
  chunk = g_ptr_array_index (t->chunks, pos / WIRE_MESSAGE_CHUNK_SIZE);
  return &chunk->records[pos % WIRE_MESSAGE_CHUNK_SIZE];
}

guint64
wire_recording_get_n_items (WireRecording *recording)
{
  guint64 n = 0;

  g_return_val_if_fail (recording != NULL, 0);

  for (guint i = 0; i < recording->n_tracks; i++)
    {
      WireRecordingTrack *t = &recording->tracks[i];

      n += t->n_samples + t->transitions->len + t->n_messages;
    }
  return n;
}

gint64
wire_recording_get_time_ms (WireRecording *recording)
{
  g_return_val_if_fail (recording != NULL, 0);
  return recording->time_ms;
}

WireRecording *
wire_recording_new (guint n_tracks)
{
  WireRecording *recording = g_atomic_rc_box_new0 (WireRecording);

  recording->time_ms = g_get_real_time () / 1000;
  recording->n_tracks = n_tracks;
  recording->tracks = g_new0 (WireRecordingTrack, MAX (n_tracks, 1));
  return recording;
}

const char *
wire_direction_to_string (WireDirection direction)
{
  return direction == WIRE_DIRECTION_OUT ? "out" : "in";
}
