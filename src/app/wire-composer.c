#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "wire-composer.h"
#include "wire-message-tap.h"

struct _WireComposer
{
  GtkWidget       parent_instance;

  WireConnection *connection;
  GCancellable   *cancellable;
  char           *problem;

  GtkWidget      *box;
  GtkStringList  *channel_model;
  GtkStringList  *event_model;
  GtkDropDown    *channel_dropdown;
  GtkDropDown    *event_dropdown;
  GtkDropDown    *priority_dropdown;
  GtkTextView    *payload_view;
  GtkLabel       *problem_label;
  GtkLabel       *result_label;
};

G_DEFINE_FINAL_TYPE (WireComposer, wire_composer, GTK_TYPE_WIDGET)

enum {
  PUBLISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  GWeakRef composer;
  char    *id;
  char    *channel;
  char    *event;
} PublishData;

static void
publish_data_free (PublishData *data)
{
  g_weak_ref_clear (&data->composer);
  g_free (data->id);
  g_free (data->channel);
  g_free (data->event);
  g_free (data);
}

static const char *
selected_string (GtkDropDown *dropdown)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (dropdown);

  return item != NULL ? gtk_string_object_get_string (item) : NULL;
}

static char *
dup_payload (WireComposer *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->payload_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
set_problem (WireComposer *self,
             const char   *problem)
{
  g_free (self->problem);
  self->problem = g_strdup (problem != NULL ? problem : "");
  gtk_label_set_text (self->problem_label, self->problem);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", *self->problem == '\0');
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->payload_view),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->problem,
                                  -1);
}

/* Everything that can be known before sending: a payload that is not a JSON object, a channel
 * that is not chosen, and what the channel policy would refuse. */
static void
validate (WireComposer *self)
{
  g_autofree char *payload = dup_payload (self);
  g_autoptr(GError) error = NULL;
  const char *channel = selected_string (self->channel_dropdown);
  const char *event = selected_string (self->event_dropdown);
  const char *p;

  if (self->connection == NULL)
    {
      set_problem (self, _("No connection"));
      return;
    }
  if (channel == NULL)
    {
      set_problem (self, _("Not subscribed to any channel: subscribe on the Channels page first"));
      return;
    }

  if (!wire_channel_policy_can_publish (wire_connection_get_policy (self->connection), channel,
                                        event, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The gateway would refuse this: %s"),
                                               error->message);
      set_problem (self, text);
      return;
    }
  if (event == NULL)
    {
      set_problem (self, _("Choose an event"));
      return;
    }

  for (p = payload; g_ascii_isspace (*p); p++)
    ;
  if (*p == '\0')
    {
      set_problem (self, _("The payload is empty: write a JSON object, for example {\"text\": \"hi\"}"));
      return;
    }
  if (!wire_json_validate (payload, strlen (payload), &error))
    {
      g_autofree char *text = g_strdup_printf (_("Not valid JSON: %s"), error->message);
      set_problem (self, text);
      return;
    }
  if (*p != '{')
    {
      set_problem (self, _("The payload must be a JSON object ({…}), not another JSON value"));
      return;
    }

  set_problem (self, NULL);
}

static void
validate_cb (WireComposer *self)
{
  validate (self);
}

static void
fill_events (WireComposer *self)
{
  const char *channel = selected_string (self->channel_dropdown);
  const WireChannelRule *rule = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->event_model));

  if (self->connection != NULL && channel != NULL)
    rule = wire_channel_policy_lookup (wire_connection_get_policy (self->connection), channel);

  gtk_string_list_splice (self->event_model, 0, n,
                          rule != NULL && rule->can_publish ? (const char * const *) rule->allowed_events
                                                            : NULL);
  gtk_drop_down_set_selected (self->event_dropdown, 0);
}

static void
channel_changed_cb (WireComposer *self)
{
  fill_events (self);
  validate (self);
}

static char **
dup_channels (WireComposer *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) stats = NULL;
  const char * const *available;

  if (self->connection == NULL)
    return g_strv_builder_end (builder);

  available = wire_connection_get_available_channels (self->connection);
  for (guint i = 0; available != NULL && available[i] != NULL; i++)
    g_strv_builder_add (builder, available[i]);

  stats = wire_connection_dup_channel_stats (self->connection);
  for (guint i = 0; stats != NULL && i < stats->len; i++)
    {
      WireChannelStats *st = g_ptr_array_index (stats, i);

      if (st->subscribed && !st->read_only
          && (available == NULL || !g_strv_contains (available, st->channel)))
        g_strv_builder_add (builder, st->channel);
    }

  return g_strv_builder_end (builder);
}

void
wire_composer_refresh (WireComposer *self)
{
  g_auto(GStrv) channels = NULL;
  g_autofree char *current = NULL;
  guint n;
  gboolean same;

  g_return_if_fail (WIRE_IS_COMPOSER (self));

  channels = dup_channels (self);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->channel_model));
  same = n == g_strv_length (channels);
  for (guint i = 0; same && i < n; i++)
    same = g_str_equal (gtk_string_list_get_string (self->channel_model, i), channels[i]);
  if (same)
    return;

  current = g_strdup (selected_string (self->channel_dropdown));
  gtk_string_list_splice (self->channel_model, 0, n, (const char * const *) channels);
  if (current == NULL || !wire_composer_select_channel (self, current))
    channel_changed_cb (self);
}

static void
subscribed_cb (WireComposer *self)
{
  wire_composer_refresh (self);
}

void
wire_composer_set_connection (WireComposer   *self,
                              WireConnection *connection)
{
  g_return_if_fail (WIRE_IS_COMPOSER (self));
  g_return_if_fail (connection == NULL || WIRE_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_set_object (&self->connection, connection);
  gtk_label_set_text (self->result_label, "");

  if (connection != NULL)
    {
      g_signal_connect_object (connection, "subscribed", G_CALLBACK (subscribed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (connection, "notify::available-channels",
                               G_CALLBACK (subscribed_cb), self, G_CONNECT_SWAPPED);
    }

  wire_composer_refresh (self);
  channel_changed_cb (self);
}

static gboolean
select_string (GtkDropDown *dropdown,
               const char  *value)
{
  GListModel *model = gtk_drop_down_get_model (dropdown);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), value))
      {
        if (gtk_drop_down_get_selected (dropdown) == i)
          g_object_notify (G_OBJECT (dropdown), "selected");
        else
          gtk_drop_down_set_selected (dropdown, i);
        return TRUE;
      }

  return FALSE;
}

gboolean
wire_composer_select_channel (WireComposer *self,
                              const char   *channel)
{
  g_return_val_if_fail (WIRE_IS_COMPOSER (self), FALSE);
  g_return_val_if_fail (channel != NULL, FALSE);

  return select_string (self->channel_dropdown, channel);
}

gboolean
wire_composer_select_event (WireComposer *self,
                            const char   *event)
{
  g_return_val_if_fail (WIRE_IS_COMPOSER (self), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  return select_string (self->event_dropdown, event);
}

void
wire_composer_set_payload (WireComposer *self,
                           const char   *json)
{
  g_return_if_fail (WIRE_IS_COMPOSER (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->payload_view), json ? json : "", -1);
}

gboolean
wire_composer_can_send (WireComposer *self)
{
  g_return_val_if_fail (WIRE_IS_COMPOSER (self), FALSE);
  return self->problem != NULL && *self->problem == '\0';
}

const char *
wire_composer_get_problem (WireComposer *self)
{
  g_return_val_if_fail (WIRE_IS_COMPOSER (self), NULL);
  return self->problem;
}

const char *
wire_composer_get_result (WireComposer *self)
{
  g_return_val_if_fail (WIRE_IS_COMPOSER (self), NULL);
  return gtk_label_get_text (self->result_label);
}

static void
show_result (WireComposer *self,
             const char   *text,
             const char   *css)
{
  static const char * const classes[] = { "success", "warning", "error" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), classes[i]);
  if (css != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->result_label), css);
  gtk_label_set_text (self->result_label, text);
}

static void
publish_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  PublishData *data = user_data;
  g_autoptr(WireComposer) self = g_weak_ref_get (&data->composer);
  g_autoptr(GError) error = NULL;
  const char *status = NULL;
  g_autofree char *text = NULL;

  if (!wire_connection_publish_finish (WIRE_CONNECTION (source), result, &status, &error))
    {
      if (self != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          text = g_strdup_printf (_("Not published on %s: %s"), data->channel, error->message);
          show_result (self, text, "error");
          g_signal_emit (self, signals[PUBLISHED], 0, data->id, NULL, error->message);
        }
    }
  else if (self != NULL)
    {
      if (g_strcmp0 (status, "duplicate") == 0)
        {
          text = g_strdup_printf (_("%s on %s: the gateway had this id already (duplicate, not "
                                    "delivered again)"), data->event, data->channel);
          show_result (self, text, "warning");
        }
      else
        {
          text = g_strdup_printf (_("%s on %s: acknowledged"), data->event, data->channel);
          show_result (self, text, "success");
        }
      g_signal_emit (self, signals[PUBLISHED], 0, data->id, status, NULL);
    }

  publish_data_free (data);
}

void
wire_composer_send (WireComposer *self)
{
  g_autofree char *payload = NULL;
  g_autofree char *id = NULL;
  const char *channel, *event;
  WirePriority priority;
  PublishData *data;

  g_return_if_fail (WIRE_IS_COMPOSER (self));

  validate (self);
  if (!wire_composer_can_send (self))
    return;

  channel = selected_string (self->channel_dropdown);
  event = selected_string (self->event_dropdown);
  priority = (WirePriority) MIN (gtk_drop_down_get_selected (self->priority_dropdown),
                                 WIRE_PRIORITY_LOW);
  payload = dup_payload (self);

  data = g_new0 (PublishData, 1);
  g_weak_ref_init (&data->composer, self);
  data->channel = g_strdup (channel);
  data->event = g_strdup (event);

  show_result (self, _("Sending…"), NULL);
  id = wire_connection_publish_async (self->connection, channel, event, priority, payload,
                                      self->cancellable, publish_cb, data);
  /* The log shows the whole frame of what we sent. */
  if (id != NULL)
    data->id = g_strdup (id);
  if (id != NULL)
    wire_message_tap_remember_payload (wire_message_tap_get_for_connection (self->connection),
                                       id, channel, event, priority, payload);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  wire_composer_send (WIRE_COMPOSER (widget));
}

static void
wire_composer_dispose (GObject *object)
{
  WireComposer *self = WIRE_COMPOSER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->connection);
  if (self->payload_view != NULL)
    g_signal_handlers_disconnect_by_data (gtk_text_view_get_buffer (self->payload_view), self);

  gtk_widget_dispose_template (GTK_WIDGET (self), WIRE_TYPE_COMPOSER);

  G_OBJECT_CLASS (wire_composer_parent_class)->dispose (object);
}

static void
wire_composer_finalize (GObject *object)
{
  WireComposer *self = WIRE_COMPOSER (object);

  g_clear_object (&self->cancellable);
  g_free (self->problem);

  G_OBJECT_CLASS (wire_composer_parent_class)->finalize (object);
}

static void
wire_composer_class_init (WireComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_composer_dispose;
  object_class->finalize = wire_composer_finalize;

  signals[PUBLISHED] = g_signal_new ("published", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                     G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wirescope/Wirescope/wire-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, WireComposer, box);
  gtk_widget_class_bind_template_child (widget_class, WireComposer, channel_model);
  gtk_widget_class_bind_template_child (widget_class, WireComposer, event_model);
  gtk_widget_class_bind_template_child (widget_class, WireComposer, channel_dropdown);
  gtk_widget_class_bind_template_child (widget_class, WireComposer, event_dropdown);
  gtk_widget_class_bind_template_child (widget_class, WireComposer, priority_dropdown);
  gtk_widget_class_bind_template_child (widget_class, WireComposer, payload_view);
  gtk_widget_class_bind_template_child (widget_class, WireComposer, problem_label);
  gtk_widget_class_bind_template_child (widget_class, WireComposer, result_label);
  gtk_widget_class_bind_template_callback (widget_class, channel_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, validate_cb);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "wire-composer");
}

static void
wire_composer_init (WireComposer *self)
{
  GtkEventController *shortcuts;
  GtkShortcutTrigger *trigger;

  gtk_widget_init_template (GTK_WIDGET (self));

  shortcuts = gtk_shortcut_controller_new ();

  /* Capture phase: the payload's text view would otherwise take Control+Return as a newline. */
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  trigger = gtk_shortcut_trigger_parse_string ("<Control>Return|<Control>KP_Enter");
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (trigger,
                                                          gtk_named_action_new ("composer.send")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->payload_view), "changed",
                            G_CALLBACK (validate_cb), self);
  /* Empty rather than a sample to edit: what is typed (or pasted) is the whole payload. */
  validate (self);
}

GtkWidget *
wire_composer_new (void)
{
  return g_object_new (WIRE_TYPE_COMPOSER, NULL);
}
