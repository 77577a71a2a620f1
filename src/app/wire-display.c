#define G_LOG_DOMAIN "wire-display"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "wire-display.h"

static const char *state_css_classes[] = {
  "state-disconnected",
  "state-connecting",
  "state-authenticating",
  "state-connected",
  "state-reconnecting",
  "state-error",
};

const char *
wire_display_state_label (WireConnectionState state)
{
  switch (state)
    {
    case WIRE_CONNECTION_DISCONNECTED:
      return _("Disconnected");
    case WIRE_CONNECTION_CONNECTING:
      return _("Connecting");
    case WIRE_CONNECTION_AUTHENTICATING:
      return _("Authenticating");
    case WIRE_CONNECTION_CONNECTED:
      return _("Connected");
    case WIRE_CONNECTION_RECONNECTING:
      return _("Reconnecting");
    case WIRE_CONNECTION_ERROR:
      return _("Error");
    default:
      return _("Unknown");
    }
}

const char *
wire_display_state_icon_name (WireConnectionState state)
{
  switch (state)
    {
    case WIRE_CONNECTION_DISCONNECTED:
      return "network-offline-symbolic";
    case WIRE_CONNECTION_CONNECTING:
      return "content-loading-symbolic";
    case WIRE_CONNECTION_AUTHENTICATING:
      return "dialog-password-symbolic";
    case WIRE_CONNECTION_CONNECTED:
      return "emblem-ok-symbolic";
    case WIRE_CONNECTION_RECONNECTING:
      return "view-refresh-symbolic";
    case WIRE_CONNECTION_ERROR:
    default:
      return "dialog-error-symbolic";
    }
}

const char *
wire_display_state_css_class (WireConnectionState state)
{
  if ((guint) state < G_N_ELEMENTS (state_css_classes))
    return state_css_classes[state];

  return "state-error";
}

const char *
wire_display_kind_label (WireEndpointKind kind)
{
  switch (kind)
    {
    case WIRE_ENDPOINT_CHAT:
      return _("Chat");
    case WIRE_ENDPOINT_AGENT_STATUS:
      return _("Agent Status");
    case WIRE_ENDPOINT_TRIP_COLLAB:
      return _("Trip Collaboration");
    case WIRE_ENDPOINT_NOTIFICATIONS:
      return _("Notifications");
    case WIRE_ENDPOINT_ADMIN:
      return _("Admin");
    default:
      return _("Unknown");
    }
}

char *
wire_display_dup_connection_name (WireConnection *connection)
{
  const char *slot = wire_connection_get_slot_id (connection);
  const char *user = wire_connection_get_user_id (connection);

  if (slot == NULL)
    slot = wire_connection_get_kind (connection) == WIRE_ENDPOINT_ADMIN ? _("gateway") : "";

  /* Two collaborators on one trip share the slot: the user tells them apart. */
  if (user != NULL && *user != '\0' && g_strcmp0 (user, slot) != 0)
    return g_strdup_printf ("%s · %s", slot, user);

  return g_strdup (slot);
}

void
wire_display_set_state_class (GtkWidget           *widget,
                             WireConnectionState  state)
{
  const char *wanted = wire_display_state_css_class (state);

  for (guint i = 0; i < G_N_ELEMENTS (state_css_classes); i++)
    {
      if (g_strcmp0 (state_css_classes[i], wanted) != 0)
        gtk_widget_remove_css_class (widget, state_css_classes[i]);
    }
  gtk_widget_add_css_class (widget, wanted);
}

/* Accessible properties are only pushed when they change: assistive technologies hear about
 * each update. */
void
wire_display_update_accessible_text (GtkWidget  *widget,
                                    const char *label,
                                    const char *description)
{
  g_autofree char *combined = g_strconcat (label, "\n", description, NULL);

  if (g_strcmp0 (g_object_get_data (G_OBJECT (widget), "wire-a11y"), combined) == 0)
    return;

  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
  g_object_set_data_full (G_OBJECT (widget), "wire-a11y", g_steal_pointer (&combined), g_free);
}

int
wire_display_compare_connections (gconstpointer a,
                                 gconstpointer b,
                                 gpointer      user_data)
{
  WireConnection *ca = (WireConnection *) a;
  WireConnection *cb = (WireConnection *) b;
  WireEndpointKind ka = wire_connection_get_kind (ca);
  WireEndpointKind kb = wire_connection_get_kind (cb);
  int cmp;

  if (ka != kb)
    return ka < kb ? -1 : 1;

  cmp = g_strcmp0 (wire_connection_get_slot_id (ca), wire_connection_get_slot_id (cb));
  if (cmp != 0)
    return cmp;

  cmp = g_strcmp0 (wire_connection_get_url (ca), wire_connection_get_url (cb));
  if (cmp != 0)
    return cmp;

  /* Stable for the life of the process, so equal rows never swap places. */
  return ca < cb ? -1 : (ca > cb ? 1 : 0);
}
