#define G_LOG_DOMAIN "wire-recorder"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-recording-private.h"

#define TRANSITIONS_KEPT 1000

/* ---- WireRecorder --------------------------------------------------------------------------- */

typedef struct
{
  WireTrackInfo  info;
  GWeakRef       connection;
  gulong         transition_handler;
  gulong         frame_handler;
  gulong         sent_handler;
  gulong         completed_handler;
  GWeakRef       queue;

  /* Samples: a ring of capacity entries, oldest at sample_head. */
  WireSample    *samples;
  guint          sample_head;
  guint          n_samples;

  GPtrArray     *transitions;   /* WireTransition, oldest first, bounded */

  /* Messages: chunks oldest first; the oldest live record is chunks[0][message_head]. */
  GPtrArray     *chunks;
  guint          message_head;
  guint          n_messages;
  gsize          text_bytes;    /* of the live records' texts */

  /* wire_recorder_take_frames(): somebody else hands the frames over, frame_handler is
   * blocked. */
  gboolean       frames_taken;
} Track;

struct _WireRecorder
{
  GObject    parent_instance;

  GPtrArray *tracks;            /* Track */
  guint      sample_capacity;
  guint      message_capacity;
  guint64    message_bytes;
  GSource   *timer;
  GWeakRef   manager;
};

enum {
  PROP_0,
  PROP_SAMPLE_CAPACITY,
  PROP_MESSAGE_CAPACITY,
  PROP_MESSAGE_BYTES,
  PROP_RECORDING,
  PROP_N_TRACKS,
  N_PROPS
};

enum {
  SIGNAL_TRACK_ADDED,
  SIGNAL_SAMPLED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (WireRecorder, wire_recorder, G_TYPE_OBJECT)

static void
track_disconnect (Track *track)
{
  g_autoptr(WireConnection) connection = g_weak_ref_get (&track->connection);
  g_autoptr(GObject) queue = g_weak_ref_get (&track->queue);

  if (connection != NULL)
    {
      g_clear_signal_handler (&track->transition_handler, connection);
      g_clear_signal_handler (&track->frame_handler, connection);
    }
  if (queue != NULL)
    {
      g_clear_signal_handler (&track->sent_handler, queue);
      g_clear_signal_handler (&track->completed_handler, queue);
    }
  track->transition_handler = track->frame_handler = 0;
  track->frames_taken = FALSE;
  track->sent_handler = track->completed_handler = 0;
  g_weak_ref_set (&track->connection, NULL);
  g_weak_ref_set (&track->queue, NULL);
}

static void
track_free (gpointer data)
{
  Track *track = data;

  track_disconnect (track);
  g_weak_ref_clear (&track->connection);
  g_weak_ref_clear (&track->queue);
  wire_track_info_clear (&track->info);
  g_free (track->samples);
  g_ptr_array_unref (track->transitions);
  g_ptr_array_unref (track->chunks);
  g_free (track);
}

static Track *
get_track (WireRecorder *self,
           guint         index)
{
  g_return_val_if_fail (index < self->tracks->len, NULL);
  return g_ptr_array_index (self->tracks, index);
}

/* Rewrites a track's sample ring so that it starts at index 0 with the new capacity (the
 * oldest samples go first when shrinking). */
static void
track_resize_samples (Track *track,
                      guint  old_cap,
                      guint  new_cap)
{
  WireSample *samples = g_new0 (WireSample, new_cap);
  guint keep = MIN (track->n_samples, new_cap);
  guint skip = track->n_samples - keep;

  for (guint i = 0; i < keep; i++)
    samples[i] = track->samples[(track->sample_head + skip + i) % old_cap];
  g_free (track->samples);
  track->samples = samples;
  track->sample_head = 0;
  track->n_samples = keep;
}

/* Drops the oldest messages until at most @capacity remain and their texts hold at most
 * @max_bytes; a chunk goes once all its records are dropped (a snapshot that still holds it keeps
 * it alive). */
static void
track_trim_messages (Track   *track,
                     guint    capacity,
                     guint64  max_bytes)
{
  while (track->n_messages > capacity || (track->text_bytes > max_bytes && track->n_messages > 0))
    {
      WireMessageChunk *chunk = g_ptr_array_index (track->chunks, 0);
      const char *text = chunk->records[track->message_head].text;

      if (text != NULL)
        track->text_bytes -= strlen (text);
      track->message_head++;
      track->n_messages--;
      if (track->message_head == WIRE_MESSAGE_CHUNK_SIZE)
        {
          g_ptr_array_remove_index (track->chunks, 0);
          track->message_head = 0;
        }
    }
}

static void
wire_recorder_dispose (GObject *object)
{
  WireRecorder *self = WIRE_RECORDER (object);

  wire_recorder_stop (self);

  g_ptr_array_set_size (self->tracks, 0);

  G_OBJECT_CLASS (wire_recorder_parent_class)->dispose (object);
}

static void
wire_recorder_finalize (GObject *object)
{
  WireRecorder *self = WIRE_RECORDER (object);

  g_ptr_array_unref (self->tracks);
  g_weak_ref_clear (&self->manager);

  G_OBJECT_CLASS (wire_recorder_parent_class)->finalize (object);
}

static void
wire_recorder_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  WireRecorder *self = WIRE_RECORDER (object);

  switch (prop_id)
    {
    case PROP_SAMPLE_CAPACITY:
      g_value_set_uint (value, self->sample_capacity);
      break;
    case PROP_MESSAGE_CAPACITY:
      g_value_set_uint (value, self->message_capacity);
      break;
    case PROP_MESSAGE_BYTES:
      g_value_set_uint64 (value, self->message_bytes);
      break;
    case PROP_RECORDING:
      g_value_set_boolean (value, self->timer != NULL);
      break;
    case PROP_N_TRACKS:
      g_value_set_uint (value, self->tracks->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_recorder_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  WireRecorder *self = WIRE_RECORDER (object);

  switch (prop_id)
    {
    case PROP_SAMPLE_CAPACITY:
      wire_recorder_set_sample_capacity (self, g_value_get_uint (value));
      break;
    case PROP_MESSAGE_CAPACITY:
      wire_recorder_set_message_capacity (self, g_value_get_uint (value));
      break;
    case PROP_MESSAGE_BYTES:
      wire_recorder_set_message_bytes (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_recorder_class_init (WireRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wire_recorder_dispose;
  object_class->finalize = wire_recorder_finalize;
  object_class->get_property = wire_recorder_get_property;
  object_class->set_property = wire_recorder_set_property;

  properties[PROP_SAMPLE_CAPACITY] =
    g_param_spec_uint ("sample-capacity", NULL, NULL, 1, G_MAXUINT32 / 2,
                       WIRE_RECORDER_DEFAULT_SAMPLES,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MESSAGE_CAPACITY] =
    g_param_spec_uint ("message-capacity", NULL, NULL, 1, G_MAXUINT32 / 2,
                       WIRE_RECORDER_DEFAULT_MESSAGES,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MESSAGE_BYTES] =
    g_param_spec_uint64 ("message-bytes", NULL, NULL, 1, G_MAXUINT64,
                         WIRE_RECORDER_DEFAULT_MESSAGE_BYTES,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RECORDING] =
    g_param_spec_boolean ("recording", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_TRACKS] =
    g_param_spec_uint ("n-tracks", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_TRACK_ADDED] =
    g_signal_new ("track-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SIGNAL_SAMPLED] =
    g_signal_new ("sampled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
wire_recorder_init (WireRecorder *self)
{
  self->tracks = g_ptr_array_new_with_free_func (track_free);
  self->sample_capacity = WIRE_RECORDER_DEFAULT_SAMPLES;
  self->message_capacity = WIRE_RECORDER_DEFAULT_MESSAGES;
  self->message_bytes = WIRE_RECORDER_DEFAULT_MESSAGE_BYTES;
  g_weak_ref_init (&self->manager, NULL);
}

WireRecorder *
wire_recorder_new (guint sample_capacity,
                   guint message_capacity)
{
  return g_object_new (WIRE_TYPE_RECORDER,
                       "sample-capacity", sample_capacity ? sample_capacity : WIRE_RECORDER_DEFAULT_SAMPLES,
                       "message-capacity", message_capacity ? message_capacity : WIRE_RECORDER_DEFAULT_MESSAGES,
                       NULL);
}

void
wire_recorder_set_sample_capacity (WireRecorder *self,
                                   guint         capacity)
{
  g_return_if_fail (WIRE_IS_RECORDER (self));

  capacity = MAX (capacity, 1);
  if (capacity == self->sample_capacity)
    return;

  for (guint i = 0; i < self->tracks->len; i++)
    track_resize_samples (g_ptr_array_index (self->tracks, i), self->sample_capacity, capacity);
  self->sample_capacity = capacity;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAMPLE_CAPACITY]);
}

void
wire_recorder_set_message_capacity (WireRecorder *self,
                                    guint         capacity)
{
  g_return_if_fail (WIRE_IS_RECORDER (self));

  capacity = MAX (capacity, 1);
  if (capacity == self->message_capacity)
    return;

  for (guint i = 0; i < self->tracks->len; i++)
    track_trim_messages (g_ptr_array_index (self->tracks, i), capacity, self->message_bytes);
  self->message_capacity = capacity;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE_CAPACITY]);
}

void
wire_recorder_set_message_bytes (WireRecorder *self,
                                 guint64       bytes)
{
  g_return_if_fail (WIRE_IS_RECORDER (self));

  bytes = MAX (bytes, 1);
  if (bytes == self->message_bytes)
    return;

  for (guint i = 0; i < self->tracks->len; i++)
    track_trim_messages (g_ptr_array_index (self->tracks, i), self->message_capacity, bytes);
  self->message_bytes = bytes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE_BYTES]);
}

guint64
wire_recorder_get_message_bytes (WireRecorder *self)
{
  g_return_val_if_fail (WIRE_IS_RECORDER (self), 0);
  return self->message_bytes;
}

guint
wire_recorder_get_sample_capacity (WireRecorder *self)
{
  g_return_val_if_fail (WIRE_IS_RECORDER (self), 0);
  return self->sample_capacity;
}

guint
wire_recorder_get_message_capacity (WireRecorder *self)
{
  g_return_val_if_fail (WIRE_IS_RECORDER (self), 0);
  return self->message_capacity;
}

guint
wire_recorder_get_n_tracks (WireRecorder *self)
{
  g_return_val_if_fail (WIRE_IS_RECORDER (self), 0);
  return self->tracks->len;
}

static guint
add_track_internal (WireRecorder *self,
                    Track        *track)
{
  guint index;

  track->samples = g_new0 (WireSample, self->sample_capacity);
  track->chunks = g_ptr_array_new_with_free_func (wire_message_chunk_unref);
  track->transitions = g_ptr_array_new_with_free_func ((GDestroyNotify) wire_transition_free);
  if (track->info.started_ms == 0)
    track->info.started_ms = g_get_real_time () / 1000;

  g_ptr_array_add (self->tracks, track);
  index = self->tracks->len - 1;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TRACKS]);
  g_signal_emit (self, signals[SIGNAL_TRACK_ADDED], 0, index);
  return index;
}

guint
wire_recorder_add_track (WireRecorder     *self,
                         const char       *name,
                         const char       *url,
                         WireEndpointKind  kind)
{
  Track *track;

  g_return_val_if_fail (WIRE_IS_RECORDER (self), 0);

  track = g_new0 (Track, 1);
  g_weak_ref_init (&track->connection, NULL);
  g_weak_ref_init (&track->queue, NULL);
  track->info.name = g_strdup (name != NULL ? name : "connection");
  track->info.url = wire_redact_text (url);
  track->info.kind = kind;
  return add_track_internal (self, track);
}

void
wire_recorder_push_sample (WireRecorder     *self,
                           guint             track_index,
                           const WireSample *sample)
{
  Track *track;

  g_return_if_fail (WIRE_IS_RECORDER (self));
  g_return_if_fail (sample != NULL);

  track = get_track (self, track_index);
  if (track == NULL)
    return;

  if (track->n_samples < self->sample_capacity)
    {
      track->samples[(track->sample_head + track->n_samples) % self->sample_capacity] = *sample;
      track->n_samples++;
    }
  else
    {
      track->samples[track->sample_head] = *sample;
      track->sample_head = (track->sample_head + 1) % self->sample_capacity;
    }
}

void
wire_recorder_push_transition (WireRecorder         *self,
                               guint                 track_index,
                               const WireTransition *transition)
{
  Track *track;
  WireTransition *copy;

  g_return_if_fail (WIRE_IS_RECORDER (self));
  g_return_if_fail (transition != NULL);

  track = get_track (self, track_index);
  if (track == NULL)
    return;

  copy = wire_transition_copy (transition);
  if (copy->reason != NULL)
    {
      char *redacted = wire_redact_text (copy->reason);

      g_free (copy->reason);
      copy->reason = redacted;
    }

  if (track->transitions->len >= TRANSITIONS_KEPT)
    g_ptr_array_remove_index (track->transitions, 0);
  g_ptr_array_add (track->transitions, copy);
}

void
wire_recorder_push_message (WireRecorder            *self,
                            guint                    track_index,
                            const WireMessageRecord *record)
{
  Track *track;
  WireMessageChunk *chunk;

  g_return_if_fail (WIRE_IS_RECORDER (self));
  g_return_if_fail (record != NULL);

  track = get_track (self, track_index);
  if (track == NULL)
    return;

  if (track->chunks->len == 0 ||
      ((WireMessageChunk *) g_ptr_array_index (track->chunks, track->chunks->len - 1))->len == WIRE_MESSAGE_CHUNK_SIZE)
    g_ptr_array_add (track->chunks, wire_message_chunk_new ());

  chunk = g_ptr_array_index (track->chunks, track->chunks->len - 1);
  track->text_bytes += wire_message_record_init (&chunk->records[chunk->len], record,
                                                 chunk->len > 0 ? &chunk->records[chunk->len - 1]
                                                                : NULL,
                                                 self->message_bytes);
  chunk->len++;
  track->n_messages++;
  track_trim_messages (track, self->message_capacity, self->message_bytes);
}

/* ---- Following live connections ------------------------------------------------------------- */

static int
find_track_for (WireRecorder   *self,
                WireConnection *connection)
{
  for (guint i = 0; i < self->tracks->len; i++)
    {
      Track *track = g_ptr_array_index (self->tracks, i);
      g_autoptr(WireConnection) c = g_weak_ref_get (&track->connection);

      if (c == connection)
        return (int) i;
    }
  return -1;
}

int
wire_recorder_find_track (WireRecorder   *self,
                          WireConnection *connection)
{
  g_return_val_if_fail (WIRE_IS_RECORDER (self), -1);
  g_return_val_if_fail (WIRE_IS_CONNECTION (connection), -1);

  return find_track_for (self, connection);
}

/* What a signal handler needs to find its track without a search: the handlers are
 * disconnected when the recorder goes (dispose), so the recorder pointer stays valid. */
typedef struct
{
  WireRecorder *recorder;
  guint         index;
} TrackLink;

static void
track_link_free (gpointer data,
                 GClosure *closure)
{
  g_free (data);
}

static void
on_transition_cb (WireConnection *connection,
                  WireTransition *transition,
                  TrackLink      *link)
{
  if (transition != NULL)
    wire_recorder_push_transition (link->recorder, link->index, transition);
}

static void
push_frame (WireRecorder *self,
            guint         track_index,
            WireEnvelope *envelope)
{
  WireMessageRecord record = { 0 };
  gsize len = 0;

  /* Heartbeat acks would flood the log without telling anyone anything. */
  if (envelope->frame_type == WIRE_FRAME_HEARTBEAT_ACK)
    return;

  record.text = (char *) wire_envelope_get_text (envelope, &len);
  record.time_ms = g_get_real_time () / 1000;
  record.direction = WIRE_DIRECTION_IN;
  record.type = (char *) envelope->type_name;
  record.id = (char *) envelope->id;
  record.channel = (char *) envelope->channel;
  record.event = (char *) envelope->event;
  record.priority = envelope->has_priority ? envelope->priority : WIRE_PRIORITY_NORMAL;
  record.size = len;
  record.status = (char *) envelope->status;
  wire_recorder_push_message (self, track_index, &record);
}

static void
on_frame_cb (WireConnection *connection,
             WireEnvelope   *envelope,
             TrackLink      *link)
{
  if (envelope != NULL)
    push_frame (link->recorder, link->index, envelope);
}

void
wire_recorder_push_frame (WireRecorder *self,
                          guint         track,
                          WireEnvelope *envelope)
{
  Track *t;

  g_return_if_fail (WIRE_IS_RECORDER (self));
  g_return_if_fail (envelope != NULL);

  /* A track no longer following its connection records nothing more, as with its handler. */
  t = get_track (self, track);
  if (t != NULL && t->frames_taken)
    push_frame (self, track, envelope);
}

int
wire_recorder_take_frames (WireRecorder   *self,
                           WireConnection *connection)
{
  Track *track;
  int index;

  g_return_val_if_fail (WIRE_IS_RECORDER (self), -1);
  g_return_val_if_fail (WIRE_IS_CONNECTION (connection), -1);

  index = find_track_for (self, connection);
  if (index < 0)
    return -1;

  track = g_ptr_array_index (self->tracks, index);
  if (!track->frames_taken && track->frame_handler != 0)
    g_signal_handler_block (connection, track->frame_handler);
  track->frames_taken = TRUE;
  return index;
}

void
wire_recorder_release_frames (WireRecorder   *self,
                              WireConnection *connection)
{
  Track *track;
  int index;

  g_return_if_fail (WIRE_IS_RECORDER (self));
  g_return_if_fail (WIRE_IS_CONNECTION (connection));

  index = find_track_for (self, connection);
  if (index < 0)
    return;

  track = g_ptr_array_index (self->tracks, index);
  if (track->frames_taken && track->frame_handler != 0)
    g_signal_handler_unblock (connection, track->frame_handler);
  track->frames_taken = FALSE;
}

static void
on_sent_cb (GObject      *queue,
            const char   *id,
            const char   *channel,
            const char   *event,
            WirePriority  priority,
            guint         size,
            TrackLink    *link)
{
  WireMessageRecord record = { 0 };

  record.time_ms = g_get_real_time () / 1000;
  record.direction = WIRE_DIRECTION_OUT;
  record.type = (char *) "publish";
  record.id = (char *) id;
  record.channel = (char *) channel;
  record.event = (char *) event;
  record.priority = priority;
  record.size = size;
  /* The signal carries no frame; the queue still holds it while the message is in flight. */
  record.text = (char *) wire_message_queue_peek_frame (WIRE_MESSAGE_QUEUE (queue), id, NULL);
  wire_recorder_push_message (link->recorder, link->index, &record);
}

static gulong
connect_if_exists (gpointer      instance,
                   const char   *signal,
                   GCallback     callback,
                   WireRecorder *self,
                   guint         index)
{
  TrackLink *link;

  if (instance == NULL || g_signal_lookup (signal, G_OBJECT_TYPE (instance)) == 0)
    return 0;

  link = g_new0 (TrackLink, 1);
  link->recorder = self;
  link->index = index;
  return g_signal_connect_data (instance, signal, callback, link, track_link_free, 0);
}

static char *
connection_name (WireConnection *connection)
{
  const char *slot = wire_connection_get_slot_id (connection);
  const char *kind = wire_endpoint_kind_to_string (wire_connection_get_kind (connection));

  if (slot != NULL)
    return g_strdup_printf ("%s %s", kind, slot);
  return g_strdup (kind);
}

guint
wire_recorder_add_connection (WireRecorder   *self,
                              WireConnection *connection)
{
  Track *track;
  WireMessageQueue *queue;
  int existing;

  g_return_val_if_fail (WIRE_IS_RECORDER (self), 0);
  g_return_val_if_fail (WIRE_IS_CONNECTION (connection), 0);

  existing = find_track_for (self, connection);
  if (existing >= 0)
    return existing;

  track = g_new0 (Track, 1);
  g_weak_ref_init (&track->connection, connection);
  g_weak_ref_init (&track->queue, NULL);
  track->info.name = connection_name (connection);
  track->info.url = wire_redact_text (wire_connection_get_url (connection));
  track->info.kind = wire_connection_get_kind (connection);
  track->info.slot_id = g_strdup (wire_connection_get_slot_id (connection));
  track->info.user_id = g_strdup (wire_connection_get_user_id (connection));

  /* add_track_internal() appends: this track's index is the current count. */
  track->transition_handler = connect_if_exists (connection, "transition",
                                                 G_CALLBACK (on_transition_cb), self,
                                                 self->tracks->len);
  track->frame_handler = connect_if_exists (connection, "frame", G_CALLBACK (on_frame_cb), self,
                                            self->tracks->len);

  queue = wire_connection_get_queue (connection);
  if (queue != NULL)
    {
      g_weak_ref_set (&track->queue, queue);
      track->sent_handler = connect_if_exists (queue, "sent", G_CALLBACK (on_sent_cb), self,
                                               self->tracks->len);
    }

  return add_track_internal (self, track);
}

void
wire_recorder_remove_connection (WireRecorder   *self,
                                 WireConnection *connection)
{
  int index;

  g_return_if_fail (WIRE_IS_RECORDER (self));
  g_return_if_fail (WIRE_IS_CONNECTION (connection));

  index = find_track_for (self, connection);
  if (index >= 0)
    track_disconnect (g_ptr_array_index (self->tracks, index));
}

static WireNetworkStatus
connection_network_status (WireConnection *connection)
{
  g_autoptr(WireNetworkMonitor) monitor = NULL;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (connection), "network-monitor") == NULL)
    return WIRE_NETWORK_ONLINE;

  g_object_get (connection, "network-monitor", &monitor, NULL);
  return monitor != NULL ? wire_network_monitor_get_status (monitor) : WIRE_NETWORK_ONLINE;
}

static void
sample_track (WireRecorder *self,
              guint         index,
              gint64        now_ms)
{
  Track *track = g_ptr_array_index (self->tracks, index);
  g_autoptr(WireConnection) connection = g_weak_ref_get (&track->connection);
  WireMessageQueue *queue;
  WireMetrics metrics = { 0 };
  WireSample sample = { 0 };

  if (connection == NULL)
    return;

  wire_connection_get_metrics (connection, &metrics);
  queue = wire_connection_get_queue (connection);

  sample.time_ms = now_ms;
  sample.state = wire_connection_get_state (connection);
  sample.messages_in = metrics.messages_received;
  sample.messages_out = metrics.messages_sent;
  sample.bytes_in = metrics.bytes_received;
  sample.bytes_out = metrics.bytes_sent;
  sample.rtt_ms = metrics.rtt_last_ms;
  sample.reconnects = metrics.reconnects_total;
  sample.errors = metrics.errors;
  sample.network = connection_network_status (connection);
  if (queue != NULL)
    {
      for (guint p = 0; p < WIRE_N_PRIORITIES; p++)
        sample.queue_depth[p] = wire_message_queue_get_depth (queue, p);
      sample.in_flight = wire_message_queue_get_in_flight (queue);
    }

  /* The connection id and user arrive with auth_ok, after the track was made. */
  if (track->info.connection_id == NULL && wire_connection_get_connection_id (connection) != NULL)
    track->info.connection_id = g_strdup (wire_connection_get_connection_id (connection));
  if (track->info.user_id == NULL && wire_connection_get_user_id (connection) != NULL)
    track->info.user_id = g_strdup (wire_connection_get_user_id (connection));

  wire_recorder_push_sample (self, index, &sample);
}

void
wire_recorder_sample_now (WireRecorder *self)
{
  gint64 now_ms;

  g_return_if_fail (WIRE_IS_RECORDER (self));

  now_ms = g_get_real_time () / 1000;
  for (guint i = 0; i < self->tracks->len; i++)
    sample_track (self, i, now_ms);

  g_signal_emit (self, signals[SIGNAL_SAMPLED], 0);
}

static gboolean
timer_cb (gpointer user_data)
{
  wire_recorder_sample_now (WIRE_RECORDER (user_data));
  return G_SOURCE_CONTINUE;
}

void
wire_recorder_start (WireRecorder *self)
{
  g_return_if_fail (WIRE_IS_RECORDER (self));

  if (self->timer != NULL)
    return;

  self->timer = g_timeout_source_new (1000);
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_set_static_name (self->timer, "[wire-recorder] sample");
  g_source_attach (self->timer, g_main_context_get_thread_default ());
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
}

void
wire_recorder_stop (WireRecorder *self)
{
  g_return_if_fail (WIRE_IS_RECORDER (self));

  if (self->timer == NULL)
    return;

  g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
}

gboolean
wire_recorder_get_recording (WireRecorder *self)
{
  g_return_val_if_fail (WIRE_IS_RECORDER (self), FALSE);
  return self->timer != NULL;
}

/* ---- Following a manager -------------------------------------------------------------------- */

static void
on_items_changed_cb (GListModel   *model,
                     guint         position,
                     guint         removed,
                     guint         added,
                     WireRecorder *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(WireConnection) connection = g_list_model_get_item (model, i);

      if (WIRE_IS_CONNECTION (connection))
        wire_recorder_add_connection (self, connection);
    }
}

WireRecorder *
wire_recorder_ensure_for_manager (WireManager *manager)
{
  WireRecorder *self;

  g_return_val_if_fail (WIRE_IS_MANAGER (manager), NULL);

  self = g_object_get_data (G_OBJECT (manager), "wire-recorder");
  if (self != NULL)
    return self;

  self = wire_recorder_new (0, 0);
  g_object_set_data_full (G_OBJECT (manager), "wire-recorder", self, g_object_unref);

  if (G_IS_LIST_MODEL (manager))
    {
      GListModel *model = G_LIST_MODEL (manager);

      g_signal_connect_object (model, "items-changed", G_CALLBACK (on_items_changed_cb), self,
                               G_CONNECT_DEFAULT);
      on_items_changed_cb (model, 0, 0, g_list_model_get_n_items (model), self);
    }

  wire_recorder_start (self);
  return self;
}

/* ---- Snapshots ------------------------------------------------------------------------------ */

WireRecording *
wire_recorder_snapshot (WireRecorder *self)
{
  WireRecording *recording;

  g_return_val_if_fail (WIRE_IS_RECORDER (self), NULL);

  recording = wire_recording_new (self->tracks->len);

  for (guint i = 0; i < self->tracks->len; i++)
    {
      Track *track = g_ptr_array_index (self->tracks, i);
      WireRecordingTrack *rt = &recording->tracks[i];

      wire_track_info_copy (&rt->info, &track->info);

      rt->n_samples = track->n_samples;
      rt->samples = g_new (WireSample, MAX (track->n_samples, 1));
      for (guint s = 0; s < track->n_samples; s++)
        rt->samples[s] = track->samples[(track->sample_head + s) % self->sample_capacity];

      rt->transitions = g_ptr_array_new_full (track->transitions->len,
                                              (GDestroyNotify) wire_transition_free);
      for (guint t = 0; t < track->transitions->len; t++)
        g_ptr_array_add (rt->transitions,
                         wire_transition_copy (g_ptr_array_index (track->transitions, t)));

      rt->chunks = g_ptr_array_new_full (track->chunks->len, wire_message_chunk_unref);
      for (guint c = 0; c < track->chunks->len; c++)
        g_ptr_array_add (rt->chunks, wire_message_chunk_ref (g_ptr_array_index (track->chunks, c)));
      rt->message_head = track->message_head;
      rt->n_messages = track->n_messages;
    }

  return recording;
}
