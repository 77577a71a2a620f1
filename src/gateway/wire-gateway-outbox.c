#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-gateway-outbox.h"

/* A frame waiting in the gateway: behind a latency fault, or because the socket is full. */
typedef struct
{
  gint64 due_us;
  gsize  len;
  char   text[];
} OutFrame;

struct _WireOutbox
{
  SoupWebsocketConnection *ws;
  GSocket                 *socket;
  WireOutboxPushed         pushed;
  gpointer                 user_data;

  GQueue                   frames;
  gsize                    queued_bytes;
  GSource                  *writable_source;
  guint                    pump_timeout_id;
  int                      raw_close_code;   /* 0 = none pending */
};

static void pump (WireOutbox *self);
static void try_raw_close (WireOutbox *self);

WireOutbox *
wire_outbox_new (SoupWebsocketConnection *ws,
                 GSocket                 *socket,
                 WireOutboxPushed         pushed,
                 gpointer                 user_data)
{
  WireOutbox *self = g_new0 (WireOutbox, 1);

  self->ws = g_object_ref (ws);
  self->socket = socket != NULL ? g_object_ref (socket) : NULL;
  self->pushed = pushed;
  self->user_data = user_data;
  g_queue_init (&self->frames);
  return self;
}

static void
stop_watching (WireOutbox *self)
{
  g_clear_handle_id (&self->pump_timeout_id, g_source_remove);
  if (self->writable_source != NULL)
    {
      g_source_destroy (self->writable_source);
      g_clear_pointer (&self->writable_source, g_source_unref);
    }
}

void
wire_outbox_clear (WireOutbox *self)
{
  g_queue_clear_full (&self->frames, g_free);
  self->queued_bytes = 0;
  stop_watching (self);
}

void
wire_outbox_free (WireOutbox *self)
{
  if (self == NULL)
    return;
  wire_outbox_clear (self);
  g_clear_object (&self->ws);
  g_clear_object (&self->socket);
  g_free (self);
}

gsize
wire_outbox_get_queued_bytes (WireOutbox *self)
{
  return self->queued_bytes;
}

gboolean
wire_outbox_is_socket_closed (WireOutbox *self)
{
  return self->socket != NULL && g_socket_is_closed (self->socket);
}

static gboolean
socket_writable (WireOutbox *self)
{
  if (self->socket == NULL)
    return TRUE;
  return (g_socket_condition_check (self->socket, G_IO_OUT) & G_IO_OUT) != 0;
}

static void
push (WireOutbox *self,
      const char *text,
      gsize       len)
{
  soup_websocket_connection_send_text (self->ws, text);
  if (self->pushed != NULL)
    self->pushed (self->user_data, len);
}

static gboolean
writable_cb (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  WireOutbox *self = user_data;

  g_clear_pointer (&self->writable_source, g_source_unref);
  if (self->raw_close_code != 0)
    try_raw_close (self);
  else
    pump (self);
  return G_SOURCE_REMOVE;
}

static void
watch_writable (WireOutbox *self)
{
  if (self->writable_source != NULL || self->socket == NULL)
    return;
  self->writable_source = g_socket_create_source (self->socket, G_IO_OUT, NULL);
  g_source_set_callback (self->writable_source, G_SOURCE_FUNC (writable_cb), self, NULL);
  g_source_attach (self->writable_source, NULL);
}

static void
pump_timeout_cb (gpointer user_data)
{
  WireOutbox *self = user_data;

  self->pump_timeout_id = 0;
  pump (self);
}

static void
pump (WireOutbox *self)
{
  OutFrame *frame;

  while ((frame = g_queue_peek_head (&self->frames)) != NULL)
    {
      gint64 now = g_get_monotonic_time ();

      if (frame->due_us > now)
        {
          if (self->pump_timeout_id == 0)
            self->pump_timeout_id = g_timeout_add_once ((frame->due_us - now + 999) / 1000,
                                                        pump_timeout_cb, self);
          return;
        }
      if (wire_outbox_is_socket_closed (self))
        {
          wire_outbox_clear (self);
          return;
        }
      if (!socket_writable (self))
        {
          watch_writable (self);
          return;
        }
      g_queue_pop_head (&self->frames);
      self->queued_bytes -= frame->len;
      push (self, frame->text, frame->len);
      g_free (frame);
    }
}

gboolean
wire_outbox_send (WireOutbox *self,
                  const char *text,
                  gsize       len,
                  guint       latency_ms,
                  guint       limit_bytes)
{
  OutFrame *frame;

  if (wire_outbox_is_socket_closed (self))
    return TRUE;
  if (latency_ms == 0 && g_queue_is_empty (&self->frames) && socket_writable (self))
    {
      push (self, text, len);
      return TRUE;
    }

  frame = g_malloc (sizeof (OutFrame) + len + 1);
  frame->due_us = g_get_monotonic_time () + (gint64) latency_ms * 1000;
  frame->len = len;
  memcpy (frame->text, text, len);
  frame->text[len] = '\0';
  g_queue_push_tail (&self->frames, frame);
  self->queued_bytes += len;
  if (limit_bytes > 0 && self->queued_bytes > limit_bytes)
    {
      wire_outbox_clear (self);
      return FALSE;
    }
  pump (self);
  return TRUE;
}

void
wire_outbox_flush (WireOutbox *self)
{
  OutFrame *frame;

  while ((frame = g_queue_pop_head (&self->frames)) != NULL)
    {
      push (self, frame->text, frame->len);
      g_free (frame);
    }
  wire_outbox_clear (self);
}

void
wire_outbox_drop (WireOutbox *self)
{
  wire_outbox_clear (self);
  self->raw_close_code = 0;
  /* Shutting the socket down sends FIN without a close frame; libsoup then reads EOF and
   * reports the connection closed. */
  if (self->socket != NULL)
    g_socket_shutdown (self->socket, TRUE, TRUE, NULL);
  else
    g_io_stream_close (soup_websocket_connection_get_io_stream (self->ws), NULL, NULL);
}

/* libsoup 3.2 refuses to send close codes below 3000 that RFC 6455 did not list at first
 * (1012, 1013, 1014): it sends 1002 instead. */
gboolean
wire_outbox_libsoup_sends (int code)
{
  switch (code)
    {
    case 1000: case 1001: case 1002: case 1003: case 1007: case 1008: case 1009: case 1010:
    case 1011:
      return TRUE;
    default:
      return code >= 3000 && code <= 4999;
    }
}

/* libsoup writes greedily until the socket is full, so "writable right after its own output
 * source had its turn" means it has nothing half-written and a frame of ours cannot land in
 * the middle of one of its frames. */
static void
try_raw_close (WireOutbox *self)
{
  GOutputStream *out;
  guint8 frame[4];
  gssize written;

  if (wire_outbox_is_socket_closed (self))
    return;
  if (!socket_writable (self))
    {
      watch_writable (self);
      return;
    }
  frame[0] = 0x88;
  frame[1] = 2;
  frame[2] = (guint8) (self->raw_close_code >> 8);
  frame[3] = (guint8) (self->raw_close_code & 0xff);
  self->raw_close_code = 0;
  out = g_io_stream_get_output_stream (soup_websocket_connection_get_io_stream (self->ws));
  if (!G_IS_POLLABLE_OUTPUT_STREAM (out))
    {
      wire_outbox_drop (self);
      return;
    }
  written = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (out), frame,
                                                        sizeof frame, NULL, NULL);
  if (written != sizeof frame)
    {
      wire_outbox_drop (self);
      return;
    }
  g_output_stream_flush (out, NULL, NULL);
  /* The peer answers the close frame and sees our FIN; libsoup then reports the end. */
  if (self->socket != NULL)
    g_socket_shutdown (self->socket, FALSE, TRUE, NULL);
}

void
wire_outbox_close_raw (WireOutbox *self,
                       int         code)
{
  wire_outbox_clear (self);
  self->raw_close_code = code;
  try_raw_close (self);
}
