#define G_LOG_DOMAIN "wire-admin-view"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "wire-admin-view.h"

#define ADMIN_CHANNEL        "admin:sessions"
#define REFRESH_INTERVAL_MS  250

typedef enum
{
  COLUMN_ID,
  COLUMN_TYPE,
  COLUMN_USER,
  COLUMN_CHANNELS,
  COLUMN_IN,
  COLUMN_OUT,
  COLUMN_SINCE,
  COLUMN_WATCH,
} SessionColumn;

struct _WireAdminView
{
  GtkWidget       parent_instance;

  WireConnection *connection;
  /* connectionId → JsonObject of the feed; the list model holds the ids in arrival order. */
  GHashTable     *sessions;
  GtkStringList  *ids;
  GHashTable     *watched;
  GHashTable     *bound_cells;
  gboolean        dirty;
  guint           refresh_id;

  /* Bound so that disposing the template unparents it: a widget must not be finalized with
   * children left. */
  GtkWidget      *box;
  GtkRevealer    *problem_revealer;
  GtkLabel       *problem_label;
  GtkStack       *stack;
  GtkColumnView  *sessions_view;
};

G_DEFINE_FINAL_TYPE (WireAdminView, wire_admin_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
member_string (JsonObject *object,
               const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gint64
member_int (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;

  return json_node_get_int (node);
}

/* The session's channels as a new NULL-terminated array. */
static char **
session_channels (JsonObject *session)
{
  JsonNode *node = json_object_get_member (session, "channels");
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) &&
              json_node_get_value_type (element) == G_TYPE_STRING &&
              g_strcmp0 (json_node_get_string (element), ADMIN_CHANNEL) != 0)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
    }

  return g_strv_builder_end (builder);
}

static guint
find_id (WireAdminView *self,
         const char    *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->ids));

  for (guint i = 0; i < n; i++)
    {
      if (g_strcmp0 (gtk_string_list_get_string (self->ids, i), id) == 0)
        return i;
    }

  return GTK_INVALID_LIST_POSITION;
}

static void
show_problem (WireAdminView *self,
              const char    *message)
{
  gtk_label_set_text (self->problem_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->problem_revealer, message != NULL);
}

static void
update_stack (WireAdminView *self)
{
  gboolean any = g_list_model_get_n_items (G_LIST_MODEL (self->ids)) > 0;

  gtk_stack_set_visible_child_name (self->stack, any ? "table" : "empty");
}

static void
put_session (WireAdminView *self,
             JsonObject    *session)
{
  const char *id = member_string (session, "connectionId");

  if (id == NULL)
    return;

  if (!g_hash_table_contains (self->sessions, id))
    gtk_string_list_append (self->ids, id);

  g_hash_table_replace (self->sessions, g_strdup (id), json_object_ref (session));
  self->dirty = TRUE;
}

static void
remove_session (WireAdminView *self,
                const char    *id)
{
  guint position = find_id (self, id);

  if (position != GTK_INVALID_LIST_POSITION)
    gtk_string_list_remove (self->ids, position);
  g_hash_table_remove (self->sessions, id);
}

static void
clear_sessions (WireAdminView *self)
{
  g_hash_table_remove_all (self->sessions);
  gtk_string_list_splice (self->ids, 0, g_list_model_get_n_items (G_LIST_MODEL (self->ids)), NULL);
}

/* session_opened and session_updated carry the session either as the payload itself or
 * under "connection"; both are accepted. */
static JsonObject *
payload_session (JsonObject *payload)
{
  JsonNode *node = json_object_get_member (payload, "connection");

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    return json_node_get_object (node);

  return payload;
}

static void
message_cb (WireAdminView  *self,
            WireEnvelope   *envelope,
            WireConnection *connection)
{
  g_autoptr (JsonNode) payload_node = NULL;
  JsonObject *payload;

  if (g_strcmp0 (envelope->channel, ADMIN_CHANNEL) != 0 || envelope->event == NULL)
    return;

  payload_node = wire_envelope_dup_member_node (envelope, "payload");
  if (payload_node == NULL || !JSON_NODE_HOLDS_OBJECT (payload_node))
    return;
  payload = json_node_get_object (payload_node);

  if (g_str_equal (envelope->event, "sessions"))
    {
      JsonNode *list = json_object_get_member (payload, "connections");

      clear_sessions (self);
      if (list != NULL && JSON_NODE_HOLDS_ARRAY (list))
        {
          JsonArray *array = json_node_get_array (list);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_OBJECT (element))
                put_session (self, json_node_get_object (element));
            }
        }
    }
  else if (g_str_equal (envelope->event, "session_opened") ||
           g_str_equal (envelope->event, "session_updated"))
    {
      put_session (self, payload_session (payload));
    }
  else if (g_str_equal (envelope->event, "session_closed"))
    {
      const char *id = member_string (payload_session (payload), "connectionId");

      if (id != NULL)
        remove_session (self, id);
    }

  update_stack (self);
}

static void
state_cb (WireAdminView *self)
{
  /* A new authentication brings a new snapshot; what was watched must be asked for again. */
  if (self->connection != NULL &&
      wire_connection_get_state (self->connection) != WIRE_CONNECTION_CONNECTED)
    g_hash_table_remove_all (self->watched);
}

static char *
cell_text (WireAdminView *self,
           JsonObject    *session,
           SessionColumn  column)
{
  gint64 value;

  switch (column)
    {
    case COLUMN_ID:
      return g_strdup (member_string (session, "connectionId"));
    case COLUMN_TYPE:
      return g_strdup (member_string (session, "type"));
    case COLUMN_USER:
      return g_strdup (member_string (session, "userId"));
    case COLUMN_CHANNELS:
      {
        g_auto (GStrv) channels = session_channels (session);

        return g_strjoinv (", ", channels);
      }
    case COLUMN_IN:
      return g_strdup_printf ("%" G_GINT64_FORMAT, MAX (member_int (session, "messagesIn"), 0));
    case COLUMN_OUT:
      return g_strdup_printf ("%" G_GINT64_FORMAT, MAX (member_int (session, "messagesOut"), 0));
    case COLUMN_SINCE:
      value = member_int (session, "connectedAt");
      if (value > 0)
        {
          g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (value / 1000);

          return time != NULL ? g_date_time_format (time, "%X") : g_strdup ("—");
        }
      return g_strdup ("—");
    case COLUMN_WATCH:
    default:
      return NULL;
    }
}

static gboolean
session_watched (WireAdminView *self,
                 JsonObject    *session)
{
  g_auto (GStrv) channels = session_channels (session);

  if (channels[0] == NULL)
    return FALSE;

  for (guint i = 0; channels[i] != NULL; i++)
    {
      if (!g_hash_table_contains (self->watched, channels[i]))
        return FALSE;
    }

  return TRUE;
}

static void
update_cell (WireAdminView *self,
             GtkListItem   *item)
{
  GtkStringObject *string = gtk_list_item_get_item (item);
  GtkWidget *child = gtk_list_item_get_child (item);
  SessionColumn column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (child), "wire-column"));
  JsonObject *session;

  if (string == NULL)
    return;

  session = g_hash_table_lookup (self->sessions, gtk_string_object_get_string (string));
  if (session == NULL)
    return;

  if (column == COLUMN_WATCH)
    {
      gboolean watched = session_watched (self, session);
      g_autofree char *label = g_strdup_printf (_("Watch session %s"),
                                                member_string (session, "connectionId"));

      gtk_button_set_label (GTK_BUTTON (child), watched ? _("Watching") : _("Watch"));
      gtk_widget_set_sensitive (child, !watched &&
                                g_strcmp0 (member_string (session, "connectionId"),
                                           self->connection != NULL ?
                                           wire_connection_get_connection_id (self->connection) :
                                           NULL) != 0);
      gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }
  else
    {
      g_autofree char *text = cell_text (self, session, column);

      gtk_label_set_text (GTK_LABEL (child), text != NULL ? text : "");
    }
}

static void
watch_clicked_cb (GtkButton     *button,
                  WireAdminView *self)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (button), "wire-item");
  GtkStringObject *string = gtk_list_item_get_item (item);
  JsonObject *session;
  g_auto (GStrv) channels = NULL;
  g_autoptr (GError) error = NULL;

  if (string == NULL || self->connection == NULL)
    return;

  session = g_hash_table_lookup (self->sessions, gtk_string_object_get_string (string));
  if (session == NULL)
    return;

  channels = session_channels (session);
  if (channels[0] == NULL)
    {
      show_problem (self, _("This session has no channels to watch."));
      return;
    }

  if (!wire_connection_subscribe (self->connection, (const char * const *) channels, &error))
    {
      show_problem (self, error->message);
      return;
    }

  show_problem (self, NULL);
  for (guint i = 0; channels[i] != NULL; i++)
    g_hash_table_add (self->watched, g_strdup (channels[i]));
  update_cell (self, item);
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  SessionColumn column = GPOINTER_TO_UINT (user_data);
  WireAdminView *self = g_object_get_data (G_OBJECT (factory), "wire-view");
  GtkWidget *child;

  if (column == COLUMN_WATCH)
    {
      child = gtk_button_new_with_label (_("Watch"));
      gtk_widget_set_tooltip_text (child, _("Subscribe read-only to this session’s channels"));
      g_object_set_data (G_OBJECT (child), "wire-item", item);
      g_signal_connect_object (child, "clicked", G_CALLBACK (watch_clicked_cb), self, 0);
    }
  else
    {
      child = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (child), column == COLUMN_IN || column == COLUMN_OUT ? 1 : 0);
      gtk_label_set_ellipsize (GTK_LABEL (child), PANGO_ELLIPSIZE_END);
    }

  g_object_set_data (G_OBJECT (child), "wire-column", GUINT_TO_POINTER (column));
  gtk_list_item_set_child (item, child);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  WireAdminView *self = g_object_get_data (G_OBJECT (factory), "wire-view");

  g_hash_table_add (self->bound_cells, item);
  update_cell (self, item);
}

static void
cell_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  WireAdminView *self = g_object_get_data (G_OBJECT (factory), "wire-view");

  g_hash_table_remove (self->bound_cells, item);
}

static void
add_column (WireAdminView *self,
            SessionColumn  column,
            const char    *title,
            gboolean       expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr (GtkColumnViewColumn) view_column = NULL;

  g_object_set_data (G_OBJECT (factory), "wire-view", self);
  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (cell_unbind_cb), NULL);

  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_append_column (self->sessions_view, view_column);
}

static gboolean
refresh_cb (gpointer user_data)
{
  WireAdminView *self = WIRE_ADMIN_VIEW (user_data);
  GHashTableIter iter;
  gpointer key;

  if (!self->dirty)
    return G_SOURCE_CONTINUE;

  self->dirty = FALSE;
  g_hash_table_iter_init (&iter, self->bound_cells);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    update_cell (self, key);

  return G_SOURCE_CONTINUE;
}

static void
wire_admin_view_dispose (GObject *object)
{
  WireAdminView *self = WIRE_ADMIN_VIEW (object);

  wire_admin_view_set_connection (self, NULL);
  g_clear_handle_id (&self->refresh_id, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (self), WIRE_TYPE_ADMIN_VIEW);

  g_clear_object (&self->ids);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_pointer (&self->bound_cells, g_hash_table_unref);

  G_OBJECT_CLASS (wire_admin_view_parent_class)->dispose (object);
}

static void
wire_admin_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  WireAdminView *self = WIRE_ADMIN_VIEW (object);

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
wire_admin_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  WireAdminView *self = WIRE_ADMIN_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      wire_admin_view_set_connection (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_admin_view_class_init (WireAdminViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_admin_view_dispose;
  object_class->get_property = wire_admin_view_get_property;
  object_class->set_property = wire_admin_view_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         WIRE_TYPE_CONNECTION,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wirescope/Wirescope/wire-admin-view.ui");
  gtk_widget_class_bind_template_child (widget_class, WireAdminView, box);
  gtk_widget_class_bind_template_child (widget_class, WireAdminView, problem_revealer);
  gtk_widget_class_bind_template_child (widget_class, WireAdminView, problem_label);
  gtk_widget_class_bind_template_child (widget_class, WireAdminView, stack);
  gtk_widget_class_bind_template_child (widget_class, WireAdminView, sessions_view);
}

static void
wire_admin_view_init (WireAdminView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) json_object_unref);
  self->watched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->bound_cells = g_hash_table_new (NULL, NULL);
  self->ids = gtk_string_list_new (NULL);

  add_column (self, COLUMN_ID, _("Connection"), FALSE);
  add_column (self, COLUMN_TYPE, _("Type"), FALSE);
  add_column (self, COLUMN_USER, _("User"), FALSE);
  add_column (self, COLUMN_CHANNELS, _("Channels"), TRUE);
  add_column (self, COLUMN_IN, _("In"), FALSE);
  add_column (self, COLUMN_OUT, _("Out"), FALSE);
  add_column (self, COLUMN_SINCE, _("Connected"), FALSE);
  add_column (self, COLUMN_WATCH, _("Watch"), FALSE);

  gtk_column_view_set_model (self->sessions_view,
                             GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->ids)))));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sessions_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Gateway sessions"), -1);

  self->refresh_id = g_timeout_add (REFRESH_INTERVAL_MS, refresh_cb, self);
  update_stack (self);
}

GtkWidget *
wire_admin_view_new (void)
{
  return g_object_new (WIRE_TYPE_ADMIN_VIEW, NULL);
}

void
wire_admin_view_set_connection (WireAdminView  *self,
                                WireConnection *connection)
{
  g_return_if_fail (WIRE_IS_ADMIN_VIEW (self));
  g_return_if_fail (connection == NULL || WIRE_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_set_object (&self->connection, connection);

  if (self->sessions != NULL)
    {
      clear_sessions (self);
      g_hash_table_remove_all (self->watched);
      show_problem (self, NULL);
      update_stack (self);
    }

  if (connection != NULL)
    {
      g_signal_connect_object (connection, "message", G_CALLBACK (message_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (connection, "notify::state", G_CALLBACK (state_cb), self,
                               G_CONNECT_SWAPPED);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

WireConnection *
wire_admin_view_get_connection (WireAdminView *self)
{
  g_return_val_if_fail (WIRE_IS_ADMIN_VIEW (self), NULL);

  return self->connection;
}

guint
wire_admin_view_get_n_sessions (WireAdminView *self)
{
  g_return_val_if_fail (WIRE_IS_ADMIN_VIEW (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->ids));
}
