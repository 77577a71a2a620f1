#define G_LOG_DOMAIN "wire-window"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "wire-admin-view.h"
#include "wire-application.h"
#include "wire-connection-page.h"
#include "wire-connection-rate.h"
#include "wire-display.h"
#include "wire-network-indicator.h"
#include "wire-new-connection-dialog.h"
#include "wire-overview-page.h"
#include "wire-sidebar-row.h"
#include "wire-window.h"
#ifdef HAVE_EXPORT_DIALOG
#include "wire-export-dialog.h"
#endif

/* Live numbers reach the widgets at this pace, never once per message. */
#define REFRESH_INTERVAL_MS  250

struct _WireWindow
{
  AdwApplicationWindow parent_instance;

  WireManager        *manager;
  WireConnection     *selected;

  /* Template widgets */
  AdwToastOverlay    *toast_overlay;
  AdwLeaflet         *leaflet;
  WireNetworkIndicator *network_indicator;
  GtkListView        *sidebar_list;
  AdwWindowTitle     *content_title;
  GtkMenuButton      *primary_menu_button;
  GMenuModel         *primary_menu;
  GtkWidget          *fault_button;
  GMenuModel         *fault_menu;
  GtkWidget          *admin_switcher;
  GtkStack           *content_stack;
  GtkStack           *connection_stack;
  WireOverviewPage   *overview_page;

  /* Built the first time a connection (an admin connection) is selected: start-up and the
   * first frame do not pay for pages nobody looks at yet. */
  GtkWidget          *connection_page;
  GtkWidget          *admin_view;

  GtkSortListModel   *sidebar_model;
  GtkSingleSelection *selection;

  /* Sidebar rows currently bound, refreshed on each tick. */
  GHashTable         *sidebar_rows;

  GSimpleActionGroup *connection_actions;
  guint               refresh_id;

  /* The demo starts after the next frame; until then the window shows where its connections
   * will appear, not an empty state that offers to start it. */
  gboolean            demo_pending;
};

G_DEFINE_FINAL_TYPE (WireWindow, wire_window, ADW_TYPE_APPLICATION_WINDOW)

/* Sidebar */

static WireEndpointKind
kind_at (GListModel *model,
         guint       position)
{
  g_autoptr (WireConnection) connection = g_list_model_get_item (model, position);

  return connection != NULL ? wire_connection_get_kind (connection) : (WireEndpointKind) -1;
}

static void
update_sidebar_item (WireWindow  *self,
                     GtkListItem *item)
{
  WireConnection *connection = gtk_list_item_get_item (item);
  GtkWidget *row = gtk_list_item_get_child (item);
  guint position = gtk_list_item_get_position (item);
  gboolean first_of_group;

  if (connection == NULL || row == NULL)
    return;

  /* GtkListView of GTK 4.8 has no sections: the first row of each type carries the header. */
  first_of_group = position == 0 ||
                   kind_at (G_LIST_MODEL (self->sidebar_model), position - 1) !=
                   wire_connection_get_kind (connection);
  wire_sidebar_row_set_show_header (WIRE_SIDEBAR_ROW (row), first_of_group);
  wire_sidebar_row_refresh (WIRE_SIDEBAR_ROW (row));
}

static void
sidebar_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  WireWindow               *self)
{
  gtk_list_item_set_child (item, wire_sidebar_row_new ());
}

static void
sidebar_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 WireWindow               *self)
{
  WireSidebarRow *row = WIRE_SIDEBAR_ROW (gtk_list_item_get_child (item));

  g_hash_table_add (self->sidebar_rows, item);
  wire_sidebar_row_set_connection (row, gtk_list_item_get_item (item));
  update_sidebar_item (self, item);
}

static void
sidebar_unbind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   WireWindow               *self)
{
  WireSidebarRow *row = WIRE_SIDEBAR_ROW (gtk_list_item_get_child (item));

  g_hash_table_remove (self->sidebar_rows, item);
  wire_sidebar_row_set_connection (row, NULL);
}

/* Refresh */

static void
update_content_title (WireWindow *self)
{
  if (self->selected != NULL)
    {
      g_autofree char *name = wire_display_dup_connection_name (self->selected);
      g_autofree char *title = g_strdup_printf ("%s · %s",
                                                wire_display_kind_label (wire_connection_get_kind (self->selected)),
                                                name);

      adw_window_title_set_title (self->content_title, title);
      adw_window_title_set_subtitle (self->content_title,
                                     wire_display_state_label (wire_connection_get_state (self->selected)));
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
  guint n = g_list_model_get_n_items (model);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WireConnection) connection = g_list_model_get_item (model, i);

      wire_connection_rate_update (connection, now_us);
    }

  g_hash_table_iter_init (&iter, self->sidebar_rows);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    update_sidebar_item (self, key);

  wire_overview_page_refresh (self->overview_page);

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
      if (g_list_model_get_n_items (G_LIST_MODEL (self->manager)) == 0 && !self->demo_pending)
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
ensure_connection_page (WireWindow *self)
{
  GtkStackPage *page;

  if (self->connection_page != NULL)
    return;

  self->connection_page = wire_connection_page_new ();
  page = gtk_stack_add_titled (self->connection_stack, self->connection_page, "page",
                               _("Connection"));
  gtk_stack_page_set_icon_name (page, "network-transmit-receive-symbolic");
}

/* Added after the connection page, so the switcher keeps the order Connection, Sessions. */
static void
ensure_admin_view (WireWindow *self)
{
  GtkStackPage *page;

  if (self->admin_view != NULL)
    return;

  ensure_connection_page (self);
  self->admin_view = wire_admin_view_new ();
  page = gtk_stack_add_titled (self->connection_stack, self->admin_view, "sessions",
                               _("Sessions"));
  gtk_stack_page_set_icon_name (page, "view-list-symbolic");
}

static void
selection_changed_cb (WireWindow *self)
{
  WireConnection *connection = gtk_single_selection_get_selected_item (self->selection);
  gboolean is_admin;

  if (connection == self->selected)
    return;

  g_set_object (&self->selected, connection);

  is_admin = connection != NULL && wire_connection_get_kind (connection) == WIRE_ENDPOINT_ADMIN;
  if (connection != NULL)
    ensure_connection_page (self);
  if (is_admin)
    ensure_admin_view (self);

  if (self->connection_page != NULL)
    wire_connection_page_set_connection (WIRE_CONNECTION_PAGE (self->connection_page),
                                         connection);
  if (self->admin_view != NULL)
    wire_admin_view_set_connection (WIRE_ADMIN_VIEW (self->admin_view),
                                    is_admin ? connection : NULL);

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
overview_activated_cb (WireWindow     *self,
                       WireConnection *connection)
{
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
start_demo (WireWindow *self)
{
  WireApplication *app = WIRE_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr (GError) error = NULL;

  self->demo_pending = FALSE;

  if (app == NULL || !wire_application_start_demo (app, &error))
    {
      if (error != NULL)
        {
          g_autofree char *message = g_strdup_printf (_("The demo could not start: %s"),
                                                      error->message);

          wire_window_show_toast (self, message);
        }
      update_content_page (self);
      return;
    }

  wire_window_select_connection (self, NULL);
}

static void
start_demo_after_paint_cb (GdkFrameClock *clock,
                           WireWindow    *self)
{
  g_signal_handlers_disconnect_by_func (clock, start_demo_after_paint_cb, self);
  start_demo (self);
}

static void
start_demo_after_next_frame (WireWindow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  g_signal_handlers_disconnect_by_func (clock, start_demo_after_paint_cb, self);
  g_signal_connect_object (clock, "after-paint", G_CALLBACK (start_demo_after_paint_cb), self, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The demo's gateway and connections start after the next frame: at start-up with --demo the
 * window shows first instead of waiting for them. That frame shows the overview the demo's
 * connections are about to fill, which is also cheaper to lay out than the empty state.
 * Asked for before the window is shown (--demo), the demo waits for the window's first frame,
 * and the empty state is never built for display at all. */
static void
start_demo_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  WireWindow *self = WIRE_WINDOW (user_data);

  self->demo_pending = TRUE;
  update_content_page (self);

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    start_demo_after_next_frame (self);
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

/* The shortcuts window is built the first time it is asked for. GtkApplication would build one
 * for every window before its first frame from gtk/help-overlay.ui under the resource base
 * path, so the file is in the resources under another name; this action, being the window's
 * own, is the one gtk_application_window_set_help_overlay() keeps. */
static void
show_help_overlay_activated (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  GtkApplicationWindow *window = GTK_APPLICATION_WINDOW (user_data);
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (window);

  if (overlay == NULL)
    {
      g_autoptr (GtkBuilder) builder =
        gtk_builder_new_from_resource ("/io/github/wirescope/Wirescope/wire-shortcuts-window.ui");

      overlay = GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
      gtk_application_window_set_help_overlay (window, overlay);
    }

  gtk_window_present (GTK_WINDOW (overlay));
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

  if (!wire_demo_fault_from_nick (name, &fault))
    {
      g_warning ("Unknown fault “%s”", name);
      return;
    }

  if (demo == NULL)
    return;

  if (!wire_demo_apply_fault (demo, fault, self->selected, &error))
    wire_window_show_toast (self, error->message);
  else
    wire_window_show_toast (self, wire_demo_fault_describe (fault));
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
  { "show-help-overlay", show_help_overlay_activated },
  { "fault", fault_activated, "s" },
};

static const GActionEntry connection_actions[] = {
  { "connect", connection_connect_activated },
  { "disconnect", connection_disconnect_activated },
  { "reconnect", connection_reconnect_activated },
};

/* A menu button builds its whole popover as soon as it is given a menu model: the window's
 * menus are given when first opened (click, Enter or F10), not while the window is built. */
static void
attach_menu_cb (GtkMenuButton *button,
                gpointer       user_data)
{
  if (gtk_menu_button_get_menu_model (button) == NULL)
    gtk_menu_button_set_menu_model (button, G_MENU_MODEL (user_data));
}

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

  /* Connected first, so the time taken is that of the frame, not of what runs after it. */
  if (g_strcmp0 (g_getenv ("WIRESCOPE_FIRST_FRAME_EXIT"), "1") == 0)
    g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                      G_CALLBACK (first_frame_cb), widget);

  if (WIRE_WINDOW (widget)->demo_pending)
    start_demo_after_next_frame (WIRE_WINDOW (widget));
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
  wire_network_indicator_set_monitor (self->network_indicator,
                                      wire_manager_get_network_monitor (self->manager));

  /* Sidebar: the manager's connections sorted by type. */
  sorter = GTK_SORTER (gtk_custom_sorter_new (wire_display_compare_connections, NULL, NULL));
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

  wire_overview_page_set_connections (self->overview_page, G_LIST_MODEL (self->manager));

  g_signal_connect_object (self->manager, "items-changed",
                           G_CALLBACK (manager_items_changed_cb), self, G_CONNECT_SWAPPED);
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
  g_clear_object (&self->connection_actions);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->sidebar_rows, g_hash_table_unref);

  G_OBJECT_CLASS (wire_window_parent_class)->dispose (object);
}

static void
wire_window_class_init (WireWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_window_dispose;
  widget_class->map = wire_window_map;

  g_type_ensure (WIRE_TYPE_ADMIN_VIEW);
  g_type_ensure (WIRE_TYPE_NETWORK_INDICATOR);
  g_type_ensure (WIRE_TYPE_OVERVIEW_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wirescope/Wirescope/wire-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WireWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, network_indicator);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, primary_menu);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, fault_button);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, fault_menu);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, admin_switcher);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, connection_stack);
  gtk_widget_class_bind_template_child (widget_class, WireWindow, overview_page);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, overview_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, leaflet_folded_cb);
}

static void
wire_window_init (WireWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The menus are template children, alive as long as the window. */
  gtk_menu_button_set_create_popup_func (self->primary_menu_button, attach_menu_cb,
                                         self->primary_menu, NULL);
  gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (self->fault_button), attach_menu_cb,
                                         self->fault_menu, NULL);

  self->sidebar_rows = g_hash_table_new (NULL, NULL);

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);

  self->connection_actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->connection_actions), connection_actions,
                                   G_N_ELEMENTS (connection_actions), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "connection",
                                  G_ACTION_GROUP (self->connection_actions));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sidebar_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Connections"), -1);
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
