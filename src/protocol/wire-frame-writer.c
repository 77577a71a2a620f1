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

  g_return_if_fail (out != NULL);

  if (str == NULL)
    {
      g_string_append_len (out, "null", 4);
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

static void
append_member_string (GString    *out,
                      const char *name,
                      const char *value)
{
  g_string_append_c (out, ',');
  g_string_append_c (out, '"');
  g_string_append (out, name);
  g_string_append_len (out, "\":", 2);
  wire_json_append_string (out, value);
}

static void
append_member_int (GString    *out,
                   const char *name,
                   gint64      value)
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

  g_string_append_c (out, ',');
  g_string_append_c (out, '"');
  g_string_append (out, name);
  g_string_append_len (out, "\":", 2);
  g_string_append_len (out, d, digits + sizeof digits - d);
}

static void
append_member_raw (GString    *out,
                   const char *name,
                   const char *json,
                   gssize      json_len)
{
  g_string_append_c (out, ',');
  g_string_append_c (out, '"');
  g_string_append (out, name);
  g_string_append_len (out, "\":", 2);
  g_string_append_len (out, json, json_len);
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
  append_member_string (out, "token", token);
  if (session_id != NULL)
    append_member_string (out, "sessionId", session_id);
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
    append_member_int (out, "ts", ts);

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
  append_member_string (out, "id", id);
  append_member_string (out, "channel", channel);
  append_member_string (out, "event", event);
  append_member_string (out, "priority", wire_priority_to_string (priority));
  append_member_raw (out, "payload", payload_json != NULL ? payload_json : "{}", -1);

  return end_frame (out);
}

/* @ts < 0 (the heartbeat carried none) omits "ts". */
char *
wire_frame_build_heartbeat_ack (gint64 ts,
                                gint64 server_time)
{
  GString *out = begin_frame ("heartbeat_ack");

  if (ts >= 0)
    append_member_int (out, "ts", ts);
  append_member_int (out, "serverTime", server_time);

  return end_frame (out);
}

char *
wire_frame_build_ack (const char *id,
                      const char *status)
{
  GString *out;

  g_return_val_if_fail (id != NULL, NULL);

  out = begin_frame ("ack");
  append_member_string (out, "id", id);
  append_member_string (out, "status", status != NULL ? status : "ok");

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
  append_member_string (out, "id", id);
  append_member_string (out, "code", code);
  append_member_string (out, "message", message != NULL ? message : "");
  if (retry_after_ms >= 0)
    append_member_int (out, "retryAfterMs", retry_after_ms);

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
    append_member_string (out, "id", id);
  append_member_string (out, "channel", channel);
  append_member_string (out, "event", event);
  if (from != NULL)
    append_member_string (out, "from", from);
  append_member_string (out, "priority", wire_priority_to_string (priority));
  if (timestamp >= 0)
    append_member_int (out, "timestamp", timestamp);
  append_member_raw (out, "payload", payload_json, payload_len);

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
