#define G_LOG_DOMAIN "wire-window"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "wire-admin-view.h"
#include "wire-application.h"
#include "wire-connection-page.h"
#include "wire-new-connection-dialog.h"
#include "wire-window.h"
#ifdef HAVE_EXPORT_DIALOG
#include "wire-export-dialog.h"
#endif

/* Live numbers reach the widgets at this pace, never once per message. */
#define REFRESH_INTERVAL_MS  250
/* Rates are measured over this window. */
#define RATE_WINDOW_US       (G_USEC_PER_SEC)
/* A table sorted by a live column is sorted again this often (in refresh ticks). */
#define RESORT_TICKS         4

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

typedef struct
{
  gint64  at_us;
  guint64 messages_in;
  guint64 messages_out;
  double  in_per_s;
  double  out_per_s;
} RateSample;

struct _WireWindow
{
  AdwApplicationWindow parent_instance;

  WireManager        *manager;
  WireNetworkMonitor *monitor;
  WireConnection     *selected;

  /* Template widgets */
  AdwToastOverlay    *toast_overlay;
  AdwLeaflet         *leaflet;
  GtkWidget          *network_box;
  GtkImage           *network_icon;
  GtkLabel           *network_label;
  GtkListView        *sidebar_list;
  AdwWindowTitle     *content_title;
  GtkWidget          *fault_button;
  GtkWidget          *admin_switcher;
  GtkStack           *content_stack;
  GtkStack           *connection_stack;
  GtkColumnView      *overview_view;

  GtkWidget          *connection_page;
  GtkWidget          *admin_view;

  GtkSortListModel   *sidebar_model;
  GtkSingleSelection *selection;
  GtkSortListModel   *overview_model;

  /* Rows and cells currently bound, refreshed on each tick. */
  GHashTable         *sidebar_rows;
  GHashTable         *overview_cells;

  GSimpleActionGroup *connection_actions;
  guint               refresh_id;
  guint               refresh_ticks;
};

G_DEFINE_FINAL_TYPE (WireWindow, wire_window, ADW_TYPE_APPLICATION_WINDOW)

static GQuark rate_quark;

static const char *state_css_classes[] = {
  "state-disconnected",
  "state-connecting",
  "state-authenticating",
  "state-connected",
  "state-reconnecting",
  "state-error",
};

const char *
wire_window_state_label (WireConnectionState state)
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
wire_window_state_icon_name (WireConnectionState state)
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
wire_window_state_css_class (WireConnectionState state)
{
  if ((guint) state < G_N_ELEMENTS (state_css_classes))
    return state_css_classes[state];

  return "state-error";
}

const char *
wire_window_kind_label (WireEndpointKind kind)
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
wire_window_dup_connection_name (WireConnection *connection)
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

static void
set_state_class (GtkWidget           *widget,
                 WireConnectionState  state)
{
  const char *wanted = wire_window_state_css_class (state);

  for (guint i = 0; i < G_N_ELEMENTS (state_css_classes); i++)
    {
      if (g_strcmp0 (state_css_classes[i], wanted) != 0)
        gtk_widget_remove_css_class (widget, state_css_classes[i]);
    }
  gtk_widget_add_css_class (widget, wanted);
}

/* Accessible properties are only pushed when they change: assistive technologies hear about
 * each update. */
static void
update_accessible_text (GtkWidget  *widget,
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

static RateSample *
get_rate_sample (WireConnection *connection)
{
  RateSample *sample = g_object_get_qdata (G_OBJECT (connection), rate_quark);

  if (sample == NULL)
    {
      sample = g_new0 (RateSample, 1);
      g_object_set_qdata_full (G_OBJECT (connection), rate_quark, sample, g_free);
    }

  return sample;
}

static void
update_rate_sample (WireConnection *connection,
                    gint64          now_us)
{
  RateSample *sample = get_rate_sample (connection);
  WireMetrics metrics;
  gint64 elapsed;

  wire_connection_get_metrics (connection, &metrics);

  elapsed = now_us - sample->at_us;
  if (sample->at_us != 0 && elapsed < RATE_WINDOW_US)
    return;

  if (sample->at_us != 0 && elapsed > 0)
    {
      guint64 d_in = metrics.messages_received >= sample->messages_in ?
                     metrics.messages_received - sample->messages_in : 0;
      guint64 d_out = metrics.messages_sent >= sample->messages_out ?
                      metrics.messages_sent - sample->messages_out : 0;

      sample->in_per_s = (double) d_in * G_USEC_PER_SEC / elapsed;
      sample->out_per_s = (double) d_out * G_USEC_PER_SEC / elapsed;
    }

  sample->at_us = now_us;
  sample->messages_in = metrics.messages_received;
  sample->messages_out = metrics.messages_sent;
}

static char *
format_rate (double per_s)
{
  if (per_s >= 100)
    return g_strdup_printf ("%.0f", per_s);

  return g_strdup_printf ("%.1f", per_s);
}

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

/* Sidebar */

typedef struct
{
  WireWindow     *window;
  GtkListItem    *item;
  WireConnection *connection;
  gulong          state_handler;

  GtkWidget      *header;
  GtkWidget      *icon;
  GtkWidget      *name;
  GtkWidget      *state;
  GtkWidget      *rate;
} SidebarRow;

static void update_sidebar_row (WireWindow  *self,
                                GtkListItem *item);

/* A state change is an event, not traffic: it is shown (and announced) at once, while rates
 * wait for the next refresh. */
static void
sidebar_row_state_cb (SidebarRow *row)
{
  update_sidebar_row (row->window, row->item);
}

static void
sidebar_row_free (gpointer data)
{
  SidebarRow *row = data;

  if (row->connection != NULL)
    g_clear_signal_handler (&row->state_handler, row->connection);
  g_clear_object (&row->connection);
  g_free (row);
}

static void
sidebar_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  WireWindow               *self)
{
  SidebarRow *row = g_new0 (SidebarRow, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  row->header = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->header), 0);
  gtk_widget_add_css_class (row->header, "sidebar-group");
  gtk_widget_add_css_class (row->header, "heading");
  gtk_box_append (GTK_BOX (box), row->header);

  row->icon = gtk_image_new ();
  gtk_widget_add_css_class (row->icon, "state-icon");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_box_append (GTK_BOX (line), row->icon);

  row->name = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (row->name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_box_append (GTK_BOX (texts), row->name);

  row->state = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->state), 0);
  gtk_widget_add_css_class (row->state, "caption");
  gtk_widget_add_css_class (row->state, "state-text");
  gtk_box_append (GTK_BOX (texts), row->state);

  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (line), texts);

  row->rate = gtk_label_new (NULL);
  gtk_widget_add_css_class (row->rate, "caption");
  gtk_widget_add_css_class (row->rate, "numeric");
  gtk_widget_add_css_class (row->rate, "dim-label");
  gtk_box_append (GTK_BOX (line), row->rate);

  gtk_widget_add_css_class (line, "connection-row");
  gtk_box_append (GTK_BOX (box), line);

  row->window = self;
  row->item = item;
  g_object_set_data_full (G_OBJECT (box), "wire-row", row, sidebar_row_free);
  gtk_list_item_set_child (item, box);
}

static WireEndpointKind
kind_at (GListModel *model,
         guint       position)
{
  g_autoptr (WireConnection) connection = g_list_model_get_item (model, position);

  return connection != NULL ? wire_connection_get_kind (connection) : (WireEndpointKind) -1;
}

static void
update_sidebar_row (WireWindow  *self,
                    GtkListItem *item)
{
  WireConnection *connection = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  SidebarRow *row;
  guint position = gtk_list_item_get_position (item);
  WireConnectionState state;
  WireEndpointKind kind;
  RateSample *sample;
  g_autofree char *name = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *rate_text = NULL;
  g_autofree char *a11y_label = NULL;
  g_autofree char *a11y_description = NULL;
  gboolean first_of_group;

  if (connection == NULL || box == NULL)
    return;

  row = g_object_get_data (G_OBJECT (box), "wire-row");
  state = wire_connection_get_state (connection);
  kind = wire_connection_get_kind (connection);
  sample = get_rate_sample (connection);

  /* GtkListView of GTK 4.8 has no sections: the first row of each type carries the header. */
  first_of_group = position == 0 ||
                   kind_at (G_LIST_MODEL (self->sidebar_model), position - 1) != kind;
  gtk_widget_set_visible (row->header, first_of_group);
  gtk_label_set_text (GTK_LABEL (row->header), wire_window_kind_label (kind));

  name = wire_window_dup_connection_name (connection);
  gtk_label_set_text (GTK_LABEL (row->name), name);

  gtk_image_set_from_icon_name (GTK_IMAGE (row->icon), wire_window_state_icon_name (state));
  set_state_class (row->icon, state);
  gtk_label_set_text (GTK_LABEL (row->state), wire_window_state_label (state));
  set_state_class (row->state, state);

  rate = format_rate (sample->in_per_s + sample->out_per_s);
  /* TRANSLATORS: messages per second, kept short for the sidebar */
  rate_text = g_strdup_printf (_("%s/s"), rate);
  gtk_label_set_text (GTK_LABEL (row->rate), rate_text);

  a11y_label = g_strdup_printf ("%s %s", wire_window_kind_label (kind), name);
  /* TRANSLATORS: what a screen reader says about a connection: its state, then its rate */
  a11y_description = g_strdup_printf (_("%s, %s messages per second"),
                                      wire_window_state_label (state), rate);
  update_accessible_text (box, a11y_label, a11y_description);
  gtk_widget_set_tooltip_text (box, a11y_description);
}

static void
sidebar_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 WireWindow               *self)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  SidebarRow *row = g_object_get_data (G_OBJECT (box), "wire-row");
  WireConnection *connection = gtk_list_item_get_item (item);

  g_hash_table_add (self->sidebar_rows, item);

  g_assert (row->connection == NULL);
  row->connection = g_object_ref (connection);
  row->state_handler = g_signal_connect_swapped (connection, "notify::state",
                                                 G_CALLBACK (sidebar_row_state_cb), row);
  update_sidebar_row (self, item);
}

static void
sidebar_unbind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   WireWindow               *self)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  SidebarRow *row = g_object_get_data (G_OBJECT (box), "wire-row");

  g_hash_table_remove (self->sidebar_rows, item);

  if (row->connection != NULL)
    g_clear_signal_handler (&row->state_handler, row->connection);
  g_clear_object (&row->connection);
}

static int
compare_connections_by_kind (gconstpointer a,
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

/* Overview */

static double
column_value (WireConnection *connection,
              OverviewColumn  column,
              gint64          now_ms)
{
  WireMetrics metrics;
  RateSample *sample = get_rate_sample (connection);

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
      return sample->in_per_s;
    case COLUMN_OUT:
      return sample->out_per_s;
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
overview_cell_text (WireConnection *connection,
                    OverviewColumn  column,
                    gint64          now_ms)
{
  double value;

  if (column == COLUMN_NAME)
    {
      g_autofree char *name = wire_window_dup_connection_name (connection);

      return g_strdup_printf ("%s · %s",
                              wire_window_kind_label (wire_connection_get_kind (connection)),
                              name);
    }

  if (column == COLUMN_STATE)
    return g_strdup (wire_window_state_label (wire_connection_get_state (connection)));

  value = column_value (connection, column, now_ms);

  switch (column)
    {
    case COLUMN_UPTIME:
      return value < 0 ? g_strdup ("—") : format_duration ((gint64) value);
    case COLUMN_RTT:
      return value < 0 ? g_strdup ("—") : g_strdup_printf (_("%.0f ms"), value);
    case COLUMN_IN:
    case COLUMN_OUT:
      return format_rate (value);
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
update_overview_cell (GtkListItem *item,
                      gint64       now_ms)
{
  WireConnection *connection = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  OverviewColumn column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (label), "wire-column"));
  g_autofree char *text = NULL;

  if (connection == NULL)
    return;

  text = overview_cell_text (connection, column, now_ms);
  gtk_label_set_text (GTK_LABEL (label), text);

  if (column == COLUMN_STATE)
    set_state_class (label, wire_connection_get_state (connection));
}

static void
overview_setup_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  OverviewColumn column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column <= COLUMN_STATE ? 0.0 : 1.0);
  if (column > COLUMN_STATE)
    gtk_widget_add_css_class (label, "numeric");
  if (column == COLUMN_NAME)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  g_object_set_data (G_OBJECT (label), "wire-column", GUINT_TO_POINTER (column));
  gtk_list_item_set_child (item, label);
}

static void
overview_bind_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  WireWindow               *self)
{
  g_hash_table_add (self->overview_cells, item);
  update_overview_cell (item, g_get_real_time () / 1000);
}

static void
overview_unbind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    WireWindow               *self)
{
  g_hash_table_remove (self->overview_cells, item);
}

static int
compare_overview (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  OverviewColumn column = GPOINTER_TO_UINT (user_data);
  gint64 now_ms = g_get_real_time () / 1000;
  double va;
  double vb;

  if (column == COLUMN_NAME)
    return compare_connections_by_kind (a, b, NULL);

  va = column_value ((WireConnection *) a, column, now_ms);
  vb = column_value ((WireConnection *) b, column, now_ms);

  if (va != vb)
    return va < vb ? -1 : 1;

  return compare_connections_by_kind (a, b, NULL);
}

static void
add_overview_column (WireWindow     *self,
                     OverviewColumn  column,
                     const char     *title,
                     gboolean        expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr (GtkColumnViewColumn) view_column = NULL;
  g_autoptr (GtkSorter) sorter = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (overview_setup_cb), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (overview_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (overview_unbind_cb), self);

  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  if (column == COLUMN_NAME)
    gtk_column_view_column_set_fixed_width (view_column, 260);

  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_overview, GUINT_TO_POINTER (column), NULL));
  gtk_column_view_column_set_sorter (view_column, sorter);

  gtk_column_view_append_column (self->overview_view, view_column);
}

/* Refresh */

static void
update_content_title (WireWindow *self)
{
  if (self->selected != NULL)
    {
      g_autofree char *name = wire_window_dup_connection_name (self->selected);
      g_autofree char *title = g_strdup_printf ("%s · %s",
                                                wire_window_kind_label (wire_connection_get_kind (self->selected)),
                                                name);

      adw_window_title_set_title (self->content_title, title);
      adw_window_title_set_subtitle (self->content_title,
                                     wire_window_state_label (wire_connection_get_state (self->selected)));
    }
  else
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->manager));
      g_autofree char *subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                "%u connection",
                                                                "%u connections", n), n);

      adw_window_title_set_title (self->content_title, _("Overview"));
      adw_window_title_set_subtitle (self->content_title, n > 0 ? subtitle : "");
    }
}

static gboolean
refresh_cb (gpointer user_data)
{
  WireWindow *self = WIRE_WINDOW (user_data);
  GListModel *model = G_LIST_MODEL (self->manager);
  gint64 now_us = g_get_monotonic_time ();
  gint64 now_ms = g_get_real_time () / 1000;
  guint n = g_list_model_get_n_items (model);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WireConnection) connection = g_list_model_get_item (model, i);

      update_rate_sample (connection, now_us);
    }

  g_hash_table_iter_init (&iter, self->sidebar_rows);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    update_sidebar_row (self, key);

  if (gtk_widget_get_mapped (GTK_WIDGET (self->overview_view)))
    {
      g_hash_table_iter_init (&iter, self->overview_cells);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        update_overview_cell (key, now_ms);

      /* A table sorted by a live figure follows it, but slower than the figures change. */
      if (++self->refresh_ticks % RESORT_TICKS == 0)
        {
          /* GTK 4.8 does not say which column sorts; asking the view's sorter again is
           * cheap for the few hundred rows this table holds. */
          gtk_sorter_changed (gtk_column_view_get_sorter (self->overview_view),
                              GTK_SORTER_CHANGE_DIFFERENT);
        }
    }

  update_content_title (self);

  return G_SOURCE_CONTINUE;
}

/* Content */

static void
update_content_page (WireWindow *self)
{
  gboolean is_admin;

  if (self->selected != NULL)
    {
      is_admin = wire_connection_get_kind (self->selected) == WIRE_ENDPOINT_ADMIN;
      gtk_widget_set_visible (self->admin_switcher, is_admin);
      if (!is_admin)
        gtk_stack_set_visible_child (self->connection_stack, self->connection_page);
      gtk_stack_set_visible_child_name (self->content_stack, "connection");
    }
  else
    {
      gtk_widget_set_visible (self->admin_switcher, FALSE);
      if (g_list_model_get_n_items (G_LIST_MODEL (self->manager)) == 0)
        gtk_stack_set_visible_child_name (self->content_stack, "empty");
      else
        gtk_stack_set_visible_child_name (self->content_stack, "overview");
    }

  update_content_title (self);
}

static void
update_connection_actions (WireWindow *self)
{
  static const char *names[] = { "connect", "disconnect", "reconnect" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->connection_actions),
                                                    names[i]);

      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), self->selected != NULL);
    }
}

static void
selection_changed_cb (WireWindow *self)
{
  WireConnection *connection = gtk_single_selection_get_selected_item (self->selection);

  if (connection == self->selected)
    return;

  g_set_object (&self->selected, connection);

  wire_connection_page_set_connection (WIRE_CONNECTION_PAGE (self->connection_page), connection);
  wire_admin_view_set_connection (WIRE_ADMIN_VIEW (self->admin_view),
                                  connection != NULL &&
                                  wire_connection_get_kind (connection) == WIRE_ENDPOINT_ADMIN ?
                                  connection : NULL);

  update_connection_actions (self);
  update_content_page (self);
}

static void
sidebar_activate_cb (WireWindow *self,
                     guint       position)
{
  gtk_single_selection_set_selected (self->selection, position);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
overview_activate_cb (WireWindow *self,
                      guint       position)
{
  g_autoptr (WireConnection) connection =
    g_list_model_get_item (G_LIST_MODEL (self->overview_model), position);

  wire_window_select_connection (self, connection);
}

static void
leaflet_folded_cb (WireWindow *self)
{
  /* Folded, a click on a row must open its page: there is nothing beside the list. */
  gtk_list_view_set_single_click_activate (self->sidebar_list,
                                           adw_leaflet_get_folded (self->leaflet));
}

static void
manager_items_changed_cb (WireWindow *self,
                          guint       position,
                          guint       removed,
                          guint       added,
                          GListModel *model)
{
  update_content_page (self);
}

/* Network status */

static void
update_network_status (WireWindow *self)
{
  WireNetworkStatus status = wire_network_monitor_get_status (self->monitor);
  gint64 latency = wire_network_monitor_get_latency_ms (self->monitor);
  const char *status_text;
  const char *icon_name;
  const char *css_class;
  g_autofree char *text = NULL;
  g_autofree char *description = NULL;

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

  gtk_image_set_from_icon_name (self->network_icon, icon_name);
  gtk_label_set_text (self->network_label, text);
  gtk_widget_set_tooltip_text (self->network_box, description);
  update_accessible_text (self->network_box, _("Network status"), description);

  gtk_widget_remove_css_class (self->network_box, "network-online");
  gtk_widget_remove_css_class (self->network_box, "network-unstable");
  gtk_widget_remove_css_class (self->network_box, "network-slow");
  gtk_widget_remove_css_class (self->network_box, "network-offline");
  gtk_widget_add_css_class (self->network_box, css_class);
}

/* Demo */

static void
update_demo_state (WireWindow *self)
{
  WireApplication *app = WIRE_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  gboolean running = app != NULL && wire_application_get_demo (app) != NULL;
  GAction *action;

  gtk_widget_set_visible (self->fault_button, running);

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "start-demo");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), !running);
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "fault");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), running);
}

/* Actions */

static void
new_connection_added_cb (WireWindow     *self,
                         WireConnection *connection)
{
  wire_window_select_connection (self, connection);
}

static void
new_connection_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  WireWindow *self = WIRE_WINDOW (user_data);
  WireApplication *app = WIRE_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  WireDemo *demo = wire_application_get_demo (app);
  GtkWidget *dialog;

  dialog = wire_new_connection_dialog_new (GTK_WINDOW (self),
                                           self->manager,
                                           demo != NULL ? wire_demo_get_url (demo) : NULL);
  g_signal_connect_object (dialog, "connection-added",
                           G_CALLBACK (new_connection_added_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
start_demo_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  WireWindow *self = WIRE_WINDOW (user_data);
  WireApplication *app = WIRE_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr (GError) error = NULL;

  if (!wire_application_start_demo (app, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The demo could not start: %s"),
                                                  error->message);

      wire_window_show_toast (self, message);
      return;
    }

  wire_window_select_connection (self, NULL);
}

static void
export_metrics_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  WireWindow *self = WIRE_WINDOW (user_data);

#ifdef HAVE_EXPORT_DIALOG
  wire_export_dialog_present (GTK_WINDOW (self), self->manager);
#else
  wire_window_show_toast (self, _("Export is not available in this build"));
#endif
}

static void
show_overview_activated (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  WireWindow *self = WIRE_WINDOW (user_data);

  wire_window_select_connection (self, NULL);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
go_back_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  WireWindow *self = WIRE_WINDOW (user_data);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
fault_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  WireWindow *self = WIRE_WINDOW (user_data);
  WireApplication *app = WIRE_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  WireDemo *demo = wire_application_get_demo (app);
  const char *name = g_variant_get_string (parameter, NULL);
  g_autoptr (GError) error = NULL;
  WireDemoFault fault;
  const char *done;

  if (g_str_equal (name, "drop-all"))
    {
      fault = WIRE_DEMO_FAULT_DROP_ALL;
      done = _("Dropped every connection");
    }
  else if (g_str_equal (name, "drop-one"))
    {
      fault = WIRE_DEMO_FAULT_DROP_ONE;
      done = _("Dropped this connection");
    }
  else if (g_str_equal (name, "stall"))
    {
      fault = WIRE_DEMO_FAULT_STALL;
      done = _("The gateway stalls for 8 seconds");
    }
  else if (g_str_equal (name, "latency"))
    {
      fault = WIRE_DEMO_FAULT_LATENCY;
      done = _("Every frame is now delayed by 1.5 seconds");
    }
  else if (g_str_equal (name, "refuse"))
    {
      fault = WIRE_DEMO_FAULT_REFUSE;
      done = _("New connections are refused for 10 seconds");
    }
  else if (g_str_equal (name, "clear"))
    {
      fault = WIRE_DEMO_FAULT_CLEAR;
      done = _("Faults cleared");
    }
  else
    {
      g_warning ("Unknown fault “%s”", name);
      return;
    }

  if (demo == NULL)
    return;

  if (!wire_demo_apply_fault (demo, fault, self->selected, &error))
    wire_window_show_toast (self, error->message);
  else
    wire_window_show_toast (self, done);
}

static void
connection_connect_activated (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  WireWindow *self = WIRE_WINDOW (user_data);

  if (self->selected != NULL)
    wire_connection_connect (self->selected);
}

static void
connection_disconnect_activated (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  WireWindow *self = WIRE_WINDOW (user_data);

  if (self->selected != NULL)
    wire_connection_disconnect (self->selected);
}

static void
connection_reconnect_activated (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  WireWindow *self = WIRE_WINDOW (user_data);

  if (self->selected != NULL)
    wire_connection_reconnect_now (self->selected);
}

static const GActionEntry win_actions[] = {
  { "new-connection", new_connection_activated },
  { "start-demo", start_demo_activated },
  { "export-metrics", export_metrics_activated },
  { "show-overview", show_overview_activated },
  { "go-back", go_back_activated },
  { "fault", fault_activated, "s" },
};

static const GActionEntry connection_actions[] = {
  { "connect", connection_connect_activated },
  { "disconnect", connection_disconnect_activated },
  { "reconnect", connection_reconnect_activated },
};

/* Start-up measurement: the benchmark asks for the time of the first frame. */
static void
first_frame_cb (GdkFrameClock *clock,
                WireWindow    *self)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_cb, self);
  g_print ("first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));
}

static void
wire_window_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (wire_window_parent_class)->map (widget);

  if (g_strcmp0 (g_getenv ("WIRESCOPE_FIRST_FRAME_EXIT"), "1") == 0)
    g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                      G_CALLBACK (first_frame_cb), widget);
}

/* The application is set after construction (it is not a construct property of GtkWindow),
 * so the models are attached here, from wire_window_new(). */
static void
wire_window_attach (WireWindow      *self,
                    WireApplication *app)
{
  GtkListItemFactory *factory;
  GtkSorter *sorter;
  GSettings *settings;
  g_autoptr (GtkColumnViewColumn) first_column = NULL;

  g_assert (WIRE_IS_APPLICATION (app));
  self->manager = g_object_ref (wire_application_get_manager (app));
  self->monitor = g_object_ref (wire_manager_get_network_monitor (self->manager));

  /* Sidebar: the manager's connections sorted by type. */
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_connections_by_kind, NULL, NULL));
  self->sidebar_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->manager)),
                                                 sorter);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sidebar_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (sidebar_setup_cb), self, 0);
  g_signal_connect_object (factory, "bind", G_CALLBACK (sidebar_bind_cb), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (sidebar_unbind_cb), self, 0);
  gtk_list_view_set_factory (self->sidebar_list, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->sidebar_list, GTK_SELECTION_MODEL (self->selection));

  /* Overview: the same connections, sorted by the column a person picks. */
  add_overview_column (self, COLUMN_NAME, _("Connection"), TRUE);
  add_overview_column (self, COLUMN_STATE, _("State"), FALSE);
  add_overview_column (self, COLUMN_UPTIME, _("Uptime"), FALSE);
  add_overview_column (self, COLUMN_RTT, _("RTT"), FALSE);
  add_overview_column (self, COLUMN_IN, _("In/s"), FALSE);
  add_overview_column (self, COLUMN_OUT, _("Out/s"), FALSE);
  add_overview_column (self, COLUMN_QUEUE, _("Queue"), FALSE);
  add_overview_column (self, COLUMN_RECONNECTS, _("Reconnects"), FALSE);
  add_overview_column (self, COLUMN_ERRORS, _("Errors"), FALSE);

  self->overview_model =
    gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->manager)),
                             g_object_ref (gtk_column_view_get_sorter (self->overview_view)));
  gtk_column_view_set_model (self->overview_view,
                             GTK_SELECTION_MODEL (gtk_no_selection_new (
                               g_object_ref (G_LIST_MODEL (self->overview_model)))));
  first_column = g_list_model_get_item (gtk_column_view_get_columns (self->overview_view), 0);
  gtk_column_view_sort_by_column (self->overview_view, first_column, GTK_SORT_ASCENDING);

  g_signal_connect_object (self->manager, "items-changed",
                           G_CALLBACK (manager_items_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "notify::status",
                           G_CALLBACK (update_network_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "notify::latency-ms",
                           G_CALLBACK (update_network_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (app, "notify::demo",
                           G_CALLBACK (update_demo_state), self, G_CONNECT_SWAPPED);

  settings = wire_application_get_settings (app);
  if (settings != NULL)
    {
      g_autoptr (GSettingsSchema) schema = NULL;

      g_object_get (settings, "settings-schema", &schema, NULL);
      if (g_settings_schema_has_key (schema, "window-width") &&
          g_settings_schema_has_key (schema, "window-height"))
        {
          g_settings_bind (settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
          g_settings_bind (settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
        }
      if (g_settings_schema_has_key (schema, "window-maximized"))
        g_settings_bind (settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
    }

  update_network_status (self);
  update_demo_state (self);
  update_connection_actions (self);
  update_content_page (self);
  leaflet_folded_cb (self);

  self->refresh_id = g_timeout_add (REFRESH_INTERVAL_MS, refresh_cb, self);
}

static void
wire_window_dispose (GObject *object)
{
  WireWindow *self = WIRE_WINDOW (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);

  if (self->connection_page != NULL)
    wire_connection_page_set_connection (WIRE_CONNECTION_PAGE (self->connection_page), NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), WIRE_TYPE_WINDOW);

  g_clear_object (&self->selected);
  g_clear_object (&self->selection);
  g_clear_object (&self->sidebar_model);
  g_clear_object (&self->overview_model);
  g_clear_object (&self->connection_actions);
  g_clear_object (&self->monitor);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->sidebar_rows, g_hash_table_unref);
  g_clear_pointer (&self->overview_cells, g_hash_table_unref);

  G_OBJECT_CLASS (wire_window_parent_class)->dispose (object);
}

static void
wire_window_class_init (WireWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_window_dispose;
  widget_class->map = wire_window_map;

  rate_quark = g_quark_from_static_string ("wire-window-rate");

  g_type_ensure (WIRE_TYPE_ADMIN_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wirescope/Wirescope/wire-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WireWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, network_box);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, network_icon);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, network_label);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, fault_button);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, admin_switcher);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, connection_stack);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, overview_view);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, overview_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, leaflet_folded_cb);
}

static void
wire_window_init (WireWindow *self)
{
  GtkStackPage *page;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->sidebar_rows = g_hash_table_new (NULL, NULL);
  self->overview_cells = g_hash_table_new (NULL, NULL);

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);

  self->connection_actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->connection_actions), connection_actions,
                                   G_N_ELEMENTS (connection_actions), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "connection",
                                  G_ACTION_GROUP (self->connection_actions));

  self->connection_page = wire_connection_page_new ();
  page = gtk_stack_add_titled (self->connection_stack, self->connection_page, "page",
                               _("Connection"));
  gtk_stack_page_set_icon_name (page, "network-transmit-receive-symbolic");

  self->admin_view = wire_admin_view_new ();
  page = gtk_stack_add_titled (self->connection_stack, self->admin_view, "sessions",
                               _("Sessions"));
  gtk_stack_page_set_icon_name (page, "view-list-symbolic");

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sidebar_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Connections"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->overview_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("All connections"), -1);
}

WireWindow *
wire_window_new (WireApplication *application)
{
  WireWindow *self;

  g_return_val_if_fail (WIRE_IS_APPLICATION (application), NULL);

  self = g_object_new (WIRE_TYPE_WINDOW,
                       "application", application,
                       NULL);
  wire_window_attach (self, application);

  return self;
}

void
wire_window_show_toast (WireWindow *self,
                        const char *message)
{
  g_return_if_fail (WIRE_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

void
wire_window_select_connection (WireWindow     *self,
                               WireConnection *connection)
{
  GListModel *model;
  guint n;

  g_return_if_fail (WIRE_IS_WINDOW (self));
  g_return_if_fail (connection == NULL || WIRE_IS_CONNECTION (connection));

  if (connection == NULL)
    {
      gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
      selection_changed_cb (self);
      return;
    }

  model = G_LIST_MODEL (self->sidebar_model);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WireConnection) item = g_list_model_get_item (model, i);

      if (item == connection)
        {
          gtk_single_selection_set_selected (self->selection, i);
          adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
          return;
        }
    }
}

WireConnection *
wire_window_get_selected (WireWindow *self)
{
  g_return_val_if_fail (WIRE_IS_WINDOW (self), NULL);

  return self->selected;
}
