#define G_LOG_DOMAIN "wire-fuzz"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib-unix.h>

#include "fuzz-link.h"

struct _WireFuzzLink
{
  GIOStream     *stream;
  GOutputStream *out;       /* a resizable GMemoryOutputStream, rewound after each check */
  int            peer_fd;   /* the write end of the input pipe, -1 once hung up */
  GByteArray    *scratch;   /* an unmasked payload */
};

WireFuzzLink *
wire_fuzz_link_new (void)
{
  WireFuzzLink *self = g_new0 (WireFuzzLink, 1);
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (GError) error = NULL;
  int fds[2];

  /* A pipe nobody writes to: pollable, never readable, until its write end is closed. */
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, &error))
    g_error ("pipe: %s", error->message);
  in = g_unix_input_stream_new (fds[0], TRUE);
  self->peer_fd = fds[1];
  self->out = g_memory_output_stream_new_resizable ();
  self->stream = g_simple_io_stream_new (in, self->out);
  self->scratch = g_byte_array_new ();
  return self;
}

GIOStream *
wire_fuzz_link_get_stream (WireFuzzLink *self)
{
  return self->stream;
}

void
wire_fuzz_link_hang_up (WireFuzzLink *self)
{
  if (self->peer_fd >= 0)
    {
      close (self->peer_fd);
      self->peer_fd = -1;
    }
}

static guint64
read_be (const guint8 *p,
         guint         n)
{
  guint64 v = 0;

  for (guint i = 0; i < n; i++)
    v = (v << 8) | p[i];
  return v;
}

void
wire_fuzz_link_check_output (WireFuzzLink      *self,
                             gboolean           masked,
                             WireFuzzFrameFunc  func,
                             gpointer           user_data)
{
  GMemoryOutputStream *mem = G_MEMORY_OUTPUT_STREAM (self->out);
  const guint8 *data = g_memory_output_stream_get_data (mem);
  gsize size = (gsize) g_seekable_tell (G_SEEKABLE (self->out));
  gsize pos = 0;

  while (pos < size)
    {
      const guint8 *frame = data + pos;
      gsize avail = size - pos;
      gsize header = 2;
      guint64 len;
      guint8 opcode;

      g_assert_cmpuint (avail, >=, 2);
      opcode = frame[0] & 0x0f;
      /* libsoup writes every message as one final frame, reserved bits clear. */
      g_assert_cmphex (frame[0] & 0xf0, ==, 0x80);
      g_assert_true (opcode == 0x1 || opcode == 0x2 || opcode == 0x8 || opcode == 0x9
                     || opcode == 0xa);
      g_assert_cmpint (!!(frame[1] & 0x80), ==, !!masked);
      len = frame[1] & 0x7f;
      if (len == 126)
        {
          g_assert_cmpuint (avail, >=, 4);
          len = read_be (frame + 2, 2);
          g_assert_cmpuint (len, >, 125);
          header = 4;
        }
      else if (len == 127)
        {
          g_assert_cmpuint (avail, >=, 10);
          len = read_be (frame + 2, 8);
          g_assert_cmpuint (len, >, G_MAXUINT16);
          header = 10;
        }
      if (opcode >= 0x8)
        g_assert_cmpuint (len, <=, 125);
      if (masked)
        header += 4;
      /* Nothing is written by halves: the memory stream takes every byte at once. */
      g_assert_cmpuint (avail, >=, header + len);

      if (masked)
        {
          const guint8 *mask = frame + header - 4;

          g_byte_array_set_size (self->scratch, len + 1);
          for (gsize i = 0; i < len; i++)
            self->scratch->data[i] = frame[header + i] ^ mask[i & 3];
          self->scratch->data[len] = '\0';
          func (opcode, (const char *) self->scratch->data, len, user_data);
        }
      else
        func (opcode, (const char *) frame + header, len, user_data);
      pos += header + len;
    }
  g_seekable_seek (G_SEEKABLE (self->out), 0, G_SEEK_SET, NULL, NULL);
}

void
wire_fuzz_link_free (WireFuzzLink *self)
{
  if (self == NULL)
    return;
  wire_fuzz_link_hang_up (self);
  g_clear_object (&self->stream);
  g_clear_object (&self->out);
  g_byte_array_unref (self->scratch);
  g_free (self);
}
