#define G_LOG_DOMAIN "wire-protocol"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-frame-writer.h"

/* Bytes that cannot appear raw in a JSON string: controls, '"' and '\\'. */
static inline gboolean
needs_escape (guchar c)
{
  return c < 0x20 || c == '"' || c == '\\';
}

/* TRUE when @str needs no escaping and no UTF-8 check: printable ASCII without '"' or '\\'.
 * Eight bytes at a time, as the envelope scanner does. */
static inline gboolean
is_plain_ascii (const char *str,
                gsize       len)
{
#define BYTES(b) (G_GUINT64_CONSTANT (0x0101010101010101) * (b))
  const char *p = str;
  const char *end = str + len;

  for (; end - p >= 8; p += 8)
    {
      guint64 w;
      guint64 special;

      memcpy (&w, p, 8);
      special = ((w ^ BYTES (0x22)) - BYTES (0x01)) & ~(w ^ BYTES (0x22));
      special |= ((w ^ BYTES (0x5c)) - BYTES (0x01)) & ~(w ^ BYTES (0x5c));
      special |= (w - BYTES (0x20)) & ~w;
      special |= w;
      if ((special & BYTES (0x80)) != 0)
        return FALSE;
    }
#undef BYTES

  for (; p < end; p++)
    {
      guchar c = (guchar) *p;

      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
        return FALSE;
    }

  return TRUE;
}

static void
append_escaped_run (GString    *out,
                    const char *str,
                    gsize       len)
{
  static const char hex[] = "0123456789abcdef";
  const char *run = str;
  const char *end = str + len;

  for (const char *p = str; p < end; p++)
    {
      guchar c = (guchar) *p;

      if (G_LIKELY (!needs_escape (c)))
        continue;

      g_string_append_len (out, run, p - run);
      if (c == '"')
        g_string_append_len (out, "\\\"", 2);
      else if (c == '\\')
        g_string_append_len (out, "\\\\", 2);
      else
        {
          char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };

          g_string_append_len (out, esc, 6);
        }
      run = p + 1;
    }

  g_string_append_len (out, run, end - run);
}

/**
 * wire_json_append_string:
 * @out: where to append
 * @str: (nullable): UTF-8 text; %NULL writes `null`
 *
 * Appends @str as a JSON string: quotes, backslashes and control characters are escaped
 * (controls as `\u00XX`), other UTF-8 passes through. Invalid UTF-8 is replaced by U+FFFD so
 * the output is always valid JSON.
 */
void
wire_json_append_string (GString    *out,
                         const char *str)
{
  const char *end;
  const char *p;
  gsize len;

  g_return_if_fail (out != NULL);

  if (str == NULL)
    {
      g_string_append_len (out, "null", 4);
      return;
    }

  len = strlen (str);
  if (G_LIKELY (is_plain_ascii (str, len)))
    {
      g_string_append_c (out, '"');
      g_string_append_len (out, str, len);
      g_string_append_c (out, '"');
      return;
    }

  g_string_append_c (out, '"');

  p = str;
  while (!g_utf8_validate (p, -1, &end))
    {
      append_escaped_run (out, p, end - p);
      g_string_append (out, "\xef\xbf\xbd");
      p = end + 1;
    }
  append_escaped_run (out, p, strlen (p));

  g_string_append_c (out, '"');
}

void
wire_json_append_strv (GString            *out,
                       const char * const *strv)
{
  g_return_if_fail (out != NULL);

  g_string_append_c (out, '[');
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      wire_json_append_string (out, strv[i]);
    }
  g_string_append_c (out, ']');
}

static GString *
begin_frame (const char *type_name)
{
  GString *out = g_string_sized_new (128);

  g_string_append_len (out, "{\"type\":", 8);
  wire_json_append_string (out, type_name);

  return out;
}

/* Member names are literals: the separator, quotes and colon go out in one append. */
#define MEMBER(name) ",\"" name "\":"
#define APPEND_LITERAL(out, lit) g_string_append_len ((out), (lit), sizeof (lit) - 1)

#define APPEND_MEMBER_STRING(out, name, value) \
  G_STMT_START { \
    APPEND_LITERAL ((out), MEMBER (name)); \
    wire_json_append_string ((out), (value)); \
  } G_STMT_END

#define APPEND_MEMBER_INT(out, name, value) \
  G_STMT_START { \
    APPEND_LITERAL ((out), MEMBER (name)); \
    append_int ((out), (value)); \
  } G_STMT_END

#define APPEND_MEMBER_RAW(out, name, json, json_len) \
  G_STMT_START { \
    APPEND_LITERAL ((out), MEMBER (name)); \
    g_string_append_len ((out), (json), (json_len)); \
  } G_STMT_END

static void
append_int (GString *out,
            gint64   value)
{
  char digits[24];
  char *d = digits + sizeof digits;
  guint64 magnitude = value < 0 ? 0 - (guint64) value : (guint64) value;

  /* Formatted by hand: printf costs more than the rest of a small frame. */
  do
    {
      *--d = (char) ('0' + magnitude % 10);
      magnitude /= 10;
    }
  while (magnitude != 0);
  if (value < 0)
    *--d = '-';

  g_string_append_len (out, d, digits + sizeof digits - d);
}

static char *
end_frame (GString *out)
{
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* PROTOCOL.md §2.2. */
char *
wire_frame_build_auth (const char         *token,
                       const char         *session_id,
                       const char * const *channels)
{
  GString *out;

  g_return_val_if_fail (token != NULL, NULL);

  out = begin_frame ("auth");
  APPEND_MEMBER_STRING (out, "token", token);
  if (session_id != NULL)
    APPEND_MEMBER_STRING (out, "sessionId", session_id);
  if (channels != NULL)
    {
      g_string_append_len (out, ",\"channels\":", 12);
      wire_json_append_strv (out, channels);
    }

  return end_frame (out);
}

char *
wire_frame_build_heartbeat (gint64 ts)
{
  GString *out = begin_frame ("heartbeat");

  if (ts >= 0)
    APPEND_MEMBER_INT (out, "ts", ts);

  return end_frame (out);
}

char *
wire_frame_build_channels (const char         *type_name,
                           const char * const *channels)
{
  GString *out;

  g_return_val_if_fail (type_name != NULL, NULL);

  out = begin_frame (type_name);
  g_string_append_len (out, ",\"channels\":", 12);
  wire_json_append_strv (out, channels);

  return end_frame (out);
}

char *
wire_frame_build_publish (const char   *id,
                          const char   *channel,
                          const char   *event,
                          WirePriority  priority,
                          const char   *payload_json)
{
  GString *out;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail (event != NULL, NULL);

  out = begin_frame ("publish");
  APPEND_MEMBER_STRING (out, "id", id);
  APPEND_MEMBER_STRING (out, "channel", channel);
  APPEND_MEMBER_STRING (out, "event", event);
  APPEND_MEMBER_STRING (out, "priority", wire_priority_to_string (priority));
  APPEND_MEMBER_RAW (out, "payload", payload_json != NULL ? payload_json : "{}", -1);

  return end_frame (out);
}

/* @ts < 0 (the heartbeat carried none) omits "ts". */
char *
wire_frame_build_heartbeat_ack (gint64 ts,
                                gint64 server_time)
{
  GString *out = begin_frame ("heartbeat_ack");

  if (ts >= 0)
    APPEND_MEMBER_INT (out, "ts", ts);
  APPEND_MEMBER_INT (out, "serverTime", server_time);

  return end_frame (out);
}

char *
wire_frame_build_ack (const char *id,
                      const char *status)
{
  GString *out;

  g_return_val_if_fail (id != NULL, NULL);

  out = begin_frame ("ack");
  APPEND_MEMBER_STRING (out, "id", id);
  APPEND_MEMBER_STRING (out, "status", status != NULL ? status : "ok");

  return end_frame (out);
}

char *
wire_frame_build_error (const char *id,
                        const char *code,
                        const char *message,
                        gint64      retry_after_ms)
{
  GString *out;

  g_return_val_if_fail (code != NULL, NULL);

  out = begin_frame ("error");
  APPEND_MEMBER_STRING (out, "id", id);
  APPEND_MEMBER_STRING (out, "code", code);
  APPEND_MEMBER_STRING (out, "message", message != NULL ? message : "");
  if (retry_after_ms >= 0)
    APPEND_MEMBER_INT (out, "retryAfterMs", retry_after_ms);

  return end_frame (out);
}

/* @id and @from may be NULL (the admin feed's snapshots have neither); @timestamp < 0 omits
 * it. */
char *
wire_frame_build_message (const char   *id,
                          const char   *channel,
                          const char   *event,
                          const char   *from,
                          WirePriority  priority,
                          gint64        timestamp,
                          const char   *payload_json)
{
  return wire_frame_build_message_len (id, channel, event, from, priority, timestamp,
                                       payload_json, -1);
}

/**
 * wire_frame_build_message_len:
 * @payload_json: (nullable): the payload's JSON text, NULL for {}
 * @payload_len: its length, or -1 when NUL-terminated
 *
 * Like wire_frame_build_message(), for a payload that is a span of another text (what
 * wire_envelope_peek_member() returns): a relay copies the publish's payload straight into
 * the delivered frame.
 */
char *
wire_frame_build_message_len (const char   *id,
                              const char   *channel,
                              const char   *event,
                              const char   *from,
                              WirePriority  priority,
                              gint64        timestamp,
                              const char   *payload_json,
                              gssize        payload_len)
{
  GString *out;

  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail (event != NULL, NULL);

  if (payload_json == NULL)
    {
      payload_json = "{}";
      payload_len = 2;
    }

  out = g_string_sized_new (128 + (payload_len > 0 ? (gsize) payload_len : 0));
  g_string_append_len (out, "{\"type\":\"message\"", 17);
  if (id != NULL)
    APPEND_MEMBER_STRING (out, "id", id);
  APPEND_MEMBER_STRING (out, "channel", channel);
  APPEND_MEMBER_STRING (out, "event", event);
  if (from != NULL)
    APPEND_MEMBER_STRING (out, "from", from);
  APPEND_MEMBER_STRING (out, "priority", wire_priority_to_string (priority));
  if (timestamp >= 0)
    APPEND_MEMBER_INT (out, "timestamp", timestamp);
  APPEND_MEMBER_RAW (out, "payload", payload_json, payload_len);

  return end_frame (out);
}

char *
wire_frame_build_auth_error (const char *code,
                             const char *message)
{
  GString *out;

  g_return_val_if_fail (code != NULL, NULL);

  out = begin_frame ("auth_error");
  g_string_append_len (out, ",\"success\":false,\"error\":{\"code\":", 33);
  wire_json_append_string (out, code);
  g_string_append_len (out, ",\"message\":", 11);
  wire_json_append_string (out, message != NULL ? message : "");
  g_string_append_c (out, '}');

  return end_frame (out);
}
