#define G_LOG_DOMAIN "wire-cli"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>

#include "wire-cli-json.h"

void
wire_cli_json_init (WireCliJson *json)
{
  json->str = g_string_sized_new (256);
  json->need_comma = FALSE;
}

void
wire_cli_json_clear (WireCliJson *json)
{
  if (json->str != NULL)
    g_string_free (json->str, TRUE);
  json->str = NULL;
}

void
wire_cli_json_escape (GString    *out,
                      const char *str)
{
  const char *p;

  g_string_append_c (out, '"');
  for (p = str; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

static void
append_key (WireCliJson *json,
            const char  *key)
{
  if (json->need_comma)
    g_string_append_c (json->str, ',');
  wire_cli_json_escape (json->str, key);
  g_string_append_c (json->str, ':');
  json->need_comma = TRUE;
}

void
wire_cli_json_begin (WireCliJson *json,
                     gint64       t_ms,
                     const char  *event)
{
  g_string_truncate (json->str, 0);
  g_string_append_c (json->str, '{');
  json->need_comma = FALSE;
  wire_cli_json_int (json, "t", t_ms);
  wire_cli_json_string (json, "event", event);
}

void
wire_cli_json_int (WireCliJson *json,
                   const char  *key,
                   gint64       value)
{
  append_key (json, key);
  g_string_append_printf (json->str, "%" G_GINT64_FORMAT, value);
}

void
wire_cli_json_uint (WireCliJson *json,
                    const char  *key,
                    guint64      value)
{
  append_key (json, key);
  g_string_append_printf (json->str, "%" G_GUINT64_FORMAT, value);
}

void
wire_cli_json_bool (WireCliJson *json,
                    const char  *key,
                    gboolean     value)
{
  append_key (json, key);
  g_string_append (json->str, value ? "true" : "false");
}

void
wire_cli_json_null (WireCliJson *json,
                    const char  *key)
{
  append_key (json, key);
  g_string_append (json->str, "null");
}

void
wire_cli_json_string (WireCliJson *json,
                      const char  *key,
                      const char  *value)
{
  append_key (json, key);
  if (value == NULL)
    g_string_append (json->str, "null");
  else
    wire_cli_json_escape (json->str, value);
}

void
wire_cli_json_strv (WireCliJson        *json,
                    const char         *key,
                    const char * const *values)
{
  append_key (json, key);
  g_string_append_c (json->str, '[');
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (json->str, ',');
      wire_cli_json_escape (json->str, values[i]);
    }
  g_string_append_c (json->str, ']');
}

void
wire_cli_json_raw (WireCliJson *json,
                   const char  *key,
                   const char  *raw,
                   gsize        len)
{
  gsize start;

  append_key (json, key);
  start = json->str->len;
  g_string_append_len (json->str, raw, (gssize) len);
  for (gsize i = start; i < json->str->len; i++)
    {
      if (json->str->str[i] == '\n' || json->str->str[i] == '\r')
        json->str->str[i] = ' ';
    }
}

void
wire_cli_json_begin_object (WireCliJson *json,
                            const char  *key)
{
  append_key (json, key);
  g_string_append_c (json->str, '{');
  json->need_comma = FALSE;
}

void
wire_cli_json_end_object (WireCliJson *json)
{
  g_string_append_c (json->str, '}');
  json->need_comma = TRUE;
}

void
wire_cli_json_print (WireCliJson *json,
                     FILE        *stream)
{
  g_string_append (json->str, "}\n");
  fwrite (json->str->str, 1, json->str->len, stream);
  fflush (stream);
}
