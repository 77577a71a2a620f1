/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-message-queue.h"
#include "wire-channel-policy.h"
#include "wire-token-bucket.h"

G_BEGIN_DECLS

/* Internals of WireMessageQueue, shared by the files that implement it:
 *   wire-message-queue.c       the messages: their storage per class, admission, outcomes,
 *                              properties and the public API;
 *   wire-message-queue-pump.c  the sending side: pacing, picking by priority, writing,
 *                              retries and the one timer. */

typedef enum
{
  WIRE_QUEUED_WAITING,     /* in waiting[priority], sorted by seq */
  WIRE_QUEUED_IN_FLIGHT,   /* in in_flight, sorted by send time */
  WIRE_QUEUED_DONE,        /* completed; kept alive by a task or a caller on the stack */
} WireQueuedState;

typedef struct
{
  /* Embedded list nodes: every move between lists is O(1) and allocates nothing. */
  GList link;       /* waiting[priority] or in_flight */
  GList all_link;   /* all, in enqueue order */
  gint ref_count;
  WireQueuedState state;
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
} WireQueuedMessage;

typedef struct
{
  gboolean limited;
  WireTokenBucket bucket;
} WireChannelPacing;

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
  GHashTable *by_id;   /* id (the message's own string) → WireQueuedMessage */

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
  GPtrArray *cancelled;   /* WireQueuedMessage refs, filled by the cancellable handler */
  gint n_cancelled;       /* its length, readable without the lock */

  WireChannelPolicy *policy;
  GHashTable *pacing_by_channel;   /* channel → WireChannelPacing */

  guint64 retries;
  guint64 failures;
  guint64 overflows;
  guint64 rate_limited;
};

enum
{
  WIRE_MESSAGE_QUEUE_PROP_0,
  WIRE_MESSAGE_QUEUE_PROP_CONFIG,
  WIRE_MESSAGE_QUEUE_PROP_CAPACITY,
  WIRE_MESSAGE_QUEUE_PROP_OVERFLOW,
  WIRE_MESSAGE_QUEUE_PROP_MAX_RETRIES,
  WIRE_MESSAGE_QUEUE_PROP_RETRY_DELAY_MS,
  WIRE_MESSAGE_QUEUE_PROP_ACK_TIMEOUT_MS,
  WIRE_MESSAGE_QUEUE_PROP_WINDOW,
  WIRE_MESSAGE_QUEUE_PROP_PACING,
  WIRE_MESSAGE_QUEUE_PROP_ONLINE,
  WIRE_MESSAGE_QUEUE_PROP_DEPTH,
  WIRE_MESSAGE_QUEUE_PROP_DEPTH_CRITICAL,
  WIRE_MESSAGE_QUEUE_PROP_DEPTH_HIGH,
  WIRE_MESSAGE_QUEUE_PROP_DEPTH_NORMAL,
  WIRE_MESSAGE_QUEUE_PROP_DEPTH_LOW,
  WIRE_MESSAGE_QUEUE_PROP_IN_FLIGHT,
  WIRE_MESSAGE_QUEUE_PROP_RETRIES,
  WIRE_MESSAGE_QUEUE_PROP_FAILURES,
  WIRE_MESSAGE_QUEUE_PROP_OVERFLOWS,
  WIRE_MESSAGE_QUEUE_PROP_RATE_LIMITED,
  WIRE_MESSAGE_QUEUE_PROP_OLDEST_AGE_MS,
  WIRE_MESSAGE_QUEUE_N_PROPS
};

enum
{
  WIRE_MESSAGE_QUEUE_SIGNAL_COMPLETED,
  WIRE_MESSAGE_QUEUE_SIGNAL_SENT,
  WIRE_MESSAGE_QUEUE_N_SIGNALS
};

extern GParamSpec *wire_message_queue_properties[WIRE_MESSAGE_QUEUE_N_PROPS];
extern guint wire_message_queue_signals[WIRE_MESSAGE_QUEUE_N_SIGNALS];

static inline void
wire_message_queue_notify (WireMessageQueue *self,
                           guint             prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), wire_message_queue_properties[prop]);
}

/* Messages (wire-message-queue.c) */
WireQueuedMessage *wire_queued_message_ref          (WireQueuedMessage *msg);
void               wire_queued_message_unref        (gpointer           data);
void               wire_message_queue_insert_waiting (WireMessageQueue  *self,
                                                      WireQueuedMessage *msg);
void               wire_message_queue_unlink         (WireMessageQueue  *self,
                                                      WireQueuedMessage *msg);
void               wire_message_queue_bump_counter   (WireMessageQueue  *self,
                                                      guint64           *counter,
                                                      guint              prop);
void               wire_message_queue_fail           (WireMessageQueue  *self,
                                                      WireQueuedMessage *msg,
                                                      GQuark             domain,
                                                      int                code,
                                                      const char        *format,
                                                      ...) G_GNUC_PRINTF (5, 6);

/* Sending (wire-message-queue-pump.c) */
void               wire_message_queue_pump           (WireMessageQueue  *self);
void               wire_message_queue_reschedule     (WireMessageQueue  *self);
void               wire_message_queue_schedule_retry (WireMessageQueue  *self,
                                                      WireQueuedMessage *msg,
                                                      const char        *why);
GSource           *wire_message_queue_timer_new      (WireMessageQueue  *self);

G_END_DECLS
