#define G_LOG_DOMAIN "wire-overview-page"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "wire-connection-rate.h"
#include "wire-display.h"
#include "wire-overview-page.h"

/* A table sorted by a live column is sorted again this often (in refreshes). */
#define RESORT_TICKS 4

typedef enum
{
  COLUMN_NAME,
  COLUMN_STATE,
  COLUMN_UPTIME,
  COLUMN_RTT,
  COLUMN_IN,
  COLUMN_OUT,
  COLUMN_QUEUE,
  COLUMN_RECONNECTS,
  COLUMN_ERRORS,
  N_COLUMNS
} OverviewColumn;

/* How wide each column's cells ask to be, in characters: a minimum, and what fits its usual
 * text (translations included) without ellipsizing. */
static const struct
{
  guint min;
  guint nat;
} column_chars[N_COLUMNS] = {
  [COLUMN_NAME] = { 12, 36 },
  [COLUMN_STATE] = { 10, 16 },
  [COLUMN_UPTIME] = { 6, 11 },
  [COLUMN_RTT] = { 5, 8 },
  [COLUMN_IN] = { 4, 7 },
  [COLUMN_OUT] = { 4, 7 },
  [COLUMN_QUEUE] = { 3, 6 },
  [COLUMN_RECONNECTS] = { 3, 6 },
  [COLUMN_ERRORS] = { 3, 6 },
};

struct _WireOverviewPage
{
  GtkWidget         parent_instance;

  GListModel       *connections;
  GtkSortListModel *sorted;

  /* Cells currently bound, refreshed on each refresh. */
  GHashTable       *cells;
  guint             refresh_ticks;

  GtkWidget        *scroller;
  GtkColumnView    *view;
};

G_DEFINE_FINAL_TYPE (WireOverviewPage, wire_overview_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTIONS,
  N_PROPS
};

enum {
  CONNECTION_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static char *
format_duration (gint64 ms)
{
  gint64 s = ms / 1000;

  /* Plain ints in the translated text: xgettext cannot see through G_GINT64_FORMAT. */
  if (s >= 3600)
    return g_strdup_printf (_("%d h %02d min"), (int) MIN (s / 3600, G_MAXINT), (int) ((s / 60) % 60));
  if (s >= 60)
    return g_strdup_printf (_("%d min %02d s"), (int) (s / 60), (int) (s % 60));

  return g_strdup_printf (_("%d s"), (int) s);
}

static double
column_value (WireConnection *connection,
              OverviewColumn  column,
              gint64          now_ms)
{
  WireMetrics metrics;

  wire_connection_get_metrics (connection, &metrics);

  switch (column)
    {
    case COLUMN_STATE:
      return wire_connection_get_state (connection);
    case COLUMN_UPTIME:
      if (wire_connection_get_state (connection) != WIRE_CONNECTION_CONNECTED ||
          metrics.connected_at_ms <= 0)
        return -1;
      return now_ms - metrics.connected_at_ms;
    case COLUMN_RTT:
      return metrics.rtt_last_ms;
    case COLUMN_IN:
      return wire_connection_rate_get_in (connection);
    case COLUMN_OUT:
      return wire_connection_rate_get_out (connection);
    case COLUMN_QUEUE:
      return wire_message_queue_get_total_depth (wire_connection_get_queue (connection));
    case COLUMN_RECONNECTS:
      return metrics.reconnects_total;
    case COLUMN_ERRORS:
      return metrics.errors;
    case COLUMN_NAME:
    case N_COLUMNS:
    default:
      return 0;
    }
}

static char *
cell_text (WireConnection *connection,
           OverviewColumn  column,
           gint64          now_ms)
{
  double value;

  if (column == COLUMN_NAME)
    {
      g_autofree char *name = wire_display_dup_connection_name (connection);

      return g_strdup_printf ("%s · %s",
                              wire_display_kind_label (wire_connection_get_kind (connection)),
                              name);
    }

  if (column == COLUMN_STATE)
    return g_strdup (wire_display_state_label (wire_connection_get_state (connection)));

  value = column_value (connection, column, now_ms);

  switch (column)
    {
    case COLUMN_UPTIME:
      return value < 0 ? g_strdup ("—") : format_duration ((gint64) value);
    case COLUMN_RTT:
      return value < 0 ? g_strdup ("—") : g_strdup_printf (_("%.0f ms"), value);
    case COLUMN_IN:
    case COLUMN_OUT:
      return wire_connection_rate_format (value);
    case COLUMN_QUEUE:
    case COLUMN_RECONNECTS:
    case COLUMN_ERRORS:
      return g_strdup_printf ("%.0f", value);
    case COLUMN_NAME:
    case COLUMN_STATE:
    case N_COLUMNS:
    default:
      return g_strdup ("");
    }
}

static void
update_cell (GtkListItem *item,
             gint64       now_ms)
{
  WireConnection *connection = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  OverviewColumn column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (label), "wire-column"));
  g_autofree char *text = NULL;

  if (connection == NULL)
    return;

  text = cell_text (connection, column, now_ms);
  if (g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (label)), text) != 0)
    {
      gtk_inscription_set_text (GTK_INSCRIPTION (label), text);
      /* What a screen reader reads for the cell, as a label would have it. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                      -1);
    }

  if (column == COLUMN_STATE)
    wire_display_set_state_class (label, wire_connection_get_state (connection));
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  OverviewColumn column = GPOINTER_TO_UINT (user_data);
  /* An inscription, not a label: its size does not follow its text, so the live figures that
   * change four times a second redraw their cell instead of laying out the whole table. */
  GtkWidget *label = gtk_inscription_new (NULL);
  GtkInscription *inscription = GTK_INSCRIPTION (label);

  gtk_inscription_set_xalign (inscription, column <= COLUMN_STATE ? 0.0 : 1.0);
  gtk_inscription_set_min_chars (inscription, column_chars[column].min);
  gtk_inscription_set_nat_chars (inscription, column_chars[column].nat);
  if (column > COLUMN_STATE)
    gtk_widget_add_css_class (label, "numeric");
  if (column == COLUMN_NAME)
    gtk_inscription_set_text_overflow (inscription, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_MIDDLE);
  g_object_set_data (G_OBJECT (label), "wire-column", GUINT_TO_POINTER (column));
  gtk_list_item_set_child (item, label);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              WireOverviewPage         *self)
{
  g_hash_table_add (self->cells, item);
  update_cell (item, g_get_real_time () / 1000);
}

static void
cell_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                WireOverviewPage         *self)
{
  g_hash_table_remove (self->cells, item);
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  OverviewColumn column = GPOINTER_TO_UINT (user_data);
  gint64 now_ms = g_get_real_time () / 1000;
  double va;
  double vb;

  if (column == COLUMN_NAME)
    return wire_display_compare_connections (a, b, NULL);

  va = column_value ((WireConnection *) a, column, now_ms);
  vb = column_value ((WireConnection *) b, column, now_ms);

  if (va != vb)
    return va < vb ? -1 : 1;

  return wire_display_compare_connections (a, b, NULL);
}

static void
add_column (WireOverviewPage *self,
            OverviewColumn    column,
            const char       *title,
            gboolean          expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr (GtkColumnViewColumn) view_column = NULL;
  g_autoptr (GtkSorter) sorter = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (cell_unbind_cb), self);

  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  if (column == COLUMN_NAME)
    gtk_column_view_column_set_fixed_width (view_column, 260);

  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows, GUINT_TO_POINTER (column), NULL));
  gtk_column_view_column_set_sorter (view_column, sorter);

  gtk_column_view_append_column (self->view, view_column);
}

static void
view_activate_cb (WireOverviewPage *self,
                  guint             position)
{
  g_autoptr (WireConnection) connection = NULL;

  if (self->sorted == NULL)
    return;

  connection = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);
  if (connection != NULL)
    g_signal_emit (self, signals[CONNECTION_ACTIVATED], 0, connection);
}

void
wire_overview_page_refresh (WireOverviewPage *self)
{
  GHashTableIter iter;
  gpointer key;
  gint64 now_ms = g_get_real_time () / 1000;

  g_return_if_fail (WIRE_IS_OVERVIEW_PAGE (self));

  if (!gtk_widget_get_mapped (GTK_WIDGET (self->view)))
    return;

  g_hash_table_iter_init (&iter, self->cells);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    update_cell (key, now_ms);

  /* A table sorted by a live figure follows it, but slower than the figures change. */
  if (++self->refresh_ticks % RESORT_TICKS == 0)
    {
      /* GTK 4.8 does not say which column sorts; asking the view's sorter again is cheap for
       * the few hundred rows this table holds. */
      gtk_sorter_changed (gtk_column_view_get_sorter (self->view), GTK_SORTER_CHANGE_DIFFERENT);
    }
}

void
wire_overview_page_set_connections (WireOverviewPage *self,
                                    GListModel       *connections)
{
  g_return_if_fail (WIRE_IS_OVERVIEW_PAGE (self));
  g_return_if_fail (connections == NULL || G_IS_LIST_MODEL (connections));

  if (self->connections == connections)
    return;

  g_set_object (&self->connections, connections);
  g_clear_object (&self->sorted);

  if (connections != NULL)
    {
      GtkNoSelection *selection;

      /* The same connections, sorted by the column a person picks. */
      self->sorted = gtk_sort_list_model_new (g_object_ref (connections),
                                              g_object_ref (gtk_column_view_get_sorter (self->view)));
      selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->sorted)));
      gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (selection));
      g_object_unref (selection);
    }
  else
    {
      gtk_column_view_set_model (self->view, NULL);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTIONS]);
}

GListModel *
wire_overview_page_get_connections (WireOverviewPage *self)
{
  g_return_val_if_fail (WIRE_IS_OVERVIEW_PAGE (self), NULL);

  return self->connections;
}

static void
wire_overview_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  WireOverviewPage *self = WIRE_OVERVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONNECTIONS:
      g_value_set_object (value, self->connections);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_overview_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  WireOverviewPage *self = WIRE_OVERVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONNECTIONS:
      wire_overview_page_set_connections (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_overview_page_dispose (GObject *object)
{
  WireOverviewPage *self = WIRE_OVERVIEW_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), WIRE_TYPE_OVERVIEW_PAGE);

  g_clear_object (&self->sorted);
  g_clear_object (&self->connections);
  g_clear_pointer (&self->cells, g_hash_table_unref);

  G_OBJECT_CLASS (wire_overview_page_parent_class)->dispose (object);
}

static void
wire_overview_page_class_init (WireOverviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_overview_page_dispose;
  object_class->get_property = wire_overview_page_get_property;
  object_class->set_property = wire_overview_page_set_property;

  properties[PROP_CONNECTIONS] =
    g_param_spec_object ("connections", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CONNECTION_ACTIVATED] =
    g_signal_new ("connection-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, WIRE_TYPE_CONNECTION);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wirescope/Wirescope/wire-overview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, WireOverviewPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, WireOverviewPage, view);
  gtk_widget_class_bind_template_callback (widget_class, view_activate_cb);
}

static void
wire_overview_page_init (WireOverviewPage *self)
{
  g_autoptr (GtkColumnViewColumn) first_column = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cells = g_hash_table_new (NULL, NULL);

  add_column (self, COLUMN_NAME, _("Connection"), TRUE);
  add_column (self, COLUMN_STATE, _("State"), FALSE);
  add_column (self, COLUMN_UPTIME, _("Uptime"), FALSE);
  add_column (self, COLUMN_RTT, _("RTT"), FALSE);
  add_column (self, COLUMN_IN, _("In/s"), FALSE);
  add_column (self, COLUMN_OUT, _("Out/s"), FALSE);
  add_column (self, COLUMN_QUEUE, _("Queue"), FALSE);
  add_column (self, COLUMN_RECONNECTS, _("Reconnects"), FALSE);
  add_column (self, COLUMN_ERRORS, _("Errors"), FALSE);

  first_column = g_list_model_get_item (gtk_column_view_get_columns (self->view), 0);
  gtk_column_view_sort_by_column (self->view, first_column, GTK_SORT_ASCENDING);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("All connections"), -1);
}

GtkWidget *
wire_overview_page_new (void)
{
  return g_object_new (WIRE_TYPE_OVERVIEW_PAGE, NULL);
}
