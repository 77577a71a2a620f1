#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "wire-message-row.h"

struct _WireMessageRow
{
  GObject              parent_instance;

  guint64              seq;
  gint64               time_ms;
  const char          *channel;
  const char          *event;
  char                *id;
  guint                size;
  int                  priority;
  WireMessageDirection direction;
  WireMessageStatus    status;
};

G_DEFINE_FINAL_TYPE (WireMessageRow, wire_message_row, G_TYPE_OBJECT)

static void
wire_message_row_finalize (GObject *object)
{
  WireMessageRow *self = WIRE_MESSAGE_ROW (object);

  g_free (self->id);

  G_OBJECT_CLASS (wire_message_row_parent_class)->finalize (object);
}

static void
wire_message_row_class_init (WireMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wire_message_row_finalize;
}

static void
wire_message_row_init (WireMessageRow *self)
{
}

WireMessageRow *
wire_message_row_new (guint64               seq,
                      gint64                time_ms,
                      WireMessageDirection  direction,
                      const char           *channel,
                      const char           *event,
                      int                   priority,
                      guint                 size,
                      const char           *id,
                      WireMessageStatus     status)
{
  WireMessageRow *self = g_object_new (WIRE_TYPE_MESSAGE_ROW, NULL);

  self->seq = seq;
  self->time_ms = time_ms;
  self->direction = direction;
  self->channel = channel;
  self->event = event;
  self->priority = priority;
  self->size = size;
  self->id = g_strdup (id);
  self->status = status;

  return self;
}

guint64
wire_message_row_get_seq (WireMessageRow *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_ROW (self), 0);
  return self->seq;
}

gint64
wire_message_row_get_time_ms (WireMessageRow *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_ROW (self), 0);
  return self->time_ms;
}

WireMessageDirection
wire_message_row_get_direction (WireMessageRow *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_ROW (self), WIRE_MESSAGE_IN);
  return self->direction;
}

const char *
wire_message_row_get_channel (WireMessageRow *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_ROW (self), NULL);
  return self->channel;
}

const char *
wire_message_row_get_event (WireMessageRow *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_ROW (self), NULL);
  return self->event;
}

int
wire_message_row_get_priority (WireMessageRow *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_ROW (self), -1);
  return self->priority;
}

guint
wire_message_row_get_size (WireMessageRow *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_ROW (self), 0);
  return self->size;
}

const char *
wire_message_row_get_id (WireMessageRow *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_ROW (self), NULL);
  return self->id;
}

WireMessageStatus
wire_message_row_get_status (WireMessageRow *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_ROW (self), WIRE_MESSAGE_STATUS_NONE);
  return self->status;
}

const char *
wire_message_status_to_string (WireMessageStatus status)
{
  switch (status)
    {
    case WIRE_MESSAGE_STATUS_NONE:
      return "";
    case WIRE_MESSAGE_STATUS_RECEIVED:
      return _("received");
    case WIRE_MESSAGE_STATUS_DELIVERED:
      return _("delivered");
    case WIRE_MESSAGE_STATUS_DUPLICATE:
      return _("duplicate (dropped)");
    case WIRE_MESSAGE_STATUS_SENT:
      return _("sent");
    case WIRE_MESSAGE_STATUS_ACK:
      return _("ack");
    case WIRE_MESSAGE_STATUS_ACK_DUPLICATE:
      return _("ack (duplicate)");
    case WIRE_MESSAGE_STATUS_FAILED:
      return _("failed");
    case WIRE_MESSAGE_STATUS_OVERWRITTEN:
      return _("overwritten");
    default:
      g_assert_not_reached ();
    }
}
