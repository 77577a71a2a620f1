#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-fault-injector.h"
#include "wire-gateway-session.h"

struct _WireFaultInjector
{
  GObject      parent_instance;

  WireGateway *gateway;   /* borrowed: the gateway owns the injector */
};

G_DEFINE_FINAL_TYPE (WireFaultInjector, wire_fault_injector, G_TYPE_OBJECT)

/* The sessions a fault's "target" names: "all" (the default) or one connection id. */
static GPtrArray *
find_targets (WireFaultInjector  *self,
              JsonObject         *fault,
              GError            **error)
{
  const char *target = json_object_get_string_member_with_default (fault, "target", "all");
  g_autoptr (GPtrArray) all = wire_gateway_list_sessions (self->gateway);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < all->len; i++)
    {
      WireGatewaySession *session = g_ptr_array_index (all, i);

      if (g_strcmp0 (target, "all") == 0
          || g_strcmp0 (target, wire_gateway_session_get_connection_id (session)) == 0)
        g_ptr_array_add (out, g_object_ref (session));
    }
  if (out->len == 0 && g_strcmp0 (target, "all") != 0)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                   "No connection %s", target);
      g_ptr_array_unref (out);
      return NULL;
    }
  return out;
}

static gboolean
get_ms (JsonObject  *fault,
        gint64      *out_ms,
        GError     **error)
{
  JsonNode *node = json_object_get_member (fault, "ms");

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 0 || json_node_get_int (node) > 3600 * 1000)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                   "\"ms\" must be a number of milliseconds (0 to 3600000)");
      return FALSE;
    }
  *out_ms = json_node_get_int (node);
  return TRUE;
}

gboolean
wire_fault_injector_apply (WireFaultInjector  *self,
                           JsonObject         *fault,
                           GError            **error)
{
  WireGatewayConfig *config;
  g_autoptr (GPtrArray) targets = NULL;
  const char *action;
  gint64 ms = 0;

  g_return_val_if_fail (WIRE_IS_FAULT_INJECTOR (self), FALSE);
  g_return_val_if_fail (fault != NULL, FALSE);

  config = wire_gateway_get_config_mut (self->gateway);
  action = json_object_get_string_member_with_default (fault, "action", NULL);
  if (action == NULL)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT, "A fault needs an action");
      return FALSE;
    }

  wire_gateway_log_event (self->gateway, NULL, "fault", action, 0);

  if (g_str_equal (action, "drop") || g_str_equal (action, "close")
      || g_str_equal (action, "stall"))
    {
      gint64 code = WIRE_CLOSE_NORMAL;

      if (g_str_equal (action, "close"))
        {
          code = json_object_get_int_member_with_default (fault, "code", WIRE_CLOSE_NORMAL);
          if (code < 1000 || code > 4999 || code == 1005 || code == 1006 || code == 1015)
            {
              g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT,
                           "\"code\" must be a close code that can be sent");
              return FALSE;
            }
        }
      if (g_str_equal (action, "stall") && !get_ms (fault, &ms, error))
        return FALSE;
      targets = find_targets (self, fault, error);
      if (targets == NULL)
        return FALSE;
      for (guint i = 0; i < targets->len; i++)
        {
          WireGatewaySession *session = g_ptr_array_index (targets, i);

          if (g_str_equal (action, "drop"))
            wire_gateway_session_drop (session);
          else if (g_str_equal (action, "close"))
            wire_gateway_session_close (session, (int) code, "Closed by a fault");
          else
            wire_gateway_session_stall (session, (guint) ms);
        }
      return TRUE;
    }
  if (g_str_equal (action, "latency"))
    {
      if (!get_ms (fault, &ms, error))
        return FALSE;
      config->latency_ms = (guint) ms;
      return TRUE;
    }
  if (g_str_equal (action, "refuse"))
    {
      if (!get_ms (fault, &ms, error))
        return FALSE;
      config->refuse_until_us = g_get_monotonic_time () + ms * 1000;
      return TRUE;
    }
  if (g_str_equal (action, "clear"))
    {
      g_autoptr (GPtrArray) all = wire_gateway_list_sessions (self->gateway);

      config->latency_ms = 0;
      config->refuse_until_us = 0;
      for (guint i = 0; i < all->len; i++)
        wire_gateway_session_clear_stall (g_ptr_array_index (all, i));
      return TRUE;
    }

  g_set_error (error, WIRE_ERROR, WIRE_ERROR_INVALID_ARGUMENT, "Unknown fault action %s", action);
  return FALSE;
}

static void
wire_fault_injector_class_init (WireFaultInjectorClass *klass)
{
}

static void
wire_fault_injector_init (WireFaultInjector *self)
{
}

WireFaultInjector *
wire_fault_injector_new (WireGateway *gateway)
{
  WireFaultInjector *self;

  g_return_val_if_fail (WIRE_IS_GATEWAY (gateway), NULL);

  self = g_object_new (WIRE_TYPE_FAULT_INJECTOR, NULL);
  self->gateway = gateway;
  return self;
}
