#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "wire-connection-header.h"
#include "wire-display.h"

enum {
  FACT_USER,
  FACT_SESSION,
  FACT_CONNECTION_ID,
  FACT_UPTIME,
  FACT_TOKEN,
  FACT_NETWORK,
  N_FACTS
};

struct _WireConnectionHeader
{
  GtkWidget           parent_instance;

  WireConnection     *connection;
  WireNetworkMonitor *monitor;

  GtkWidget          *box;
  GtkImage           *state_icon;
  GtkLabel           *state_label;
  GtkLabel           *url_label;
  GtkFlowBox         *facts;
  GtkWidget          *buttons;
  GtkWidget          *fact_values[N_FACTS];

};

G_DEFINE_FINAL_TYPE (WireConnectionHeader, wire_connection_header, GTK_TYPE_WIDGET)

char *
wire_format_duration (gint64 ms)
{
  gint64 s = MAX (ms, 0) / 1000;

  /* Plain ints in the translated text: xgettext cannot see through G_GINT64_FORMAT. */
  if (s < 60)
    return g_strdup_printf (_("%d s"), (int) s);
  if (s < 3600)
    return g_strdup_printf (_("%d min %02d s"), (int) (s / 60), (int) (s % 60));
  if (s < 86400)
    return g_strdup_printf (_("%d h %02d min"), (int) (s / 3600), (int) ((s % 3600) / 60));
  return g_strdup_printf (_("%d d %d h"), (int) MIN (s / 86400, G_MAXINT), (int) ((s % 86400) / 3600));
}

static void
set_fact (WireConnectionHeader *self,
          guint                 fact,
          const char           *text)
{
  GtkLabel *label = GTK_LABEL (self->fact_values[fact]);

  if (text == NULL || *text == '\0')
    text = "–";
  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

static void
update_state (WireConnectionHeader *self)
{
  WireConnectionState state = WIRE_CONNECTION_DISCONNECTED;
  g_autofree char *text = NULL;

  if (self->connection != NULL)
    state = wire_connection_get_state (self->connection);

  /* The same icon and colour as the sidebar and the overview. */
  gtk_image_set_from_icon_name (self->state_icon, wire_display_state_icon_name (state));
  wire_display_set_state_class (GTK_WIDGET (self->state_icon), state);
  wire_display_set_state_class (GTK_WIDGET (self->state_label), state);

  /* The words carry the state, not only the colour; after a close they say why. */
  if (self->connection != NULL && state != WIRE_CONNECTION_CONNECTED
      && wire_connection_get_last_close_code (self->connection) > 0)
    {
      int code = wire_connection_get_last_close_code (self->connection);

      text = g_strdup_printf (_("%s — closed with %d: %s"),
                              wire_display_state_label (state), code,
                              wire_close_code_describe (code));
    }
  else
    text = g_strdup (wire_display_state_label (state));
  gtk_label_set_text (self->state_label, text);
}

void
wire_connection_header_refresh (WireConnectionHeader *self)
{
  WireMetrics metrics;
  gint64 now_ms = g_get_real_time () / 1000;
  gint64 expiry;
  g_autofree char *uptime = NULL;
  g_autofree char *token = NULL;
  g_autofree char *network = NULL;

  g_return_if_fail (WIRE_IS_CONNECTION_HEADER (self));

  if (self->connection == NULL)
    {
      for (guint i = 0; i < N_FACTS; i++)
        set_fact (self, i, NULL);
      return;
    }

  wire_connection_get_metrics (self->connection, &metrics);
  if (wire_connection_get_state (self->connection) == WIRE_CONNECTION_CONNECTED
      && metrics.connected_at_ms > 0)
    uptime = wire_format_duration (now_ms - metrics.connected_at_ms);
  set_fact (self, FACT_UPTIME, uptime);

  expiry = wire_connection_get_token_expiry (self->connection);
  if (expiry <= 0)
    token = g_strdup (_("no expiry known"));
  else if (expiry * 1000 <= now_ms)
    {
      g_autofree char *ago = wire_format_duration (now_ms - expiry * 1000);
      token = g_strdup_printf (_("expired %s ago"), ago);
    }
  else
    {
      g_autofree char *left = wire_format_duration (expiry * 1000 - now_ms);
      token = g_strdup_printf (_("expires in %s"), left);
    }
  set_fact (self, FACT_TOKEN, token);

  if (self->monitor != NULL)
    {
      WireNetworkStatus status = wire_network_monitor_get_status (self->monitor);
      gint64 latency = wire_network_monitor_get_latency_ms (self->monitor);

      if (latency >= 0)
        network = g_strdup_printf (_("%s, probe %d ms"),
                                   wire_network_status_to_string (status), (int) MIN (latency, G_MAXINT));
      else
        network = g_strdup (wire_network_status_to_string (status));
    }
  set_fact (self, FACT_NETWORK, network);
}

static void
identity_changed_cb (WireConnectionHeader *self)
{
  set_fact (self, FACT_USER, wire_connection_get_user_id (self->connection));
  set_fact (self, FACT_SESSION, wire_connection_get_session_id (self->connection));
  set_fact (self, FACT_CONNECTION_ID, wire_connection_get_connection_id (self->connection));
  gtk_label_set_text (self->url_label, wire_connection_get_url (self->connection));
}

static void
state_changed_cb (WireConnectionHeader *self)
{
  update_state (self);
  wire_connection_header_refresh (self);
}

void
wire_connection_header_set_connection (WireConnectionHeader *self,
                                       WireConnection       *connection)
{
  g_return_if_fail (WIRE_IS_CONNECTION_HEADER (self));
  g_return_if_fail (connection == NULL || WIRE_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->monitor);
  g_set_object (&self->connection, connection);

  if (connection != NULL)
    {
      static const char * const identity_props[] = {
        "notify::user-id", "notify::session-id", "notify::connection-id",
      };

      if (g_object_class_find_property (G_OBJECT_GET_CLASS (connection), "network-monitor"))
        g_object_get (connection, "network-monitor", &self->monitor, NULL);
      g_signal_connect_object (connection, "notify::state", G_CALLBACK (state_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (connection, "notify::last-close-code",
                               G_CALLBACK (state_changed_cb), self, G_CONNECT_SWAPPED);
      for (guint i = 0; i < G_N_ELEMENTS (identity_props); i++)
        g_signal_connect_object (connection, identity_props[i], G_CALLBACK (identity_changed_cb),
                                 self, G_CONNECT_SWAPPED);
      identity_changed_cb (self);
    }
  else
    {
      gtk_label_set_text (self->url_label, "");
      set_fact (self, FACT_USER, NULL);
      set_fact (self, FACT_SESSION, NULL);
      set_fact (self, FACT_CONNECTION_ID, NULL);
    }

  update_state (self);
  wire_connection_header_refresh (self);
}

const char *
wire_connection_header_get_state_text (WireConnectionHeader *self)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION_HEADER (self), NULL);
  return gtk_label_get_text (self->state_label);
}

static void
add_fact (WireConnectionHeader *self,
          guint                 fact,
          const char           *title,
          gboolean              selectable)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *caption = gtk_label_new (title);
  GtkWidget *value = gtk_label_new ("–");
  GtkWidget *child;

  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_widget_add_css_class (caption, "caption");
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_label_set_selectable (GTK_LABEL (value), selectable);
  gtk_label_set_ellipsize (GTK_LABEL (value), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_width_chars (GTK_LABEL (value), 10);
  gtk_label_set_max_width_chars (GTK_LABEL (value), 28);
  gtk_widget_add_css_class (value, "numeric");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, caption, NULL,
                                  -1);
  gtk_box_append (GTK_BOX (box), caption);
  gtk_box_append (GTK_BOX (box), value);
  gtk_flow_box_append (self->facts, box);

  /* The facts are read, not chosen: only selectable values take focus. */
  child = gtk_widget_get_parent (box);
  gtk_widget_set_focusable (child, FALSE);

  self->fact_values[fact] = value;
}

static void
wire_connection_header_dispose (GObject *object)
{
  WireConnectionHeader *self = WIRE_CONNECTION_HEADER (object);

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->connection);
  g_clear_object (&self->monitor);

  gtk_widget_dispose_template (GTK_WIDGET (self), WIRE_TYPE_CONNECTION_HEADER);

  G_OBJECT_CLASS (wire_connection_header_parent_class)->dispose (object);
}

static void
wire_connection_header_class_init (WireConnectionHeaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_connection_header_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wirescope/Wirescope/wire-connection-header.ui");
  gtk_widget_class_bind_template_child (widget_class, WireConnectionHeader, box);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionHeader, state_icon);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionHeader, state_label);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionHeader, url_label);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionHeader, facts);
  gtk_widget_class_bind_template_child (widget_class, WireConnectionHeader, buttons);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "wire-connection-header");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
wire_connection_header_init (WireConnectionHeader *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  add_fact (self, FACT_USER, _("User"), TRUE);
  add_fact (self, FACT_SESSION, _("Session"), TRUE);
  add_fact (self, FACT_CONNECTION_ID, _("Connection ID"), TRUE);
  add_fact (self, FACT_UPTIME, _("Uptime"), FALSE);
  add_fact (self, FACT_TOKEN, _("Token"), FALSE);
  add_fact (self, FACT_NETWORK, _("Network"), FALSE);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Connection state"),
                                  -1);
  update_state (self);
}

GtkWidget *
wire_connection_header_new (void)
{
  return g_object_new (WIRE_TYPE_CONNECTION_HEADER, NULL);
}
