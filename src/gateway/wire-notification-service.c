#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-notification-service.h"

/* PROTOCOL.md §8, notifications: with demo on, a notification every few demo ticks to every
 * user with a subscriber on notifications:{user_id}. */

#define FROM          "notifications"
#define TICKS_BETWEEN 3

typedef struct
{
  const char *level;
  const char *title;
  const char *body;
} Notice;

static const Notice notices[] = {
  { "info", "Flight on time", "LH 1234 to Lisbon leaves from gate B12 as planned." },
  { "warning", "Price change", "The hotel you saved is 12% more expensive since yesterday." },
  { "success", "Booking confirmed", "Your table for four at 20:00 is confirmed." },
  { "error", "Payment failed", "The card ending in 4242 was declined; try another card." },
  { "info", "New comment", "Sam commented on day 3 of the itinerary." },
};

struct _WireNotificationService
{
  GObject      parent_instance;

  WireGateway *gateway;   /* borrowed */
  GRand       *rand;      /* borrowed */
  guint        tick_id;
  guint        ticks;
  guint        next_id;
};

G_DEFINE_FINAL_TYPE (WireNotificationService, wire_notification_service, G_TYPE_OBJECT)

static gboolean
tick_cb (gpointer user_data)
{
  WireNotificationService *self = user_data;
  WireMessageRouter *router = wire_gateway_get_router (self->gateway);
  g_autoptr (GPtrArray) channels = NULL;

  if (++self->ticks % TICKS_BETWEEN != 1)
    return G_SOURCE_CONTINUE;

  channels = wire_message_router_dup_channels (router, "notifications:");
  for (guint i = 0; i < channels->len; i++)
    {
      const Notice *notice = &notices[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (notices))];
      g_autoptr (GString) payload = g_string_new (NULL);

      g_string_append_printf (payload, "{\"notificationId\":\"n-%u\",\"level\":", ++self->next_id);
      wire_json_append_string (payload, notice->level);
      g_string_append (payload, ",\"title\":");
      wire_json_append_string (payload, notice->title);
      g_string_append (payload, ",\"body\":");
      wire_json_append_string (payload, notice->body);
      g_string_append_c (payload, '}');
      wire_message_router_emit (router, g_ptr_array_index (channels, i), "notification", FROM,
                                g_str_equal (notice->level, "error") ? WIRE_PRIORITY_HIGH
                                                                      : WIRE_PRIORITY_NORMAL,
                                payload->str);
    }
  return G_SOURCE_CONTINUE;
}

void
wire_notification_service_start (WireNotificationService *self)
{
  const WireGatewayConfig *config;

  g_return_if_fail (WIRE_IS_NOTIFICATION_SERVICE (self));

  config = wire_gateway_get_config (self->gateway);
  if (config->demo && self->tick_id == 0)
    self->tick_id = g_timeout_add (config->demo_tick_ms, tick_cb, self);
}

static void
wire_notification_service_dispose (GObject *object)
{
  WireNotificationService *self = WIRE_NOTIFICATION_SERVICE (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);

  G_OBJECT_CLASS (wire_notification_service_parent_class)->dispose (object);
}

static void
wire_notification_service_class_init (WireNotificationServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = wire_notification_service_dispose;
}

static void
wire_notification_service_init (WireNotificationService *self)
{
}

WireNotificationService *
wire_notification_service_new (WireGateway *gateway,
                               GRand       *rand)
{
  WireNotificationService *self = g_object_new (WIRE_TYPE_NOTIFICATION_SERVICE, NULL);

  self->gateway = gateway;
  self->rand = rand;
  return self;
}
