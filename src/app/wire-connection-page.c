#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "wire-channel-list.h"
#include "wire-composer.h"
#include "wire-connection-header.h"
#include "wire-connection-page.h"
#include "wire-message-log.h"
#include "wire-message-tap.h"
#include "wire-metrics-view.h"
#include "wire-queue-view.h"
#include "wire-rate-chart.h"
#include "wire-timeline-view.h"

/* Labels change at most four times a second: enough for a clock, cheap at 100 connections. */
#define REFRESH_INTERVAL_MS 250
/* Lists that are read whole (channel statistics) once a second. */
#define SLOW_REFRESH_EVERY 4

struct _WireConnectionPage
{
  GtkWidget             parent_instance;

  WireConnection       *connection;
  guint                 refresh_id;
  guint                 refresh_count;

  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  WireConnectionHeader *header;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack         *view_stack;
  WireMetricsView      *metrics_view;
  WireRateChart        *rate_chart;
  WireQueueView        *queue_view;
  WireChannelList      *channel_list;
  WireTimelineView     *timeline_view;
  WireMessageLog       *message_log;
  WireComposer         *composer;
};

G_DEFINE_FINAL_TYPE (WireConnectionPage, wire_connection_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_actions (WireConnectionPage *self)
{
  WireConnectionState state = WIRE_CONNECTION_DISCONNECTED;
  gboolean has = self->connection != NULL;

  if (has)
    state = wire_connection_get_state (self->connection);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connection.connect",
                                 has && (state == WIRE_CONNECTION_DISCONNECTED
                                         || state == WIRE_CONNECTION_ERROR));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connection.disconnect",
                                 has && state != WIRE_CONNECTION_DISCONNECTED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connection.reconnect",
                                 has && state != WIRE_CONNECTION_DISCONNECTED);
}

static void
refresh (WireConnectionPage *self)
{
  WireMetrics metrics;

  wire_connection_header_refresh (self->header);
  if (self->connection == NULL)
    {
      wire_metrics_view_update (self->metrics_view, NULL);
      return;
    }

  wire_connection_get_metrics (self->connection, &metrics);
  wire_metrics_view_update (self->metrics_view, &metrics);
  wire_queue_view_refresh (self->queue_view);

  if (self->refresh_count++ % SLOW_REFRESH_EVERY == 0)
    {
      wire_channel_list_refresh (self->channel_list);
      wire_composer_refresh (self->composer);
    }
}

static gboolean
refresh_cb (gpointer user_data)
{
  refresh (user_data);
  return G_SOURCE_CONTINUE;
}

static void
state_changed_cb (WireConnectionPage *self)
{
  update_actions (self);
}

static void
update_title (WireConnectionPage *self)
{
  g_autofree char *title = NULL;

  if (self->connection != NULL)
    {
      const char *slot = wire_connection_get_slot_id (self->connection);
      const char *kind = wire_endpoint_kind_to_string (wire_connection_get_kind (self->connection));

      title = slot != NULL ? g_strdup_printf ("%s %s", kind, slot) : g_strdup (kind);
    }
  adw_view_switcher_title_set_title (self->switcher_title, title != NULL ? title : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  title != NULL ? title : _("No connection"),
                                  -1);
}

void
wire_connection_page_set_connection (WireConnectionPage *self,
                                     WireConnection     *connection)
{
  g_return_if_fail (WIRE_IS_CONNECTION_PAGE (self));
  g_return_if_fail (connection == NULL || WIRE_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_set_object (&self->connection, connection);

  if (connection != NULL)
    g_signal_connect_object (connection, "notify::state", G_CALLBACK (state_changed_cb), self,
                             G_CONNECT_SWAPPED);

  wire_connection_header_set_connection (self->header, connection);
  wire_rate_chart_set_connection (self->rate_chart, connection);
  wire_queue_view_set_queue (self->queue_view,
                             connection != NULL ? wire_connection_get_queue (connection) : NULL);
  wire_channel_list_set_connection (self->channel_list, connection);
  wire_timeline_view_set_connection (self->timeline_view, connection);
  wire_message_log_set_ring (self->message_log,
                             connection != NULL
                               ? wire_message_tap_get_ring (wire_message_tap_get_for_connection (connection))
                               : NULL);
  wire_composer_set_connection (self->composer, connection);

  gtk_stack_set_visible_child_name (self->stack, connection != NULL ? "content" : "empty");
  update_title (self);
  update_actions (self);
  self->refresh_count = 0;
  refresh (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

WireConnection *
wire_connection_page_get_connection (WireConnectionPage *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION_PAGE (self), NULL);
  return self->connection;
}

static void
published_cb (WireConnectionPage *self,
              const char         *id,
              const char         *status,
              const char         *error_message)
{
  g_autofree char *text = NULL;

  /* Success is said inline by the composer; what went wrong is worth a toast too. */
  if (error_message != NULL)
    text = g_strdup_printf (_("Publish failed: %s"), error_message);
  else if (g_strcmp0 (status, "duplicate") == 0)
    text = g_strdup (_("The gateway had this message already (duplicate)"));
  else
    return;

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  WireConnectionPage *self = WIRE_CONNECTION_PAGE (widget);

  if (self->connection == NULL)
    return;

  if (g_str_equal (action_name, "connection.connect"))
    wire_connection_connect (self->connection);
  else if (g_str_equal (action_name, "connection.disconnect"))
    wire_connection_disconnect (self->connection);
  else if (g_str_equal (action_name, "connection.reconnect"))
    wire_connection_reconnect_now (self->connection);
  else
    g_assert_not_reached ();

  update_actions (self);
}

static void
wire_connection_page_map (GtkWidget *widget)
{
  WireConnectionPage *self = WIRE_CONNECTION_PAGE (widget);

  GTK_WIDGET_CLASS (wire_connection_page_parent_class)->map (widget);

  refresh (self);
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (REFRESH_INTERVAL_MS, refresh_cb, self);
}

static void
wire_connection_page_unmap (GtkWidget *widget)
{
  WireConnectionPage *self = WIRE_CONNECTION_PAGE (widget);

  g_clear_handle_id (&self->refresh_id, g_source_remove);

  GTK_WIDGET_CLASS (wire_connection_page_parent_class)->unmap (widget);
}

static void
wire_connection_page_dispose (GObject *object)
{
  WireConnectionPage *self = WIRE_CONNECTION_PAGE (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->connection != NULL)
    {
      /* Let every part drop its handlers on the connection before the widgets go. */
      wire_connection_page_set_connection (self, NULL);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), WIRE_TYPE_CONNECTION_PAGE);

  G_OBJECT_CLASS (wire_connection_page_parent_class)->dispose (object);
}

static void
wire_connection_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  WireConnectionPage *self = WIRE_CONNECTION_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_connection_page_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  WireConnectionPage *self = WIRE_CONNECTION_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      wire_connection_page_set_connection (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_connection_page_class_init (WireConnectionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_connection_page_dispose;
  object_class->get_property = wire_connection_page_get_property;
  object_class->set_property = wire_connection_page_set_property;

  widget_class->map = wire_connection_page_map;
  widget_class->unmap = wire_connection_page_unmap;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         WIRE_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (WIRE_TYPE_CONNECTION_HEADER);
  g_type_ensure (WIRE_TYPE_METRICS_VIEW);
  g_type_ensure (WIRE_TYPE_RATE_CHART);
  g_type_ensure (WIRE_TYPE_QUEUE_VIEW);
  g_type_ensure (WIRE_TYPE_CHANNEL_LIST);
  g_type_ensure (WIRE_TYPE_TIMELINE_VIEW);
  g_type_ensure (WIRE_TYPE_MESSAGE_LOG);
  g_type_ensure (WIRE_TYPE_COMPOSER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wirescope/Wirescope/wire-connection-page.ui");
  gtk_widget_class_bind_template_child (widget_class, WireConnectionPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionPage, stack);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionPage, header);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionPage, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionPage, metrics_view);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionPage, rate_chart);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionPage, queue_view);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionPage, channel_list);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionPage, timeline_view);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionPage, message_log);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionPage, composer);
  gtk_widget_class_bind_template_callback (widget_class, published_cb);

  gtk_widget_class_install_action (widget_class, "connection.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "connection.disconnect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "connection.reconnect", NULL, connect_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "wire-connection-page");
}

static void
wire_connection_page_init (WireConnectionPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_stack_set_visible_child_name (self->stack, "empty");
  update_title (self);
  update_actions (self);
}

GtkWidget *
wire_connection_page_new (void)
{
  return g_object_new (WIRE_TYPE_CONNECTION_PAGE, NULL);
}
