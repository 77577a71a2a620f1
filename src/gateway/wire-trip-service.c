#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-trip-service.h"

/* PROTOCOL.md §8, trip collaboration: the router relays between collaborators; this service
 * keeps presence (who is on the trip) and announces joins and leaves. With demo on, two
 * simulated collaborators edit every trip that has somebody watching. */

#define FROM "trip"

static const char * const simulated[] = { "sim-ava", "sim-ben" };

static const char * const fields[] = { "title", "hotel", "dinner", "departure", "notes" };

static const char * const values[] = {
  "Lisbon long weekend", "Casa do Fado, 3 nights", "Taberna da Rua das Flores",
  "Friday 08:15 from Berlin", "Bring rain jackets", "Sunset at Miradouro da Graça",
};

struct _WireTripService
{
  GObject      parent_instance;

  WireGateway *gateway;   /* borrowed */
  GRand       *rand;      /* borrowed */
  guint        tick_id;
  guint        revision;
};

G_DEFINE_FINAL_TYPE (WireTripService, wire_trip_service, G_TYPE_OBJECT)

static void
emit_presence (WireTripService    *self,
               const char         *channel,
               const char         *member,
               const char         *user_id)
{
  WireMessageRouter *router = wire_gateway_get_router (self->gateway);
  GPtrArray *subscribers = wire_message_router_get_subscribers (router, channel);
  g_autoptr (GPtrArray) users = g_ptr_array_new ();
  g_autoptr (GString) payload = g_string_new ("{\"users\":");

  if (subscribers != NULL)
    for (guint i = 0; i < subscribers->len; i++)
      {
        const char *user = wire_gateway_session_get_user_id (g_ptr_array_index (subscribers, i));

        if (user != NULL && !g_ptr_array_find_with_equal_func (users, user, g_str_equal, NULL))
          g_ptr_array_add (users, (gpointer) user);
      }
  if (wire_gateway_get_config (self->gateway)->demo && users->len > 0)
    for (guint i = 0; i < G_N_ELEMENTS (simulated); i++)
      g_ptr_array_add (users, (gpointer) simulated[i]);
  g_ptr_array_sort (users, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (users, NULL);
  wire_json_append_strv (payload, (const char * const *) users->pdata);
  g_string_append (payload, ",\"");
  g_string_append (payload, member);
  g_string_append (payload, "\":");
  wire_json_append_string (payload, user_id);
  g_string_append_c (payload, '}');
  wire_message_router_emit (router, channel, "presence", FROM, WIRE_PRIORITY_LOW, payload->str);
}

static void
subscribed_cb (WireMessageRouter  *router,
               WireGatewaySession *session,
               const char         *channel,
               WireTripService    *self)
{
  emit_presence (self, channel, "joined", wire_gateway_session_get_user_id (session));
}

static void
unsubscribed_cb (WireMessageRouter  *router,
                 WireGatewaySession *session,
                 const char         *channel,
                 WireTripService    *self)
{
  emit_presence (self, channel, "left", wire_gateway_session_get_user_id (session));
}

static gboolean
tick_cb (gpointer user_data)
{
  WireTripService *self = user_data;
  WireMessageRouter *router = wire_gateway_get_router (self->gateway);
  g_autoptr (GPtrArray) channels = wire_message_router_dup_channels (router, "trip:");

  for (guint i = 0; i < channels->len; i++)
    {
      const char *channel = g_ptr_array_index (channels, i);
      const char *who = simulated[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (simulated))];
      g_autoptr (GString) payload = g_string_new ("{\"userId\":");

      wire_json_append_string (payload, who);
      if (g_rand_boolean (self->rand))
        {
          g_string_append_printf (payload, ",\"x\":%d,\"y\":%d}",
                                  g_rand_int_range (self->rand, 0, 1200),
                                  g_rand_int_range (self->rand, 0, 800));
          wire_message_router_emit (router, channel, "cursor_move", who, WIRE_PRIORITY_LOW,
                                    payload->str);
        }
      else
        {
          g_string_append (payload, ",\"field\":");
          wire_json_append_string (payload, fields[g_rand_int_range (self->rand, 0,
                                                                     G_N_ELEMENTS (fields))]);
          g_string_append (payload, ",\"value\":");
          wire_json_append_string (payload, values[g_rand_int_range (self->rand, 0,
                                                                     G_N_ELEMENTS (values))]);
          g_string_append_printf (payload, ",\"revision\":%u}", ++self->revision);
          wire_message_router_emit (router, channel, "trip_update", who, WIRE_PRIORITY_NORMAL,
                                    payload->str);
        }
    }
  return G_SOURCE_CONTINUE;
}

void
wire_trip_service_start (WireTripService *self)
{
  const WireGatewayConfig *config;

  g_return_if_fail (WIRE_IS_TRIP_SERVICE (self));

  config = wire_gateway_get_config (self->gateway);
  if (config->demo && self->tick_id == 0)
    self->tick_id = g_timeout_add (config->demo_tick_ms, tick_cb, self);
}

static void
wire_trip_service_dispose (GObject *object)
{
  WireTripService *self = WIRE_TRIP_SERVICE (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);

  G_OBJECT_CLASS (wire_trip_service_parent_class)->dispose (object);
}

static void
wire_trip_service_class_init (WireTripServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = wire_trip_service_dispose;
}

static void
wire_trip_service_init (WireTripService *self)
{
}

WireTripService *
wire_trip_service_new (WireGateway *gateway,
                       GRand       *rand)
{
  WireTripService *self = g_object_new (WIRE_TYPE_TRIP_SERVICE, NULL);
  WireMessageRouter *router = wire_gateway_get_router (gateway);

  self->gateway = gateway;
  self->rand = rand;
  g_signal_connect_object (router, "subscribed::trip", G_CALLBACK (subscribed_cb), self, 0);
  g_signal_connect_object (router, "unsubscribed::trip", G_CALLBACK (unsubscribed_cb), self, 0);
  return self;
}
