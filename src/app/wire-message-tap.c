#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-message-tap.h"

/* Marks on ring entries: which of the two incoming signals saw the entry. */
#define MARK_FRAME   (1 << 0)
#define MARK_MESSAGE (1 << 1)

#define MAX_REMEMBERED_PAYLOADS 1024

struct _WireMessageTap
{
  GObject           parent_instance;

  WireConnection   *connection;   /* weak: the connection owns the tap */
  WireMessageQueue *queue;
  WireMessageRing  *ring;
  GHashTable       *payloads;     /* publish id → payload JSON */
  gboolean          frames_seen;

  /* The recorder this tap hands its connection's frames to (wire_recorder_take_frames()). */
  WireRecorder     *recorder;
  guint             recorder_track;

  /* The last message frame given a row by frame_cb(), held so that its address cannot be
   * reused: the "message" signal that follows for the same envelope finds its row without a
   * lookup by id. */
  WireEnvelope     *last_frame;
  guint64           last_frame_seq;
};

G_DEFINE_FINAL_TYPE (WireMessageTap, wire_message_tap, G_TYPE_OBJECT)

static GQuark tap_quark;

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static const char *
row_event (WireEnvelope *envelope)
{
  /* A control frame has no event: its type says what it is. */
  return envelope->event != NULL ? envelope->event : envelope->type_name;
}

static guint64
append_incoming (WireMessageTap    *self,
                 WireEnvelope      *envelope,
                 WireMessageStatus  status)
{
  gsize len = 0;
  const char *text = wire_envelope_get_text (envelope, &len);

  return wire_message_ring_append (self->ring, now_ms (), WIRE_MESSAGE_IN, envelope->channel,
                                   row_event (envelope),
                                   envelope->has_priority ? (int) envelope->priority : -1,
                                   (guint) envelope->size, envelope->id, text, len, status);
}

static void
frame_cb (WireMessageTap *self,
          WireEnvelope   *envelope)
{
  guint64 seq;

  self->frames_seen = TRUE;
  g_clear_pointer (&self->last_frame, wire_envelope_unref);

  if (self->recorder != NULL)
    wire_recorder_push_frame (self->recorder, self->recorder_track, envelope);

  if (envelope->frame_type != WIRE_FRAME_MESSAGE)
    {
      append_incoming (self, envelope, WIRE_MESSAGE_STATUS_NONE);
      return;
    }

  /* The connection may emit "message" before or after "frame" for the same frame; an id whose
   * row only the message signal has seen is this frame, any other known id is a duplicate. */
  if (wire_message_ring_find_id (self->ring, WIRE_MESSAGE_IN, envelope->id, &seq))
    {
      guint marks = wire_message_ring_get_marks (self->ring, seq);

      if (!(marks & MARK_FRAME))
        {
          wire_message_ring_set_marks (self->ring, seq, marks | MARK_FRAME);
          return;
        }
      seq = append_incoming (self, envelope, WIRE_MESSAGE_STATUS_DUPLICATE);
      wire_message_ring_set_marks (self->ring, seq, MARK_FRAME | MARK_MESSAGE);
      return;
    }

  seq = append_incoming (self, envelope, WIRE_MESSAGE_STATUS_RECEIVED);
  wire_message_ring_set_marks (self->ring, seq, MARK_FRAME);
  self->last_frame = wire_envelope_ref (envelope);
  self->last_frame_seq = seq;
}

static void
message_cb (WireMessageTap *self,
            WireEnvelope   *envelope)
{
  guint64 seq;

  /* The usual case: the frame just seen, delivered (the same as below, minus the lookup). */
  if (envelope == self->last_frame && envelope->id != NULL)
    {
      g_clear_pointer (&self->last_frame, wire_envelope_unref);
      if (wire_message_ring_get_marks (self->ring, self->last_frame_seq) == MARK_FRAME)
        {
          wire_message_ring_set_marks (self->ring, self->last_frame_seq,
                                       MARK_FRAME | MARK_MESSAGE);
          wire_message_ring_set_status (self->ring, self->last_frame_seq,
                                        WIRE_MESSAGE_STATUS_DELIVERED);
          return;
        }
    }

  if (envelope->id != NULL
      && wire_message_ring_find_id (self->ring, WIRE_MESSAGE_IN, envelope->id, &seq))
    {
      guint marks = wire_message_ring_get_marks (self->ring, seq);

      if (!(marks & MARK_MESSAGE))
        {
          wire_message_ring_set_marks (self->ring, seq, marks | MARK_MESSAGE);
          wire_message_ring_set_status (self->ring, seq, WIRE_MESSAGE_STATUS_DELIVERED);
          return;
        }
    }
  else if (envelope->id == NULL && self->frames_seen)
    {
      /* Without an id the frame row cannot be found again; it is there already. */
      return;
    }

  seq = append_incoming (self, envelope, WIRE_MESSAGE_STATUS_DELIVERED);
  wire_message_ring_set_marks (self->ring, seq, MARK_MESSAGE);
}

static char *
outgoing_text (const char   *id,
               const char   *channel,
               const char   *event,
               WirePriority  priority,
               const char   *payload)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (payload == NULL)
    return NULL;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "publish");
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "channel");
  json_builder_add_string_value (builder, channel);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);
  json_builder_set_member_name (builder, "priority");
  json_builder_add_string_value (builder, wire_priority_to_string (priority));
  json_builder_set_member_name (builder, "payload");
  {
    JsonNode *node = json_from_string (payload, NULL);

    if (node != NULL)
      json_builder_add_value (builder, node);
    else
      json_builder_add_null_value (builder);
  }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

static void
sent_cb (WireMessageTap *self,
         const char     *id,
         const char     *channel,
         const char     *event,
         WirePriority    priority,
         guint           size)
{
  g_autofree char *text = outgoing_text (id, channel, event, priority,
                                         g_hash_table_lookup (self->payloads, id));

  wire_message_ring_append (self->ring, now_ms (), WIRE_MESSAGE_OUT, channel, event,
                            (int) priority, size, id, text, text != NULL ? strlen (text) : 0,
                            WIRE_MESSAGE_STATUS_SENT);
}

static void
completed_cb (WireMessageTap *self,
              const char     *id,
              const char     *status,
              GError         *error)
{
  WireMessageStatus row_status;
  guint64 seq;

  if (status == NULL)
    row_status = WIRE_MESSAGE_STATUS_FAILED;
  else if (g_str_equal (status, "duplicate"))
    row_status = WIRE_MESSAGE_STATUS_ACK_DUPLICATE;
  else
    row_status = WIRE_MESSAGE_STATUS_ACK;

  /* A publish refused before it was ever written has no row yet: it still gets one, so that
   * nothing the user sent disappears without a trace. */
  if (id != NULL && wire_message_ring_find_id (self->ring, WIRE_MESSAGE_OUT, id, &seq))
    wire_message_ring_set_status (self->ring, seq, row_status);
  else if (row_status == WIRE_MESSAGE_STATUS_FAILED)
    wire_message_ring_append (self->ring, now_ms (), WIRE_MESSAGE_OUT, NULL, NULL, -1, 0, id,
                              NULL, 0, row_status);

  if (id != NULL)
    g_hash_table_remove (self->payloads, id);
}

void
wire_message_tap_remember_payload (WireMessageTap *self,
                                   const char     *id,
                                   const char     *channel,
                                   const char     *event,
                                   WirePriority    priority,
                                   const char     *payload_json)
{
  guint64 seq;

  g_return_if_fail (WIRE_IS_MESSAGE_TAP (self));
  g_return_if_fail (id != NULL);

  /* The queue may have written the frame inside publish_async already. */
  if (wire_message_ring_find_id (self->ring, WIRE_MESSAGE_OUT, id, &seq))
    {
      g_autofree char *text = outgoing_text (id, channel, event, priority,
                                             payload_json != NULL ? payload_json : "{}");

      wire_message_ring_set_text (self->ring, seq, text, strlen (text));
      return;
    }

  /* Bounded: payloads of publishes that never complete must not pile up. */
  if (g_hash_table_size (self->payloads) >= MAX_REMEMBERED_PAYLOADS)
    g_hash_table_remove_all (self->payloads);
  g_hash_table_replace (self->payloads, g_strdup (id),
                        g_strdup (payload_json != NULL ? payload_json : "{}"));
}

WireMessageRing *
wire_message_tap_get_ring (WireMessageTap *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_TAP (self), NULL);
  return self->ring;
}

static void
wire_message_tap_dispose (GObject *object)
{
  WireMessageTap *self = WIRE_MESSAGE_TAP (object);

  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_data (self->queue, self);
  g_clear_object (&self->queue);
  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      if (self->recorder != NULL)
        wire_recorder_release_frames (self->recorder, self->connection);
      self->connection = NULL;
    }
  g_clear_object (&self->recorder);

  G_OBJECT_CLASS (wire_message_tap_parent_class)->dispose (object);
}

static void
wire_message_tap_finalize (GObject *object)
{
  WireMessageTap *self = WIRE_MESSAGE_TAP (object);

  g_clear_object (&self->ring);
  g_clear_pointer (&self->payloads, g_hash_table_unref);
  g_clear_pointer (&self->last_frame, wire_envelope_unref);

  G_OBJECT_CLASS (wire_message_tap_parent_class)->finalize (object);
}

static void
wire_message_tap_class_init (WireMessageTapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wire_message_tap_dispose;
  object_class->finalize = wire_message_tap_finalize;

  tap_quark = g_quark_from_static_string ("wire-message-tap");
}

static guint default_capacity = WIRE_MESSAGE_RING_DEFAULT_CAPACITY;
static WireRecorder *default_recorder;

void
wire_message_tap_set_recorder (WireRecorder *recorder)
{
  g_return_if_fail (recorder == NULL || WIRE_IS_RECORDER (recorder));

  g_set_weak_pointer (&default_recorder, recorder);
}

void
wire_message_tap_set_default_capacity (guint capacity)
{
  g_return_if_fail (capacity > 0);

  default_capacity = capacity;
}

guint
wire_message_tap_get_default_capacity (void)
{
  return default_capacity;
}

static void
wire_message_tap_init (WireMessageTap *self)
{
  self->ring = wire_message_ring_new (default_capacity);
  self->payloads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
tap_destroy (gpointer data)
{
  /* Disconnect from the connection while it is still alive (it is being disposed). */
  g_object_run_dispose (data);
  g_object_unref (data);
}

WireMessageTap *
wire_message_tap_get_for_connection (WireConnection *connection)
{
  WireMessageTap *self;

  g_return_val_if_fail (WIRE_IS_CONNECTION (connection), NULL);

  g_type_ensure (WIRE_TYPE_MESSAGE_TAP);
  self = g_object_get_qdata (G_OBJECT (connection), tap_quark);
  if (self != NULL)
    return self;

  self = g_object_new (WIRE_TYPE_MESSAGE_TAP, NULL);
  self->connection = connection;
  self->queue = g_object_ref (wire_connection_get_queue (connection));

  /* One handler per frame: the recorder's own is blocked while the tap hands frames on. */
  if (default_recorder != NULL)
    {
      int track = wire_recorder_take_frames (default_recorder, connection);

      if (track >= 0)
        {
          self->recorder = g_object_ref (default_recorder);
          self->recorder_track = (guint) track;
        }
    }

  /* The connection owns the tap (qdata): plain connections are enough on its side. */
  g_signal_connect_swapped (connection, "frame", G_CALLBACK (frame_cb), self);
  g_signal_connect_swapped (connection, "message", G_CALLBACK (message_cb), self);
  g_signal_connect_swapped (self->queue, "sent", G_CALLBACK (sent_cb), self);
  g_signal_connect_swapped (self->queue, "completed", G_CALLBACK (completed_cb), self);

  g_object_set_qdata_full (G_OBJECT (connection), tap_quark, self,
                           tap_destroy);

  return self;
}
