/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "wire-message-queue.h"

G_BEGIN_DECLS

#define WIRE_TYPE_QUEUE_VIEW (wire_queue_view_get_type ())
G_DECLARE_FINAL_TYPE (WireQueueView, wire_queue_view, WIRE, QUEUE_VIEW, GtkWidget)

/* The priority queue at a glance: one bar per class (critical, high, normal, low) compared with
 * each other, a bar of the total against the capacity, and in-flight, oldest age, retries,
 * failures, overflows and the overflow policy. It reads the queue's getters when refreshed (the
 * page refreshes it at most once per frame while it is shown) and when the queue's "completed"
 * signal says something changed.
 *
 * Properties: queue (WireMessageQueue, may be NULL). */
GtkWidget        *wire_queue_view_new        (void);
void              wire_queue_view_set_queue  (WireQueueView    *self,
                                              WireMessageQueue *queue);
WireMessageQueue *wire_queue_view_get_queue  (WireQueueView    *self);
/* Reads the queue now. */
void              wire_queue_view_refresh    (WireQueueView    *self);
/* For tests and the accessible tree: the value shown by the bar of @priority, and its label. */
double            wire_queue_view_get_level  (WireQueueView    *self,
                                              WirePriority      priority);
const char       *wire_queue_view_get_depth_text (WireQueueView *self,
                                              WirePriority      priority);

G_END_DECLS
