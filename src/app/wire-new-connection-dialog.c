#define G_LOG_DOMAIN "wire-new-connection"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "wire-new-connection-dialog.h"
#include "wire-token-store.h"

/* A JWT over 8 KiB is refused by the gateway (PROTOCOL.md §2); a token file is never larger. */
#define TOKEN_FILE_MAX_BYTES (8 * 1024)

struct _WireNewConnectionDialog
{
  AdwWindow     parent_instance;

  WireManager  *manager;
  GtkFileChooserNative *chooser;
  gboolean      channels_edited;
  gboolean      setting_channels;

  AdwComboRow  *type_row;
  AdwEntryRow  *url_row;
  AdwEntryRow  *id_row;
  AdwEntryRow  *channels_row;
  AdwEntryRow  *token_row;
  AdwPreferencesGroup *token_group;
  GtkWidget    *connect_button;
  GtkLabel     *problem_label;
};

G_DEFINE_FINAL_TYPE (WireNewConnectionDialog, wire_new_connection_dialog, ADW_TYPE_WINDOW)

enum {
  CONNECTION_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static WireEndpointKind
selected_kind (WireNewConnectionDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->type_row);

  if (selected >= WIRE_N_ENDPOINT_KINDS)
    return WIRE_ENDPOINT_CHAT;

  return (WireEndpointKind) selected;
}

/* The channel a connection of this type is for, offered until the person edits the list. */
static char *
default_channel (WireEndpointKind  kind,
                 const char       *id)
{
  switch (kind)
    {
    case WIRE_ENDPOINT_CHAT:
      return g_strdup_printf ("chat:%s", id);
    case WIRE_ENDPOINT_AGENT_STATUS:
      return g_strdup_printf ("agent:%s", id);
    case WIRE_ENDPOINT_TRIP_COLLAB:
      return g_strdup_printf ("trip:%s", id);
    case WIRE_ENDPOINT_NOTIFICATIONS:
      return g_strdup_printf ("notifications:%s", id);
    case WIRE_ENDPOINT_ADMIN:
    default:
      return g_strdup ("admin:sessions");
    }
}

static char **
parse_channels (const char *text)
{
  g_auto (GStrv) parts = g_strsplit_set (text, ", ", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (*parts[i] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }

  return g_strv_builder_end (builder);
}

/* The full endpoint URL, or NULL with *@problem saying what is wrong. */
static char *
build_url (WireNewConnectionDialog  *self,
           char                    **problem)
{
  WireEndpointKind kind = selected_kind (self);
  const char *base = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  const char *id = gtk_editable_get_text (GTK_EDITABLE (self->id_row));
  g_autoptr (GUri) uri = NULL;
  g_autofree char *trimmed = NULL;
  g_autofree char *path = NULL;
  gsize len;

  if (*base == '\0')
    {
      *problem = g_strdup (_("Enter the gateway’s URL, for example ws://127.0.0.1:8080."));
      return NULL;
    }

  uri = g_uri_parse (base, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "ws") != 0 &&
       g_strcmp0 (g_uri_get_scheme (uri), "wss") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      *problem = g_strdup (_("The gateway URL must start with ws:// or wss:// and name a host."));
      return NULL;
    }

  if (kind != WIRE_ENDPOINT_ADMIN)
    {
      const char *label = wire_endpoint_slot_label (kind);

      if (*id == '\0')
        {
          *problem = g_strdup_printf (_("Enter the %s id."), label);
          return NULL;
        }
      if (!wire_id_is_valid (id))
        {
          *problem = g_strdup_printf (_("The gateway refuses this %s id: an id is 1 to %d "
                                        "letters, digits, “-” or “_”."),
                                      label, WIRE_ID_MAX_LEN);
          return NULL;
        }
    }

  path = wire_endpoint_build_path (kind, id);
  if (path == NULL)
    {
      *problem = g_strdup (_("This id cannot be part of an endpoint path."));
      return NULL;
    }

  /* The URL names the gateway; the path comes from the type and id. */
  trimmed = g_strdup_printf ("%s://%s%s%s",
                             g_uri_get_scheme (uri),
                             strchr (g_uri_get_host (uri), ':') != NULL ? "[" : "",
                             g_uri_get_host (uri),
                             strchr (g_uri_get_host (uri), ':') != NULL ? "]" : "");
  len = strlen (trimmed);
  if (len > 0 && trimmed[len - 1] == '/')
    trimmed[len - 1] = '\0';

  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d%s", trimmed, g_uri_get_port (uri), path);

  return g_strconcat (trimmed, path, NULL);
}

static gboolean
validate (WireNewConnectionDialog *self)
{
  g_autofree char *problem = NULL;
  g_autofree char *url = build_url (self, &problem);
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));
  g_autoptr (GError) error = NULL;

  /* Template signals fire while the template is built, before the manager is known. */
  if (self->manager == NULL)
    return FALSE;

  if (url != NULL && !wire_manager_check_limits (self->manager, url, &error))
    problem = g_strdup (error->message);

  if (problem == NULL && *token == '\0')
    problem = g_strdup (_("Paste a token or open a token file."));

  if (problem == NULL && strlen (token) > TOKEN_FILE_MAX_BYTES)
    problem = g_strdup (_("The gateway refuses tokens over 8 KiB."));

  gtk_label_set_text (self->problem_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);
  gtk_widget_set_sensitive (self->connect_button, problem == NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->connect_button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  problem != NULL ? problem : "",
                                  -1);

  return problem == NULL;
}

/* Where the token goes depends on whether a keyring answered: the store says it in words. */
static void
update_token_description (WireNewConnectionDialog *self,
                          GParamSpec              *pspec,
                          WireTokenStore          *store)
{
  g_autofree char *description = NULL;

  /* TRANSLATORS: the second %s is where tokens are kept, e.g. "Tokens are kept in the keyring." */
  description = g_strdup_printf (_("A JWT signed by the gateway, never written to settings, "
                                   "logs or exports. %s"),
                                 wire_token_store_get_status_message (store));
  adw_preferences_group_set_description (self->token_group, description);
}

static void
validate_cb (WireNewConnectionDialog *self)
{
  validate (self);
}

static void
update_default_channels (WireNewConnectionDialog *self)
{
  g_autofree char *channel = NULL;

  if (self->channels_edited)
    return;

  channel = default_channel (selected_kind (self),
                             gtk_editable_get_text (GTK_EDITABLE (self->id_row)));
  self->setting_channels = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->channels_row), channel);
  self->setting_channels = FALSE;
}

static void
type_changed_cb (WireNewConnectionDialog *self)
{
  WireEndpointKind kind = selected_kind (self);

  switch (kind)
    {
    case WIRE_ENDPOINT_CHAT:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->id_row), _("Session _ID"));
      break;
    case WIRE_ENDPOINT_TRIP_COLLAB:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->id_row), _("Trip _ID"));
      break;
    case WIRE_ENDPOINT_AGENT_STATUS:
    case WIRE_ENDPOINT_NOTIFICATIONS:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->id_row), _("User _ID"));
      break;
    case WIRE_ENDPOINT_ADMIN:
    default:
      break;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->id_row), kind != WIRE_ENDPOINT_ADMIN);

  update_default_channels (self);
  validate (self);
}

static void
id_changed_cb (WireNewConnectionDialog *self)
{
  update_default_channels (self);
  validate (self);
}

static void
channels_changed_cb (WireNewConnectionDialog *self)
{
  if (!self->setting_channels)
    self->channels_edited = TRUE;
}

static void
cancel_clicked_cb (WireNewConnectionDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
connect_clicked_cb (WireNewConnectionDialog *self)
{
  g_autofree char *problem = NULL;
  g_autofree char *url = NULL;
  g_auto (GStrv) channels = NULL;
  g_autoptr (GError) error = NULL;
  WireEndpointKind kind = selected_kind (self);
  WireConnection *connection;

  if (!validate (self))
    return;

  url = build_url (self, &problem);
  g_assert (url != NULL);
  channels = parse_channels (gtk_editable_get_text (GTK_EDITABLE (self->channels_row)));

  connection = wire_manager_add_connection (self->manager,
                                            url,
                                            gtk_editable_get_text (GTK_EDITABLE (self->token_row)),
                                            kind == WIRE_ENDPOINT_CHAT ?
                                            gtk_editable_get_text (GTK_EDITABLE (self->id_row)) : NULL,
                                            (const char * const *) channels,
                                            &error);
  if (connection == NULL)
    {
      gtk_label_set_text (self->problem_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->problem_label), TRUE);
      return;
    }

  /* Kept in the keyring when there is one (never in GSettings or logs). */
  wire_token_store_save (wire_token_store_get_default (), url, NULL,
                         gtk_editable_get_text (GTK_EDITABLE (self->token_row)));
  wire_connection_connect (connection);
  g_signal_emit (self, signals[CONNECTION_ADDED], 0, connection);
  gtk_window_close (GTK_WINDOW (self));
}

static void
token_file_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr (WireNewConnectionDialog) self = user_data;
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr (GError) error = NULL;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    {
      gtk_label_set_text (self->problem_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->problem_label), TRUE);
      return;
    }

  if (length > TOKEN_FILE_MAX_BYTES || !g_utf8_validate (contents, length, NULL))
    {
      gtk_label_set_text (self->problem_label,
                          _("This file does not hold a token: it is too large or not text."));
      gtk_widget_set_visible (GTK_WIDGET (self->problem_label), TRUE);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->token_row), g_strstrip (contents));
  explicit_bzero (contents, length);
}

static void
chooser_response_cb (WireNewConnectionDialog *self,
                     int                      response,
                     GtkNativeDialog         *chooser)
{
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  if (file != NULL)
    g_file_load_contents_async (file, NULL, token_file_loaded_cb, g_object_ref (self));

  g_clear_object (&self->chooser);
}

static void
token_file_clicked_cb (WireNewConnectionDialog *self)
{
  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Open Token File"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
wire_new_connection_dialog_dispose (GObject *object)
{
  WireNewConnectionDialog *self = WIRE_NEW_CONNECTION_DIALOG (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), WIRE_TYPE_NEW_CONNECTION_DIALOG);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (wire_new_connection_dialog_parent_class)->dispose (object);
}

static void
wire_new_connection_dialog_class_init (WireNewConnectionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_new_connection_dialog_dispose;

  signals[CONNECTION_ADDED] =
    g_signal_new ("connection-added",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, WIRE_TYPE_CONNECTION);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wirescope/Wirescope/wire-new-connection-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, WireNewConnectionDialog, type_row);
  gtk_widget_class_bind_template_child (widget_class, WireNewConnectionDialog, url_row);
  gtk_widget_class_bind_template_child (widget_class, WireNewConnectionDialog, id_row);
  gtk_widget_class_bind_template_child (widget_class, WireNewConnectionDialog, channels_row);
  gtk_widget_class_bind_template_child (widget_class, WireNewConnectionDialog, token_row);
  gtk_widget_class_bind_template_child (widget_class, WireNewConnectionDialog, token_group);
  gtk_widget_class_bind_template_child (widget_class, WireNewConnectionDialog, connect_button);
  gtk_widget_class_bind_template_child (widget_class, WireNewConnectionDialog, problem_label);
  gtk_widget_class_bind_template_callback (widget_class, validate_cb);
  gtk_widget_class_bind_template_callback (widget_class, type_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, id_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, channels_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, connect_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, token_file_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
wire_new_connection_dialog_init (WireNewConnectionDialog *self)
{
  WireTokenStore *store = wire_token_store_get_default ();

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (store, "notify::status-message",
                           G_CALLBACK (update_token_description), self, G_CONNECT_SWAPPED);
  update_token_description (self, NULL, store);
}

GtkWidget *
wire_new_connection_dialog_new (GtkWindow   *parent,
                                WireManager *manager,
                                const char  *default_url)
{
  WireNewConnectionDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WIRE_IS_MANAGER (manager), NULL);

  self = g_object_new (WIRE_TYPE_NEW_CONNECTION_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->manager = g_object_ref (manager);

  gtk_editable_set_text (GTK_EDITABLE (self->url_row),
                         default_url != NULL ? default_url : "ws://127.0.0.1:8080");
  type_changed_cb (self);

  return GTK_WIDGET (self);
}
