#define G_LOG_DOMAIN "wire-sidebar-row"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "wire-connection-rate.h"
#include "wire-display.h"
#include "wire-sidebar-row.h"

struct _WireSidebarRow
{
  GtkBox          parent_instance;

  WireConnection *connection;
  gulong          state_handler;

  GtkLabel       *header;
  GtkImage       *icon;
  GtkLabel       *name;
  GtkLabel       *state;
  /* An inscription: a rate that changes every refresh redraws, instead of resizing the row
   * and, up the tree, the window. */
  GtkInscription *rate;

  /* What is on screen, so a refresh touches only what changed: an icon or class change costs a
   * relayout, and a tooltip change a round trip to the display server. */
  int             shown_state;
  char           *shown_tooltip;
};

G_DEFINE_FINAL_TYPE (WireSidebarRow, wire_sidebar_row, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_SHOW_HEADER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
wire_sidebar_row_refresh (WireSidebarRow *self)
{
  WireConnectionState state;
  WireEndpointKind kind;
  double per_s;
  g_autofree char *name = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *rate_text = NULL;
  g_autofree char *a11y_label = NULL;
  g_autofree char *a11y_description = NULL;
  g_autofree char *tooltip = NULL;

  g_return_if_fail (WIRE_IS_SIDEBAR_ROW (self));

  if (self->connection == NULL)
    return;

  state = wire_connection_get_state (self->connection);
  kind = wire_connection_get_kind (self->connection);
  per_s = wire_connection_rate_get_in (self->connection) +
          wire_connection_rate_get_out (self->connection);

  gtk_label_set_text (self->header, wire_display_kind_label (kind));

  name = wire_display_dup_connection_name (self->connection);
  gtk_label_set_text (self->name, name);

  if (self->shown_state != (int) state)
    {
      gtk_image_set_from_icon_name (self->icon, wire_display_state_icon_name (state));
      wire_display_set_state_class (GTK_WIDGET (self->icon), state);
      gtk_label_set_text (self->state, wire_display_state_label (state));
      wire_display_set_state_class (GTK_WIDGET (self->state), state);
      self->shown_state = state;
    }

  rate = wire_connection_rate_format (per_s);
  /* TRANSLATORS: messages per second, kept short for the sidebar */
  rate_text = g_strdup_printf (_("%s/s"), rate);
  if (g_strcmp0 (gtk_inscription_get_text (self->rate), rate_text) != 0)
    gtk_inscription_set_text (self->rate, rate_text);

  a11y_label = g_strdup_printf ("%s %s", wire_display_kind_label (kind), name);
  /* TRANSLATORS: what a screen reader says about a connection: its state, then its rate */
  a11y_description = g_strdup_printf (_("%s, %s messages per second"),
                                      wire_display_state_label (state), rate);
  wire_display_update_accessible_text (GTK_WIDGET (self), a11y_label, a11y_description);

  /* The full name, should the sidebar be too narrow for it; on the name itself, because a
   * widget's tooltip becomes its accessible description, which is the row's state and rate. */
  tooltip = g_strdup (a11y_label);
  if (g_strcmp0 (tooltip, self->shown_tooltip) != 0)
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->name), tooltip);
      g_free (self->shown_tooltip);
      self->shown_tooltip = g_steal_pointer (&tooltip);
    }
}

void
wire_sidebar_row_set_connection (WireSidebarRow *self,
                                 WireConnection *connection)
{
  g_return_if_fail (WIRE_IS_SIDEBAR_ROW (self));
  g_return_if_fail (connection == NULL || WIRE_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if (self->connection != NULL)
    g_clear_signal_handler (&self->state_handler, self->connection);
  g_set_object (&self->connection, connection);
  self->shown_state = -1;

  /* A state change is an event, not traffic: it is shown (and announced) at once, while rates
   * wait for the next refresh. */
  if (connection != NULL)
    self->state_handler = g_signal_connect_object (connection, "notify::state",
                                                   G_CALLBACK (wire_sidebar_row_refresh),
                                                   self, G_CONNECT_SWAPPED);

  wire_sidebar_row_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

WireConnection *
wire_sidebar_row_get_connection (WireSidebarRow *self)
{
  g_return_val_if_fail (WIRE_IS_SIDEBAR_ROW (self), NULL);

  return self->connection;
}

void
wire_sidebar_row_set_show_header (WireSidebarRow *self,
                                  gboolean        show_header)
{
  g_return_if_fail (WIRE_IS_SIDEBAR_ROW (self));

  show_header = !!show_header;
  if (wire_sidebar_row_get_show_header (self) == show_header)
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->header), show_header);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_HEADER]);
}

gboolean
wire_sidebar_row_get_show_header (WireSidebarRow *self)
{
  g_return_val_if_fail (WIRE_IS_SIDEBAR_ROW (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->header));
}

static void
wire_sidebar_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  WireSidebarRow *self = WIRE_SIDEBAR_ROW (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_SHOW_HEADER:
      g_value_set_boolean (value, wire_sidebar_row_get_show_header (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_sidebar_row_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  WireSidebarRow *self = WIRE_SIDEBAR_ROW (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      wire_sidebar_row_set_connection (self, g_value_get_object (value));
      break;
    case PROP_SHOW_HEADER:
      wire_sidebar_row_set_show_header (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_sidebar_row_dispose (GObject *object)
{
  WireSidebarRow *self = WIRE_SIDEBAR_ROW (object);

  if (self->connection != NULL)
    g_clear_signal_handler (&self->state_handler, self->connection);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->shown_tooltip, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), WIRE_TYPE_SIDEBAR_ROW);

  G_OBJECT_CLASS (wire_sidebar_row_parent_class)->dispose (object);
}

static void
wire_sidebar_row_class_init (WireSidebarRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_sidebar_row_dispose;
  object_class->get_property = wire_sidebar_row_get_property;
  object_class->set_property = wire_sidebar_row_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         WIRE_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHOW_HEADER] =
    g_param_spec_boolean ("show-header", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wirescope/Wirescope/wire-sidebar-row.ui");
  gtk_widget_class_bind_template_child (widget_class, WireSidebarRow, header);
  gtk_widget_class_bind_template_child (widget_class, WireSidebarRow, icon);
  gtk_widget_class_bind_template_child (widget_class, WireSidebarRow, name);
  gtk_widget_class_bind_template_child (widget_class, WireSidebarRow, state);
  gtk_widget_class_bind_template_child (widget_class, WireSidebarRow, rate);
}

static void
wire_sidebar_row_init (WireSidebarRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->shown_state = -1;

  /* The state is read out with the row's description: the icon itself says nothing. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
}

GtkWidget *
wire_sidebar_row_new (void)
{
  return g_object_new (WIRE_TYPE_SIDEBAR_ROW, NULL);
}
