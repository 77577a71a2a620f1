/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Builds one JSON object on one line, cheaply: the CLI prints an event per frame, so it appends
 * to a GString instead of building a json-glib tree for every line. */
typedef struct
{
  GString  *str;
  gboolean  need_comma;
} WireCliJson;

void  wire_cli_json_init         (WireCliJson *json);
void  wire_cli_json_clear        (WireCliJson *json);
/* Starts {"t":T,"event":"EVENT" */
void  wire_cli_json_begin        (WireCliJson *json,
                                  gint64       t_ms,
                                  const char  *event);
void  wire_cli_json_int          (WireCliJson *json,
                                  const char  *key,
                                  gint64       value);
void  wire_cli_json_uint         (WireCliJson *json,
                                  const char  *key,
                                  guint64      value);
void  wire_cli_json_bool         (WireCliJson *json,
                                  const char  *key,
                                  gboolean     value);
void  wire_cli_json_null         (WireCliJson *json,
                                  const char  *key);
/* @value NULL writes null. */
void  wire_cli_json_string       (WireCliJson *json,
                                  const char  *key,
                                  const char  *value);
void  wire_cli_json_strv         (WireCliJson        *json,
                                  const char         *key,
                                  const char * const *values);
/* @raw is JSON text that was already validated (a frame); line breaks become spaces so the
 * line stays one line (in JSON they can only be whitespace). */
void  wire_cli_json_raw          (WireCliJson *json,
                                  const char  *key,
                                  const char  *raw,
                                  gsize        len);
void  wire_cli_json_begin_object (WireCliJson *json,
                                  const char  *key);
void  wire_cli_json_end_object   (WireCliJson *json);
/* Closes the object, writes it with a newline to @stream and flushes. */
void  wire_cli_json_print        (WireCliJson *json,
                                  FILE        *stream);

void  wire_cli_json_escape       (GString     *out,
                                  const char  *str);

G_END_DECLS
