#define G_LOG_DOMAIN "wire-test-settings-ui"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "wire-core.h"
#include "wire-export-dialog.h"
#include "wire-preferences-window.h"
#include "wire-recorder.h"
#include "wire-settings.h"
#include "wire-token-store.h"

#define WAIT_MS 20000

static void
wait_for_finalize (gpointer *weak)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;

  while (*weak != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (*weak);
}

static GSettings *
new_settings (void)
{
  g_autoptr(GSettingsSchema) schema = wire_settings_lookup_schema ();

  g_assert_nonnull (schema);
  return g_settings_new_full (schema, NULL, NULL);
}

static gboolean find_label_with (GtkWidget  *widget,
                                 const char *needle);

static GObject *
child (GtkWidget  *window,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (window, WIRE_TYPE_PREFERENCES_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

static void
test_preferences_bound (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(WireConfig) config = wire_config_new ();
  GtkWidget *window;
  AdwComboRow *jitter, *overflow;
  GtkSpinButton *base_delay;
  GtkLabel *summary;
  g_autofree char *nick = NULL;

  wire_settings_bind_config (settings, config);
  window = wire_preferences_window_new (NULL, settings);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_present (GTK_WINDOW (window));

  jitter = ADW_COMBO_ROW (child (window, "jitter"));
  overflow = ADW_COMBO_ROW (child (window, "overflow"));
  base_delay = GTK_SPIN_BUTTON (child (window, "reconnect_base_delay_ms"));
  summary = GTK_LABEL (child (window, "plot_summary"));

  /* The window shows the keys… */
  g_assert_cmpuint (adw_combo_row_get_selected (jitter), ==, 1);   /* equal */
  g_assert_cmpfloat (gtk_spin_button_get_value (base_delay), ==, 1000);
  g_assert_nonnull (strstr (gtk_label_get_label (summary), "Never gives up"));

  /* …writes them, and through the binding a running config follows at once. */
  adw_combo_row_set_selected (jitter, 2);
  nick = g_settings_get_string (settings, "jitter");
  g_assert_cmpstr (nick, ==, "full");
  g_assert_cmpint (wire_config_get_jitter (config), ==, WIRE_JITTER_FULL);

  adw_combo_row_set_selected (overflow, 1);
  g_assert_cmpint (wire_config_get_overflow (config), ==, WIRE_OVERFLOW_DROP_LOWEST);

  gtk_spin_button_set_value (base_delay, 250);
  g_assert_cmpuint (g_settings_get_uint (settings, "reconnect-base-delay-ms"), ==, 250);
  g_assert_cmpuint (wire_config_get_reconnect_base_delay_ms (config), ==, 250);

  /* A change made elsewhere shows in the window and in the schedule summary. */
  g_settings_set_string (settings, "jitter", "none");
  g_assert_cmpuint (adw_combo_row_get_selected (jitter), ==, 0);
  g_settings_set_uint (settings, "reconnect-max-attempts", 5);
  g_assert_nonnull (strstr (gtk_label_get_label (summary), "Gives up after 5 attempts"));
  g_assert_nonnull (strstr (gtk_label_get_label (summary), "250 ms"));

  /* One row per entry of the event-priorities map, rebuilt when the map changes. */
  g_assert_true (find_label_with (window, "typing_start"));
  g_assert_false (find_label_with (window, "trip_update"));
  g_settings_set_value (settings, "event-priorities",
                        g_variant_new_parsed ("{'trip_update': 'critical'}"));
  g_assert_true (find_label_with (window, "trip_update"));
  g_assert_false (find_label_with (window, "typing_start"));
  g_settings_reset (settings, "event-priorities");

  /* The window tells people that changes apply at once. */
  g_assert_nonnull (strstr (adw_preferences_group_get_description (
                              ADW_PREFERENCES_GROUP (child (window, "reconnection_group"))),
                            "at once"));

  gtk_window_destroy (GTK_WINDOW (window));
  wait_for_finalize ((gpointer *) &window);

  g_settings_reset (settings, "jitter");
  g_settings_reset (settings, "overflow");
  g_settings_reset (settings, "reconnect-base-delay-ms");
  g_settings_reset (settings, "reconnect-max-attempts");
}

/* With LANGUAGE=de the window reads in German: the build's own translations are used. */
static void
test_preferences_german (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GSettings) settings = new_settings ();
      g_autofree char *podir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
      GtkWidget *window;

      g_setenv ("LANGUAGE", "de", TRUE);
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, podir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);

      window = wire_preferences_window_new (NULL, settings);
      g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Einstellungen");
      g_assert_cmpstr (adw_preferences_group_get_title (
                         ADW_PREFERENCES_GROUP (child (window, "reconnection_group"))),
                       ==, "Wiederverbindung");
      g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (child (window, "plot_summary"))),
                                "Gibt nie auf"));
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static GtkWindow *
find_toplevel (GType type)
{
  g_autoptr(GListModel) toplevels = gtk_window_get_toplevels ();

  g_object_ref (toplevels);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }
  return NULL;
}

static void
test_export_dialog_presents (void)
{
  g_autoptr(WireConfig) config = wire_config_new ();
  g_autoptr(WireManager) manager = wire_manager_new (config);
  WireRecorder *recorder = wire_recorder_ensure_for_manager (manager);
  GtkWindow *dialog;

  wire_recorder_add_track (recorder, "chat session-1", "ws://127.0.0.1/ws/chat/session-1",
                           WIRE_ENDPOINT_CHAT);
  wire_export_dialog_present (NULL, manager);
  dialog = find_toplevel (WIRE_TYPE_EXPORT_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_modal (dialog));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  gtk_window_close (dialog);
  wait_for_finalize ((gpointer *) &dialog);
}

static gboolean
find_label_with (GtkWidget  *widget,
                 const char *needle)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
      strstr (gtk_label_get_label (GTK_LABEL (widget)), needle) != NULL)
    return TRUE;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (find_label_with (c, needle))
      return TRUE;
  return FALSE;
}

/* The dialog exports through the same path as after the file chooser, and says how it went. */
static void
test_export_dialog_exports (void)
{
  g_autoptr(WireConfig) config = wire_config_new ();
  g_autoptr(WireManager) manager = wire_manager_new (config);
  WireRecorder *recorder = wire_recorder_ensure_for_manager (manager);
  g_autofree char *dir = g_dir_make_tmp ("wirescope-ui-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "metrics.csv", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-folder", "metrics.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) unwritable = g_file_new_for_path (missing);
  g_autofree char *contents = NULL;
  WireSample sample = { .time_ms = 1700000000000, .state = WIRE_CONNECTION_CONNECTED, .rtt_ms = 12 };
  GtkWindow *dialog;
  guint track;
  gint64 deadline;

  track = wire_recorder_add_track (recorder, "chat session-1", "ws://127.0.0.1/ws/chat/session-1",
                                   WIRE_ENDPOINT_CHAT);
  wire_recorder_push_sample (recorder, track, &sample);
  wire_export_dialog_present (NULL, manager);
  dialog = find_toplevel (WIRE_TYPE_EXPORT_DIALOG);
  g_assert_nonnull (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  wire_export_dialog_export_to_file (WIRE_EXPORT_DIALOG (dialog), WIRE_EXPORT_CSV, file);
  deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;
  while (!find_label_with (GTK_WIDGET (dialog), "Saved") && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (find_label_with (GTK_WIDGET (dialog), "Saved “metrics.csv”"));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "time_ms,"));
  g_assert_nonnull (strstr (contents, "chat session-1"));

  /* A folder that does not exist: the dialog says so in a sentence. */
  wire_export_dialog_export_to_file (WIRE_EXPORT_DIALOG (dialog), WIRE_EXPORT_HAR, unwritable);
  deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;
  while (!find_label_with (GTK_WIDGET (dialog), "does not exist") && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (find_label_with (GTK_WIDGET (dialog), "no-such-folder"));

  gtk_window_close (dialog);
  wait_for_finalize ((gpointer *) &dialog);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
probe_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  int *state = user_data;
  g_autoptr(GError) error = NULL;

  *state = wire_token_store_probe_finish (WIRE_TOKEN_STORE (source), result, &error) ? 1 : 0;
  g_assert_no_error (error);
}

static void
test_token_store_memory (void)
{
  g_autoptr(WireTokenStore) store = wire_token_store_new ();
  g_autofree char *token = NULL;
  g_autofree char *none = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;
  int state = -1;

  wire_token_store_probe_async (store, NULL, probe_done_cb, &state);
  while (state < 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (state, >=, 0);
  g_assert_cmpint (state, ==, wire_token_store_get_persistent (store));
  if (!wire_token_store_get_persistent (store))
    g_assert_nonnull (strstr (wire_token_store_get_status_message (store), "memory"));

  /* Either way a saved token answers at once, keyed by URL without its query and by user. */
  wire_token_store_save (store, "ws://h/ws/chat/s1?x=1", "user-1", "tok");
  token = wire_token_store_lookup (store, "ws://h/ws/chat/s1", "user-1");
  g_assert_cmpstr (token, ==, "tok");
  none = wire_token_store_lookup (store, "ws://h/ws/chat/s1", "user-2");
  g_assert_null (none);
  wire_token_store_forget (store, "ws://h/ws/chat/s1", "user-1");
  g_clear_pointer (&token, g_free);
  token = wire_token_store_lookup (store, "ws://h/ws/chat/s1", "user-1");
  g_assert_null (token);

  /* Let any keyring call finish before the store goes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
skip_without_display (void)
{
  g_test_skip ("no display");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/ui/token-store/memory", test_token_store_memory);

  if (!gtk_init_check ())
    {
      g_test_add_func ("/wire/ui/preferences/bound", skip_without_display);
      g_test_add_func ("/wire/ui/export-dialog/presents", skip_without_display);
      g_test_add_func ("/wire/ui/export-dialog/exports", skip_without_display);
      g_test_add_func ("/wire/ui/preferences/german", skip_without_display);
      return g_test_run ();
    }
  adw_init ();

  g_test_add_func ("/wire/ui/preferences/bound", test_preferences_bound);
  g_test_add_func ("/wire/ui/export-dialog/presents", test_export_dialog_presents);
  g_test_add_func ("/wire/ui/export-dialog/exports", test_export_dialog_exports);
  g_test_add_func ("/wire/ui/preferences/german", test_preferences_german);

  return g_test_run ();
}
