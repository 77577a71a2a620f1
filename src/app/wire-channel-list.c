#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "wire-channel-item.h"
#include "wire-channel-list.h"

enum {
  COL_CHANNEL,
  COL_STATE,
  COL_PERMISSIONS,
  COL_EVENTS,
  COL_BUDGET,
  COL_IN,
  COL_OUT,
  COL_LAST_EVENT,
  N_COLUMNS
};

struct _WireChannelList
{
  GtkWidget           parent_instance;

  WireConnection     *connection;
  GListStore         *store;
  GtkSingleSelection *selection;

  GtkWidget          *box;
  GtkEntry           *channel_entry;
  GtkWidget          *subscribe_button;
  GtkWidget          *unsubscribe_button;
  GtkLabel           *feedback_label;
  GtkColumnView      *view;
};

G_DEFINE_FINAL_TYPE (WireChannelList, wire_channel_list, GTK_TYPE_WIDGET)

static void
show_feedback (WireChannelList *self,
               const char      *text,
               gboolean         is_error)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->feedback_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->feedback_label), "success");
  gtk_widget_add_css_class (GTK_WIDGET (self->feedback_label), is_error ? "error" : "success");
  gtk_label_set_text (self->feedback_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->feedback_label), text != NULL && *text != '\0');
}

static void
fill_cell (GtkLabel        *label,
           WireChannelItem *item,
           guint            column)
{
  g_autofree char *text = NULL;

  switch (column)
    {
    case COL_CHANNEL:
      text = g_strdup (wire_channel_item_get_channel (item));
      break;
    case COL_STATE:
      text = wire_channel_item_dup_state_text (item);
      break;
    case COL_PERMISSIONS:
      text = wire_channel_item_dup_permissions_text (item);
      break;
    case COL_EVENTS:
      text = g_strdup (wire_channel_item_get_events_text (item));
      break;
    case COL_BUDGET:
      text = wire_channel_item_dup_budget_text (item, g_get_monotonic_time ());
      break;
    case COL_IN:
      text = g_strdup_printf ("%" G_GUINT64_FORMAT, wire_channel_item_get_messages_in (item));
      break;
    case COL_OUT:
      text = g_strdup_printf ("%" G_GUINT64_FORMAT, wire_channel_item_get_messages_out (item));
      break;
    case COL_LAST_EVENT:
      text = wire_channel_item_dup_last_event_text (item);
      break;
    default:
      g_assert_not_reached ();
    }

  gtk_label_set_text (label, text);
}

static void
item_changed_cb (WireChannelItem *item,
                 GtkListItem     *list_item)
{
  GtkWidget *label = gtk_list_item_get_child (list_item);
  guint column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (label), "column"));

  fill_cell (GTK_LABEL (label), item, column);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);
  guint column = GPOINTER_TO_UINT (user_data);

  gtk_label_set_xalign (GTK_LABEL (label), column == COL_IN || column == COL_OUT ? 1 : 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column == COL_IN || column == COL_OUT || column == COL_BUDGET)
    gtk_widget_add_css_class (label, "numeric");
  g_object_set_data (G_OBJECT (label), "column", user_data);
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         gpointer                  user_data)
{
  WireChannelItem *item = gtk_list_item_get_item (list_item);

  fill_cell (GTK_LABEL (gtk_list_item_get_child (list_item)), item, GPOINTER_TO_UINT (user_data));
  g_signal_connect (item, "changed", G_CALLBACK (item_changed_cb), list_item);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  WireChannelItem *item = gtk_list_item_get_item (list_item);

  g_signal_handlers_disconnect_by_func (item, item_changed_cb, list_item);
}

static void
add_column (WireChannelList *self,
            guint            column,
            const char      *title,
            gboolean         expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), GUINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_append_column (self->view, col);
  g_object_unref (col);
}

static WireChannelItem *
find_item (WireChannelList *self,
           const char      *channel,
           guint           *out_position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(WireChannelItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (g_str_equal (wire_channel_item_get_channel (item), channel))
        {
          if (out_position != NULL)
            *out_position = i;
          return item;   /* the store keeps its reference */
        }
    }

  return NULL;
}

void
wire_channel_list_refresh (WireChannelList *self)
{
  g_autoptr(GPtrArray) stats = NULL;
  g_autoptr(GHashTable) seen = NULL;
  const char * const *available;
  WireChannelPolicy *policy;
  gint64 now_us = g_get_monotonic_time ();
  guint n;

  g_return_if_fail (WIRE_IS_CHANNEL_LIST (self));

  if (self->connection == NULL)
    {
      g_list_store_remove_all (self->store);
      return;
    }

  policy = wire_connection_get_policy (self->connection);
  available = wire_connection_get_available_channels (self->connection);
  stats = wire_connection_dup_channel_stats (self->connection);
  seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; available != NULL && available[i] != NULL; i++)
    g_hash_table_add (seen, (gpointer) available[i]);
  for (guint i = 0; stats != NULL && i < stats->len; i++)
    g_hash_table_add (seen, ((WireChannelStats *) g_ptr_array_index (stats, i))->channel);

  /* Update in place and append what is new, so that selection and scrolling survive; a channel
   * no longer listed anywhere goes away. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(WireChannelItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), i - 1);

      if (!g_hash_table_contains (seen, wire_channel_item_get_channel (item)))
        g_list_store_remove (self->store, i - 1);
    }

  for (guint i = 0; available != NULL && available[i] != NULL; i++)
    {
      const WireChannelStats *st = NULL;
      WireChannelItem *item;

      for (guint j = 0; stats != NULL && j < stats->len; j++)
        if (g_str_equal (((WireChannelStats *) g_ptr_array_index (stats, j))->channel, available[i]))
          st = g_ptr_array_index (stats, j);

      item = find_item (self, available[i], NULL);
      if (item == NULL)
        {
          g_autoptr(WireChannelItem) added =
            wire_channel_item_new (available[i],
                                   policy != NULL ? wire_channel_policy_lookup (policy, available[i])
                                                  : NULL);
          wire_channel_item_update (added, st, TRUE, now_us);
          g_list_store_append (self->store, added);
        }
      else
        wire_channel_item_update (item, st, TRUE, now_us);
    }

  for (guint j = 0; stats != NULL && j < stats->len; j++)
    {
      const WireChannelStats *st = g_ptr_array_index (stats, j);
      WireChannelItem *item;

      if (available != NULL && g_strv_contains (available, st->channel))
        continue;

      item = find_item (self, st->channel, NULL);
      if (item == NULL)
        {
          g_autoptr(WireChannelItem) added =
            wire_channel_item_new (st->channel,
                                   policy != NULL ? wire_channel_policy_lookup (policy, st->channel)
                                                  : NULL);
          wire_channel_item_update (added, st, FALSE, now_us);
          g_list_store_append (self->store, added);
        }
      else
        wire_channel_item_update (item, st, FALSE, now_us);
    }
}

static void
subscribed_cb (WireChannelList *self,
               char           **granted,
               char           **denied)
{
  g_autofree char *text = NULL;

  if (denied != NULL && denied[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv ("; ", denied);

      text = g_strdup_printf (_("The gateway refused: %s"), joined);
      show_feedback (self, text, TRUE);
    }
  else if (granted != NULL && granted[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", granted);

      text = g_strdup_printf (_("Subscribed to %s"), joined);
      show_feedback (self, text, FALSE);
    }
  wire_channel_list_refresh (self);
}

static void
channels_changed_cb (WireChannelList *self)
{
  wire_channel_list_refresh (self);
}

void
wire_channel_list_set_connection (WireChannelList *self,
                                  WireConnection  *connection)
{
  g_return_if_fail (WIRE_IS_CHANNEL_LIST (self));
  g_return_if_fail (connection == NULL || WIRE_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_set_object (&self->connection, connection);
  g_list_store_remove_all (self->store);
  show_feedback (self, NULL, FALSE);

  if (connection != NULL)
    {
      g_signal_connect_object (connection, "subscribed", G_CALLBACK (subscribed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (connection, "notify::available-channels",
                               G_CALLBACK (channels_changed_cb), self, G_CONNECT_SWAPPED);
    }

  wire_channel_list_refresh (self);
}

GListModel *
wire_channel_list_get_model (WireChannelList *self)
{
  g_return_val_if_fail (WIRE_IS_CHANNEL_LIST (self), NULL);
  return G_LIST_MODEL (self->store);
}

const char *
wire_channel_list_get_feedback (WireChannelList *self)
{
  g_return_val_if_fail (WIRE_IS_CHANNEL_LIST (self), NULL);
  return gtk_label_get_text (self->feedback_label);
}

static void
change_subscription (WireChannelList *self,
                     gboolean         subscribe)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *channel = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->channel_entry))));
  const char *channels[] = { channel, NULL };
  gboolean ok;

  if (self->connection == NULL || *channel == '\0')
    return;

  if (subscribe)
    ok = wire_connection_subscribe (self->connection, channels, &error);
  else
    ok = wire_connection_unsubscribe (self->connection, channels, &error);

  if (!ok)
    show_feedback (self, error->message, TRUE);
  else
    {
      g_autofree char *text = NULL;

      if (subscribe)
        text = g_strdup_printf (_("Subscription to %s requested"), channel);
      else
        text = g_strdup_printf (_("Unsubscribed from %s"), channel);
      show_feedback (self, text, FALSE);
    }
  wire_channel_list_refresh (self);
}

static void
subscribe_clicked_cb (WireChannelList *self)
{
  change_subscription (self, TRUE);
}

static void
unsubscribe_clicked_cb (WireChannelList *self)
{
  change_subscription (self, FALSE);
}

static void
entry_changed_cb (WireChannelList *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->channel_entry));
  gboolean has_text = text != NULL && *text != '\0';

  gtk_widget_set_sensitive (self->subscribe_button, has_text && self->connection != NULL);
  gtk_widget_set_sensitive (self->unsubscribe_button, has_text && self->connection != NULL);
}

static void
row_activated_cb (WireChannelList *self,
                  guint            position)
{
  g_autoptr(WireChannelItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), position);

  if (item != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->channel_entry),
                             wire_channel_item_get_channel (item));
      gtk_widget_grab_focus (GTK_WIDGET (self->channel_entry));
    }
}

static void
wire_channel_list_dispose (GObject *object)
{
  WireChannelList *self = WIRE_CHANNEL_LIST (object);

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->connection);

  gtk_widget_dispose_template (GTK_WIDGET (self), WIRE_TYPE_CHANNEL_LIST);
  g_clear_object (&self->selection);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (wire_channel_list_parent_class)->dispose (object);
}

static void
wire_channel_list_class_init (WireChannelListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_channel_list_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wirescope/Wirescope/wire-channel-list.ui");
  gtk_widget_class_bind_template_child (widget_class, WireChannelList, box);
  gtk_widget_class_bind_template_child (widget_class, WireChannelList, channel_entry);
  gtk_widget_class_bind_template_child (widget_class, WireChannelList, subscribe_button);
  gtk_widget_class_bind_template_child (widget_class, WireChannelList, unsubscribe_button);
  gtk_widget_class_bind_template_child (widget_class, WireChannelList, feedback_label);
  gtk_widget_class_bind_template_child (widget_class, WireChannelList, view);
  gtk_widget_class_bind_template_callback (widget_class, subscribe_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, unsubscribe_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "wire-channel-list");
}

static void
wire_channel_list_init (WireChannelList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->store = g_list_store_new (WIRE_TYPE_CHANNEL_ITEM);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->store)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (self->selection));

  add_column (self, COL_CHANNEL, _("Channel"), TRUE);
  add_column (self, COL_STATE, _("State"), FALSE);
  add_column (self, COL_PERMISSIONS, _("Permissions"), FALSE);
  add_column (self, COL_EVENTS, _("Allowed events"), FALSE);
  add_column (self, COL_BUDGET, _("Rate budget left"), FALSE);
  add_column (self, COL_IN, _("In"), FALSE);
  add_column (self, COL_OUT, _("Out"), FALSE);
  add_column (self, COL_LAST_EVENT, _("Last event"), FALSE);
}

GtkWidget *
wire_channel_list_new (void)
{
  return g_object_new (WIRE_TYPE_CHANNEL_LIST, NULL);
}
