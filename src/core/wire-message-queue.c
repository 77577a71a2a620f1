#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-message-queue.h"
#include "wire-core-enums.h"
#include "wire-channel-policy.h"
#include "wire-error.h"
#include "wire-frame-writer.h"
#include "wire-token-bucket.h"
#include "wire-property-private.h"

#define MAX_ID_LEN 128
#define DEFAULT_WINDOW 128
#define GENERATED_ID_SIZE 48   /* "m-" + 16 hex + "-" + up to 16 hex + NUL */

typedef enum
{
  MSG_WAITING,     /* in waiting[priority], sorted by seq */
  MSG_IN_FLIGHT,   /* in in_flight, sorted by send time */
  MSG_DONE,        /* completed; kept alive by a task or a caller on the stack */
} MsgState;

typedef struct
{
  /* Embedded list nodes: every move between lists is O(1) and allocates nothing. */
  GList link;       /* waiting[priority] or in_flight */
  GList all_link;   /* all, in enqueue order */
  gint ref_count;
  MsgState state;
  WirePriority priority;
  guint retry_count;
  guint wait_epoch;           /* not_before_us counts only while this equals the queue's epoch */
  guint64 seq;
  gint64 enqueued_us;
  gint64 sent_us;
  gint64 not_before_us;
  /* id, channel and event point into storage: one allocation per message. */
  char *id;
  char *channel;
  char *event;
  char *frame;
  gsize frame_len;
  GTask *task;                /* NULL when the caller gave no callback */
  GCancellable *cancellable;
  gulong cancel_id;
  WireMessageQueue *queue;    /* valid while the message is live */
  char storage[];
} QueuedMessage;

typedef struct
{
  gboolean limited;
  WireTokenBucket bucket;
} ChannelPacing;

struct _WireMessageQueue
{
  GObject parent_instance;

  WireConfig *config;
  guint capacity;
  WireOverflowPolicy overflow;
  guint max_retries;
  guint retry_delay_ms;
  guint ack_timeout_ms;
  guint window;
  gboolean pacing;

  GQueue waiting[WIRE_N_PRIORITIES];
  GQueue in_flight;
  GQueue all;
  GHashTable *by_id;   /* id (the message's own string) → QueuedMessage */

  guint64 next_seq;
  guint64 id_counter;
  char *id_prefix;

  gboolean online;
  guint epoch;
  WireQueueSendFunc send_func;
  gpointer send_data;

  /* One timer for the whole queue: the earliest ack deadline or retry/pacing wake-up. */
  GSource *timer;
  gint64 pump_wake_us;
  gboolean pumping;
  gboolean pump_again;

  GMutex cancel_lock;
  GPtrArray *cancelled;   /* QueuedMessage refs, filled by the cancellable handler */
  gint n_cancelled;       /* its length, readable without the lock */

  WireChannelPolicy *policy;
  GHashTable *pacing_by_channel;   /* channel → ChannelPacing */

  guint64 retries;
  guint64 failures;
  guint64 overflows;
  guint64 rate_limited;
};

G_DEFINE_FINAL_TYPE (WireMessageQueue, wire_message_queue, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_CONFIG,
  PROP_CAPACITY,
  PROP_OVERFLOW,
  PROP_MAX_RETRIES,
  PROP_RETRY_DELAY_MS,
  PROP_ACK_TIMEOUT_MS,
  PROP_WINDOW,
  PROP_PACING,
  PROP_ONLINE,
  PROP_DEPTH,
  PROP_DEPTH_CRITICAL,
  PROP_DEPTH_HIGH,
  PROP_DEPTH_NORMAL,
  PROP_DEPTH_LOW,
  PROP_IN_FLIGHT,
  PROP_RETRIES,
  PROP_FAILURES,
  PROP_OVERFLOWS,
  PROP_RATE_LIMITED,
  PROP_OLDEST_AGE_MS,
  N_PROPS
};

enum
{
  SIGNAL_COMPLETED,
  SIGNAL_SENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void pump (WireMessageQueue *self);
static void reschedule (WireMessageQueue *self);

/* Messages */

static QueuedMessage *
msg_ref (QueuedMessage *msg)
{
  g_atomic_int_inc (&msg->ref_count);
  return msg;
}

static void
msg_unref (gpointer data)
{
  QueuedMessage *msg = data;

  if (!g_atomic_int_dec_and_test (&msg->ref_count))
    return;

  g_assert (msg->cancel_id == 0);
  g_free (msg->frame);
  g_clear_object (&msg->cancellable);
  g_free (msg);
}

static void
notify_depth (WireMessageQueue *self,
              WirePriority      priority)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEPTH]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEPTH_CRITICAL + priority]);
}

static void
insert_waiting (WireMessageQueue *self,
                QueuedMessage    *msg)
{
  GQueue *q = &self->waiting[msg->priority];
  GList *l;

  /* Messages coming back (retry, rate limit, lost link) go before every newer message of their
   * class. They all have a lower seq than anything never sent, so the walk stops within the
   * few re-sends already waiting: O(window), never O(depth). */
  for (l = q->head; l != NULL && ((QueuedMessage *) l->data)->seq < msg->seq; l = l->next)
    ;
  if (l != NULL)
    g_queue_insert_before_link (q, l, &msg->link);
  else
    g_queue_push_tail_link (q, &msg->link);
  msg->state = MSG_WAITING;
  notify_depth (self, msg->priority);
}

static void
unlink_msg (WireMessageQueue *self,
            QueuedMessage    *msg)
{
  if (msg->state == MSG_WAITING)
    {
      g_queue_unlink (&self->waiting[msg->priority], &msg->link);
      notify_depth (self, msg->priority);
    }
  else if (msg->state == MSG_IN_FLIGHT)
    {
      g_queue_unlink (&self->in_flight, &msg->link);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IN_FLIGHT]);
    }
}

static void
bump_counter (WireMessageQueue *self,
              guint64          *counter,
              guint             prop)
{
  (*counter)++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* Reports the outcome of a message that is out of every list, exactly once: the completed
 * signal first, then the task. */
static void
report (WireMessageQueue *self,
        QueuedMessage    *msg,
        const char       *status,
        const GError     *error)
{
  msg->state = MSG_DONE;

  if (msg->cancel_id != 0)
    {
      g_cancellable_disconnect (msg->cancellable, msg->cancel_id);
      msg->cancel_id = 0;
    }

  if (error != NULL)
    bump_counter (self, &self->failures, PROP_FAILURES);

  g_signal_emit (self, signals[SIGNAL_COMPLETED], 0, msg->id, error ? NULL : status, error);

  if (msg->task != NULL)
    {
      GTask *task = g_steal_pointer (&msg->task);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, (gpointer) status, NULL);
      g_object_unref (task);
    }
}

/* Takes a live message out of the queue and reports its outcome. */
static void
complete (WireMessageQueue *self,
          QueuedMessage    *msg,
          const char       *status,
          const GError     *error)
{
  g_assert (msg->state != MSG_DONE);

  unlink_msg (self, msg);
  g_queue_unlink (&self->all, &msg->all_link);
  g_hash_table_remove (self->by_id, msg->id);
  msg->state = MSG_DONE;

  /* The queue's reference goes once the outcome has been reported. */
  report (self, msg, status, error);
  msg_unref (msg);
}

static void
fail (WireMessageQueue *self,
      QueuedMessage    *msg,
      GQuark            domain,
      int               code,
      const char       *format,
      ...) G_GNUC_PRINTF (5, 6);

static void
fail (WireMessageQueue *self,
      QueuedMessage    *msg,
      GQuark            domain,
      int               code,
      const char       *format,
      ...)
{
  g_autoptr (GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  if (msg->state == MSG_DONE)
    report (self, msg, NULL, error);   /* refused before it joined the queue */
  else
    complete (self, msg, NULL, error);
}

/* A transmission was lost (no ack in time, or the write failed): try again after
 * retry-delay × retry-count, or give up after max-retries re-sends. */
static void
schedule_retry (WireMessageQueue *self,
                QueuedMessage    *msg,
                const char       *why)
{
  unlink_msg (self, msg);
  msg->retry_count++;
  if (msg->retry_count > self->max_retries)
    {
      fail (self, msg, WIRE_ERROR, WIRE_ERROR_RETRIES_EXHAUSTED,
            "Message %s was not acknowledged after %u attempts (%s)", msg->id,
            msg->retry_count, why);
      return;
    }

  bump_counter (self, &self->retries, PROP_RETRIES);
  msg->not_before_us =
    g_get_monotonic_time () + (gint64) self->retry_delay_ms * 1000 * msg->retry_count;
  msg->wait_epoch = self->epoch;
  insert_waiting (self, msg);
}

/* Pacing */

static gboolean
pacing_allows (WireMessageQueue *self,
               QueuedMessage    *msg,
               gint64            now_us,
               gint64           *out_wake_us)
{
  ChannelPacing *p;
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

      p = g_new0 (ChannelPacing, 1);
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

static QueuedMessage *
pick (WireMessageQueue *self,
      gint64            now_us)
{
  self->pump_wake_us = -1;

  /* Strict priority: the highest class with a sendable head. A head that waits (retry delay,
   * rate limit, pacing) holds back its own class only. */
  for (guint c = 0; c < WIRE_N_PRIORITIES; c++)
    {
      QueuedMessage *head;
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
send_one (WireMessageQueue *self,
          QueuedMessage    *msg,
          gint64            now_us)
{
  gboolean ok = FALSE;

  unlink_msg (self, msg);
  msg->state = MSG_IN_FLIGHT;
  msg->sent_us = now_us;
  g_queue_push_tail_link (&self->in_flight, &msg->link);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IN_FLIGHT]);

  /* The sender may call back into the queue (an ack, going offline): hold the message. */
  msg_ref (msg);
  if (self->send_func != NULL)
    ok = self->send_func (msg->id, msg->frame, msg->frame_len, self->send_data);

  if (ok)
    g_signal_emit (self, signals[SIGNAL_SENT], 0, msg->id, msg->channel, msg->event,
                   msg->priority, (guint) msg->frame_len);
  else if (msg->state == MSG_IN_FLIGHT)
    schedule_retry (self, msg, "the frame could not be written");
  msg_unref (msg);
}

static void
pump (WireMessageQueue *self)
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
          QueuedMessage *msg = pick (self, now_us);

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
static void
reschedule (WireMessageQueue *self)
{
  gint64 wake = -1;
  gint64 armed;

  if (self->timer == NULL)
    return;

  if (g_atomic_int_get (&self->n_cancelled) > 0)
    wake = 0;
  if (self->online && self->in_flight.head != NULL)
    {
      QueuedMessage *oldest = self->in_flight.head->data;
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

static void
process_cancelled (WireMessageQueue *self)
{
  g_autoptr (GPtrArray) cancelled = NULL;

  if (g_atomic_int_get (&self->n_cancelled) == 0)
    return;

  g_mutex_lock (&self->cancel_lock);
  cancelled = g_steal_pointer (&self->cancelled);
  self->cancelled = g_ptr_array_new_with_free_func (msg_unref);
  g_atomic_int_set (&self->n_cancelled, 0);
  g_mutex_unlock (&self->cancel_lock);

  for (guint i = 0; i < cancelled->len; i++)
    {
      QueuedMessage *msg = g_ptr_array_index (cancelled, i);

      if (msg->state != MSG_DONE)
        fail (self, msg, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Message %s was cancelled", msg->id);
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
      QueuedMessage *msg = self->in_flight.head->data;

      if (msg->sent_us + timeout_us > now_us)
        break;
      schedule_retry (self, msg, "no acknowledgement in time");
    }

  pump (self);
  reschedule (self);
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

/* Called in whatever thread cancelled: only hand the message over to the queue's context. */
static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  QueuedMessage *msg = user_data;
  WireMessageQueue *self = msg->queue;

  g_mutex_lock (&self->cancel_lock);
  g_ptr_array_add (self->cancelled, msg_ref (msg));
  g_atomic_int_inc (&self->n_cancelled);
  g_source_set_ready_time (self->timer, 0);
  g_mutex_unlock (&self->cancel_lock);
}

/* GObject */

static void
wire_message_queue_constructed (GObject *object)
{
  WireMessageQueue *self = WIRE_MESSAGE_QUEUE (object);
  static const struct
  {
    const char *config_name;
    const char *queue_name;
  } map[] = {
    { "queue-capacity", "capacity" },
    { "overflow", "overflow" },
    { "max-retries", "max-retries" },
    { "retry-delay-ms", "retry-delay-ms" },
    { "ack-timeout-ms", "ack-timeout-ms" },
  };

  G_OBJECT_CLASS (wire_message_queue_parent_class)->constructed (object);

  if (self->config != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (map); i++)
      g_object_bind_property (self->config, map[i].config_name, self, map[i].queue_name,
                              G_BINDING_SYNC_CREATE);
}

static void
wire_message_queue_dispose (GObject *object)
{
  WireMessageQueue *self = WIRE_MESSAGE_QUEUE (object);

  if (self->all.head != NULL)
    {
      g_autoptr (GError) error =
        g_error_new_literal (WIRE_ERROR, WIRE_ERROR_CLOSED, "The message queue was destroyed");

      wire_message_queue_fail_all (self, error);
    }

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  g_clear_object (&self->config);

  G_OBJECT_CLASS (wire_message_queue_parent_class)->dispose (object);
}

static void
wire_message_queue_finalize (GObject *object)
{
  WireMessageQueue *self = WIRE_MESSAGE_QUEUE (object);

  g_clear_pointer (&self->cancelled, g_ptr_array_unref);
  g_mutex_clear (&self->cancel_lock);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->pacing_by_channel, g_hash_table_unref);
  g_clear_pointer (&self->policy, wire_channel_policy_free);
  g_free (self->id_prefix);

  G_OBJECT_CLASS (wire_message_queue_parent_class)->finalize (object);
}

static void
wire_message_queue_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  WireMessageQueue *self = WIRE_MESSAGE_QUEUE (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    case PROP_CAPACITY:
      g_value_set_uint (value, self->capacity);
      break;
    case PROP_OVERFLOW:
      g_value_set_enum (value, self->overflow);
      break;
    case PROP_MAX_RETRIES:
      g_value_set_uint (value, self->max_retries);
      break;
    case PROP_RETRY_DELAY_MS:
      g_value_set_uint (value, self->retry_delay_ms);
      break;
    case PROP_ACK_TIMEOUT_MS:
      g_value_set_uint (value, self->ack_timeout_ms);
      break;
    case PROP_WINDOW:
      g_value_set_uint (value, self->window);
      break;
    case PROP_PACING:
      g_value_set_boolean (value, self->pacing);
      break;
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    case PROP_DEPTH:
      g_value_set_uint (value, wire_message_queue_get_total_depth (self));
      break;
    case PROP_DEPTH_CRITICAL:
    case PROP_DEPTH_HIGH:
    case PROP_DEPTH_NORMAL:
    case PROP_DEPTH_LOW:
      g_value_set_uint (value, self->waiting[prop_id - PROP_DEPTH_CRITICAL].length);
      break;
    case PROP_IN_FLIGHT:
      g_value_set_uint (value, self->in_flight.length);
      break;
    case PROP_RETRIES:
      g_value_set_uint64 (value, self->retries);
      break;
    case PROP_FAILURES:
      g_value_set_uint64 (value, self->failures);
      break;
    case PROP_OVERFLOWS:
      g_value_set_uint64 (value, self->overflows);
      break;
    case PROP_RATE_LIMITED:
      g_value_set_uint64 (value, self->rate_limited);
      break;
    case PROP_OLDEST_AGE_MS:
      g_value_set_int64 (value, wire_message_queue_get_oldest_age_ms (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_message_queue_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  WireMessageQueue *self = WIRE_MESSAGE_QUEUE (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;
    case PROP_CAPACITY:
      /* Applies at once; a capacity below the current length refuses new messages until the
       * queue has drained below it, and drops nothing already accepted. */
      wire_object_set_uint (self, &self->capacity, g_value_get_uint (value), pspec);
      break;
    case PROP_OVERFLOW:
      if (self->overflow != (WireOverflowPolicy) g_value_get_enum (value))
        {
          self->overflow = g_value_get_enum (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_MAX_RETRIES:
      wire_object_set_uint (self, &self->max_retries, g_value_get_uint (value), pspec);
      break;
    case PROP_RETRY_DELAY_MS:
      wire_object_set_uint (self, &self->retry_delay_ms, g_value_get_uint (value), pspec);
      break;
    case PROP_ACK_TIMEOUT_MS:
      wire_object_set_uint (self, &self->ack_timeout_ms, g_value_get_uint (value), pspec);
      reschedule (self);
      break;
    case PROP_WINDOW:
      wire_object_set_uint (self, &self->window, g_value_get_uint (value), pspec);
      pump (self);
      reschedule (self);
      break;
    case PROP_PACING:
      if (self->pacing != g_value_get_boolean (value))
        {
          self->pacing = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
          pump (self);
          reschedule (self);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_message_queue_class_init (WireMessageQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  static const char * const depth_names[] = {
    "depth-critical", "depth-high", "depth-normal", "depth-low"
  };

  object_class->constructed = wire_message_queue_constructed;
  object_class->dispose = wire_message_queue_dispose;
  object_class->finalize = wire_message_queue_finalize;
  object_class->get_property = wire_message_queue_get_property;
  object_class->set_property = wire_message_queue_set_property;

  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL, WIRE_TYPE_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAPACITY] =
    g_param_spec_uint ("capacity", NULL, NULL, 1, G_MAXUINT, 10000, rw);
  properties[PROP_OVERFLOW] =
    g_param_spec_enum ("overflow", NULL, NULL, WIRE_TYPE_OVERFLOW_POLICY,
                       WIRE_OVERFLOW_REJECT_NEW, rw);
  properties[PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL, 0, G_MAXUINT, 3, rw);
  properties[PROP_RETRY_DELAY_MS] =
    g_param_spec_uint ("retry-delay-ms", NULL, NULL, 0, G_MAXUINT / 1024, 1000, rw);
  properties[PROP_ACK_TIMEOUT_MS] =
    g_param_spec_uint ("ack-timeout-ms", NULL, NULL, 1, G_MAXUINT, 10000, rw);
  properties[PROP_WINDOW] =
    g_param_spec_uint ("window", NULL, NULL, 1, 65536, DEFAULT_WINDOW, rw);
  properties[PROP_PACING] =
    g_param_spec_boolean ("pacing", NULL, NULL, TRUE, rw);
  properties[PROP_ONLINE] =
    g_param_spec_boolean ("online", NULL, NULL, FALSE, ro);
  properties[PROP_DEPTH] =
    g_param_spec_uint ("depth", NULL, NULL, 0, G_MAXUINT, 0, ro);
  for (guint i = 0; i < WIRE_N_PRIORITIES; i++)
    properties[PROP_DEPTH_CRITICAL + i] =
      g_param_spec_uint (depth_names[i], NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_IN_FLIGHT] =
    g_param_spec_uint ("in-flight", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_RETRIES] =
    g_param_spec_uint64 ("retries", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_FAILURES] =
    g_param_spec_uint64 ("failures", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_OVERFLOWS] =
    g_param_spec_uint64 ("overflows", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_RATE_LIMITED] =
    g_param_spec_uint64 ("rate-limited", NULL, NULL, 0, G_MAXUINT64, 0, ro);

  /* Changes with the clock: read it when needed, never notified. */
  properties[PROP_OLDEST_AGE_MS] =
    g_param_spec_int64 ("oldest-age-ms", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_COMPLETED] =
    g_signal_new ("completed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_SENT] =
    g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 5,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  WIRE_TYPE_PRIORITY, G_TYPE_UINT);
}

static void
wire_message_queue_init (WireMessageQueue *self)
{
  self->capacity = 10000;
  self->overflow = WIRE_OVERFLOW_REJECT_NEW;
  self->max_retries = 3;
  self->retry_delay_ms = 1000;
  self->ack_timeout_ms = 10000;
  self->window = DEFAULT_WINDOW;
  self->pacing = TRUE;
  self->pump_wake_us = -1;

  for (guint i = 0; i < WIRE_N_PRIORITIES; i++)
    g_queue_init (&self->waiting[i]);
  g_queue_init (&self->in_flight);
  g_queue_init (&self->all);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->pacing_by_channel = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_mutex_init (&self->cancel_lock);
  self->cancelled = g_ptr_array_new_with_free_func (msg_unref);

  /* Ids must not repeat across queues, processes or restarts within the gateway's dedup TTL. */
  self->id_prefix = g_strdup_printf ("m-%08x%08x", g_random_int (), g_random_int ());

  self->timer = g_source_new (&timer_funcs, sizeof (GSource));
  g_source_set_static_name (self->timer, "WireMessageQueue");
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_set_ready_time (self->timer, -1);
  g_source_attach (self->timer, g_main_context_get_thread_default ());
}

/* Public API */

WireMessageQueue *
wire_message_queue_new (WireConfig *config)
{
  g_return_val_if_fail (config == NULL || WIRE_IS_CONFIG (config), NULL);

  return g_object_new (WIRE_TYPE_MESSAGE_QUEUE, "config", config, NULL);
}

static QueuedMessage *
lowest_waiting_head (WireMessageQueue *self)
{
  for (int c = WIRE_N_PRIORITIES - 1; c >= 0; c--)
    if (self->waiting[c].head != NULL)
      return self->waiting[c].head->data;
  return NULL;
}

/* @msg is not in the queue yet: msg->state is MSG_DONE until it is admitted. */
static gboolean
admit (WireMessageQueue *self,
       QueuedMessage    *msg)
{
  guint length = g_hash_table_size (self->by_id);
  QueuedMessage *victim;

  if (msg->cancellable != NULL && g_cancellable_is_cancelled (msg->cancellable))
    {
      fail (self, msg, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Message %s was cancelled", msg->id);
      return FALSE;
    }

  if (length < self->capacity)
    return TRUE;

  bump_counter (self, &self->overflows, PROP_OVERFLOWS);

  /* Over capacity after the capacity was lowered: accepted messages stay, new ones wait for
   * room, whatever the policy. */
  if (self->overflow == WIRE_OVERFLOW_REJECT_NEW || length > self->capacity)
    {
      fail (self, msg, WIRE_ERROR, WIRE_ERROR_QUEUE_FULL,
            "The message queue is full (%u of %u messages)", length, self->capacity);
      return FALSE;
    }

  /* drop-lowest: the oldest waiting message of the lowest class goes; a new message of a lower
   * class than everything waiting is itself the lowest. Messages on the wire are not recalled. */
  victim = lowest_waiting_head (self);
  if (victim == NULL || victim->priority < msg->priority)
    {
      fail (self, msg, WIRE_ERROR, WIRE_ERROR_OVERFLOW,
            "The message queue is full and message %s has the lowest priority", msg->id);
      return FALSE;
    }

  fail (self, victim, WIRE_ERROR, WIRE_ERROR_OVERFLOW,
        "Message %s was dropped to make room (queue full, drop-lowest)", victim->id);
  return TRUE;
}

/* "m-<random 64-bit hex>-<counter in hex>", formatted by hand: printf would cost more than the
 * rest of an enqueue. */
static void
generate_id (WireMessageQueue *self,
             char              buf[static GENERATED_ID_SIZE])
{
  static const char hex[] = "0123456789abcdef";
  gsize prefix_len = strlen (self->id_prefix);
  guint64 v = ++self->id_counter;
  char digits[16];
  int n = 0;

  do
    {
      digits[n++] = hex[v & 15];
      v >>= 4;
    }
  while (v != 0);

  g_assert (prefix_len + 1 + n + 1 <= GENERATED_ID_SIZE);
  memcpy (buf, self->id_prefix, prefix_len);
  buf[prefix_len] = '-';
  for (int i = 0; i < n; i++)
    buf[prefix_len + 1 + i] = digits[n - 1 - i];
  buf[prefix_len + 1 + n] = '\0';
}

const char *
wire_message_queue_enqueue_async (WireMessageQueue    *self,
                                  const char          *id,
                                  const char          *channel,
                                  const char          *event,
                                  WirePriority         priority,
                                  const char          *payload_json,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  QueuedMessage *msg;
  const char *ret;
  char generated[GENERATED_ID_SIZE];
  gsize id_len;
  gsize channel_len;
  gsize event_len;

  g_return_val_if_fail (WIRE_IS_MESSAGE_QUEUE (self), NULL);
  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail (event != NULL, NULL);
  g_return_val_if_fail ((guint) priority < WIRE_N_PRIORITIES, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  if (id == NULL)
    generate_id (self, generated);
  id_len = strlen (id ? id : generated);
  channel_len = strlen (channel);
  event_len = strlen (event);

  msg = g_malloc0 (sizeof (QueuedMessage) + id_len + 1 + channel_len + 1 + event_len + 1);
  msg->id = memcpy (msg->storage, id ? id : generated, id_len + 1);
  msg->channel = memcpy (msg->id + id_len + 1, channel, channel_len + 1);
  msg->event = memcpy (msg->channel + channel_len + 1, event, event_len + 1);
  msg->ref_count = 1;
  msg->state = MSG_DONE;
  msg->link.data = msg;
  msg->all_link.data = msg;
  msg->queue = self;
  msg->priority = priority;
  msg->seq = self->next_seq++;
  msg->enqueued_us = g_get_monotonic_time ();
  if (cancellable != NULL)
    msg->cancellable = g_object_ref (cancellable);
  if (callback != NULL)
    {
      msg->task = g_task_new (self, cancellable, callback, user_data);
      g_task_set_source_tag (msg->task, wire_message_queue_enqueue_async);
      g_task_set_task_data (msg->task, msg_ref (msg), msg_unref);
    }

  if (id != NULL && (id_len == 0 || id_len > MAX_ID_LEN))
    fail (self, msg, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
          "A publish id has 1 to %d characters", MAX_ID_LEN);
  else if (id != NULL && g_hash_table_contains (self->by_id, msg->id))
    fail (self, msg, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
          "Message %s is already queued", msg->id);
  else if (admit (self, msg))
    {
      msg->frame = wire_frame_build_publish (msg->id, channel, event, priority, payload_json);
      msg->frame_len = strlen (msg->frame);
      /* The writer's buffer grows by doubling; a deep queue should not keep the slack. */
      msg->frame = g_realloc (msg->frame, msg->frame_len + 1);
      g_queue_push_tail_link (&self->all, &msg->all_link);
      g_hash_table_insert (self->by_id, msg->id, msg);
      msg->state = MSG_WAITING;
      g_queue_push_tail_link (&self->waiting[priority], &msg->link);
      notify_depth (self, priority);

      if (cancellable != NULL)
        msg->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                                                msg_ref (msg), msg_unref);

      /* The queue's reference. */
      msg_ref (msg);
      pump (self);
      reschedule (self);
    }

  /* With a task, the message lives until the callback ran; without one, only while queued. */
  ret = (callback != NULL || msg->state != MSG_DONE) ? msg->id : NULL;
  msg_unref (msg);
  return ret;
}

gboolean
wire_message_queue_enqueue_finish (WireMessageQueue  *self,
                                   GAsyncResult      *result,
                                   const char       **out_status,
                                   GError           **error)
{
  const char *status;

  g_return_val_if_fail (WIRE_IS_MESSAGE_QUEUE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                          wire_message_queue_enqueue_async, FALSE);

  status = g_task_propagate_pointer (G_TASK (result), error);
  if (out_status != NULL)
    *out_status = status;
  return status != NULL;
}

void
wire_message_queue_set_sender (WireMessageQueue  *self,
                               WireQueueSendFunc  func,
                               gpointer           user_data)
{
  g_return_if_fail (WIRE_IS_MESSAGE_QUEUE (self));

  self->send_func = func;
  self->send_data = user_data;
}

void
wire_message_queue_set_online (WireMessageQueue *self,
                               gboolean          online)
{
  g_return_if_fail (WIRE_IS_MESSAGE_QUEUE (self));

  online = !!online;
  if (self->online == online)
    return;

  g_object_ref (self);
  self->online = online;

  if (!online)
    {
      /* Everything on the wire goes back before the newer messages of its class, in its
       * original order, keeping its id and its retry count. */
      while (self->in_flight.head != NULL)
        {
          QueuedMessage *msg = self->in_flight.head->data;

          unlink_msg (self, msg);
          insert_waiting (self, msg);
        }
    }
  else
    {
      /* A new link: pending retry delays and rate-limit waits belonged to the old one. */
      self->epoch++;
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
  pump (self);
  reschedule (self);
  g_object_unref (self);
}

void
wire_message_queue_handle_ack (WireMessageQueue *self,
                               const char       *id,
                               const char       *status)
{
  QueuedMessage *msg;

  g_return_if_fail (WIRE_IS_MESSAGE_QUEUE (self));

  if (id == NULL || (msg = g_hash_table_lookup (self->by_id, id)) == NULL)
    {
      g_debug ("Ack for unknown message %s", id ? id : "(null)");
      return;
    }

  complete (self, msg, g_strcmp0 (status, "duplicate") == 0 ? "duplicate" : "ok", NULL);
  pump (self);
  reschedule (self);
}

void
wire_message_queue_handle_error (WireMessageQueue *self,
                                 const char       *id,
                                 const char       *code,
                                 const char       *message,
                                 gint64            retry_after_ms)
{
  QueuedMessage *msg;

  g_return_if_fail (WIRE_IS_MESSAGE_QUEUE (self));

  if (id == NULL || (msg = g_hash_table_lookup (self->by_id, id)) == NULL)
    return;

  if (g_strcmp0 (code, "rate_limited") == 0)
    {
      /* Not the message's fault: wait as told, without using up a retry, and hold back the
       * rest of its class so that it keeps its place. */
      bump_counter (self, &self->rate_limited, PROP_RATE_LIMITED);
      unlink_msg (self, msg);
      if (retry_after_ms < 0)
        retry_after_ms = self->retry_delay_ms;
      msg->not_before_us = g_get_monotonic_time () + retry_after_ms * 1000;
      msg->wait_epoch = self->epoch;
      insert_waiting (self, msg);
    }
  else
    {
      g_autoptr (GError) error = NULL;

      error = g_error_new (WIRE_ERROR, wire_error_from_wire_code (code ? code : ""),
                           "%s", message ? message : (code ? code : "error"));
      complete (self, msg, NULL, error);
    }

  pump (self);
  reschedule (self);
}

void
wire_message_queue_fail_all (WireMessageQueue *self,
                             const GError     *error)
{
  g_return_if_fail (WIRE_IS_MESSAGE_QUEUE (self));
  g_return_if_fail (error != NULL);

  g_object_ref (self);
  /* Only what is queued now: a completed handler may enqueue again (and that must not loop). */
  for (guint n = g_hash_table_size (self->by_id); n > 0 && self->all.head != NULL; n--)
    complete (self, self->all.head->data, NULL, error);
  reschedule (self);
  g_object_unref (self);
}

guint
wire_message_queue_get_depth (WireMessageQueue *self,
                              WirePriority      priority)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_QUEUE (self), 0);
  g_return_val_if_fail ((guint) priority < WIRE_N_PRIORITIES, 0);

  return self->waiting[priority].length;
}

guint
wire_message_queue_get_total_depth (WireMessageQueue *self)
{
  guint total = 0;

  g_return_val_if_fail (WIRE_IS_MESSAGE_QUEUE (self), 0);

  for (guint i = 0; i < WIRE_N_PRIORITIES; i++)
    total += self->waiting[i].length;
  return total;
}

guint
wire_message_queue_get_in_flight (WireMessageQueue *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_QUEUE (self), 0);
  return self->in_flight.length;
}

guint
wire_message_queue_get_length (WireMessageQueue *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_QUEUE (self), 0);
  return g_hash_table_size (self->by_id);
}

gint64
wire_message_queue_get_oldest_age_ms (WireMessageQueue *self)
{
  QueuedMessage *oldest;

  g_return_val_if_fail (WIRE_IS_MESSAGE_QUEUE (self), 0);

  if (self->all.head == NULL)
    return 0;
  oldest = self->all.head->data;
  return (g_get_monotonic_time () - oldest->enqueued_us) / 1000;
}

gboolean
wire_message_queue_get_online (WireMessageQueue *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_QUEUE (self), FALSE);
  return self->online;
}

guint
wire_message_queue_get_capacity (WireMessageQueue *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_QUEUE (self), 0);
  return self->capacity;
}

WireOverflowPolicy
wire_message_queue_get_overflow (WireMessageQueue *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_QUEUE (self), WIRE_OVERFLOW_REJECT_NEW);
  return self->overflow;
}

guint64
wire_message_queue_get_retries (WireMessageQueue *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_QUEUE (self), 0);
  return self->retries;
}

guint64
wire_message_queue_get_failures (WireMessageQueue *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_QUEUE (self), 0);
  return self->failures;
}

guint64
wire_message_queue_get_overflows (WireMessageQueue *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_QUEUE (self), 0);
  return self->overflows;
}

guint64
wire_message_queue_get_rate_limited (WireMessageQueue *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_QUEUE (self), 0);
  return self->rate_limited;
}
