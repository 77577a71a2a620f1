/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "wire-message-ring.h"
#include "wire-message-row.h"

G_BEGIN_DECLS

typedef enum
{
  WIRE_MESSAGE_LOG_ALL,
  WIRE_MESSAGE_LOG_IN,
  WIRE_MESSAGE_LOG_OUT,
} WireMessageLogDirection;

#define WIRE_TYPE_MESSAGE_LOG (wire_message_log_get_type ())
G_DECLARE_FINAL_TYPE (WireMessageLog, wire_message_log, WIRE, MESSAGE_LOG, GtkWidget)

/* The message log: a GtkColumnView (time, direction, channel, event, priority, size, id, status)
 * over a WireMessageRing, with a text filter (channel, event or id), a direction filter, pause
 * (the view holds still while the ring keeps recording) and the pretty-printed JSON of the
 * selected row. It follows the newest row while scrolled to the bottom. */
GtkWidget       *wire_message_log_new            (void);
void             wire_message_log_set_ring       (WireMessageLog          *self,
                                                  WireMessageRing         *ring);
WireMessageRing *wire_message_log_get_ring       (WireMessageLog          *self);
void             wire_message_log_set_filter_text (WireMessageLog         *self,
                                                  const char              *text);
void             wire_message_log_set_direction  (WireMessageLog          *self,
                                                  WireMessageLogDirection  direction);
void             wire_message_log_set_paused     (WireMessageLog          *self,
                                                  gboolean                 paused);
/* The rows shown after filtering. */
GListModel      *wire_message_log_get_model      (WireMessageLog          *self);
/* Selects the row at @position of the filtered model and shows its JSON. */
void             wire_message_log_select         (WireMessageLog          *self,
                                                  guint                    position);
/* The JSON shown for the selected row (newly allocated). */
char            *wire_message_log_dup_detail_text (WireMessageLog         *self);

G_END_DECLS
