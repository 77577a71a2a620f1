#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* WireConnection's publishing: what is checked before a message is queued, and the glue that
 * lets the message queue write through the link and report to the connection's signals. */

#include "config.h"

#include <string.h>

#include "wire-connection-private.h"

static gboolean
check_publish (WireConnection *self,
               const char     *channel,
               const char     *event,
               const char     *payload_json,
               GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *frame = NULL;
  WireChannelEntry *entry;
  const char *p;

  if (!wire_channel_policy_can_publish (self->policy, channel, event, error))
    return FALSE;

  /* Asked for counts: a publish queued before the (re)connect goes out after the auth frame
   * has subscribed it. */
  if (!wire_str_ptr_array_contains (self->wanted, channel))
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_NOT_SUBSCRIBED,
                   "Not subscribed to “%s”: subscribe before publishing on it", channel);
      return FALSE;
    }

  entry = g_hash_table_lookup (self->channel_stats, channel);
  if (entry != NULL && entry->subscribed && entry->read_only)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_PUBLISH_DENIED,
                   "“%s” is subscribed read-only (an admin's inspection): publishing is not "
                   "allowed", channel);
      return FALSE;
    }

  if (payload_json != NULL)
    {
      if (!wire_json_validate (payload_json, strlen (payload_json), &local_error))
        {
          g_set_error (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME,
                       "The payload is not valid JSON: %s", local_error->message);
          return FALSE;
        }
      for (p = payload_json; g_ascii_isspace (*p); p++)
        ;
      if (*p != '{')
        {
          g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME,
                               "The payload must be a JSON object");
          return FALSE;
        }
    }

  /* The frame as it will be written, with an id of the longest generated shape. */
  frame = wire_frame_build_publish ("00000000-0000-0000-0000-000000000000", channel, event,
                                    WIRE_PRIORITY_NORMAL, payload_json);
  if ((gint64) strlen (frame) > self->max_message_bytes)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_TOO_LARGE,
                   "The message is %" G_GSIZE_FORMAT " bytes; the gateway accepts at most %"
                   G_GINT64_FORMAT, strlen (frame), self->max_message_bytes);
      return FALSE;
    }
  return TRUE;
}

static void
publish_enqueue_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  const char *status = NULL;

  if (!wire_message_queue_enqueue_finish (WIRE_MESSAGE_QUEUE (source), result, &status, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, (gpointer) status, NULL);
}

char *
wire_connection_publish_async (WireConnection      *self,
                               const char          *channel,
                               const char          *event,
                               WirePriority         priority,
                               const char          *payload_json,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  const char *id;

  g_return_val_if_fail (WIRE_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail (event != NULL, NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wire_connection_publish_async);

  if (!check_publish (self, channel, event, payload_json, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return NULL;
    }

  id = wire_message_queue_enqueue_async (self->queue, NULL, channel, event, priority,
                                         payload_json, cancellable, publish_enqueue_cb,
                                         g_object_ref (task));
  return g_strdup (id);
}

gboolean
wire_connection_publish_finish (WireConnection  *self,
                                GAsyncResult    *result,
                                const char     **out_status,
                                GError         **error)
{
  const char *status;

  g_return_val_if_fail (WIRE_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  status = g_task_propagate_pointer (G_TASK (result), error);
  if (out_status != NULL)
    *out_status = status;
  return status != NULL;
}

/* The message queue */

static gboolean
queue_send_cb (const char *id,
               const char *frame_text,
               gsize       frame_len,
               gpointer    user_data)
{
  WireConnection *self = user_data;

  if (self->state != WIRE_CONNECTION_CONNECTED ||
      !wire_connection_send_text (self, frame_text, frame_len))
    return FALSE;

  self->messages_sent++;
  self->last_activity_us = g_get_monotonic_time ();
  g_free (self->last_sent_id);
  self->last_sent_id = g_strdup (id);
  return TRUE;
}

static void
queue_sent_cb (WireMessageQueue *queue,
               const char       *id,
               const char       *channel,
               const char       *event,
               int               priority,
               guint             size,
               WireConnection   *self)
{
  if (channel != NULL)
    wire_connection_ensure_channel (self, channel)->messages_out++;
  g_signal_emit (self, wire_connection_signals[WIRE_CONNECTION_SIGNAL_PUBLISH_SENT], 0, id,
                 channel, event, priority, size);
}

static void
queue_completed_cb (WireMessageQueue *queue,
                    const char       *id,
                    const char       *status,
                    const GError     *error,
                    WireConnection   *self)
{
  g_signal_emit (self, wire_connection_signals[WIRE_CONNECTION_SIGNAL_PUBLISH_COMPLETED], 0, id,
                 status, error);
}

/* The queue writes through the link and reports to the connection's signals. */
void
wire_connection_setup_queue (WireConnection *self)
{
  self->queue = wire_message_queue_new (self->config);
  wire_message_queue_set_sender (self->queue, queue_send_cb, self);
  g_signal_connect (self->queue, "sent", G_CALLBACK (queue_sent_cb), self);
  g_signal_connect (self->queue, "completed", G_CALLBACK (queue_completed_cb), self);
}

