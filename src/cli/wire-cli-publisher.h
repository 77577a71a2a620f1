/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "wire-priority.h"

G_BEGIN_DECLS

/* One publish request read from a --publish line. */
typedef struct
{
  guint         line;          /* 1-based line number */
  const char   *channel;
  const char   *event;
  WirePriority  priority;      /* "normal" when the line has none */
  gboolean      has_priority;  /* the line chose one */
  const char   *payload_json;  /* the payload object as JSON text ("{}" when absent) */
  int           connection;    /* the line's "connection" index, -1 when absent */
} WireCliPublishRequest;

typedef void (*WireCliPublishFunc) (const WireCliPublishRequest *request,
                                    gpointer                     user_data);

#define WIRE_TYPE_CLI_PUBLISHER (wire_cli_publisher_get_type ())
G_DECLARE_FINAL_TYPE (WireCliPublisher, wire_cli_publisher, WIRE, CLI_PUBLISHER, GObject)

/* Reads {"channel","event","priority","payload"} lines from @stream asynchronously (a file or
 * stdin never blocks the main loop) and hands each valid one to @func. A bad line is reported on
 * stderr with its line number and skipped. Signals: finished () at end of input or read error. */
WireCliPublisher *wire_cli_publisher_new          (GInputStream       *stream,
                                                   const char         *name,
                                                   WireCliPublishFunc  func,
                                                   gpointer            user_data);
void              wire_cli_publisher_start        (WireCliPublisher   *self);
void              wire_cli_publisher_stop         (WireCliPublisher   *self);
gboolean          wire_cli_publisher_is_finished  (WireCliPublisher   *self);
guint             wire_cli_publisher_get_accepted (WireCliPublisher   *self);
guint             wire_cli_publisher_get_rejected (WireCliPublisher   *self);

/* Parses one line; FALSE with a message that says what is wrong. The strings in @out point into
 * *@out_node and *@out_payload, which the caller frees. */
gboolean          wire_cli_publish_line_parse     (const char             *text,
                                                   guint                   line,
                                                   WireCliPublishRequest  *out,
                                                   JsonNode              **out_node,
                                                   char                  **out_payload,
                                                   GError                **error);

G_END_DECLS
