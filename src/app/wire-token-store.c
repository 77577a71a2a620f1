#define G_LOG_DOMAIN "wire-token-store"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#if HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#include "wire-token-store.h"
#include "wire-window.h"

struct _WireTokenStore
{
  GObject     parent_instance;

  GHashTable *tokens;          /* key → token; this run's copy of every token */
  gboolean    persistent;
  gboolean    probed;
  char       *status_message;
};

enum {
  PROP_0,
  PROP_PERSISTENT,
  PROP_STATUS_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (WireTokenStore, wire_token_store, G_TYPE_OBJECT)

#if HAVE_LIBSECRET
static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "io.github.wirescope.Wirescope.Token", SECRET_SCHEMA_NONE,
    {
      { "url", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}
#endif

/* The URL without its query (a token may hide there) and fragment. */
static char *
url_key (const char *url)
{
  const char *end = url != NULL ? strpbrk (url, "?#") : NULL;

  if (url == NULL)
    return g_strdup ("");
  return end != NULL ? g_strndup (url, end - url) : g_strdup (url);
}

static char *
make_key (const char *url,
          const char *user_id)
{
  g_autofree char *u = url_key (url);

  return g_strdup_printf ("%s\n%s", u, user_id != NULL ? user_id : "");
}

static void
set_state (WireTokenStore *self,
           gboolean        persistent,
           const char     *message)
{
  self->probed = TRUE;
  if (self->persistent != persistent)
    {
      self->persistent = persistent;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSISTENT]);
    }
  if (g_strcmp0 (self->status_message, message) != 0)
    {
      g_free (self->status_message);
      self->status_message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_MESSAGE]);
    }
}

static void
wire_token_store_finalize (GObject *object)
{
  WireTokenStore *self = WIRE_TOKEN_STORE (object);

  g_hash_table_unref (self->tokens);
  g_free (self->status_message);

  G_OBJECT_CLASS (wire_token_store_parent_class)->finalize (object);
}

static void
wire_token_store_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  WireTokenStore *self = WIRE_TOKEN_STORE (object);

  switch (prop_id)
    {
    case PROP_PERSISTENT:
      g_value_set_boolean (value, self->persistent);
      break;
    case PROP_STATUS_MESSAGE:
      g_value_set_string (value, self->status_message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_token_store_class_init (WireTokenStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wire_token_store_finalize;
  object_class->get_property = wire_token_store_get_property;

  properties[PROP_PERSISTENT] =
    g_param_spec_boolean ("persistent", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATUS_MESSAGE] =
    g_param_spec_string ("status-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wire_token_store_init (WireTokenStore *self)
{
  /* Tokens are wiped from memory when forgotten or when the store goes. */
  self->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_free);
  self->status_message = g_strdup (_("Checking for a keyring…"));
}

WireTokenStore *
wire_token_store_new (void)
{
  return g_object_new (WIRE_TYPE_TOKEN_STORE, NULL);
}

static void
default_probed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  WireTokenStore *self = WIRE_TOKEN_STORE (source);
  GApplication *app = g_application_get_default ();
  GtkWindow *window = NULL;

  if (wire_token_store_probe_finish (self, result, NULL))
    return;

  if (GTK_IS_APPLICATION (app))
    window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (WIRE_IS_WINDOW (window))
    wire_window_show_toast (WIRE_WINDOW (window), self->status_message);
  else
    g_message ("%s", self->status_message);
}

WireTokenStore *
wire_token_store_get_default (void)
{
  static WireTokenStore *store;

  if (store == NULL)
    {
      store = wire_token_store_new ();
      wire_token_store_probe_async (store, NULL, default_probed_cb, NULL);
    }
  return store;
}

gboolean
wire_token_store_get_persistent (WireTokenStore *self)
{
  g_return_val_if_fail (WIRE_IS_TOKEN_STORE (self), FALSE);
  return self->persistent;
}

const char *
wire_token_store_get_status_message (WireTokenStore *self)
{
  g_return_val_if_fail (WIRE_IS_TOKEN_STORE (self), NULL);
  return self->status_message;
}

static const char *
no_keyring_message (void)
{
  return _("No keyring is available: tokens are kept in memory until Wirescope quits.");
}

#if HAVE_LIBSECRET
static void
probe_lookup_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WireTokenStore *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *ignored = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    {
      g_debug ("Keyring not usable: %s", error->message);
      set_state (self, FALSE, no_keyring_message ());
    }
  else
    set_state (self, TRUE, _("Tokens are kept in the keyring."));

  g_task_return_boolean (task, self->persistent);
}
#endif

void
wire_token_store_probe_async (WireTokenStore      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WIRE_IS_TOKEN_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wire_token_store_probe_async);

#if HAVE_LIBSECRET
  /* A real lookup, not just "is there a D-Bus name": only an answer proves the keyring works
   * (under Flatpak this goes through the Secret portal). */
  secret_password_lookup (token_schema (), cancellable, probe_lookup_cb, g_steal_pointer (&task),
                          "url", "wirescope:probe", "user", "", NULL);
#else
  set_state (self, FALSE,
             _("This build has no keyring support: tokens are kept in memory until Wirescope quits."));
  g_task_return_boolean (task, FALSE);
#endif
}

gboolean
wire_token_store_probe_finish (WireTokenStore  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

#if HAVE_LIBSECRET
static void
store_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_warning ("Could not save a token in the keyring (it stays in memory): %s", error->message);
}

static void
clear_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!secret_password_clear_finish (result, &error) && error != NULL)
    g_debug ("Could not remove a token from the keyring: %s", error->message);
}
#endif

void
wire_token_store_save (WireTokenStore *self,
                       const char     *url,
                       const char     *user_id,
                       const char     *token)
{
  g_autofree char *key = NULL;

  g_return_if_fail (WIRE_IS_TOKEN_STORE (self));

  if (token == NULL || token[0] == '\0')
    {
      wire_token_store_forget (self, url, user_id);
      return;
    }

  key = make_key (url, user_id);
  g_hash_table_replace (self->tokens, g_strdup (key), g_strdup (token));

#if HAVE_LIBSECRET
  if (self->persistent)
    {
      g_autofree char *u = url_key (url);
      g_autofree char *label = g_strdup_printf (_("Wirescope token for %s"), u);

      secret_password_store (token_schema (), SECRET_COLLECTION_DEFAULT, label, token, NULL,
                             store_done_cb, NULL,
                             "url", u, "user", user_id != NULL ? user_id : "", NULL);
    }
#endif
}

char *
wire_token_store_lookup (WireTokenStore *self,
                         const char     *url,
                         const char     *user_id)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (WIRE_IS_TOKEN_STORE (self), NULL);

  key = make_key (url, user_id);
  return g_strdup (g_hash_table_lookup (self->tokens, key));
}

typedef struct
{
  char *url;
  char *user_id;
} LoadData;

static void
load_data_free (gpointer data)
{
  LoadData *load = data;

  g_free (load->url);
  g_free (load->user_id);
  g_free (load);
}

#if HAVE_LIBSECRET
static void
load_lookup_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WireTokenStore *self = g_task_get_source_object (task);
  LoadData *load = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  char *token = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (token != NULL)
    g_hash_table_replace (self->tokens, make_key (load->url, load->user_id), g_strdup (token));
  g_task_return_pointer (task, token, g_free);
}
#endif

void
wire_token_store_load_async (WireTokenStore      *self,
                             const char          *url,
                             const char          *user_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  char *token;

  g_return_if_fail (WIRE_IS_TOKEN_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wire_token_store_load_async);

  token = wire_token_store_lookup (self, url, user_id);
  if (token != NULL || !self->persistent)
    {
      g_task_return_pointer (task, token, g_free);
      return;
    }

#if HAVE_LIBSECRET
  {
    LoadData *load = g_new0 (LoadData, 1);
    g_autofree char *u = url_key (url);

    load->url = g_strdup (url);
    load->user_id = g_strdup (user_id);
    g_task_set_task_data (task, load, load_data_free);
    secret_password_lookup (token_schema (), cancellable, load_lookup_cb, g_steal_pointer (&task),
                            "url", u, "user", user_id != NULL ? user_id : "", NULL);
  }
#else
  g_task_return_pointer (task, NULL, NULL);
  (void) load_data_free;
#endif
}

char *
wire_token_store_load_finish (WireTokenStore  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
wire_token_store_forget (WireTokenStore *self,
                         const char     *url,
                         const char     *user_id)
{
  g_autofree char *key = NULL;

  g_return_if_fail (WIRE_IS_TOKEN_STORE (self));

  key = make_key (url, user_id);
  g_hash_table_remove (self->tokens, key);

#if HAVE_LIBSECRET
  if (self->persistent)
    {
      g_autofree char *u = url_key (url);

      secret_password_clear (token_schema (), NULL, clear_done_cb, NULL,
                             "url", u, "user", user_id != NULL ? user_id : "", NULL);
    }
#endif
}
