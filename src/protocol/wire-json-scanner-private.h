/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

/* The JSON scanner shared by the envelope (src/protocol only). Positions are pointers into the
 * scanned text; the first error wins and is reported once, as WIRE_ERROR_BAD_FRAME with its
 * byte offset. The small helpers are inline: they run for every member of every frame. */

typedef struct
{
  const guchar *start;
  const guchar *p;
  const guchar *end;
  GError      **error;
  gboolean      failed;
} WireJsonScanner;

/* Byte classes for strings: 0 = plain ASCII, 1 = '"', 2 = '\\', 3 = control, 4 = start of a
 * multi-byte UTF-8 sequence (validated separately). */
extern const guint8 wire_json_string_class[256];

void         wire_json_scanner_init     (WireJsonScanner  *s,
                                         const char       *data,
                                         gsize             len,
                                         GError          **error);
void         wire_json_scanner_fail     (WireJsonScanner  *s,
                                         const guchar     *at,
                                         const char       *format,
                                         ...) G_GNUC_PRINTF (3, 4);
/* "“x”", "byte 0x01" or "the end of the text", for messages; @buf holds 16 bytes. */
const char  *wire_json_describe_byte    (const guchar     *p,
                                         const guchar     *end,
                                         char              buf[16]);
/* s->p on the opening quote; on success after the closing one. @out_off (offset from the
 * start, after the quote), @out_len (raw, escapes not decoded) and @out_escaped may all be
 * NULL together. */
gboolean     wire_json_scan_string      (WireJsonScanner  *s,
                                         guint32          *out_off,
                                         guint32          *out_len,
                                         gboolean         *out_escaped);
gboolean     wire_json_scan_number      (WireJsonScanner  *s,
                                         gint64           *out_int,
                                         gboolean         *out_is_int);
/* s->p on the first byte of a value; @depth is the nesting level of its container. */
gboolean     wire_json_scan_value       (WireJsonScanner  *s,
                                         guint             depth);
/* Decodes a string the scanner accepted into @out (room for @len bytes: decoding never grows
 * a string). Returns the decoded length; the result is not NUL-terminated. */
gsize        wire_json_decode_string    (const guchar     *raw,
                                         gsize             len,
                                         char             *out);

static inline void
wire_json_skip_ws (WireJsonScanner *s)
{
  const guchar *p = s->p;
  const guchar *end = s->end;

  /* Frames from both ends carry no whitespace: return at the first look. */
  if (G_LIKELY (p >= end || *p > ' '))
    return;

  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
    p++;
  s->p = p;
}

static inline gboolean
wire_json_is_digit (guchar c)
{
  return (guint) (c - '0') < 10;
}

#define WIRE_JSON_BYTES(b) (G_GUINT64_CONSTANT (0x0101010101010101) * (b))

/* Steps over plain ASCII (no quote, backslash, control or non-ASCII byte): eight bytes at a
 * time with the usual has-zero-byte tricks, whose lowest flagged byte is exact, so the first
 * special byte is found without a byte loop on little-endian machines. */
static inline const guchar *
wire_json_skip_plain (const guchar *p,
                      const guchar *end)
{
  const guint64 ones = WIRE_JSON_BYTES (0x01);
  const guint64 quotes = WIRE_JSON_BYTES (0x22);
  const guint64 backslashes = WIRE_JSON_BYTES (0x5c);
  const guint64 spaces = WIRE_JSON_BYTES (0x20);
  const guint64 high_bits = WIRE_JSON_BYTES (0x80);

  while (end - p >= 8)
    {
      guint64 w;
      guint64 special;

      memcpy (&w, p, 8);
      special = ((w ^ quotes) - ones) & ~(w ^ quotes);
      special |= ((w ^ backslashes) - ones) & ~(w ^ backslashes);
      special |= (w - spaces) & ~w;
      special |= w;
      special &= high_bits;
      if (special != 0)
        {
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
          return p + (__builtin_ctzll (special) >> 3);
#else
          break;
#endif
        }
      p += 8;
    }

  while (p < end && wire_json_string_class[*p] == 0)
    p++;

  return p;
}

/* The common string (ASCII, no escapes) without a call; anything else goes to
 * wire_json_scan_string(), which starts over at the opening quote. */
static inline gboolean
wire_json_scan_string_fast (WireJsonScanner *s,
                            guint32         *out_off,
                            guint32         *out_len,
                            gboolean        *out_escaped)
{
  const guchar *begin = s->p + 1;
  const guchar *q = wire_json_skip_plain (begin, s->end);

  if (G_LIKELY (q < s->end && *q == '"'))
    {
      if (out_off != NULL)
        {
          *out_off = (guint32) (begin - s->start);
          *out_len = (guint32) (q - begin);
          *out_escaped = FALSE;
        }
      s->p = q + 1;
      return TRUE;
    }

  return wire_json_scan_string (s, out_off, out_len, out_escaped);
}

G_END_DECLS
