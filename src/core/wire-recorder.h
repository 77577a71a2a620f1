/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "wire-connection.h"
#include "wire-manager.h"
#include "wire-network-monitor.h"

G_BEGIN_DECLS

/* The metrics recorder: per connection ("track"), a time series sampled once a second in a
 * bounded ring, the state timeline, and a bounded message log. The exporters (wire-export.h)
 * read a WireRecording, an immutable snapshot of it, on a worker thread.
 *
 * Typical use, app:      recorder = wire_recorder_ensure_for_manager (manager);
 * Typical use, CLI:      recorder = wire_recorder_new (0, 0);
 *                        wire_recorder_add_connection (recorder, connection);
 *                        wire_recorder_start (recorder);     // samples every second
 *                        ... later: wire_export_file_async (recorder, ...)
 * Tests and replays feed synthetic data with wire_recorder_add_track() and the push functions.
 *
 * Everything here is main-thread only except WireRecording, which is immutable and may be read
 * from any thread. Tokens never enter the recorder: message texts and URLs are redacted when
 * they are pushed (see wire_redact_text()). */

/* One per-second sample of one connection. Counters are cumulative since the track started;
 * rtt_ms is -1 when unknown. */
typedef struct
{
  gint64              time_ms;                          /* real time, ms since the epoch */
  WireConnectionState state;
  guint64             messages_in;
  guint64             messages_out;
  guint64             bytes_in;
  guint64             bytes_out;
  gint64              rtt_ms;
  guint               queue_depth[WIRE_N_PRIORITIES];   /* indexed by WirePriority */
  guint               in_flight;
  guint64             reconnects;
  guint64             errors;
  WireNetworkStatus   network;
} WireSample;

typedef enum
{
  WIRE_DIRECTION_IN,    /* received from the gateway */
  WIRE_DIRECTION_OUT,   /* sent by us */
} WireDirection;

/* One frame in the message log. Immutable and reference counted once pushed; @text is the whole
 * frame (redacted) and may be NULL to save memory. */
typedef struct
{
  gint64         time_ms;
  WireDirection  direction;
  char          *type;      /* frame "type", e.g. "message", "publish", "ack" */
  char          *id;        /* may be NULL */
  char          *channel;   /* may be NULL */
  char          *event;     /* may be NULL */
  WirePriority   priority;
  guint          size;      /* bytes on the wire */
  char          *status;    /* "ok", "duplicate", "failed" or NULL */
  char          *text;      /* may be NULL */
} WireMessageRecord;

/* A track's description. */
typedef struct
{
  char             *name;         /* e.g. "chat session-1" */
  char             *url;          /* redacted (no token query parameter) */
  WireEndpointKind  kind;
  char             *slot_id;      /* may be NULL */
  char             *user_id;      /* may be NULL */
  char             *connection_id;/* may be NULL */
  gint64            started_ms;   /* real time the track was created */
} WireTrackInfo;

/* ---- WireRecording: an immutable, thread-safe snapshot ---------------------------------- */

typedef struct _WireRecording WireRecording;
#define WIRE_TYPE_RECORDING (wire_recording_get_type ())
GType                    wire_recording_get_type          (void) G_GNUC_CONST;
WireRecording           *wire_recording_ref               (WireRecording *recording);
void                     wire_recording_unref             (WireRecording *recording);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WireRecording, wire_recording_unref)

guint                    wire_recording_get_n_tracks      (WireRecording *recording);
const WireTrackInfo     *wire_recording_get_track_info    (WireRecording *recording,
                                                           guint          track);
/* Samples oldest first. */
guint                    wire_recording_get_n_samples     (WireRecording *recording,
                                                           guint          track);
const WireSample        *wire_recording_get_sample        (WireRecording *recording,
                                                           guint          track,
                                                           guint          index);
/* The last sample of @track, or NULL when it has none. */
const WireSample        *wire_recording_get_last_sample   (WireRecording *recording,
                                                           guint          track);
guint                    wire_recording_get_n_transitions (WireRecording *recording,
                                                           guint          track);
const WireTransition    *wire_recording_get_transition    (WireRecording *recording,
                                                           guint          track,
                                                           guint          index);
guint                    wire_recording_get_n_messages    (WireRecording *recording,
                                                           guint          track);
const WireMessageRecord *wire_recording_get_message       (WireRecording *recording,
                                                           guint          track,
                                                           guint          index);
/* Sum over every track of samples + transitions + messages: the unit of export progress. */
guint64                  wire_recording_get_n_items       (WireRecording *recording);
/* When the snapshot was taken (real time, ms). */
gint64                   wire_recording_get_time_ms       (WireRecording *recording);

/* ---- WireRecorder ------------------------------------------------------------------------ */

#define WIRE_TYPE_RECORDER (wire_recorder_get_type ())
G_DECLARE_FINAL_TYPE (WireRecorder, wire_recorder, WIRE, RECORDER, GObject)

#define WIRE_RECORDER_DEFAULT_SAMPLES  3600     /* one hour at one sample a second */
#define WIRE_RECORDER_DEFAULT_MESSAGES 100000   /* the message-log-history default */
#define WIRE_RECORDER_DEFAULT_MESSAGE_BYTES (G_GUINT64_CONSTANT (64) * 1024 * 1024)

/* @sample_capacity: samples kept per track (0 = WIRE_RECORDER_DEFAULT_SAMPLES);
 * @message_capacity: messages kept per track (0 = WIRE_RECORDER_DEFAULT_MESSAGES). When a ring
 * is full the oldest entry goes. Properties: sample-capacity, message-capacity (read-write; a
 * smaller value trims at once), message-bytes (read-write: the most bytes of frame text a track
 * keeps, older messages go first; WIRE_RECORDER_DEFAULT_MESSAGE_BYTES), recording (boolean,
 * read-only: the 1 s timer runs), n-tracks.
 * Signals: track-added (guint track), sampled (): after each round of samples. */
WireRecorder     *wire_recorder_new                   (guint           sample_capacity,
                                                       guint           message_capacity);

/* The recorder attached to @manager (created on first call, kept as object data, lives as long
 * as the manager): it follows the manager's connections (items-changed) and samples them every
 * second from the first call. The app calls this once at start-up so that the export dialog
 * (wire_export_dialog_present) has data from the beginning. Returns a borrowed reference. */
WireRecorder     *wire_recorder_ensure_for_manager    (WireManager    *manager);

void              wire_recorder_set_sample_capacity   (WireRecorder   *self,
                                                       guint           capacity);
void              wire_recorder_set_message_capacity  (WireRecorder   *self,
                                                       guint           capacity);
void              wire_recorder_set_message_bytes     (WireRecorder   *self,
                                                       guint64         bytes);
guint64           wire_recorder_get_message_bytes     (WireRecorder   *self);
guint             wire_recorder_get_sample_capacity   (WireRecorder   *self);
guint             wire_recorder_get_message_capacity  (WireRecorder   *self);

/* Follows a live connection: its transition, frame, publish-sent signals are recorded into a
 * new track, and each sample round reads its metrics, queue depths and network monitor.
 * Returns the track index. A connection added twice keeps its first track. The recorder holds
 * a weak reference: a finalized connection's track stays, frozen. */
guint             wire_recorder_add_connection        (WireRecorder   *self,
                                                       WireConnection *connection);
/* For an object that listens to @connection's "frame" signal anyway (the app's message log): the
 * recorder stops listening to it, and the caller hands each frame over with
 * wire_recorder_push_frame(), so that a frame costs one signal handler, not two. Returns the
 * track that follows @connection, or -1 when none does. wire_recorder_release_frames() gives the
 * frames back to the recorder's own handler. */
int               wire_recorder_take_frames           (WireRecorder   *self,
                                                       WireConnection *connection);
void              wire_recorder_release_frames        (WireRecorder   *self,
                                                       WireConnection *connection);
/* Records a frame received on @track as the recorder's "frame" handler does (heartbeat acks are
 * left out), for the caller that took the track's frames; nothing once the track stopped
 * following its connection (wire_recorder_remove_connection(), or the connection went). */
void              wire_recorder_push_frame            (WireRecorder   *self,
                                                       guint           track,
                                                       WireEnvelope   *envelope);
/* Stops following @connection; its track and data stay for export. */
void              wire_recorder_remove_connection     (WireRecorder   *self,
                                                       WireConnection *connection);

/* Starts / stops the once-a-second sampling timer (on the thread-default main context). */
void              wire_recorder_start                 (WireRecorder   *self);
void              wire_recorder_stop                  (WireRecorder   *self);
gboolean          wire_recorder_get_recording         (WireRecorder   *self);
/* Takes one sample of every live connection now (what the timer does). */
void              wire_recorder_sample_now            (WireRecorder   *self);

/* Synthetic tracks (tests, replays, the CLI's file import). @url is redacted on the way in.
 * Returns the track index. */
guint             wire_recorder_add_track             (WireRecorder   *self,
                                                       const char     *name,
                                                       const char     *url,
                                                       WireEndpointKind kind);
void              wire_recorder_push_sample           (WireRecorder   *self,
                                                       guint           track,
                                                       const WireSample *sample);
void              wire_recorder_push_transition       (WireRecorder   *self,
                                                       guint           track,
                                                       const WireTransition *transition);
/* Copies @record (strings included); @record->text is redacted on the way in. */
void              wire_recorder_push_message          (WireRecorder   *self,
                                                       guint           track,
                                                       const WireMessageRecord *record);

guint             wire_recorder_get_n_tracks          (WireRecorder   *self);
/* The track index that follows @connection, or -1. */
int               wire_recorder_find_track            (WireRecorder   *self,
                                                       WireConnection *connection);

/* A snapshot of everything recorded so far. Cheap: samples are copied, message records are
 * shared by reference. Free with wire_recording_unref(). */
WireRecording    *wire_recorder_snapshot              (WireRecorder   *self);

/* Removes tokens from a frame text or URL: a JSON "token" / "accessToken" member's value,
 * token= / access_token= query parameters, an "Authorization: Bearer …" value and anything
 * shaped like a JWT (three base64url parts, the first starting "eyJ") become "[REDACTED]".
 * Returns a new string (a copy when there was nothing to redact); NULL for NULL. */
char             *wire_redact_text                    (const char     *text);

const char       *wire_direction_to_string            (WireDirection   direction);

G_END_DECLS
