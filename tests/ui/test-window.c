#define G_LOG_DOMAIN "wire-test-window"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>

#include "wire-application.h"
#include "wire-core.h"
#include "wire-new-connection-dialog.h"
#include "wire-token-store.h"
#include "wire-window.h"

/* Generous: the machine may be loaded, and a sanitized build is several times slower. */
#define WAIT_MS 20000

/* No gateway listens here: the connection that the dialog adds only has to exist. */
#define GATEWAY_URL "ws://127.0.0.1:9"

static GObject *
dialog_child (GtkWidget  *dialog,
              const char *name)
{
  GObject *object = gtk_widget_get_template_child (dialog, WIRE_TYPE_NEW_CONNECTION_DIALOG, name);

  g_assert_nonnull (object);
  return object;
}

static void
set_entry (GtkWidget  *dialog,
           const char *name,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, name)), text);
}

/* The inline explanation, or NULL when the dialog has nothing against the entry. */
static const char *
problem_shown (GtkWidget *dialog)
{
  GtkWidget *label = GTK_WIDGET (dialog_child (dialog, "problem_label"));

  if (!gtk_widget_get_visible (label))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (label));
}

static gboolean
can_connect (GtkWidget *dialog)
{
  return gtk_widget_get_sensitive (GTK_WIDGET (dialog_child (dialog, "connect_button")));
}

static void
wait_for_finalize (gpointer *weak)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;

  while (*weak != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (*weak);
}

static void
test_dialog_refuses_bad_id (void)
{
  g_autoptr (WireConfig) config = wire_config_new ();
  WireManager *manager = wire_manager_new (config);
  GtkWidget *dialog = wire_new_connection_dialog_new (NULL, manager, GATEWAY_URL);
  const char *problem;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_present (GTK_WINDOW (dialog));

  /* Chat is the first type; a space is not allowed in an id (PROTOCOL.md). */
  set_entry (dialog, "token_row", "header.payload.signature");
  set_entry (dialog, "id_row", "not an id");

  problem = problem_shown (dialog);
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "refuses"));
  g_assert_false (can_connect (dialog));

  /* Fixing the id takes the explanation away. */
  set_entry (dialog, "id_row", "room-1");
  g_assert_null (problem_shown (dialog));
  g_assert_true (can_connect (dialog));

  /* A too long id is refused too. */
  {
    g_autofree char *long_id = g_strnfill (WIRE_ID_MAX_LEN + 1, 'a');

    set_entry (dialog, "id_row", long_id);
    g_assert_nonnull (problem_shown (dialog));
    g_assert_false (can_connect (dialog));
  }

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 0);

  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_for_finalize ((gpointer *) &dialog);
  g_assert_finalize_object (manager);
}

static gboolean
token_note_follows_store (GtkWidget      *dialog,
                          WireTokenStore *store)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (dialog_child (dialog, "token_group"));
  const char *description = adw_preferences_group_get_description (group);

  return description != NULL &&
         strstr (description, wire_token_store_get_status_message (store)) != NULL;
}

static void
probe_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *probed = user_data;

  /* Without a keyring the probe answers FALSE; that is an answer too. */
  wire_token_store_probe_finish (WIRE_TOKEN_STORE (source), result, NULL);
  *probed = TRUE;
}

static void
test_dialog_says_where_token_goes (void)
{
  g_autoptr (WireConfig) config = wire_config_new ();
  WireManager *manager = wire_manager_new (config);
  WireTokenStore *store = wire_token_store_get_default ();
  GtkWidget *dialog = wire_new_connection_dialog_new (NULL, manager, GATEWAY_URL);
  gboolean probed = FALSE;
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  /* The token group says what the store says, keyring or memory, never a fixed sentence. */
  g_assert_true (token_note_follows_store (dialog, store));

  /* Once the store's probe of the keyring has completed, the dialog says its answer. */
  wire_token_store_probe_async (store, NULL, probe_done_cb, &probed);
  while (!probed && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (probed);
  g_assert_true (token_note_follows_store (dialog, store));

  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_for_finalize ((gpointer *) &dialog);
  g_assert_finalize_object (manager);
}

static void
test_dialog_refuses_limit_reached (void)
{
  g_autoptr (WireConfig) config = wire_config_new ();
  WireManager *manager;
  GtkWidget *dialog;
  WireConnection *existing;
  g_autoptr (GError) error = NULL;
  const char *problem;

  g_object_set (config, "max-connections", 1, NULL);
  manager = wire_manager_new (config);
  existing = wire_manager_add_connection (manager, GATEWAY_URL "/ws/chat/room-1",
                                          "header.payload.signature", "room-1", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (existing);

  dialog = wire_new_connection_dialog_new (NULL, manager, GATEWAY_URL);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_present (GTK_WINDOW (dialog));

  set_entry (dialog, "token_row", "header.payload.signature");
  set_entry (dialog, "id_row", "room-2");

  /* A good id, but the manager already holds as many connections as it may. */
  problem = problem_shown (dialog);
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "At most 1"));
  g_assert_false (can_connect (dialog));

  /* Clicking anyway adds nothing. */
  g_signal_emit_by_name (dialog_child (dialog, "connect_button"), "clicked");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 1);

  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_for_finalize ((gpointer *) &dialog);
  g_assert_finalize_object (manager);
}

static void
connection_added_cb (GtkWidget       *dialog,
                     WireConnection  *connection,
                     WireConnection **added)
{
  g_assert_null (*added);
  *added = g_object_ref (connection);
}

static void
test_dialog_accepts_good_entry (void)
{
  g_autoptr (WireConfig) config = wire_config_new ();
  WireManager *manager = wire_manager_new (config);
  GtkWidget *dialog = wire_new_connection_dialog_new (NULL, manager, GATEWAY_URL);
  WireConnection *added = NULL;
  g_autofree char *url = NULL;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_signal_connect (dialog, "connection-added", G_CALLBACK (connection_added_cb), &added);
  gtk_window_present (GTK_WINDOW (dialog));

  /* Until there is a token, the dialog says what is missing. */
  set_entry (dialog, "id_row", "room-1");
  g_assert_nonnull (problem_shown (dialog));
  g_assert_false (can_connect (dialog));

  set_entry (dialog, "token_row", "header.payload.signature");
  g_assert_null (problem_shown (dialog));
  g_assert_true (can_connect (dialog));

  g_signal_emit_by_name (dialog_child (dialog, "connect_button"), "clicked");

  /* The connection is added for the type and id chosen, and the dialog closes. */
  g_assert_nonnull (added);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 1);
  g_assert_cmpint (wire_connection_get_kind (added), ==, WIRE_ENDPOINT_CHAT);
  g_assert_cmpstr (wire_connection_get_slot_id (added), ==, "room-1");
  url = g_strdup (wire_connection_get_url (added));
  g_assert_true (g_str_has_prefix (url, GATEWAY_URL "/"));
  wait_for_finalize ((gpointer *) &dialog);

  wire_connection_disconnect (added);
  wire_manager_remove_connection (manager, added);
  g_assert_finalize_object (added);
  g_assert_finalize_object (manager);
}

static void
wait_until_folded (AdwLeaflet *leaflet,
                   gboolean    folded)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;

  while (adw_leaflet_get_folded (leaflet) != folded && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
}

static void
wait_for_child (AdwLeaflet *leaflet,
                const char *name)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;

  while (g_strcmp0 (adw_leaflet_get_visible_child_name (leaflet), name) != 0 &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, name);
}

/* The first button (depth first) that activates @action, or NULL. */
static GtkWidget *
find_action_button (GtkWidget  *widget,
                    const char *action)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
narrow_startup_cb (GApplication *app)
{
  /* The window takes its size from the settings (memory backend in tests). */
  g_settings_set_int (wire_application_get_settings (WIRE_APPLICATION (app)), "window-width", 360);
}

static void
narrow_activate_cb (GApplication *app,
                    gboolean     *checked)
{
  GtkWidget *window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app)));
  AdwLeaflet *leaflet;
  GtkListView *sidebar_list;
  GtkWidget *back_button;

  g_assert_true (WIRE_IS_WINDOW (window));
  leaflet = ADW_LEAFLET (gtk_widget_get_template_child (window, WIRE_TYPE_WINDOW, "leaflet"));
  sidebar_list = GTK_LIST_VIEW (gtk_widget_get_template_child (window, WIRE_TYPE_WINDOW,
                                                               "sidebar_list"));
  back_button = find_action_button (window, "win.go-back");
  g_assert_nonnull (back_button);

  /* At 360 px the sidebar and the content do not fit side by side: one shows at a time. */
  wait_until_folded (leaflet, TRUE);
  g_assert_true (adw_leaflet_get_folded (leaflet));
  g_assert_cmpint (gtk_widget_get_width (window), <=, 400);
  /* Nothing beside the list, so one click on a row opens its page. */
  g_assert_true (gtk_list_view_get_single_click_activate (sidebar_list));

  /* The overview replaces the sidebar, with a way back; going back shows the sidebar again. */
  gtk_widget_activate_action (window, "win.show-overview", NULL);
  wait_for_child (leaflet, "content");
  g_assert_true (gtk_widget_get_visible (back_button));

  gtk_widget_activate_action (window, "win.go-back", NULL);
  wait_for_child (leaflet, "sidebar");

  /* Wide again, both panes show and the list goes back to click-to-select. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  wait_until_folded (leaflet, FALSE);
  g_assert_false (adw_leaflet_get_folded (leaflet));
  g_assert_false (gtk_list_view_get_single_click_activate (sidebar_list));
  g_assert_false (gtk_widget_get_visible (back_button));

  *checked = TRUE;
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Runs the app, with @startup_cb (may be NULL) after its startup and @activate_cb after its
 * activation; @activate_cb checks the window, sets its gboolean to TRUE and closes the window. */
static void
run_app_checking (GCallback startup_cb,
                  GCallback activate_cb)
{
  WireApplication *app = wire_application_new ();
  gboolean checked = FALSE;
  char *argv[] = { (char *) "wirescope", NULL };
  int status;

  /* Another instance on the test bus must not take the activation. */
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  if (startup_cb != NULL)
    g_signal_connect_after (app, "startup", startup_cb, NULL);
  g_signal_connect_after (app, "activate", activate_cb, &checked);

  status = g_application_run (G_APPLICATION (app), 1, argv);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (checked);
  g_assert_finalize_object (app);
}

static void
test_window_folds_at_360 (void)
{
  run_app_checking (G_CALLBACK (narrow_startup_cb), G_CALLBACK (narrow_activate_cb));
}

/* The shortcuts window is built when first asked for, not with the window, and still opens from
 * the menu's action and from its keyboard shortcut. */
static void
shortcuts_activate_cb (GApplication *app,
                       gboolean     *checked)
{
  GtkApplicationWindow *window =
    GTK_APPLICATION_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_auto (GStrv) actions = NULL;
  GtkShortcutsWindow *overlay;

  g_assert_true (WIRE_IS_WINDOW (window));
  g_assert_null (gtk_application_window_get_help_overlay (window));

  actions = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), "<Control>question");
  g_assert_nonnull (actions);
  g_assert_true (g_strv_contains ((const char * const *) actions, "win.show-help-overlay"));

  g_action_group_activate_action (G_ACTION_GROUP (app), "shortcuts", NULL);
  overlay = gtk_application_window_get_help_overlay (window);
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (overlay)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (overlay)) == GTK_WINDOW (window));

  /* Asked for again, the same window shows: it is built once. */
  gtk_widget_set_visible (GTK_WIDGET (overlay), FALSE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
  g_assert_true (gtk_application_window_get_help_overlay (window) == overlay);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (overlay)));

  *checked = TRUE;
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_shortcuts_on_demand (void)
{
  run_app_checking (NULL, G_CALLBACK (shortcuts_activate_cb));
}

/* The main menu's popover is built when the menu is first opened, and then holds its items. */
static void
menus_activate_cb (GApplication *app,
                   gboolean     *checked)
{
  GtkWidget *window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app)));
  GtkMenuButton *button;
  GMenuModel *menu;

  g_assert_true (WIRE_IS_WINDOW (window));
  button = GTK_MENU_BUTTON (gtk_widget_get_template_child (window, WIRE_TYPE_WINDOW,
                                                           "primary_menu_button"));
  menu = G_MENU_MODEL (gtk_widget_get_template_child (window, WIRE_TYPE_WINDOW, "primary_menu"));
  g_assert_null (gtk_menu_button_get_popover (button));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (button)));

  gtk_menu_button_popup (button);
  g_assert_true (gtk_menu_button_get_menu_model (button) == menu);
  g_assert_true (GTK_IS_POPOVER_MENU (gtk_menu_button_get_popover (button)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_menu_button_get_popover (button))));
  g_assert_cmpint (g_menu_model_get_n_items (menu), >, 0);
  gtk_menu_button_popdown (button);

  *checked = TRUE;
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_menus_on_demand (void)
{
  run_app_checking (NULL, G_CALLBACK (menus_activate_cb));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }
  adw_init ();

  g_test_add_func ("/wire/ui/new-connection/refuses-bad-id", test_dialog_refuses_bad_id);
  g_test_add_func ("/wire/ui/new-connection/says-where-token-goes", test_dialog_says_where_token_goes);
  g_test_add_func ("/wire/ui/new-connection/refuses-limit-reached", test_dialog_refuses_limit_reached);
  g_test_add_func ("/wire/ui/new-connection/accepts-good-entry", test_dialog_accepts_good_entry);
  g_test_add_func ("/wire/ui/window/folds-at-360", test_window_folds_at_360);
  g_test_add_func ("/wire/ui/window/shortcuts-on-demand", test_window_shortcuts_on_demand);
  g_test_add_func ("/wire/ui/window/menus-on-demand", test_window_menus_on_demand);

  return g_test_run ();
}
