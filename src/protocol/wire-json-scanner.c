#define G_LOG_DOMAIN "wire-protocol"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-envelope.h"
#include "wire-error.h"
#include "wire-json-scanner-private.h"

/* A validating JSON scanner (RFC 8259): one pass, no tree, no allocation. The envelope drives
 * it for the top-level object of a frame; wire_json_validate() for any value. */

/* Byte classes for the string fast path: 0 = plain ASCII, 1 = '"', 2 = '\\', 3 = control,
 * 4 = start of a multi-byte UTF-8 sequence (validated separately). */
const guint8 wire_json_string_class[256] = {
  3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
  3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
  0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
  4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
  4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
  4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
  4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
  4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
  4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
  4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

void
wire_json_scanner_fail (WireJsonScanner *s,
                        const guchar    *at,
                        const char      *format,
                        ...)
{
  g_autofree char *cause = NULL;
  va_list args;

  if (s->failed)
    return;
  s->failed = TRUE;

  if (s->error == NULL)
    return;

  va_start (args, format);
  cause = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (s->error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME,
               "Invalid JSON at byte %" G_GSIZE_FORMAT ": %s",
               (gsize) (at - s->start), cause);
}

const char *
wire_json_describe_byte (const guchar *p,
                         const guchar *end,
                         char          buf[16])
{
  if (p >= end)
    return "the end of the text";
  if (*p >= 0x21 && *p < 0x7f)
    g_snprintf (buf, 16, "“%c”", *p);
  else
    g_snprintf (buf, 16, "byte 0x%02x", *p);
  return buf;
}

static inline int
hex_value (guchar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (const guchar *p,
           const guchar *end,
           guint        *out)
{
  guint v = 0;

  if (end - p < 4)
    return FALSE;

  for (int i = 0; i < 4; i++)
    {
      int h = hex_value (p[i]);

      if (h < 0)
        return FALSE;
      v = (v << 4) | (guint) h;
    }

  *out = v;
  return TRUE;
}

/* Validates one multi-byte UTF-8 sequence at s->p (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF) and steps over it. */
static gboolean
scan_utf8 (WireJsonScanner *s)
{
  const guchar *p = s->p;
  gsize avail = s->end - p;
  guchar c = p[0];

  if (c >= 0xc2 && c <= 0xdf)
    {
      if (avail >= 2 && (p[1] & 0xc0) == 0x80)
        {
          s->p += 2;
          return TRUE;
        }
    }
  else if (c >= 0xe0 && c <= 0xef)
    {
      guchar lo = c == 0xe0 ? 0xa0 : 0x80;
      guchar hi = c == 0xed ? 0x9f : 0xbf;

      if (avail >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80)
        {
          s->p += 3;
          return TRUE;
        }
    }
  else if (c >= 0xf0 && c <= 0xf4)
    {
      guchar lo = c == 0xf0 ? 0x90 : 0x80;
      guchar hi = c == 0xf4 ? 0x8f : 0xbf;

      if (avail >= 4 && p[1] >= lo && p[1] <= hi &&
          (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80)
        {
          s->p += 4;
          return TRUE;
        }
    }

  wire_json_scanner_fail (s, p, "invalid UTF-8");
  return FALSE;
}

/* s->p is on the opening quote. On success s->p is after the closing quote, and *out_off /
 * *out_len give the raw contents. */
gboolean
wire_json_scan_string (WireJsonScanner *s,
                       guint32         *out_off,
                       guint32         *out_len,
                       gboolean        *out_escaped)
{
  const guchar *begin = ++s->p;
  gboolean escaped = FALSE;

  for (;;)
    {
      guint8 cls;

      s->p = wire_json_skip_plain (s->p, s->end);

      if (s->p >= s->end)
        {
          wire_json_scanner_fail (s, begin - 1, "unterminated string");
          return FALSE;
        }

      cls = wire_json_string_class[*s->p];
      if (cls == 1)
        break;

      if (cls == 4)
        {
          if (!scan_utf8 (s))
            return FALSE;
          continue;
        }

      if (cls == 3)
        {
          wire_json_scanner_fail (s, s->p, "unescaped control character 0x%02x in string", *s->p);
          return FALSE;
        }

      /* A backslash. */
      escaped = TRUE;
      if (s->end - s->p < 2)
        {
          wire_json_scanner_fail (s, begin - 1, "unterminated string");
          return FALSE;
        }

      switch (s->p[1])
        {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          s->p += 2;
          break;

        case 'u':
          {
            guint cp;

            if (!read_hex4 (s->p + 2, s->end, &cp))
              {
                wire_json_scanner_fail (s, s->p, "“\\u” needs four hexadecimal digits");
                return FALSE;
              }

            if (cp >= 0xdc00 && cp <= 0xdfff)
              {
                wire_json_scanner_fail (s, s->p, "lone low surrogate \\u%04x", cp);
                return FALSE;
              }

            if (cp >= 0xd800 && cp <= 0xdbff)
              {
                guint lo;

                if (s->end - s->p < 12 || s->p[6] != '\\' || s->p[7] != 'u' ||
                    !read_hex4 (s->p + 8, s->end, &lo) || lo < 0xdc00 || lo > 0xdfff)
                  {
                    wire_json_scanner_fail (s, s->p,
                                            "high surrogate \\u%04x not followed by a low one",
                                            cp);
                    return FALSE;
                  }
                s->p += 12;
              }
            else
              s->p += 6;
          }
          break;

        default:
          if (s->p[1] >= 0x21 && s->p[1] < 0x7f)
            wire_json_scanner_fail (s, s->p, "invalid escape “\\%c”", s->p[1]);
          else
            wire_json_scanner_fail (s, s->p, "invalid escape: backslash before byte 0x%02x",
                                    s->p[1]);
          return FALSE;
        }
    }

  /* Offsets fit: wire_envelope_parse() refuses texts past 4 GiB. */
  if (out_off != NULL)
    {
      *out_off = (guint32) (begin - s->start);
      *out_len = (guint32) (s->p - begin);
      *out_escaped = escaped;
    }
  s->p++;

  return TRUE;
}

/* RFC 8259 §6. When @out_int is given, *@out_is_int says whether the number is an integer that
 * fits in 64 bits, and only then is *@out_int its value. */
gboolean
wire_json_scan_number (WireJsonScanner *s,
                       gint64          *out_int,
                       gboolean        *out_is_int)
{
  const guchar *begin = s->p;
  const guchar *p = s->p;
  const guchar *end = s->end;
  const guchar *digits;
  gboolean negative = FALSE;
  gboolean is_int = TRUE;

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }

  digits = p;
  if (p >= end || !wire_json_is_digit (*p))
    {
      wire_json_scanner_fail (s, begin, "invalid number");
      return FALSE;
    }

  if (*p == '0')
    {
      p++;
      if (p < end && wire_json_is_digit (*p))
        {
          wire_json_scanner_fail (s, begin, "number with a leading zero");
          return FALSE;
        }
    }
  else
    {
      while (p < end && wire_json_is_digit (*p))
        p++;
    }

  if (out_int != NULL)
    {
      /* Up to 19 digits cannot overflow an unsigned 64-bit accumulator; 20 are checked. */
      gsize n_digits = p - digits;
      guint64 magnitude = 0;
      gboolean fits = n_digits <= 20;

      for (gsize i = 0; fits && i < n_digits; i++)
        {
          guint d = digits[i] - '0';

          if (i == 19 && (magnitude > G_MAXUINT64 / 10 ||
                          (magnitude == G_MAXUINT64 / 10 && d > G_MAXUINT64 % 10)))
            fits = FALSE;
          else
            magnitude = magnitude * 10 + d;
        }

      if (fits && (negative ? magnitude <= (guint64) G_MAXINT64 + 1 : magnitude <= G_MAXINT64))
        *out_int = negative ? (gint64) (0 - magnitude) : (gint64) magnitude;
      else
        is_int = FALSE;
    }

  if (p < end && *p == '.')
    {
      is_int = FALSE;
      p++;
      if (p >= end || !wire_json_is_digit (*p))
        {
          wire_json_scanner_fail (s, begin, "invalid number: digits must follow “.”");
          return FALSE;
        }
      while (p < end && wire_json_is_digit (*p))
        p++;
    }

  if (p < end && (*p == 'e' || *p == 'E'))
    {
      is_int = FALSE;
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p >= end || !wire_json_is_digit (*p))
        {
          wire_json_scanner_fail (s, begin, "invalid number: digits must follow the exponent");
          return FALSE;
        }
      while (p < end && wire_json_is_digit (*p))
        p++;
    }

  if (out_is_int != NULL)
    *out_is_int = is_int;
  s->p = p;

  return TRUE;
}

static gboolean
scan_literal (WireJsonScanner    *s,
              const char *word,
              gsize       len)
{
  if ((gsize) (s->end - s->p) < len || memcmp (s->p, word, len) != 0)
    {
      wire_json_scanner_fail (s, s->p, "invalid literal (expected “%s”)", word);
      return FALSE;
    }

  s->p += len;
  return TRUE;
}

static gboolean
scan_container (WireJsonScanner *s,
                guint    depth)
{
  gboolean is_object = *s->p == '{';
  guchar close = is_object ? '}' : ']';

  if (depth >= WIRE_JSON_MAX_DEPTH)
    {
      wire_json_scanner_fail (s, s->p, "nesting deeper than %d levels", WIRE_JSON_MAX_DEPTH);
      return FALSE;
    }

  s->p++;
  wire_json_skip_ws (s);
  if (s->p < s->end && *s->p == close)
    {
      s->p++;
      return TRUE;
    }

  for (;;)
    {
      char buf[16];

      if (is_object)
        {
          if (s->p >= s->end || *s->p != '"')
            {
              wire_json_scanner_fail (s, s->p, "expected a member name, found %s",
                                      wire_json_describe_byte (s->p, s->end, buf));
              return FALSE;
            }
          if (!wire_json_scan_string_fast (s, NULL, NULL, NULL))
            return FALSE;
          wire_json_skip_ws (s);
          if (s->p >= s->end || *s->p != ':')
            {
              wire_json_scanner_fail (s, s->p, "expected “:” after a member name, found %s",
                                      wire_json_describe_byte (s->p, s->end, buf));
              return FALSE;
            }
          s->p++;
          wire_json_skip_ws (s);
        }

      if (!wire_json_scan_value (s, depth + 1))
        return FALSE;

      wire_json_skip_ws (s);
      if (s->p < s->end && *s->p == ',')
        {
          s->p++;
          wire_json_skip_ws (s);
          continue;
        }
      if (s->p < s->end && *s->p == close)
        {
          s->p++;
          return TRUE;
        }

      wire_json_scanner_fail (s, s->p, "expected “,” or “%c”, found %s", close,
                              wire_json_describe_byte (s->p, s->end, buf));
      return FALSE;
    }
}

/* s->p is on the first byte of a value (whitespace already skipped). */
gboolean
wire_json_scan_value (WireJsonScanner *s,
                      guint    depth)
{
  char buf[16];

  if (s->p >= s->end)
    {
      wire_json_scanner_fail (s, s->p, "unexpected end of the text, expected a value");
      return FALSE;
    }

  switch (*s->p)
    {
    case '{':
    case '[':
      return scan_container (s, depth);
    case '"':
      return wire_json_scan_string_fast (s, NULL, NULL, NULL);
    case 't':
      return scan_literal (s, "true", 4);
    case 'f':
      return scan_literal (s, "false", 5);
    case 'n':
      return scan_literal (s, "null", 4);
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return wire_json_scan_number (s, NULL, NULL);
    default:
      wire_json_scanner_fail (s, s->p, "expected a value, found %s",
                              wire_json_describe_byte (s->p, s->end, buf));
      return FALSE;
    }
}

/* Decodes a validated raw string into @out (which has room for @len bytes: decoding never
 * grows a string). Returns the decoded length. */
gsize
wire_json_decode_string (const guchar *raw,
                         gsize         len,
                         char         *out)
{
  const guchar *p = raw;
  const guchar *end = raw + len;
  char *o = out;

  while (p < end)
    {
      const guchar *run = p;
      guint cp;

      while (p < end && *p != '\\')
        p++;
      memcpy (o, run, p - run);
      o += p - run;
      if (p >= end)
        break;

      switch (p[1])
        {
        case 'b': *o++ = '\b'; p += 2; break;
        case 'f': *o++ = '\f'; p += 2; break;
        case 'n': *o++ = '\n'; p += 2; break;
        case 'r': *o++ = '\r'; p += 2; break;
        case 't': *o++ = '\t'; p += 2; break;
        case 'u':
          read_hex4 (p + 2, end, &cp);
          p += 6;
          if (cp >= 0xd800 && cp <= 0xdbff)
            {
              guint lo = 0;

              read_hex4 (p + 2, end, &lo);
              cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
              p += 6;
            }
          o += g_unichar_to_utf8 (cp, o);
          break;
        default:
          *o++ = (char) p[1];
          p += 2;
          break;
        }
    }

  return o - out;
}

void
wire_json_scanner_init (WireJsonScanner  *s,
                        const char       *data,
                        gsize             len,
                        GError          **error)
{
  /* An empty frame may come as (NULL, 0) (GBytes has no data to point at): pointer arithmetic
   * on NULL is undefined, so scan an empty string instead. */
  s->start = (const guchar *) (data != NULL ? data : "");
  s->p = s->start;
  s->end = s->start + len;
  s->error = error;
  s->failed = FALSE;
}

gboolean
wire_json_validate (const char  *text,
                    gsize        len,
                    GError     **error)
{
  WireJsonScanner s;
  char buf[16];

  g_return_val_if_fail (text != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  wire_json_scanner_init (&s, text, len, error);
  wire_json_skip_ws (&s);
  if (!wire_json_scan_value (&s, 0))
    return FALSE;

  wire_json_skip_ws (&s);
  if (s.p < s.end)
    {
      wire_json_scanner_fail (&s, s.p, "unexpected %s after the JSON value",
                              wire_json_describe_byte (s.p, s.end, buf));
      return FALSE;
    }

  return TRUE;
}
