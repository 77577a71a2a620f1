#define G_LOG_DOMAIN "wire-protocol"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-envelope.h"
#include "wire-error.h"

/* The scanner below validates JSON text per RFC 8259 in one pass and, for the top-level object
 * only, remembers where each member's name and value are. Decoding is left for after the scan,
 * when the sizes are known, so that the envelope, the copy of the text, the member spans and
 * the decoded strings share one allocation.
 *
 * Duplicate member names: the last one wins, both for the copied fields and for the spans
 * (wire_envelope_peek_member() returns the last), as json-glib does for get_object(). */

#define MAX_DEPTH WIRE_JSON_MAX_DEPTH
#define INLINE_MEMBERS 24

typedef enum
{
  F_TYPE,
  F_ID,
  F_CHANNEL,
  F_EVENT,
  F_FROM,
  F_STATUS,
  F_CODE,
  F_MESSAGE,
  F_TOKEN,
  F_SESSION_ID,
  F_USER_ID,
  F_CONNECTION_ID,
  F_PRIORITY,
  N_STRING_FIELDS,
  F_TS = N_STRING_FIELDS,
  F_TIMESTAMP,
  F_SERVER_TIME,
  F_RETRY_AFTER_MS,
  F_HEARTBEAT_INTERVAL_MS,
  F_MAX_MESSAGE_BYTES,
  F_SUCCESS,
  F_NONE,
} Field;

#define N_INT_FIELDS (F_SUCCESS - F_TS)

typedef struct
{
  guint32 key_off;      /* offset of the name's first byte after the quote */
  guint32 key_len;      /* raw length, escapes not decoded */
  guint32 value_off;
  guint32 value_len;
  gboolean key_escaped;
} Member;

/* A string's raw span: offset after the opening quote and raw length. */
typedef struct
{
  guint32  off;
  guint32  len;
  gboolean escaped;
  gboolean present;
} RawString;

typedef struct
{
  WireEnvelope    pub;
  gatomicrefcount ref_count;
  JsonObject     *object;    /* parsed on demand; set once */
  char           *text;
  Member         *members;
  guint           n_members;
} WireEnvelopeReal;

G_STATIC_ASSERT (G_STRUCT_OFFSET (WireEnvelopeReal, pub) == 0);

typedef struct
{
  const guchar *start;
  const guchar *p;
  const guchar *end;
  GError      **error;
  gboolean      failed;

  /* Top-level bookkeeping, used by the envelope parse only. */
  gboolean      collect;
  RawString     strings[N_STRING_FIELDS];
  gint64        ints[N_INT_FIELDS];
  int           success;
  Member       *members;
  guint         n_members;
  guint         members_alloc;
  Member        inline_members[INLINE_MEMBERS];
} Scanner;

/* Byte classes for the string fast path: 0 = plain ASCII, 1 = '"', 2 = '\\', 3 = control,
 * 4 = start of a multi-byte UTF-8 sequence (validated separately). */
static const guint8 string_class[256] = {
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

static void scan_fail (Scanner      *s,
                       const guchar *at,
                       const char   *format,
                       ...) G_GNUC_PRINTF (3, 4);

static void
scan_fail (Scanner      *s,
           const guchar *at,
           const char   *format,
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

static inline void
skip_ws (Scanner *s)
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
is_digit (guchar c)
{
  return (guint) (c - '0') < 10;
}

static const char *
describe_byte (const guchar *p,
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
scan_utf8 (Scanner *s)
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

  scan_fail (s, p, "invalid UTF-8");
  return FALSE;
}

#define BYTES(b) (G_GUINT64_CONSTANT (0x0101010101010101) * (b))

/* Steps over plain ASCII (no quote, backslash, control or non-ASCII byte): eight bytes at a
 * time with the usual has-zero-byte tricks, whose lowest flagged byte is exact, so the first
 * special byte is found without a byte loop on little-endian machines. */
static inline const guchar *
skip_plain (const guchar *p,
            const guchar *end)
{
  while (end - p >= 8)
    {
      guint64 w;
      guint64 special;

      memcpy (&w, p, 8);
      special = ((w ^ BYTES (0x22)) - BYTES (0x01)) & ~(w ^ BYTES (0x22));
      special |= ((w ^ BYTES (0x5c)) - BYTES (0x01)) & ~(w ^ BYTES (0x5c));
      special |= (w - BYTES (0x20)) & ~w;
      special |= w;
      special &= BYTES (0x80);
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

  while (p < end && string_class[*p] == 0)
    p++;

  return p;
}

/* s->p is on the opening quote. On success s->p is after the closing quote, and *out_off /
 * *out_len give the raw contents. */
static gboolean
scan_string (Scanner  *s,
             guint32  *out_off,
             guint32  *out_len,
             gboolean *out_escaped)
{
  const guchar *begin = ++s->p;
  gboolean escaped = FALSE;

  for (;;)
    {
      guint8 cls;

      s->p = skip_plain (s->p, s->end);

      if (s->p >= s->end)
        {
          scan_fail (s, begin - 1, "unterminated string");
          return FALSE;
        }

      cls = string_class[*s->p];
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
          scan_fail (s, s->p, "unescaped control character 0x%02x in string", *s->p);
          return FALSE;
        }

      /* A backslash. */
      escaped = TRUE;
      if (s->end - s->p < 2)
        {
          scan_fail (s, begin - 1, "unterminated string");
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
                scan_fail (s, s->p, "“\\u” needs four hexadecimal digits");
                return FALSE;
              }

            if (cp >= 0xdc00 && cp <= 0xdfff)
              {
                scan_fail (s, s->p, "lone low surrogate \\u%04x", cp);
                return FALSE;
              }

            if (cp >= 0xd800 && cp <= 0xdbff)
              {
                guint lo;

                if (s->end - s->p < 12 || s->p[6] != '\\' || s->p[7] != 'u' ||
                    !read_hex4 (s->p + 8, s->end, &lo) || lo < 0xdc00 || lo > 0xdfff)
                  {
                    scan_fail (s, s->p, "high surrogate \\u%04x not followed by a low one", cp);
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
            scan_fail (s, s->p, "invalid escape “\\%c”", s->p[1]);
          else
            scan_fail (s, s->p, "invalid escape: backslash before byte 0x%02x", s->p[1]);
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

/* The common string (ASCII, no escapes) without a call; anything else goes to scan_string(),
 * which starts over at the opening quote. */
static inline gboolean
scan_string_fast (Scanner  *s,
                  guint32  *out_off,
                  guint32  *out_len,
                  gboolean *out_escaped)
{
  const guchar *begin = s->p + 1;
  const guchar *q = skip_plain (begin, s->end);

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

  return scan_string (s, out_off, out_len, out_escaped);
}

/* RFC 8259 §6. When @out_int is given, *@out_is_int says whether the number is an integer that
 * fits in 64 bits, and only then is *@out_int its value. */
static gboolean
scan_number (Scanner  *s,
             gint64   *out_int,
             gboolean *out_is_int)
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
  if (p >= end || !is_digit (*p))
    {
      scan_fail (s, begin, "invalid number");
      return FALSE;
    }

  if (*p == '0')
    {
      p++;
      if (p < end && is_digit (*p))
        {
          scan_fail (s, begin, "number with a leading zero");
          return FALSE;
        }
    }
  else
    {
      while (p < end && is_digit (*p))
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
      if (p >= end || !is_digit (*p))
        {
          scan_fail (s, begin, "invalid number: digits must follow “.”");
          return FALSE;
        }
      while (p < end && is_digit (*p))
        p++;
    }

  if (p < end && (*p == 'e' || *p == 'E'))
    {
      is_int = FALSE;
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p >= end || !is_digit (*p))
        {
          scan_fail (s, begin, "invalid number: digits must follow the exponent");
          return FALSE;
        }
      while (p < end && is_digit (*p))
        p++;
    }

  if (out_is_int != NULL)
    *out_is_int = is_int;
  s->p = p;

  return TRUE;
}

static gboolean
scan_literal (Scanner    *s,
              const char *word,
              gsize       len)
{
  if ((gsize) (s->end - s->p) < len || memcmp (s->p, word, len) != 0)
    {
      scan_fail (s, s->p, "invalid literal (expected “%s”)", word);
      return FALSE;
    }

  s->p += len;
  return TRUE;
}

static gboolean scan_value (Scanner *s,
                            guint    depth);

static gboolean
scan_container (Scanner *s,
                guint    depth)
{
  gboolean is_object = *s->p == '{';
  guchar close = is_object ? '}' : ']';

  if (depth >= MAX_DEPTH)
    {
      scan_fail (s, s->p, "nesting deeper than %d levels", MAX_DEPTH);
      return FALSE;
    }

  s->p++;
  skip_ws (s);
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
              scan_fail (s, s->p, "expected a member name, found %s",
                         describe_byte (s->p, s->end, buf));
              return FALSE;
            }
          if (!scan_string_fast (s, NULL, NULL, NULL))
            return FALSE;
          skip_ws (s);
          if (s->p >= s->end || *s->p != ':')
            {
              scan_fail (s, s->p, "expected “:” after a member name, found %s",
                         describe_byte (s->p, s->end, buf));
              return FALSE;
            }
          s->p++;
          skip_ws (s);
        }

      if (!scan_value (s, depth + 1))
        return FALSE;

      skip_ws (s);
      if (s->p < s->end && *s->p == ',')
        {
          s->p++;
          skip_ws (s);
          continue;
        }
      if (s->p < s->end && *s->p == close)
        {
          s->p++;
          return TRUE;
        }

      scan_fail (s, s->p, "expected “,” or “%c”, found %s", close,
                 describe_byte (s->p, s->end, buf));
      return FALSE;
    }
}

/* s->p is on the first byte of a value (whitespace already skipped). */
static gboolean
scan_value (Scanner *s,
            guint    depth)
{
  char buf[16];

  if (s->p >= s->end)
    {
      scan_fail (s, s->p, "unexpected end of the text, expected a value");
      return FALSE;
    }

  switch (*s->p)
    {
    case '{':
    case '[':
      return scan_container (s, depth);
    case '"':
      return scan_string_fast (s, NULL, NULL, NULL);
    case 't':
      return scan_literal (s, "true", 4);
    case 'f':
      return scan_literal (s, "false", 5);
    case 'n':
      return scan_literal (s, "null", 4);
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return scan_number (s, NULL, NULL);
    default:
      scan_fail (s, s->p, "expected a value, found %s", describe_byte (s->p, s->end, buf));
      return FALSE;
    }
}

/* Decodes a validated raw string into @out (which has room for @len bytes: decoding never
 * grows a string). Returns the decoded length. */
static gsize
decode_string (const guchar *raw,
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

static Field
field_for_key (const char *k,
               gsize       len)
{
#define IS(name) (memcmp (k, name, sizeof (name) - 1) == 0)
  switch (len)
    {
    case 2:
      if (IS ("id"))
        return F_ID;
      if (IS ("ts"))
        return F_TS;
      break;
    case 4:
      if (IS ("type"))
        return F_TYPE;
      if (IS ("from"))
        return F_FROM;
      if (IS ("code"))
        return F_CODE;
      break;
    case 5:
      if (IS ("event"))
        return F_EVENT;
      if (IS ("token"))
        return F_TOKEN;
      break;
    case 6:
      if (IS ("status"))
        return F_STATUS;
      if (IS ("userId"))
        return F_USER_ID;
      break;
    case 7:
      if (IS ("channel"))
        return F_CHANNEL;
      if (IS ("message"))
        return F_MESSAGE;
      if (IS ("success"))
        return F_SUCCESS;
      break;
    case 8:
      if (IS ("priority"))
        return F_PRIORITY;
      break;
    case 9:
      if (IS ("sessionId"))
        return F_SESSION_ID;
      if (IS ("timestamp"))
        return F_TIMESTAMP;
      break;
    case 10:
      if (IS ("serverTime"))
        return F_SERVER_TIME;
      break;
    case 12:
      if (IS ("connectionId"))
        return F_CONNECTION_ID;
      if (IS ("retryAfterMs"))
        return F_RETRY_AFTER_MS;
      break;
    case 15:
      if (IS ("maxMessageBytes"))
        return F_MAX_MESSAGE_BYTES;
      break;
    case 19:
      if (IS ("heartbeatIntervalMs"))
        return F_HEARTBEAT_INTERVAL_MS;
      break;
    default:
      break;
    }
#undef IS
  return F_NONE;
}

static Field
field_for_member (Scanner      *s,
                  const Member *m)
{
  const char *raw = (const char *) s->start + m->key_off;
  char decoded[32];
  gsize len;

  if (!m->key_escaped)
    return field_for_key (raw, m->key_len);

  /* An escaped name ("\u0074ype") is rare; none of ours is longer than 19 bytes decoded. */
  if (m->key_len > sizeof decoded)
    return F_NONE;
  len = decode_string ((const guchar *) raw, m->key_len, decoded);
  return field_for_key (decoded, len);
}

static void
add_member (Scanner      *s,
            const Member *m)
{
  if (s->n_members == s->members_alloc)
    {
      guint alloc = s->members_alloc * 2;

      if (s->members == s->inline_members)
        {
          s->members = g_new (Member, alloc);
          memcpy (s->members, s->inline_members, sizeof (Member) * s->n_members);
        }
      else
        s->members = g_renew (Member, s->members, alloc);
      s->members_alloc = alloc;
    }

  s->members[s->n_members++] = *m;
}

/* The top-level object of a frame: validated like any object, and its members recorded. */
static gboolean
scan_top_object (Scanner *s)
{
  char buf[16];

  s->p++;
  skip_ws (s);
  if (s->p < s->end && *s->p == '}')
    {
      s->p++;
      return TRUE;
    }

  for (;;)
    {
      Member m;
      Field field;
      const guchar *value;

      if (s->p >= s->end || *s->p != '"')
        {
          scan_fail (s, s->p, "expected a member name, found %s",
                     describe_byte (s->p, s->end, buf));
          return FALSE;
        }
      if (!scan_string_fast (s, &m.key_off, &m.key_len, &m.key_escaped))
        return FALSE;
      skip_ws (s);
      if (s->p >= s->end || *s->p != ':')
        {
          scan_fail (s, s->p, "expected “:” after a member name, found %s",
                     describe_byte (s->p, s->end, buf));
          return FALSE;
        }
      s->p++;
      skip_ws (s);

      value = s->p;
      field = field_for_member (s, &m);

      if (s->p < s->end && *s->p == '"')
        {
          RawString str;

          if (!scan_string_fast (s, &str.off, &str.len, &str.escaped))
            return FALSE;
          str.present = TRUE;
          if (field < N_STRING_FIELDS)
            s->strings[field] = str;
          else if (field == F_SUCCESS)
            s->success = -1;
          else if (field != F_NONE)
            s->ints[field - F_TS] = -1;
        }
      else if (s->p < s->end && (*s->p == '-' || g_ascii_isdigit (*s->p)) &&
               field >= F_TS && field < F_SUCCESS)
        {
          gint64 v = -1;
          gboolean is_int = FALSE;

          if (!scan_number (s, &v, &is_int))
            return FALSE;
          s->ints[field - F_TS] = is_int ? v : -1;
        }
      else
        {
          if (!scan_value (s, 1))
            return FALSE;
          if (field < N_STRING_FIELDS)
            s->strings[field].present = FALSE;
          else if (field == F_SUCCESS)
            s->success = *value == 't' ? 1 : *value == 'f' ? 0 : -1;
          else if (field != F_NONE)
            s->ints[field - F_TS] = -1;
        }

      m.value_off = (guint32) (value - s->start);
      m.value_len = (guint32) (s->p - value);
      add_member (s, &m);

      skip_ws (s);
      if (s->p < s->end && *s->p == ',')
        {
          s->p++;
          skip_ws (s);
          continue;
        }
      if (s->p < s->end && *s->p == '}')
        {
          s->p++;
          return TRUE;
        }

      scan_fail (s, s->p, "expected “,” or “}”, found %s", describe_byte (s->p, s->end, buf));
      return FALSE;
    }
}

static void
scanner_init (Scanner     *s,
              const char  *data,
              gsize        len,
              GError     **error)
{
  s->start = (const guchar *) data;
  s->p = s->start;
  s->end = s->start + len;
  s->error = error;
  s->failed = FALSE;
}

static gboolean
scan_document (Scanner *s)
{
  char buf[16];

  skip_ws (s);

  if (s->collect)
    {
      if (s->p >= s->end)
        {
          scan_fail (s, s->p, "empty frame, expected a JSON object");
          return FALSE;
        }
      if (*s->p != '{')
        {
          /* Say what it is, once it is known to be valid JSON at all. */
          const guchar *begin = s->p;

          if (!scan_value (s, 0))
            return FALSE;
          s->failed = TRUE;
          g_set_error (s->error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME,
                       "The frame is not a JSON object but %s",
                       *begin == '[' ? "an array" :
                       *begin == '"' ? "a string" :
                       *begin == 'n' ? "null" :
                       *begin == 't' || *begin == 'f' ? "a boolean" : "a number");
          return FALSE;
        }
      if (!scan_top_object (s))
        return FALSE;
    }
  else if (!scan_value (s, 0))
    return FALSE;

  skip_ws (s);
  if (s->p < s->end)
    {
      scan_fail (s, s->p, "unexpected %s after the JSON value",
                 describe_byte (s->p, s->end, buf));
      return FALSE;
    }

  return TRUE;
}

gboolean
wire_json_validate (const char  *text,
                    gsize        len,
                    GError     **error)
{
  Scanner s;

  g_return_val_if_fail (text != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  scanner_init (&s, text, len, error);
  s.collect = FALSE;

  return scan_document (&s);
}

static inline gsize
align8 (gsize n)
{
  return (n + 7) & ~(gsize) 7;
}

WireEnvelope *
wire_envelope_parse (const char  *data,
                     gsize        len,
                     GError     **error)
{
  WireEnvelopeReal *env;
  Scanner s;
  gsize members_off;
  gsize text_off;
  gsize strings_off;
  gsize total;
  char *strings;
  const char **targets[N_STRING_FIELDS];
  const char *priority = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > G_MAXUINT32)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_TOO_LARGE,
                   "Frame of %" G_GSIZE_FORMAT " bytes is too large to parse", len);
      return NULL;
    }

  scanner_init (&s, data, len, error);
  s.collect = TRUE;
  memset (s.strings, 0, sizeof s.strings);
  for (guint i = 0; i < N_INT_FIELDS; i++)
    s.ints[i] = -1;
  s.success = -1;
  s.members = s.inline_members;
  s.n_members = 0;
  s.members_alloc = INLINE_MEMBERS;

  if (!scan_document (&s))
    {
      if (s.members != s.inline_members)
        g_free (s.members);
      return NULL;
    }

  /* One block: the envelope, the member spans, the text, then the decoded strings (each no
   * longer than its raw form, plus a NUL). */
  members_off = align8 (sizeof (WireEnvelopeReal));
  text_off = members_off + sizeof (Member) * s.n_members;
  strings_off = text_off + len + 1;
  total = strings_off;
  for (guint i = 0; i < N_STRING_FIELDS; i++)
    if (s.strings[i].present)
      total += s.strings[i].len + 1;

  env = g_malloc (total);
  memset (env, 0, sizeof (WireEnvelopeReal));
  g_atomic_ref_count_init (&env->ref_count);
  env->members = (Member *) (gpointer) ((char *) env + members_off);
  env->n_members = s.n_members;
  memcpy (env->members, s.members, sizeof (Member) * s.n_members);
  env->text = (char *) env + text_off;
  memcpy (env->text, data, len);
  env->text[len] = '\0';

  if (s.members != s.inline_members)
    g_free (s.members);

  targets[F_TYPE] = &env->pub.type_name;
  targets[F_ID] = &env->pub.id;
  targets[F_CHANNEL] = &env->pub.channel;
  targets[F_EVENT] = &env->pub.event;
  targets[F_FROM] = &env->pub.from;
  targets[F_STATUS] = &env->pub.status;
  targets[F_CODE] = &env->pub.code;
  targets[F_MESSAGE] = &env->pub.message;
  targets[F_TOKEN] = &env->pub.token;
  targets[F_SESSION_ID] = &env->pub.session_id;
  targets[F_USER_ID] = &env->pub.user_id;
  targets[F_CONNECTION_ID] = &env->pub.connection_id;
  targets[F_PRIORITY] = &priority;

  strings = (char *) env + strings_off;
  for (guint i = 0; i < N_STRING_FIELDS; i++)
    {
      const RawString *raw = &s.strings[i];
      gsize n;

      if (!raw->present)
        continue;

      if (raw->escaped)
        n = decode_string ((const guchar *) data + raw->off, raw->len, strings);
      else
        {
          n = raw->len;
          memcpy (strings, data + raw->off, n);
        }
      strings[n] = '\0';

      /* A decoded U+0000 would silently cut the string short; such a value is treated as
       * absent rather than as a different, shorter one. */
      if (raw->escaped && memchr (strings, '\0', n) != NULL)
        continue;

      *targets[i] = strings;
      strings += n + 1;
    }

  env->pub.frame_type = wire_frame_type_from_string (env->pub.type_name);
  if (env->pub.type_name == NULL && s.strings[F_TYPE].present == FALSE && env->pub.token != NULL)
    env->pub.frame_type = WIRE_FRAME_AUTH;
  env->pub.has_priority = wire_priority_from_string (priority, &env->pub.priority);
  if (!env->pub.has_priority)
    env->pub.priority = WIRE_PRIORITY_NORMAL;
  env->pub.success = s.success;
  env->pub.ts = s.ints[F_TS - F_TS];
  env->pub.timestamp = s.ints[F_TIMESTAMP - F_TS];
  env->pub.server_time = s.ints[F_SERVER_TIME - F_TS];
  env->pub.retry_after_ms = s.ints[F_RETRY_AFTER_MS - F_TS];
  env->pub.heartbeat_interval_ms = s.ints[F_HEARTBEAT_INTERVAL_MS - F_TS];
  env->pub.max_message_bytes = s.ints[F_MAX_MESSAGE_BYTES - F_TS];
  env->pub.size = len;

  return &env->pub;
}

WireEnvelope *
wire_envelope_ref (WireEnvelope *envelope)
{
  WireEnvelopeReal *env = (WireEnvelopeReal *) envelope;

  g_return_val_if_fail (envelope != NULL, NULL);

  g_atomic_ref_count_inc (&env->ref_count);
  return envelope;
}

void
wire_envelope_unref (WireEnvelope *envelope)
{
  WireEnvelopeReal *env = (WireEnvelopeReal *) envelope;

  g_return_if_fail (envelope != NULL);

  if (g_atomic_ref_count_dec (&env->ref_count))
    {
      g_clear_pointer (&env->object, json_object_unref);
      g_free (env);
    }
}

G_DEFINE_BOXED_TYPE (WireEnvelope, wire_envelope, wire_envelope_ref, wire_envelope_unref)

const char *
wire_envelope_get_text (WireEnvelope *envelope,
                        gsize        *out_len)
{
  WireEnvelopeReal *env = (WireEnvelopeReal *) envelope;

  g_return_val_if_fail (envelope != NULL, NULL);

  if (out_len != NULL)
    *out_len = envelope->size;
  return env->text;
}

static gboolean
member_name_equal (WireEnvelopeReal *env,
                   const Member     *m,
                   const char       *name,
                   gsize             name_len)
{
  const char *raw = env->text + m->key_off;
  g_autofree char *decoded = NULL;
  gsize len;

  if (!m->key_escaped)
    return m->key_len == name_len && memcmp (raw, name, name_len) == 0;

  decoded = g_malloc (m->key_len + 1);
  len = decode_string ((const guchar *) raw, m->key_len, decoded);
  return len == name_len && memcmp (decoded, name, name_len) == 0;
}

static const Member *
find_member (WireEnvelopeReal *env,
             const char       *name)
{
  gsize name_len = strlen (name);

  /* From the end: the last of duplicate names wins. */
  for (guint i = env->n_members; i > 0; i--)
    {
      const Member *m = &env->members[i - 1];

      if (member_name_equal (env, m, name, name_len))
        return m;
    }

  return NULL;
}

const char *
wire_envelope_peek_member (WireEnvelope *envelope,
                           const char   *member,
                           gsize        *out_len)
{
  WireEnvelopeReal *env = (WireEnvelopeReal *) envelope;
  const Member *m;

  g_return_val_if_fail (envelope != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  m = find_member (env, member);
  if (m == NULL)
    {
      if (out_len != NULL)
        *out_len = 0;
      return NULL;
    }

  if (out_len != NULL)
    *out_len = m->value_len;
  return env->text + m->value_off;
}

gboolean
wire_envelope_has_member (WireEnvelope *envelope,
                          const char   *member)
{
  g_return_val_if_fail (envelope != NULL, FALSE);
  g_return_val_if_fail (member != NULL, FALSE);

  return find_member ((WireEnvelopeReal *) envelope, member) != NULL;
}

JsonNode *
wire_envelope_dup_member_node (WireEnvelope *envelope,
                               const char   *member)
{
  g_autoptr(JsonParser) parser = NULL;
  const char *raw;
  gsize len;

  g_return_val_if_fail (envelope != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  raw = wire_envelope_peek_member (envelope, member, &len);
  if (raw == NULL)
    return NULL;

  /* Mutable: the caller owns the copy. */
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, raw, len, NULL))
    return NULL;

  return json_parser_steal_root (parser);
}

/**
 * wire_envelope_dup_member_strv:
 *
 * Reads the array with the scanner rather than json-glib: the text was validated at parse
 * time, so this only walks it and decodes the strings.
 */
char **
wire_envelope_dup_member_strv (WireEnvelope *envelope,
                               const char   *member)
{
  g_autoptr(GPtrArray) strv = NULL;
  const char *raw;
  gsize len;
  Scanner s;

  g_return_val_if_fail (envelope != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  raw = wire_envelope_peek_member (envelope, member, &len);
  if (raw == NULL || raw[0] != '[')
    return NULL;

  scanner_init (&s, raw, len, NULL);
  strv = g_ptr_array_new_with_free_func (g_free);

  s.p++;
  skip_ws (&s);
  while (s.p < s.end && *s.p != ']')
    {
      guint32 off, slen;
      gboolean escaped;
      char *str;
      gsize n;

      if (*s.p != '"' || !scan_string (&s, &off, &slen, &escaped))
        return NULL;

      str = g_malloc (slen + 1);
      n = escaped ? decode_string ((const guchar *) raw + off, slen, str) : slen;
      if (!escaped)
        memcpy (str, raw + off, slen);
      str[n] = '\0';
      g_ptr_array_add (strv, str);

      /* A string with U+0000 inside cannot be a C string: the shape is wrong. */
      if (escaped && memchr (str, '\0', n) != NULL)
        return NULL;

      skip_ws (&s);
      if (s.p < s.end && *s.p == ',')
        {
          s.p++;
          skip_ws (&s);
        }
    }

  g_ptr_array_add (strv, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&strv), FALSE);
}

/**
 * wire_envelope_get_object:
 *
 * Returns: (transfer none) (nullable): the whole frame parsed by json-glib, cached and shared
 *   by every holder of @envelope, so it is sealed (immutable); %NULL only if json-glib refuses
 *   text the scanner accepted, which valid JSON does not make it do.
 */
JsonObject *
wire_envelope_get_object (WireEnvelope *envelope)
{
  WireEnvelopeReal *env = (WireEnvelopeReal *) envelope;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;
  JsonNode *root;

  g_return_val_if_fail (envelope != NULL, NULL);

  object = g_atomic_pointer_get (&env->object);
  if (object != NULL)
    return object;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, env->text, envelope->size, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  object = json_object_ref (json_node_get_object (root));
  if (!g_atomic_pointer_compare_and_exchange (&env->object, NULL, object))
    {
      /* Another thread got there first. */
      json_object_unref (object);
      object = g_atomic_pointer_get (&env->object);
    }

  return object;
}

char *
wire_envelope_to_pretty_string (WireEnvelope *envelope)
{
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  g_return_val_if_fail (envelope != NULL, NULL);

  object = wire_envelope_get_object (envelope);
  if (object == NULL)
    return g_strdup (wire_envelope_get_text (envelope, NULL));

  root = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (root, object);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static const char * const frame_type_names[] = {
  [WIRE_FRAME_UNKNOWN] = "unknown",
  [WIRE_FRAME_AUTH] = "auth",
  [WIRE_FRAME_AUTH_OK] = "auth_ok",
  [WIRE_FRAME_AUTH_ERROR] = "auth_error",
  [WIRE_FRAME_HEARTBEAT] = "heartbeat",
  [WIRE_FRAME_HEARTBEAT_ACK] = "heartbeat_ack",
  [WIRE_FRAME_SUBSCRIBE] = "subscribe",
  [WIRE_FRAME_SUBSCRIBED] = "subscribed",
  [WIRE_FRAME_UNSUBSCRIBE] = "unsubscribe",
  [WIRE_FRAME_UNSUBSCRIBED] = "unsubscribed",
  [WIRE_FRAME_PUBLISH] = "publish",
  [WIRE_FRAME_ACK] = "ack",
  [WIRE_FRAME_MESSAGE] = "message",
  [WIRE_FRAME_ERROR] = "error",
};

WireFrameType
wire_frame_type_from_string (const char *type_name)
{
  WireFrameType candidate;

  if (type_name == NULL)
    return WIRE_FRAME_UNKNOWN;

  /* Every frame of the hot path goes through here: one string compare, the candidate chosen
   * by length and first letter, rather than a walk over the table. "unknown" is not a wire
   * type. */
  switch (strlen (type_name))
    {
    case 3:
      candidate = WIRE_FRAME_ACK;
      break;
    case 4:
      candidate = WIRE_FRAME_AUTH;
      break;
    case 5:
      candidate = WIRE_FRAME_ERROR;
      break;
    case 7:
      candidate = type_name[0] == 'm' ? WIRE_FRAME_MESSAGE :
                  type_name[0] == 'p' ? WIRE_FRAME_PUBLISH : WIRE_FRAME_AUTH_OK;
      break;
    case 9:
      candidate = type_name[0] == 'h' ? WIRE_FRAME_HEARTBEAT : WIRE_FRAME_SUBSCRIBE;
      break;
    case 10:
      candidate = type_name[0] == 'a' ? WIRE_FRAME_AUTH_ERROR : WIRE_FRAME_SUBSCRIBED;
      break;
    case 11:
      candidate = WIRE_FRAME_UNSUBSCRIBE;
      break;
    case 12:
      candidate = WIRE_FRAME_UNSUBSCRIBED;
      break;
    case 13:
      candidate = WIRE_FRAME_HEARTBEAT_ACK;
      break;
    default:
      return WIRE_FRAME_UNKNOWN;
    }

  return strcmp (type_name, frame_type_names[candidate]) == 0 ? candidate : WIRE_FRAME_UNKNOWN;
}

const char *
wire_frame_type_to_string (WireFrameType type)
{
  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (frame_type_names), NULL);

  return frame_type_names[type];
}
