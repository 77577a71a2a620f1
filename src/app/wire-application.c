#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>

#include <glib/gi18n.h>

#include "wire-application.h"
#include "wire-message-tap.h"
#include "wire-recorder.h"
#include "wire-token-store.h"
#include "wire-window.h"
#ifdef HAVE_PREFERENCES_WINDOW
#include "wire-preferences-window.h"
#endif
#ifdef HAVE_WIRE_SETTINGS
#include "wire-settings.h"
#endif

struct _WireApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  WireConfig     *config;
  WireManager    *manager;
  WireDemo       *demo;

  gboolean        demo_requested;
};

G_DEFINE_FINAL_TYPE (WireApplication, wire_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_DEMO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

WireApplication *
wire_application_new (void)
{
  return g_object_new (WIRE_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/wirescope/Wirescope",
                       NULL);
}

WireManager *
wire_application_get_manager (WireApplication *self)
{
  g_return_val_if_fail (WIRE_IS_APPLICATION (self), NULL);

  return self->manager;
}

WireConfig *
wire_application_get_config (WireApplication *self)
{
  g_return_val_if_fail (WIRE_IS_APPLICATION (self), NULL);

  return self->config;
}

GSettings *
wire_application_get_settings (WireApplication *self)
{
  g_return_val_if_fail (WIRE_IS_APPLICATION (self), NULL);

  return self->settings;
}

WireDemo *
wire_application_get_demo (WireApplication *self)
{
  g_return_val_if_fail (WIRE_IS_APPLICATION (self), NULL);

  return self->demo;
}

gboolean
wire_application_start_demo (WireApplication  *self,
                             GError          **error)
{
  g_autoptr (WireDemo) demo = NULL;

  g_return_val_if_fail (WIRE_IS_APPLICATION (self), FALSE);

  if (self->demo != NULL)
    return TRUE;

  demo = wire_demo_new (self->manager);
  if (!wire_demo_start (demo, error))
    return FALSE;

  self->demo = g_steal_pointer (&demo);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEMO]);

  return TRUE;
}

static void
message_log_history_changed_cb (GSettings  *settings,
                                const char *key,
                                gpointer    user_data)
{
  wire_message_tap_set_default_capacity (g_settings_get_uint (settings, key));
}

/* The schema is optional: running from the build tree without it installed must still work. */
static void
load_settings (WireApplication *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  if (schema == NULL)
    {
      g_warning ("The settings schema %s is not installed: using the defaults", APP_ID);
      return;
    }

  self->settings = g_settings_new (APP_ID);
#ifdef HAVE_WIRE_SETTINGS
  wire_settings_bind_config (self->settings, self->config);
#endif
  g_signal_connect (self->settings, "changed::message-log-history",
                    G_CALLBACK (message_log_history_changed_cb), NULL);
  message_log_history_changed_cb (self->settings, "message-log-history", NULL);
}

static WireWindow *
ensure_window (WireApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (wire_window_new (self));

  return WIRE_WINDOW (window);
}

static void
wire_application_startup (GApplication *app)
{
  WireApplication *self = WIRE_APPLICATION (app);

  G_APPLICATION_CLASS (wire_application_parent_class)->startup (app);

  gtk_window_set_default_icon_name (APP_ID);

  self->config = wire_config_new ();
  load_settings (self);
  self->manager = wire_manager_new (self->config);
  /* Record from the start so that an export holds the whole session; the message log kept for
   * export is shorter than the one on screen, and bounded in bytes too (large frames), so 100
   * busy connections stay within memory. A connection's message log, once open, hands its
   * frames to the recorder: one signal handler per frame instead of two. */
  wire_recorder_set_message_capacity (wire_recorder_ensure_for_manager (self->manager), 2000);
  wire_recorder_set_message_bytes (wire_recorder_ensure_for_manager (self->manager), 1024 * 1024);
  wire_message_tap_set_recorder (wire_recorder_ensure_for_manager (self->manager));
}

/* Probes the keyring; without one the window says tokens stay in memory for this run. The
 * probe's D-Bus traffic waits for the first frame: nothing on that frame needs its answer. */
static void
probe_token_store_after_paint_cb (GdkFrameClock *clock,
                                  gpointer       user_data)
{
  g_signal_handlers_disconnect_by_func (clock, probe_token_store_after_paint_cb, user_data);
  wire_token_store_get_default ();
}

static void
wire_application_activate (GApplication *app)
{
  WireApplication *self = WIRE_APPLICATION (app);
  WireWindow *window = ensure_window (self);
  GdkFrameClock *clock;

  /* Asked for before the window shows, the demo starts after its first frame. */
  if (self->demo_requested)
    {
      self->demo_requested = FALSE;
      g_action_group_activate_action (G_ACTION_GROUP (window), "start-demo", NULL);
    }

  gtk_window_present (GTK_WINDOW (window));

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  if (clock != NULL)
    g_signal_connect (clock, "after-paint", G_CALLBACK (probe_token_store_after_paint_cb), NULL);
  else
    wire_token_store_get_default ();
}

static int
wire_application_handle_local_options (GApplication *app,
                                       GVariantDict *options)
{
  WireApplication *self = WIRE_APPLICATION (app);
  g_autoptr (GError) error = NULL;

  if (!g_variant_dict_contains (options, "demo"))
    return -1;

  /* With an instance running already, the demo is that instance's to start: this process
   * only asks, and is done. */
  if (!g_application_register (app, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  if (g_application_get_is_remote (app))
    {
      GDBusConnection *bus = g_application_get_dbus_connection (app);

      g_action_group_activate_action (G_ACTION_GROUP (app), "start-demo", NULL);
      if (bus != NULL)
        g_dbus_connection_flush_sync (bus, NULL, NULL);
      return EXIT_SUCCESS;
    }

  self->demo_requested = TRUE;
  return -1;
}

static void
wire_application_shutdown (GApplication *app)
{
  WireApplication *self = WIRE_APPLICATION (app);

  /* Windows go first: they hold the connections through the manager's model. */
  G_APPLICATION_CLASS (wire_application_parent_class)->shutdown (app);

  if (self->manager != NULL)
    wire_manager_disconnect_all (self->manager);
  g_clear_object (&self->demo);
}

static void
wire_application_dispose (GObject *object)
{
  WireApplication *self = WIRE_APPLICATION (object);

  g_clear_object (&self->demo);
  g_clear_object (&self->manager);
  g_clear_object (&self->settings);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (wire_application_parent_class)->dispose (object);
}

static void
wire_application_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  WireApplication *self = WIRE_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DEMO:
      g_value_set_object (value, self->demo);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_application_class_init (WireApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = wire_application_dispose;
  object_class->get_property = wire_application_get_property;

  app_class->startup = wire_application_startup;
  app_class->activate = wire_application_activate;
  app_class->handle_local_options = wire_application_handle_local_options;
  app_class->shutdown = wire_application_shutdown;

  properties[PROP_DEMO] =
    g_param_spec_object ("demo", NULL, NULL,
                         WIRE_TYPE_DEMO,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { _("The Wirescope authors"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Wirescope"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Wirescope authors"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("Watch authenticated WebSocket connections live: state, "
                                      "heartbeats, queues, channels and reconnection."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  WireApplication *self = WIRE_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

#ifdef HAVE_PREFERENCES_WINDOW
  if (self->settings != NULL)
    {
      GtkWidget *prefs = wire_preferences_window_new (parent, self->settings);

      gtk_window_present (GTK_WINDOW (prefs));
      return;
    }
#endif

  if (parent != NULL && WIRE_IS_WINDOW (parent))
    wire_window_show_toast (WIRE_WINDOW (parent),
                            _("Preferences need the installed settings schema"));
}

static void
shortcuts_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

/* What `wirescope --demo` asks of the instance that runs already (and the first one of itself):
 * the demo, in the window, which comes to the front. */
static void
start_demo_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  WireApplication *self = user_data;

  self->demo_requested = TRUE;
  g_application_activate (G_APPLICATION (self));
}

static const GActionEntry app_actions[] = {
  { "start-demo", start_demo_activated },
  { "quit", quit_activated },
  { "about", about_activated },
  { "preferences", preferences_activated },
  { "shortcuts", shortcuts_activated },
};

static void
wire_application_init (WireApplication *self)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *new_accels[] = { "<Control>n", NULL };
  static const char *demo_accels[] = { "<Control>d", NULL };
  static const char *export_accels[] = { "<Control>e", NULL };
  static const char *overview_accels[] = { "<Alt>Home", NULL };
  static const char *reconnect_accels[] = { "<Control>r", NULL };
  /* What GtkApplication sets when it finds gtk/help-overlay.ui, which the window now loads. */
  static const char *help_overlay_accels[] = { "<Control>F1", "<Control>question", NULL };

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.new-connection", new_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.start-demo", demo_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.export-metrics", export_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-overview", overview_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "connection.reconnect", reconnect_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay",
                                         help_overlay_accels);

  g_application_add_main_option (G_APPLICATION (self), "demo", 0, G_OPTION_FLAG_NONE,
                                 G_OPTION_ARG_NONE,
                                 _("Run the embedded demo gateway and open demo connections"),
                                 NULL);
}
