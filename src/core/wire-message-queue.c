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
#include "wire-message-queue-private.h"
#include "wire-property-private.h"

#define MAX_ID_LEN 128
#define DEFAULT_WINDOW 128
#define GENERATED_ID_SIZE 48   /* "m-" + 16 hex + "-" + up to 16 hex + NUL */

G_DEFINE_FINAL_TYPE (WireMessageQueue, wire_message_queue, G_TYPE_OBJECT)

GParamSpec *wire_message_queue_properties[WIRE_MESSAGE_QUEUE_N_PROPS];
guint wire_message_queue_signals[WIRE_MESSAGE_QUEUE_N_SIGNALS];

/* Messages */

WireQueuedMessage *
wire_queued_message_ref (WireQueuedMessage *msg)
{
  g_atomic_int_inc (&msg->ref_count);
  return msg;
}

void
wire_queued_message_unref (gpointer data)
{
  WireQueuedMessage *msg = data;

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
  wire_message_queue_notify (self, WIRE_MESSAGE_QUEUE_PROP_DEPTH);
  wire_message_queue_notify (self, WIRE_MESSAGE_QUEUE_PROP_DEPTH_CRITICAL + priority);
}

void
wire_message_queue_insert_waiting (WireMessageQueue  *self,
                                   WireQueuedMessage *msg)
{
  GQueue *q = &self->waiting[msg->priority];
  GList *l;

  /* Messages coming back (retry, rate limit, lost link) go before every newer message of their
   * class. They all have a lower seq than anything never sent, so the walk stops within the
   * few re-sends already waiting: O(window), never O(depth). */
  for (l = q->head; l != NULL && ((WireQueuedMessage *) l->data)->seq < msg->seq; l = l->next)
    ;
  if (l != NULL)
    g_queue_insert_before_link (q, l, &msg->link);
  else
    g_queue_push_tail_link (q, &msg->link);
  msg->state = WIRE_QUEUED_WAITING;
  notify_depth (self, msg->priority);
}

void
wire_message_queue_unlink (WireMessageQueue  *self,
                           WireQueuedMessage *msg)
{
  if (msg->state == WIRE_QUEUED_WAITING)
    {
      g_queue_unlink (&self->waiting[msg->priority], &msg->link);
      notify_depth (self, msg->priority);
    }
  else if (msg->state == WIRE_QUEUED_IN_FLIGHT)
    {
      g_queue_unlink (&self->in_flight, &msg->link);
      wire_message_queue_notify (self, WIRE_MESSAGE_QUEUE_PROP_IN_FLIGHT);
    }
}

void
wire_message_queue_bump_counter (WireMessageQueue *self,
                                 guint64          *counter,
                                 guint             prop)
{
  (*counter)++;
  wire_message_queue_notify (self, prop);
}

/* Reports the outcome of a message that is out of every list, exactly once: the completed
 * signal first, then the task. */
static void
report (WireMessageQueue  *self,
        WireQueuedMessage *msg,
        const char        *status,
        const GError      *error)
{
  msg->state = WIRE_QUEUED_DONE;

  if (msg->cancel_id != 0)
    {
      g_cancellable_disconnect (msg->cancellable, msg->cancel_id);
      msg->cancel_id = 0;
    }

  if (error != NULL)
    wire_message_queue_bump_counter (self, &self->failures, WIRE_MESSAGE_QUEUE_PROP_FAILURES);

  g_signal_emit (self, wire_message_queue_signals[WIRE_MESSAGE_QUEUE_SIGNAL_COMPLETED], 0, msg->id,
                 error ? NULL : status, error);

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
complete (WireMessageQueue  *self,
          WireQueuedMessage *msg,
          const char        *status,
          const GError      *error)
{
  g_assert (msg->state != WIRE_QUEUED_DONE);

  wire_message_queue_unlink (self, msg);
  g_queue_unlink (&self->all, &msg->all_link);
  g_hash_table_remove (self->by_id, msg->id);
  msg->state = WIRE_QUEUED_DONE;

  /* The queue's reference goes once the outcome has been reported. */
  report (self, msg, status, error);
  wire_queued_message_unref (msg);
}

void
wire_message_queue_fail (WireMessageQueue  *self,
                         WireQueuedMessage *msg,
                         GQuark             domain,
                         int                code,
                         const char        *format,
                         ...)
{
  g_autoptr (GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  if (msg->state == WIRE_QUEUED_DONE)
    report (self, msg, NULL, error);   /* refused before it joined the queue */
  else
    complete (self, msg, NULL, error);
}

/* Called in whatever thread cancelled: only hand the message over to the queue's context. */
static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  WireQueuedMessage *msg = user_data;
  WireMessageQueue *self = msg->queue;

  g_mutex_lock (&self->cancel_lock);
  g_ptr_array_add (self->cancelled, wire_queued_message_ref (msg));
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
    case WIRE_MESSAGE_QUEUE_PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_CAPACITY:
      g_value_set_uint (value, self->capacity);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_OVERFLOW:
      g_value_set_enum (value, self->overflow);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_MAX_RETRIES:
      g_value_set_uint (value, self->max_retries);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_RETRY_DELAY_MS:
      g_value_set_uint (value, self->retry_delay_ms);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_ACK_TIMEOUT_MS:
      g_value_set_uint (value, self->ack_timeout_ms);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_WINDOW:
      g_value_set_uint (value, self->window);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_PACING:
      g_value_set_boolean (value, self->pacing);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_DEPTH:
      g_value_set_uint (value, wire_message_queue_get_total_depth (self));
      break;
    case WIRE_MESSAGE_QUEUE_PROP_DEPTH_CRITICAL:
    case WIRE_MESSAGE_QUEUE_PROP_DEPTH_HIGH:
    case WIRE_MESSAGE_QUEUE_PROP_DEPTH_NORMAL:
    case WIRE_MESSAGE_QUEUE_PROP_DEPTH_LOW:
      g_value_set_uint (value,
                        self->waiting[prop_id - WIRE_MESSAGE_QUEUE_PROP_DEPTH_CRITICAL].length);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_IN_FLIGHT:
      g_value_set_uint (value, self->in_flight.length);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_RETRIES:
      g_value_set_uint64 (value, self->retries);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_FAILURES:
      g_value_set_uint64 (value, self->failures);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_OVERFLOWS:
      g_value_set_uint64 (value, self->overflows);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_RATE_LIMITED:
      g_value_set_uint64 (value, self->rate_limited);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_OLDEST_AGE_MS:
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
    case WIRE_MESSAGE_QUEUE_PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_CAPACITY:
      /* Applies at once; a capacity below the current length refuses new messages until the
       * queue has drained below it, and drops nothing already accepted. */
      wire_object_set_uint (self, &self->capacity, g_value_get_uint (value), pspec);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_OVERFLOW:
      if (self->overflow != (WireOverflowPolicy) g_value_get_enum (value))
        {
          self->overflow = g_value_get_enum (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case WIRE_MESSAGE_QUEUE_PROP_MAX_RETRIES:
      wire_object_set_uint (self, &self->max_retries, g_value_get_uint (value), pspec);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_RETRY_DELAY_MS:
      wire_object_set_uint (self, &self->retry_delay_ms, g_value_get_uint (value), pspec);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_ACK_TIMEOUT_MS:
      wire_object_set_uint (self, &self->ack_timeout_ms, g_value_get_uint (value), pspec);
      wire_message_queue_reschedule (self);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_WINDOW:
      wire_object_set_uint (self, &self->window, g_value_get_uint (value), pspec);
      wire_message_queue_pump (self);
      wire_message_queue_reschedule (self);
      break;
    case WIRE_MESSAGE_QUEUE_PROP_PACING:
      if (self->pacing != g_value_get_boolean (value))
        {
          self->pacing = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
          wire_message_queue_pump (self);
          wire_message_queue_reschedule (self);
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

  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL, WIRE_TYPE_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_CAPACITY] =
    g_param_spec_uint ("capacity", NULL, NULL, 1, G_MAXUINT, 10000, rw);
  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_OVERFLOW] =
    g_param_spec_enum ("overflow", NULL, NULL, WIRE_TYPE_OVERFLOW_POLICY,
                       WIRE_OVERFLOW_REJECT_NEW, rw);
  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL, 0, G_MAXUINT, 3, rw);
  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_RETRY_DELAY_MS] =
    g_param_spec_uint ("retry-delay-ms", NULL, NULL, 0, G_MAXUINT / 1024, 1000, rw);
  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_ACK_TIMEOUT_MS] =
    g_param_spec_uint ("ack-timeout-ms", NULL, NULL, 1, G_MAXUINT, 10000, rw);
  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_WINDOW] =
    g_param_spec_uint ("window", NULL, NULL, 1, 65536, DEFAULT_WINDOW, rw);
  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_PACING] =
    g_param_spec_boolean ("pacing", NULL, NULL, TRUE, rw);
  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_ONLINE] =
    g_param_spec_boolean ("online", NULL, NULL, FALSE, ro);
  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_DEPTH] =
    g_param_spec_uint ("depth", NULL, NULL, 0, G_MAXUINT, 0, ro);
  for (guint i = 0; i < WIRE_N_PRIORITIES; i++)
    wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_DEPTH_CRITICAL + i] =
      g_param_spec_uint (depth_names[i], NULL, NULL, 0, G_MAXUINT, 0, ro);
  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_IN_FLIGHT] =
    g_param_spec_uint ("in-flight", NULL, NULL, 0, G_MAXUINT, 0, ro);
  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_RETRIES] =
    g_param_spec_uint64 ("retries", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_FAILURES] =
    g_param_spec_uint64 ("failures", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_OVERFLOWS] =
    g_param_spec_uint64 ("overflows", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_RATE_LIMITED] =
    g_param_spec_uint64 ("rate-limited", NULL, NULL, 0, G_MAXUINT64, 0, ro);

  /* Changes with the clock: read it when needed, never notified. */
  wire_message_queue_properties[WIRE_MESSAGE_QUEUE_PROP_OLDEST_AGE_MS] =
    g_param_spec_int64 ("oldest-age-ms", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, WIRE_MESSAGE_QUEUE_N_PROPS,
                                     wire_message_queue_properties);

  wire_message_queue_signals[WIRE_MESSAGE_QUEUE_SIGNAL_COMPLETED] =
    g_signal_new ("completed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
  wire_message_queue_signals[WIRE_MESSAGE_QUEUE_SIGNAL_SENT] =
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
  self->cancelled = g_ptr_array_new_with_free_func (wire_queued_message_unref);

  /* Ids must not repeat across queues, processes or restarts within the gateway's dedup TTL. */
  self->id_prefix = g_strdup_printf ("m-%08x%08x", g_random_int (), g_random_int ());

  self->timer = wire_message_queue_timer_new (self);
  g_source_attach (self->timer, g_main_context_get_thread_default ());
}

/* Public API */

WireMessageQueue *
wire_message_queue_new (WireConfig *config)
{
  g_return_val_if_fail (config == NULL || WIRE_IS_CONFIG (config), NULL);

  return g_object_new (WIRE_TYPE_MESSAGE_QUEUE, "config", config, NULL);
}

static WireQueuedMessage *
lowest_waiting_head (WireMessageQueue *self)
{
  for (int c = WIRE_N_PRIORITIES - 1; c >= 0; c--)
    if (self->waiting[c].head != NULL)
      return self->waiting[c].head->data;
  return NULL;
}

/* @msg is not in the queue yet: msg->state is WIRE_QUEUED_DONE until it is admitted. */
static gboolean
admit (WireMessageQueue  *self,
       WireQueuedMessage *msg)
{
  guint length = g_hash_table_size (self->by_id);
  WireQueuedMessage *victim;

  if (msg->cancellable != NULL && g_cancellable_is_cancelled (msg->cancellable))
    {
      wire_message_queue_fail (self, msg, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "Message %s was cancelled", msg->id);
      return FALSE;
    }

  if (length < self->capacity)
    return TRUE;

  wire_message_queue_bump_counter (self, &self->overflows, WIRE_MESSAGE_QUEUE_PROP_OVERFLOWS);

  /* Over capacity after the capacity was lowered: accepted messages stay, new ones wait for
   * room, whatever the policy. */
  if (self->overflow == WIRE_OVERFLOW_REJECT_NEW || length > self->capacity)
    {
      wire_message_queue_fail (self, msg, WIRE_ERROR, WIRE_ERROR_QUEUE_FULL,
                               "The message queue is full (%u of %u messages)", length,
                               self->capacity);
      return FALSE;
    }

  /* drop-lowest: the oldest waiting message of the lowest class goes; a new message of a lower
   * class than everything waiting is itself the lowest. Messages on the wire are not recalled. */
  victim = lowest_waiting_head (self);
  if (victim == NULL || victim->priority < msg->priority)
    {
      wire_message_queue_fail (self, msg, WIRE_ERROR, WIRE_ERROR_OVERFLOW,
                               "The message queue is full and message %s has the lowest priority",
                               msg->id);
      return FALSE;
    }

  wire_message_queue_fail (self, victim, WIRE_ERROR, WIRE_ERROR_OVERFLOW,
                           "Message %s was dropped to make room (queue full, drop-lowest)",
                           victim->id);
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
  WireQueuedMessage *msg;
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

  msg = g_malloc0 (sizeof (WireQueuedMessage) + id_len + 1 + channel_len + 1 + event_len + 1);
  msg->id = memcpy (msg->storage, id ? id : generated, id_len + 1);
  msg->channel = memcpy (msg->id + id_len + 1, channel, channel_len + 1);
  msg->event = memcpy (msg->channel + channel_len + 1, event, event_len + 1);
  msg->ref_count = 1;
  msg->state = WIRE_QUEUED_DONE;
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
      g_task_set_task_data (msg->task, wire_queued_message_ref (msg), wire_queued_message_unref);
    }

  if (id != NULL && (id_len == 0 || id_len > MAX_ID_LEN))
    wire_message_queue_fail (self, msg, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                             "A publish id has 1 to %d characters", MAX_ID_LEN);
  else if (id != NULL && g_hash_table_contains (self->by_id, msg->id))
    wire_message_queue_fail (self, msg, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                             "Message %s is already queued", msg->id);
  else if (admit (self, msg))
    {
      msg->frame = wire_frame_build_publish (msg->id, channel, event, priority, payload_json);
      msg->frame_len = strlen (msg->frame);
      /* The writer's buffer grows by doubling; a deep queue should not keep the slack. */
      msg->frame = g_realloc (msg->frame, msg->frame_len + 1);
      g_queue_push_tail_link (&self->all, &msg->all_link);
      g_hash_table_insert (self->by_id, msg->id, msg);
      msg->state = WIRE_QUEUED_WAITING;
      g_queue_push_tail_link (&self->waiting[priority], &msg->link);
      notify_depth (self, priority);

      if (cancellable != NULL)
        msg->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                                                wire_queued_message_ref (msg),
                                                wire_queued_message_unref);

      /* The queue's reference. */
      wire_queued_message_ref (msg);
      wire_message_queue_pump (self);
      wire_message_queue_reschedule (self);
    }

  /* With a task, the message lives until the callback ran; without one, only while queued. */
  ret = (callback != NULL || msg->state != WIRE_QUEUED_DONE) ? msg->id : NULL;
  wire_queued_message_unref (msg);
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
          WireQueuedMessage *msg = self->in_flight.head->data;

          wire_message_queue_unlink (self, msg);
          wire_message_queue_insert_waiting (self, msg);
        }
    }
  else
    {
      /* A new link: pending retry delays and rate-limit waits belonged to the old one. */
      self->epoch++;
    }

  wire_message_queue_notify (self, WIRE_MESSAGE_QUEUE_PROP_ONLINE);
  wire_message_queue_pump (self);
  wire_message_queue_reschedule (self);
  g_object_unref (self);
}

void
wire_message_queue_handle_ack (WireMessageQueue *self,
                               const char       *id,
                               const char       *status)
{
  WireQueuedMessage *msg;

  g_return_if_fail (WIRE_IS_MESSAGE_QUEUE (self));

  if (id == NULL || (msg = g_hash_table_lookup (self->by_id, id)) == NULL)
    {
      g_debug ("Ack for unknown message %s", id ? id : "(null)");
      return;
    }

  complete (self, msg, g_strcmp0 (status, "duplicate") == 0 ? "duplicate" : "ok", NULL);
  wire_message_queue_pump (self);
  wire_message_queue_reschedule (self);
}

void
wire_message_queue_handle_error (WireMessageQueue *self,
                                 const char       *id,
                                 const char       *code,
                                 const char       *message,
                                 gint64            retry_after_ms)
{
  WireQueuedMessage *msg;

  g_return_if_fail (WIRE_IS_MESSAGE_QUEUE (self));

  if (id == NULL || (msg = g_hash_table_lookup (self->by_id, id)) == NULL)
    return;

  if (g_strcmp0 (code, "rate_limited") == 0)
    {
      /* Not the message's fault: wait as told, without using up a retry, and hold back the
       * rest of its class so that it keeps its place. */
      wire_message_queue_bump_counter (self, &self->rate_limited,
                                       WIRE_MESSAGE_QUEUE_PROP_RATE_LIMITED);
      wire_message_queue_unlink (self, msg);
      if (retry_after_ms < 0)
        retry_after_ms = self->retry_delay_ms;
      msg->not_before_us = g_get_monotonic_time () + retry_after_ms * 1000;
      msg->wait_epoch = self->epoch;
      wire_message_queue_insert_waiting (self, msg);
    }
  else
    {
      g_autoptr (GError) error = NULL;

      error = g_error_new (WIRE_ERROR, wire_error_from_wire_code (code ? code : ""),
                           "%s", message ? message : (code ? code : "error"));
      complete (self, msg, NULL, error);
    }

  wire_message_queue_pump (self);
  wire_message_queue_reschedule (self);
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
  wire_message_queue_reschedule (self);
  g_object_unref (self);
}

const char *
wire_message_queue_peek_frame (WireMessageQueue *self,
                               const char       *id,
                               gsize            *out_len)
{
  WireQueuedMessage *msg;

  g_return_val_if_fail (WIRE_IS_MESSAGE_QUEUE (self), NULL);

  if (id == NULL || (msg = g_hash_table_lookup (self->by_id, id)) == NULL)
    return NULL;
  if (out_len != NULL)
    *out_len = msg->frame_len;
  return msg->frame;
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
  WireQueuedMessage *oldest;

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
