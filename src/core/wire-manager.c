#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-manager.h"
#include "wire-connection-private.h"
#include "wire-handshake.h"

struct _WireManager
{
  GObject             parent_instance;

  WireConfig         *config;
  WireNetworkMonitor *monitor;
  GPtrArray          *connections;
};

static void wire_manager_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WireManager, wire_manager, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      wire_manager_list_model_init))

enum
{
  PROP_0,
  PROP_CONFIG,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* GListModel */

static GType
wire_manager_get_item_type (GListModel *model)
{
  return WIRE_TYPE_CONNECTION;
}

static guint
wire_manager_get_n_items (GListModel *model)
{
  return WIRE_MANAGER (model)->connections->len;
}

static gpointer
wire_manager_get_item (GListModel *model,
                       guint       position)
{
  WireManager *self = WIRE_MANAGER (model);

  if (position >= self->connections->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->connections, position));
}

static void
wire_manager_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = wire_manager_get_item_type;
  iface->get_n_items = wire_manager_get_n_items;
  iface->get_item = wire_manager_get_item;
}

/* Limits */

/* The slot of the guide's per-type limits: endpoint kind and id, per gateway. */
static gboolean
same_slot (WireConnection   *connection,
           const char       *host_key,
           WireEndpointKind  kind,
           const char       *slot_id)
{
  return wire_connection_get_kind (connection) == kind &&
         g_strcmp0 (wire_connection_get_slot_id (connection), slot_id) == 0 &&
         g_strcmp0 (wire_connection_get_host_key (connection), host_key) == 0;
}

static gboolean
check_limits_for_uri (WireManager  *self,
                      GUri         *uri,
                      GError      **error)
{
  g_autofree char *host_key = wire_handshake_host_key (uri);
  g_autofree char *slot_id = NULL;
  WireEndpointKind kind;
  guint max_total = wire_config_get_max_connections (self->config);
  guint max_per_host = wire_config_get_max_connections_per_host (self->config);
  guint per_host = 0;
  guint per_slot = 0;
  guint slot_limit;

  if (!wire_endpoint_parse_path (g_uri_get_path (uri), &kind, &slot_id, error))
    return FALSE;

  for (guint i = 0; i < self->connections->len; i++)
    {
      WireConnection *connection = g_ptr_array_index (self->connections, i);

      if (g_strcmp0 (wire_connection_get_host_key (connection), host_key) == 0)
        per_host++;
      if (slot_id != NULL && same_slot (connection, host_key, kind, slot_id))
        per_slot++;
    }

  if (max_total > 0 && self->connections->len >= max_total)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_LIMIT_REACHED,
                   "At most %u connections in total (max-connections)", max_total);
      return FALSE;
    }
  if (max_per_host > 0 && per_host >= max_per_host)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_LIMIT_REACHED,
                   "At most %u connections to %s (max-connections-per-host)",
                   max_per_host, host_key);
      return FALSE;
    }

  slot_limit = wire_endpoint_limit (kind);
  if (slot_limit > 0 && slot_id != NULL && per_slot >= slot_limit)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_LIMIT_REACHED,
                   "At most %u %s connection%s per %s: %s %s already has %u on %s",
                   slot_limit, wire_endpoint_kind_to_string (kind), slot_limit == 1 ? "" : "s",
                   wire_endpoint_slot_label (kind), wire_endpoint_slot_label (kind), slot_id,
                   per_slot, host_key);
      return FALSE;
    }

  return TRUE;
}

/* GObject */

static void
wire_manager_dispose (GObject *object)
{
  WireManager *self = WIRE_MANAGER (object);

  if (self->connections != NULL)
    {
      for (guint i = 0; i < self->connections->len; i++)
        wire_connection_shutdown (g_ptr_array_index (self->connections, i));
      g_clear_pointer (&self->connections, g_ptr_array_unref);
    }
  g_clear_object (&self->monitor);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (wire_manager_parent_class)->dispose (object);
}

static void
wire_manager_constructed (GObject *object)
{
  WireManager *self = WIRE_MANAGER (object);

  G_OBJECT_CLASS (wire_manager_parent_class)->constructed (object);

  if (self->config == NULL)
    self->config = wire_config_new ();

  self->monitor = wire_network_monitor_new ();
  g_object_bind_property (self->config, "probe-interval-ms", self->monitor, "probe-interval-ms",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->config, "slow-threshold-ms", self->monitor, "slow-threshold-ms",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->config, "unstable-threshold-ms",
                          self->monitor, "unstable-threshold-ms", G_BINDING_SYNC_CREATE);
}

static void
wire_manager_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  WireManager *self = WIRE_MANAGER (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->connections->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_manager_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  WireManager *self = WIRE_MANAGER (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_manager_class_init (WireManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = wire_manager_constructed;
  object_class->dispose = wire_manager_dispose;
  object_class->get_property = wire_manager_get_property;
  object_class->set_property = wire_manager_set_property;

  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL, WIRE_TYPE_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wire_manager_init (WireManager *self)
{
  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Public API */

WireManager *
wire_manager_new (WireConfig *config)
{
  g_return_val_if_fail (config == NULL || WIRE_IS_CONFIG (config), NULL);

  return g_object_new (WIRE_TYPE_MANAGER, "config", config, NULL);
}

WireConfig *
wire_manager_get_config (WireManager *self)
{
  g_return_val_if_fail (WIRE_IS_MANAGER (self), NULL);
  return self->config;
}

WireNetworkMonitor *
wire_manager_get_network_monitor (WireManager *self)
{
  g_return_val_if_fail (WIRE_IS_MANAGER (self), NULL);
  return self->monitor;
}

gboolean
wire_manager_check_limits (WireManager  *self,
                           const char   *url,
                           GError      **error)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (WIRE_IS_MANAGER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  uri = wire_handshake_parse_url (url, error);
  if (uri == NULL)
    return FALSE;
  return check_limits_for_uri (self, uri, error);
}

WireConnection *
wire_manager_add_connection (WireManager         *self,
                             const char          *url,
                             const char          *token,
                             const char          *session_id,
                             const char * const  *channels,
                             GError             **error)
{
  g_autoptr(WireConnection) connection = NULL;

  g_return_val_if_fail (WIRE_IS_MANAGER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (session_id != NULL && !wire_id_is_valid (session_id))
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a valid session id ([A-Za-z0-9_-], 1 to 64 characters)",
                   session_id);
      return NULL;
    }
  if (!wire_manager_check_limits (self, url, error))
    return NULL;

  connection = wire_connection_new (self->config, self->monitor, url, error);
  if (connection == NULL)
    return NULL;

  if (token != NULL)
    wire_connection_set_token (connection, token);
  if (session_id != NULL)
    wire_connection_set_session_id (connection, session_id);
  if (channels != NULL)
    wire_connection_set_channels (connection, channels);

  g_ptr_array_add (self->connections, g_object_ref (connection));
  g_list_model_items_changed (G_LIST_MODEL (self), self->connections->len - 1, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);

  return connection;
}

void
wire_manager_remove_connection (WireManager    *self,
                                WireConnection *connection)
{
  guint position;

  g_return_if_fail (WIRE_IS_MANAGER (self));
  g_return_if_fail (WIRE_IS_CONNECTION (connection));

  if (!g_ptr_array_find (self->connections, connection, &position))
    return;

  g_object_ref (connection);
  g_ptr_array_remove_index (self->connections, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  wire_connection_shutdown (connection);
  g_object_unref (connection);
}

void
wire_manager_connect_all (WireManager *self)
{
  g_return_if_fail (WIRE_IS_MANAGER (self));

  for (guint i = 0; i < self->connections->len; i++)
    wire_connection_connect (g_ptr_array_index (self->connections, i));
}

void
wire_manager_disconnect_all (WireManager *self)
{
  g_return_if_fail (WIRE_IS_MANAGER (self));

  for (guint i = 0; i < self->connections->len; i++)
    wire_connection_disconnect (g_ptr_array_index (self->connections, i));
}
