#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* WireMessageQueue's sending side: per-channel pacing, picking the next message by strict
 * priority, writing it within the window, retrying what was not acknowledged in time, and the
 * one timer that wakes all of this up. */

#include "config.h"

#include "wire-message-queue-private.h"
#include "wire-error.h"

/* Retries */

/* A transmission was lost (no ack in time, or the write failed): try again after
 * retry-delay × retry-count, or give up after max-retries re-sends. */
void
wire_message_queue_schedule_retry (WireMessageQueue  *self,
                                   WireQueuedMessage *msg,
                                   const char        *why)
{
  wire_message_queue_unlink (self, msg);
  msg->retry_count++;
  if (msg->retry_count > self->max_retries)
    {
      wire_message_queue_fail (self, msg, WIRE_ERROR, WIRE_ERROR_RETRIES_EXHAUSTED,
                               "Message %s was not acknowledged after %u attempts (%s)", msg->id,
                               msg->retry_count, why);
      return;
    }

  wire_message_queue_bump_counter (self, &self->retries, WIRE_MESSAGE_QUEUE_PROP_RETRIES);
  msg->not_before_us =
    g_get_monotonic_time () + (gint64) self->retry_delay_ms * 1000 * msg->retry_count;
  msg->wait_epoch = self->epoch;
  wire_message_queue_insert_waiting (self, msg);
}

/* Pacing */

static gboolean
pacing_allows (WireMessageQueue  *self,
               WireQueuedMessage *msg,
               gint64             now_us,
               gint64            *out_wake_us)
{
  WireChannelPacing *p;
  gint64 retry_after_ms = 0;

  if (!self->pacing)
    return TRUE;

  p = g_hash_table_lookup (self->pacing_by_channel, msg->channel);
  if (p == NULL)
    {
      const WireChannelRule *rule;

      if (self->policy == NULL)
        self->policy = wire_channel_policy_new_default ();
      rule = wire_channel_policy_lookup (self->policy, msg->channel);

      p = g_new0 (WireChannelPacing, 1);
      p->limited = rule != NULL && rule->rate_per_sec > 0;
      if (p->limited)
        wire_token_bucket_init (&p->bucket, rule->rate_per_sec, MAX (rule->burst, 1.0), now_us);
      g_hash_table_insert (self->pacing_by_channel, g_strdup (msg->channel), p);
    }

  if (!p->limited || wire_token_bucket_take (&p->bucket, now_us, &retry_after_ms))
    return TRUE;

  *out_wake_us = now_us + MAX (retry_after_ms, 1) * 1000;
  return FALSE;
}

/* Sending */

static WireQueuedMessage *
pick (WireMessageQueue *self,
      gint64            now_us)
{
  self->pump_wake_us = -1;

  /* Strict priority: the highest class with a sendable head. A head that waits (retry delay,
   * rate limit, pacing) holds back its own class only. */
  for (guint c = 0; c < WIRE_N_PRIORITIES; c++)
    {
      WireQueuedMessage *head;
      gint64 wake = -1;

      if (self->waiting[c].head == NULL)
        continue;
      head = self->waiting[c].head->data;

      if (head->wait_epoch == self->epoch && head->not_before_us > now_us)
        wake = head->not_before_us;
      else if (pacing_allows (self, head, now_us, &wake))
        return head;

      if (self->pump_wake_us < 0 || wake < self->pump_wake_us)
        self->pump_wake_us = wake;
    }
  return NULL;
}

static void
send_one (WireMessageQueue  *self,
          WireQueuedMessage *msg,
          gint64             now_us)
{
  gboolean ok = FALSE;

  wire_message_queue_unlink (self, msg);
  msg->state = WIRE_QUEUED_IN_FLIGHT;
  msg->sent_us = now_us;
  g_queue_push_tail_link (&self->in_flight, &msg->link);
  wire_message_queue_notify (self, WIRE_MESSAGE_QUEUE_PROP_IN_FLIGHT);

  /* The sender may call back into the queue (an ack, going offline): hold the message. */
  wire_queued_message_ref (msg);
  if (self->send_func != NULL)
    ok = self->send_func (msg->id, msg->frame, msg->frame_len, self->send_data);

  if (ok)
    g_signal_emit (self, wire_message_queue_signals[WIRE_MESSAGE_QUEUE_SIGNAL_SENT], 0, msg->id,
                   msg->channel, msg->event,
                   msg->priority, (guint) msg->frame_len);
  else if (msg->state == WIRE_QUEUED_IN_FLIGHT)
    wire_message_queue_schedule_retry (self, msg, "the frame could not be written");
  wire_queued_message_unref (msg);
}

void
wire_message_queue_pump (WireMessageQueue *self)
{
  if (self->pumping)
    {
      self->pump_again = TRUE;
      return;
    }

  self->pumping = TRUE;
  do
    {
      gint64 now_us = g_get_monotonic_time ();

      self->pump_again = FALSE;
      self->pump_wake_us = -1;
      while (self->online && self->in_flight.length < self->window)
        {
          WireQueuedMessage *msg = pick (self, now_us);

          if (msg == NULL)
            break;
          send_one (self, msg, now_us);
        }
    }
  while (self->pump_again);
  self->pumping = FALSE;
}

/* Arms the timer for the earliest thing due. Moving a GSource's ready time wakes its main
 * context up (a write to an eventfd), so the timer only ever moves earlier here: a wake-up that
 * comes too early finds nothing due and re-arms for the real deadline. With a steady flow of
 * publishes and acks this touches the timer once per ack-timeout, not twice per message. */
void
wire_message_queue_reschedule (WireMessageQueue *self)
{
  gint64 wake = -1;
  gint64 armed;

  if (self->timer == NULL)
    return;

  if (g_atomic_int_get (&self->n_cancelled) > 0)
    wake = 0;
  if (self->online && self->in_flight.head != NULL)
    {
      WireQueuedMessage *oldest = self->in_flight.head->data;
      /* in_flight is in send order, so its head has the earliest deadline. */
      gint64 deadline = oldest->sent_us + (gint64) self->ack_timeout_ms * 1000;

      if (wake < 0 || deadline < wake)
        wake = deadline;
    }
  if (self->online && self->pump_wake_us >= 0 && (wake < 0 || self->pump_wake_us < wake))
    wake = self->pump_wake_us;

  if (wake < 0)
    return;
  armed = g_source_get_ready_time (self->timer);
  if (armed >= 0 && armed <= wake)
    return;
  g_source_set_ready_time (self->timer, wake);
}

/* The timer */

static void
process_cancelled (WireMessageQueue *self)
{
  g_autoptr (GPtrArray) cancelled = NULL;

  if (g_atomic_int_get (&self->n_cancelled) == 0)
    return;

  g_mutex_lock (&self->cancel_lock);
  cancelled = g_steal_pointer (&self->cancelled);
  self->cancelled = g_ptr_array_new_with_free_func (wire_queued_message_unref);
  g_atomic_int_set (&self->n_cancelled, 0);
  g_mutex_unlock (&self->cancel_lock);

  for (guint i = 0; i < cancelled->len; i++)
    {
      WireQueuedMessage *msg = g_ptr_array_index (cancelled, i);

      if (msg->state != WIRE_QUEUED_DONE)
        wire_message_queue_fail (self, msg, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 "Message %s was cancelled", msg->id);
    }
}

static gboolean
timer_cb (gpointer user_data)
{
  WireMessageQueue *self = user_data;
  gint64 now_us = g_get_monotonic_time ();
  gint64 timeout_us = (gint64) self->ack_timeout_ms * 1000;

  g_object_ref (self);

  process_cancelled (self);

  while (self->in_flight.head != NULL)
    {
      WireQueuedMessage *msg = self->in_flight.head->data;

      if (msg->sent_us + timeout_us > now_us)
        break;
      wire_message_queue_schedule_retry (self, msg, "no acknowledgement in time");
    }

  wire_message_queue_pump (self);
  wire_message_queue_reschedule (self);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs timer_funcs = {
  .dispatch = timer_dispatch,
};

/* The queue's one timer, not attached yet: the earliest ack deadline or retry/pacing wake-up. */
GSource *
wire_message_queue_timer_new (WireMessageQueue *self)
{
  GSource *timer = g_source_new (&timer_funcs, sizeof (GSource));

  g_source_set_static_name (timer, "WireMessageQueue");
  g_source_set_callback (timer, timer_cb, self, NULL);
  g_source_set_ready_time (timer, -1);
  return timer;
}
