#define G_LOG_DOMAIN "wire-demo"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "wire-gateway.h"
#include "wire-demo.h"

#define DEMO_USER       "demo-user"
#define DEMO_FRIEND     "demo-friend"
#define DEMO_ADMIN      "demo-admin"
#define DEMO_SESSION    "session-demo"
#define DEMO_TRIP       "trip-lisbon"
#define DEMO_TOKEN_TTL  3600

struct _WireDemo
{
  GObject      parent_instance;

  WireManager *manager;
  WireGateway *gateway;
  GPtrArray   *connections;
};

G_DEFINE_FINAL_TYPE (WireDemo, wire_demo, G_TYPE_OBJECT)

/* What a token of the demo may do: the user and its friend share the trip. */
typedef struct
{
  WireGateway *gateway;
  char        *user_id;
  gboolean     admin;
} DemoTokenSource;

static void
demo_token_source_free (gpointer data)
{
  DemoTokenSource *source = data;

  g_clear_object (&source->gateway);
  g_free (source->user_id);
  g_free (source);
}

/* Mints a fresh token at every (re)connect, as a real token service would. */
static char *
demo_token_cb (gpointer user_data,
               gboolean refresh)
{
  DemoTokenSource *source = user_data;
  const char *trips[] = { DEMO_TRIP, NULL };
  const char *sessions[] = { DEMO_SESSION, NULL };

  return wire_gateway_mint_token (source->gateway,
                                  source->user_id,
                                  source->admin ? "admin" : "user",
                                  trips,
                                  source->admin ? NULL : sessions,
                                  DEMO_TOKEN_TTL);
}

static void
wire_demo_dispose (GObject *object)
{
  WireDemo *self = WIRE_DEMO (object);

  if (self->connections != NULL && self->manager != NULL)
    {
      for (guint i = 0; i < self->connections->len; i++)
        {
          WireConnection *connection = g_ptr_array_index (self->connections, i);

          wire_connection_disconnect (connection);
          wire_manager_remove_connection (self->manager, connection);
        }
    }
  g_clear_pointer (&self->connections, g_ptr_array_unref);

  if (self->gateway != NULL)
    wire_gateway_shutdown (self->gateway);
  g_clear_object (&self->gateway);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (wire_demo_parent_class)->dispose (object);
}

static void
wire_demo_class_init (WireDemoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wire_demo_dispose;
}

static void
wire_demo_init (WireDemo *self)
{
  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
}

WireDemo *
wire_demo_new (WireManager *manager)
{
  WireDemo *self;

  g_return_val_if_fail (WIRE_IS_MANAGER (manager), NULL);

  self = g_object_new (WIRE_TYPE_DEMO, NULL);
  self->manager = g_object_ref (manager);

  return self;
}

static gboolean
add_demo_connection (WireDemo          *self,
                     WireEndpointKind   kind,
                     const char        *slot_id,
                     const char        *user_id,
                     gboolean           admin,
                     const char        *channel,
                     GError           **error)
{
  g_autofree char *path = wire_endpoint_build_path (kind, slot_id);
  g_autofree char *url = NULL;
  const char *channels[] = { channel, NULL };
  DemoTokenSource *source;
  WireConnection *connection;

  g_assert (path != NULL);
  url = g_strconcat (wire_gateway_get_url (self->gateway), path, NULL);

  connection = wire_manager_add_connection (self->manager,
                                            url,
                                            NULL,
                                            kind == WIRE_ENDPOINT_CHAT ? slot_id : NULL,
                                            channels,
                                            error);
  if (connection == NULL)
    return FALSE;

  source = g_new0 (DemoTokenSource, 1);
  source->gateway = g_object_ref (self->gateway);
  source->user_id = g_strdup (user_id);
  source->admin = admin;
  wire_connection_set_token_func (connection, demo_token_cb, source, demo_token_source_free);

  g_ptr_array_add (self->connections, g_object_ref (connection));

  return TRUE;
}

gboolean
wire_demo_start (WireDemo  *self,
                 GError   **error)
{
  g_autoptr (WireGateway) gateway = NULL;
  g_autofree char *probe_uri = NULL;

  g_return_val_if_fail (WIRE_IS_DEMO (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->gateway != NULL)
    return TRUE;

  gateway = wire_gateway_new ();
  g_object_set (gateway, "demo", TRUE, "faults", TRUE, NULL);
  if (!wire_gateway_listen (gateway, "127.0.0.1", 0, error))
    return FALSE;
  self->gateway = g_steal_pointer (&gateway);

  probe_uri = g_strdup_printf ("http://127.0.0.1:%u%s",
                               wire_gateway_get_port (self->gateway),
                               WIRE_HEALTH_PATH);
  wire_network_monitor_set_probe_uri (wire_manager_get_network_monitor (self->manager),
                                      probe_uri);

  if (!add_demo_connection (self, WIRE_ENDPOINT_CHAT, DEMO_SESSION, DEMO_USER, FALSE,
                            "chat:" DEMO_SESSION, error) ||
      !add_demo_connection (self, WIRE_ENDPOINT_AGENT_STATUS, DEMO_USER, DEMO_USER, FALSE,
                            "agent:" DEMO_USER, error) ||
      !add_demo_connection (self, WIRE_ENDPOINT_TRIP_COLLAB, DEMO_TRIP, DEMO_USER, FALSE,
                            "trip:" DEMO_TRIP, error) ||
      !add_demo_connection (self, WIRE_ENDPOINT_TRIP_COLLAB, DEMO_TRIP, DEMO_FRIEND, FALSE,
                            "trip:" DEMO_TRIP, error) ||
      !add_demo_connection (self, WIRE_ENDPOINT_NOTIFICATIONS, DEMO_USER, DEMO_USER, FALSE,
                            "notifications:" DEMO_USER, error) ||
      !add_demo_connection (self, WIRE_ENDPOINT_ADMIN, NULL, DEMO_ADMIN, TRUE,
                            "admin:sessions", error))
    return FALSE;

  for (guint i = 0; i < self->connections->len; i++)
    wire_connection_connect (g_ptr_array_index (self->connections, i));

  wire_network_monitor_probe_now (wire_manager_get_network_monitor (self->manager));

  return TRUE;
}

const char *
wire_demo_get_url (WireDemo *self)
{
  g_return_val_if_fail (WIRE_IS_DEMO (self), NULL);

  return self->gateway != NULL ? wire_gateway_get_url (self->gateway) : NULL;
}

GPtrArray *
wire_demo_get_connections (WireDemo *self)
{
  g_return_val_if_fail (WIRE_IS_DEMO (self), NULL);

  return self->connections;
}

gboolean
wire_demo_apply_fault (WireDemo        *self,
                       WireDemoFault    fault,
                       WireConnection  *target,
                       GError         **error)
{
  g_autoptr (JsonObject) body = json_object_new ();

  g_return_val_if_fail (WIRE_IS_DEMO (self), FALSE);
  g_return_val_if_fail (target == NULL || WIRE_IS_CONNECTION (target), FALSE);

  if (self->gateway == NULL)
    {
      g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_FAILED, _("The demo is not running"));
      return FALSE;
    }

  switch (fault)
    {
    case WIRE_DEMO_FAULT_DROP_ALL:
      json_object_set_string_member (body, "action", "drop");
      json_object_set_string_member (body, "target", "all");
      break;

    case WIRE_DEMO_FAULT_DROP_ONE:
      if (target == NULL || wire_connection_get_connection_id (target) == NULL ||
          wire_connection_get_state (target) != WIRE_CONNECTION_CONNECTED)
        {
          g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                               _("Select a connected connection to drop"));
          return FALSE;
        }
      json_object_set_string_member (body, "action", "drop");
      json_object_set_string_member (body, "target",
                                     wire_connection_get_connection_id (target));
      break;

    case WIRE_DEMO_FAULT_STALL:
      json_object_set_string_member (body, "action", "stall");
      json_object_set_string_member (body, "target", "all");
      json_object_set_int_member (body, "ms", WIRE_DEMO_STALL_MS);
      break;

    case WIRE_DEMO_FAULT_LATENCY:
      json_object_set_string_member (body, "action", "latency");
      json_object_set_int_member (body, "ms", WIRE_DEMO_LATENCY_MS);
      break;

    case WIRE_DEMO_FAULT_REFUSE:
      json_object_set_string_member (body, "action", "refuse");
      json_object_set_int_member (body, "ms", WIRE_DEMO_REFUSE_MS);
      break;

    case WIRE_DEMO_FAULT_CLEAR:
      json_object_set_string_member (body, "action", "clear");
      break;

    default:
      g_assert_not_reached ();
    }

  if (!wire_gateway_apply_fault (self->gateway, body, error))
    return FALSE;

  /* The network monitor notices latency and refusals at its next probe; probe now so the
   * indicator follows the fault at once. */
  wire_network_monitor_probe_now (wire_manager_get_network_monitor (self->manager));

  return TRUE;
}

static const struct
{
  const char    *nick;
  WireDemoFault  fault;
} fault_nicks[] = {
  { "drop-all", WIRE_DEMO_FAULT_DROP_ALL },
  { "drop-one", WIRE_DEMO_FAULT_DROP_ONE },
  { "stall", WIRE_DEMO_FAULT_STALL },
  { "latency", WIRE_DEMO_FAULT_LATENCY },
  { "refuse", WIRE_DEMO_FAULT_REFUSE },
  { "clear", WIRE_DEMO_FAULT_CLEAR },
};

gboolean
wire_demo_fault_from_nick (const char    *nick,
                           WireDemoFault *fault)
{
  g_return_val_if_fail (nick != NULL, FALSE);
  g_return_val_if_fail (fault != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (fault_nicks); i++)
    {
      if (g_str_equal (nick, fault_nicks[i].nick))
        {
          *fault = fault_nicks[i].fault;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
wire_demo_fault_describe (WireDemoFault fault)
{
  switch (fault)
    {
    case WIRE_DEMO_FAULT_DROP_ALL:
      return _("Dropped every connection");
    case WIRE_DEMO_FAULT_DROP_ONE:
      return _("Dropped this connection");
    case WIRE_DEMO_FAULT_STALL:
      return _("The gateway stalls for 8 seconds");
    case WIRE_DEMO_FAULT_LATENCY:
      return _("Every frame is now delayed by 1.5 seconds");
    case WIRE_DEMO_FAULT_REFUSE:
      return _("New connections are refused for 10 seconds");
    case WIRE_DEMO_FAULT_CLEAR:
    default:
      return _("Faults cleared");
    }
}
