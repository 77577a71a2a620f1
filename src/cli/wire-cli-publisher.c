#define G_LOG_DOMAIN "wire-cli"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "wire-error.h"
#include "wire-cli-publisher.h"

struct _WireCliPublisher
{
  GObject             parent_instance;

  GDataInputStream   *data_stream;
  char               *name;
  GCancellable       *cancellable;
  WireCliPublishFunc  func;
  gpointer            user_data;
  guint               line;
  guint               accepted;
  guint               rejected;
  gboolean            started;
  gboolean            finished;
};

G_DEFINE_FINAL_TYPE (WireCliPublisher, wire_cli_publisher, G_TYPE_OBJECT)

enum
{
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void read_next (WireCliPublisher *self);

static void
wire_cli_publisher_dispose (GObject *object)
{
  WireCliPublisher *self = WIRE_CLI_PUBLISHER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->data_stream);

  G_OBJECT_CLASS (wire_cli_publisher_parent_class)->dispose (object);
}

static void
wire_cli_publisher_finalize (GObject *object)
{
  WireCliPublisher *self = WIRE_CLI_PUBLISHER (object);

  g_clear_object (&self->cancellable);
  g_free (self->name);

  G_OBJECT_CLASS (wire_cli_publisher_parent_class)->finalize (object);
}

static void
wire_cli_publisher_class_init (WireCliPublisherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wire_cli_publisher_dispose;
  object_class->finalize = wire_cli_publisher_finalize;

  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
}

static void
wire_cli_publisher_init (WireCliPublisher *self)
{
  self->cancellable = g_cancellable_new ();
}

WireCliPublisher *
wire_cli_publisher_new (GInputStream       *stream,
                        const char         *name,
                        WireCliPublishFunc  func,
                        gpointer            user_data)
{
  WireCliPublisher *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (WIRE_TYPE_CLI_PUBLISHER, NULL);
  self->data_stream = g_data_input_stream_new (stream);
  /* Lines may end in \n or \r\n; a trailing \r is stripped by the parser's whitespace rule. */
  g_data_input_stream_set_newline_type (self->data_stream, G_DATA_STREAM_NEWLINE_TYPE_LF);
  self->name = g_strdup (name);
  self->func = func;
  self->user_data = user_data;
  return self;
}

static const char *
member_string (JsonObject  *object,
               const char  *member,
               gboolean     required,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        g_set_error (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME, "“%s” is missing", member);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING
      || *json_node_get_string (node) == '\0')
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME, "“%s” must be a non-empty string",
                   member);
      return NULL;
    }
  return json_node_get_string (node);
}

gboolean
wire_cli_publish_line_parse (const char             *text,
                             guint                   line,
                             WireCliPublishRequest  *out,
                             JsonNode              **out_node,
                             char                  **out_payload,
                             GError                **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonNode *payload;
  JsonNode *connection;
  const char *priority;

  g_return_val_if_fail (text != NULL, FALSE);

  memset (out, 0, sizeof *out);
  out->line = line;
  out->connection = -1;
  out->priority = WIRE_PRIORITY_NORMAL;

  if (!json_parser_load_from_data (parser, text, -1, &local_error))
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME, "not JSON: %s", local_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME, "not a JSON object");
      return FALSE;
    }
  object = json_node_get_object (root);

  if ((out->channel = member_string (object, "channel", TRUE, error)) == NULL)
    return FALSE;
  if ((out->event = member_string (object, "event", TRUE, error)) == NULL)
    return FALSE;

  priority = member_string (object, "priority", FALSE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  out->has_priority = priority != NULL;
  if (priority != NULL && !wire_priority_from_string (priority, &out->priority))
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME,
                   "unknown priority “%s” (use critical, high, normal or low)", priority);
      return FALSE;
    }

  connection = json_object_get_member (object, "connection");
  if (connection != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (connection)
          || json_node_get_value_type (connection) != G_TYPE_INT64
          || json_node_get_int (connection) < 0 || json_node_get_int (connection) > G_MAXINT)
        {
          g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME,
                               "“connection” must be a connection index (0, 1, …)");
          return FALSE;
        }
      out->connection = (int) json_node_get_int (connection);
    }

  payload = json_object_get_member (object, "payload");
  if (payload != NULL && !JSON_NODE_HOLDS_OBJECT (payload))
    {
      g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME,
                           "“payload” must be a JSON object");
      return FALSE;
    }
  *out_payload = payload != NULL ? json_to_string (payload, FALSE) : g_strdup ("{}");
  out->payload_json = *out_payload;
  *out_node = json_node_ref (root);
  return TRUE;
}

static void
finish (WireCliPublisher *self)
{
  if (self->finished)
    return;
  self->finished = TRUE;
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

static void
handle_line (WireCliPublisher *self,
             char             *text)
{
  WireCliPublishRequest request;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *payload = NULL;
  g_autoptr (GError) error = NULL;

  self->line++;
  g_strstrip (text);
  if (*text == '\0' || *text == '#')
    return;

  if (!wire_cli_publish_line_parse (text, self->line, &request, &node, &payload, &error))
    {
      self->rejected++;
      fprintf (stderr, "wirescope-cli: %s:%u: %s (line skipped)\n", self->name, self->line,
               error->message);
      fflush (stderr);
      return;
    }

  self->accepted++;
  self->func (&request, self->user_data);
}

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (WireCliPublisher) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;

  text = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, &len,
                                                    &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      self->line++;
      fprintf (stderr, "wirescope-cli: %s:%u: %s\n", self->name, self->line, error->message);
      fflush (stderr);
      if (g_error_matches (error, G_CONVERT_ERROR, G_CONVERT_ERROR_ILLEGAL_SEQUENCE))
        {
          /* Not UTF-8: the rest of the line is unreadable too, but later lines may be fine. */
          self->rejected++;
          read_next (self);
          return;
        }
      finish (self);
      return;
    }
  if (text == NULL)
    {
      finish (self);
      return;
    }

  handle_line (self, text);
  if (!self->finished && !g_cancellable_is_cancelled (self->cancellable))
    read_next (self);
}

static void
read_next (WireCliPublisher *self)
{
  g_data_input_stream_read_line_async (self->data_stream, G_PRIORITY_DEFAULT, self->cancellable,
                                       read_line_cb, g_object_ref (self));
}

void
wire_cli_publisher_start (WireCliPublisher *self)
{
  g_return_if_fail (WIRE_IS_CLI_PUBLISHER (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  read_next (self);
}

void
wire_cli_publisher_stop (WireCliPublisher *self)
{
  g_return_if_fail (WIRE_IS_CLI_PUBLISHER (self));

  g_cancellable_cancel (self->cancellable);
  self->finished = TRUE;
}

gboolean
wire_cli_publisher_is_finished (WireCliPublisher *self)
{
  g_return_val_if_fail (WIRE_IS_CLI_PUBLISHER (self), TRUE);
  return self->finished;
}

guint
wire_cli_publisher_get_accepted (WireCliPublisher *self)
{
  g_return_val_if_fail (WIRE_IS_CLI_PUBLISHER (self), 0);
  return self->accepted;
}

guint
wire_cli_publisher_get_rejected (WireCliPublisher *self)
{
  g_return_val_if_fail (WIRE_IS_CLI_PUBLISHER (self), 0);
  return self->rejected;
}
