#define G_LOG_DOMAIN "wire-network-indicator"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "wire-display.h"
#include "wire-network-indicator.h"

struct _WireNetworkIndicator
{
  GtkBox              parent_instance;

  WireNetworkMonitor *monitor;

  GtkImage           *icon;
  GtkLabel           *label;
};

G_DEFINE_FINAL_TYPE (WireNetworkIndicator, wire_network_indicator, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_MONITOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *status_css_classes[] = {
  "network-online",
  "network-unstable",
  "network-slow",
  "network-offline",
};

static void
update_status (WireNetworkIndicator *self)
{
  WireNetworkStatus status;
  gint64 latency;
  const char *status_text;
  const char *icon_name;
  const char *css_class;
  g_autofree char *text = NULL;
  g_autofree char *description = NULL;

  if (self->monitor == NULL)
    return;

  status = wire_network_monitor_get_status (self->monitor);
  latency = wire_network_monitor_get_latency_ms (self->monitor);

  switch (status)
    {
    case WIRE_NETWORK_ONLINE:
      status_text = _("Online");
      icon_name = "network-wired-symbolic";
      css_class = "network-online";
      break;
    case WIRE_NETWORK_UNSTABLE:
      status_text = _("Unstable");
      icon_name = "network-wired-no-route-symbolic";
      css_class = "network-unstable";
      break;
    case WIRE_NETWORK_SLOW:
      status_text = _("Slow");
      icon_name = "network-wired-acquiring-symbolic";
      css_class = "network-slow";
      break;
    case WIRE_NETWORK_OFFLINE:
    default:
      status_text = _("Offline");
      icon_name = "network-wired-disconnected-symbolic";
      css_class = "network-offline";
      break;
    }

  if (latency >= 0)
    /* TRANSLATORS: network status and the latency of the last health probe */
    text = g_strdup_printf (_("%s · %d ms"), status_text, (int) MIN (latency, G_MAXINT));
  else
    text = g_strdup (status_text);

  if (latency >= 0)
    description = g_strdup_printf (_("Network: %s, last probe took %d ms"),
                                   status_text, (int) MIN (latency, G_MAXINT));
  else
    description = g_strdup_printf (_("Network: %s, not probed yet"), status_text);

  gtk_image_set_from_icon_name (self->icon, icon_name);
  gtk_label_set_text (self->label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), description);
  wire_display_update_accessible_text (GTK_WIDGET (self), _("Network status"), description);

  for (guint i = 0; i < G_N_ELEMENTS (status_css_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self), status_css_classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self), css_class);
}

void
wire_network_indicator_set_monitor (WireNetworkIndicator *self,
                                    WireNetworkMonitor   *monitor)
{
  g_return_if_fail (WIRE_IS_NETWORK_INDICATOR (self));
  g_return_if_fail (monitor == NULL || WIRE_IS_NETWORK_MONITOR (monitor));

  if (self->monitor == monitor)
    return;

  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_set_object (&self->monitor, monitor);

  if (monitor != NULL)
    {
      g_signal_connect_object (monitor, "notify::status",
                               G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (monitor, "notify::latency-ms",
                               G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
    }

  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MONITOR]);
}

WireNetworkMonitor *
wire_network_indicator_get_monitor (WireNetworkIndicator *self)
{
  g_return_val_if_fail (WIRE_IS_NETWORK_INDICATOR (self), NULL);

  return self->monitor;
}

static void
wire_network_indicator_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  WireNetworkIndicator *self = WIRE_NETWORK_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_MONITOR:
      g_value_set_object (value, self->monitor);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_network_indicator_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  WireNetworkIndicator *self = WIRE_NETWORK_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_MONITOR:
      wire_network_indicator_set_monitor (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_network_indicator_dispose (GObject *object)
{
  WireNetworkIndicator *self = WIRE_NETWORK_INDICATOR (object);

  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);

  gtk_widget_dispose_template (GTK_WIDGET (self), WIRE_TYPE_NETWORK_INDICATOR);

  G_OBJECT_CLASS (wire_network_indicator_parent_class)->dispose (object);
}

static void
wire_network_indicator_class_init (WireNetworkIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_network_indicator_dispose;
  object_class->get_property = wire_network_indicator_get_property;
  object_class->set_property = wire_network_indicator_set_property;

  properties[PROP_MONITOR] =
    g_param_spec_object ("monitor", NULL, NULL,
                         WIRE_TYPE_NETWORK_MONITOR,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wirescope/Wirescope/wire-network-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, WireNetworkIndicator, icon);
  gtk_widget_class_bind_template_child (widget_class, WireNetworkIndicator, label);
}

static void
wire_network_indicator_init (WireNetworkIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
wire_network_indicator_new (void)
{
  return g_object_new (WIRE_TYPE_NETWORK_INDICATOR, NULL);
}
