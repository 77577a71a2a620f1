#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "wire-connection-header.h"
#include "wire-timeline-view.h"
#include "wire-display.h"
#include "wire-transition-item.h"

enum {
  COL_TIME,
  COL_CHANGE,
  COL_CODE,
  COL_MEANING,
  COL_ATTEMPT,
  COL_DELAY,
  COL_REASON,
  N_COLUMNS
};

struct _WireTimelineView
{
  GtkWidget          parent_instance;

  WireConnection    *connection;
  GListStore        *store;
  GtkNoSelection    *selection;

  GtkWidget         *scroller;
  GtkColumnView     *view;
};

G_DEFINE_FINAL_TYPE (WireTimelineView, wire_timeline_view, GTK_TYPE_WIDGET)

static char *
cell_text (const WireTransition *t,
           guint                 column)
{
  switch (column)
    {
    case COL_TIME:
      {
        g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (t->time_ms / 1000);
        g_autofree char *clock = NULL;

        if (dt == NULL)
          return g_strdup ("–");
        clock = g_date_time_format (dt, "%H:%M:%S");
        return g_strdup_printf ("%s.%03d", clock, (int) (t->time_ms % 1000));
      }
    case COL_CHANGE:
      /* Translators: a state change, "connected → reconnecting". */
      return g_strdup_printf (_("%s → %s"), wire_display_state_label (t->from),
                              wire_display_state_label (t->to));
    case COL_CODE:
      return t->close_code > 0 ? g_strdup_printf ("%d", t->close_code) : g_strdup ("–");
    case COL_MEANING:
      return t->close_code > 0 ? g_strdup (wire_close_code_describe (t->close_code))
                               : g_strdup ("–");
    case COL_ATTEMPT:
      return t->attempt > 0 ? g_strdup_printf ("%u", t->attempt) : g_strdup ("–");
    case COL_DELAY:
      if (t->delay_ms < 0)
        return g_strdup ("–");
      if (t->delay_ms < 10000)
        return g_strdup_printf (_("%d ms"), (int) t->delay_ms);
      return g_strdup_printf (_("%.1f s"), t->delay_ms / 1000.0);
    case COL_REASON:
      return g_strdup (t->reason != NULL ? t->reason : "");
    default:
      g_assert_not_reached ();
    }
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);
  guint column = GPOINTER_TO_UINT (user_data);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column == COL_TIME || column == COL_CODE || column == COL_ATTEMPT || column == COL_DELAY)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         gpointer                  user_data)
{
  WireTransitionItem *item = gtk_list_item_get_item (list_item);
  const WireTransition *t = wire_transition_item_get_transition (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (list_item));
  g_autofree char *text = cell_text (t, GPOINTER_TO_UINT (user_data));

  gtk_label_set_text (label, text);
  /* The meaning can be long: the whole sentence is in the tooltip. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), text);
}

static void
add_column (WireTimelineView *self,
            guint             column,
            const char       *title,
            gboolean          expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GUINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_append_column (self->view, col);
  g_object_unref (col);
}

void
wire_timeline_view_add (WireTimelineView     *self,
                        const WireTransition *transition)
{
  g_autoptr(WireTransitionItem) item = NULL;
  guint n;

  g_return_if_fail (WIRE_IS_TIMELINE_VIEW (self));
  g_return_if_fail (transition != NULL);

  item = wire_transition_item_new (transition);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  if (n >= WIRE_TIMELINE_MAX_ROWS)
    g_list_store_splice (self->store, 0, n - WIRE_TIMELINE_MAX_ROWS + 1, NULL, 0);
  g_list_store_append (self->store, item);
}

static void
transition_cb (WireTimelineView *self,
               WireTransition   *transition)
{
  wire_timeline_view_add (self, transition);
}

void
wire_timeline_view_set_connection (WireTimelineView *self,
                                   WireConnection   *connection)
{
  g_return_if_fail (WIRE_IS_TIMELINE_VIEW (self));
  g_return_if_fail (connection == NULL || WIRE_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_set_object (&self->connection, connection);
  g_list_store_remove_all (self->store);

  if (connection != NULL)
    {
      GPtrArray *history = wire_connection_get_transitions (connection);
      guint first = 0;
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      if (history != NULL && history->len > WIRE_TIMELINE_MAX_ROWS)
        first = history->len - WIRE_TIMELINE_MAX_ROWS;
      for (guint i = first; history != NULL && i < history->len; i++)
        g_ptr_array_add (items, wire_transition_item_new (g_ptr_array_index (history, i)));
      g_list_store_splice (self->store, 0, 0, items->pdata, items->len);

      g_signal_connect_object (connection, "transition", G_CALLBACK (transition_cb), self,
                               G_CONNECT_SWAPPED);
    }
}

GListModel *
wire_timeline_view_get_model (WireTimelineView *self)
{
  g_return_val_if_fail (WIRE_IS_TIMELINE_VIEW (self), NULL);
  return G_LIST_MODEL (self->store);
}

static void
wire_timeline_view_dispose (GObject *object)
{
  WireTimelineView *self = WIRE_TIMELINE_VIEW (object);

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->connection);

  gtk_widget_dispose_template (GTK_WIDGET (self), WIRE_TYPE_TIMELINE_VIEW);
  g_clear_object (&self->selection);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (wire_timeline_view_parent_class)->dispose (object);
}

static void
wire_timeline_view_class_init (WireTimelineViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_timeline_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wirescope/Wirescope/wire-timeline-view.ui");
  gtk_widget_class_bind_template_child (widget_class, WireTimelineView, scroller);
  gtk_widget_class_bind_template_child (widget_class, WireTimelineView, view);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "wire-timeline-view");
}

static void
wire_timeline_view_init (WireTimelineView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->store = g_list_store_new (WIRE_TYPE_TRANSITION_ITEM);
  self->selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->store)));
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (self->selection));

  add_column (self, COL_TIME, _("Time"), FALSE);
  add_column (self, COL_CHANGE, _("Change"), FALSE);
  add_column (self, COL_CODE, _("Close code"), FALSE);
  add_column (self, COL_MEANING, _("Meaning"), TRUE);
  add_column (self, COL_ATTEMPT, _("Attempt"), FALSE);
  add_column (self, COL_DELAY, _("Backoff delay"), FALSE);
  add_column (self, COL_REASON, _("Reason"), FALSE);
}

GtkWidget *
wire_timeline_view_new (void)
{
  return g_object_new (WIRE_TYPE_TIMELINE_VIEW, NULL);
}
