#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-admin-feed.h"
#include "wire-message-router.h"

#define ADMIN_CHANNEL      "admin:sessions"
#define UPDATE_INTERVAL_MS 1000

struct _WireAdminFeed
{
  GObject      parent_instance;

  WireGateway *gateway;   /* borrowed: the gateway owns the feed */
  GHashTable  *dirty;     /* WireGatewaySession (borrowed) → NULL */
  guint        update_id;
};

G_DEFINE_FINAL_TYPE (WireAdminFeed, wire_admin_feed, G_TYPE_OBJECT)

static gboolean
has_listeners (WireAdminFeed *self)
{
  return wire_message_router_count_subscribers (wire_gateway_get_router (self->gateway),
                                                ADMIN_CHANNEL) > 0;
}

static void
emit_session (WireAdminFeed      *self,
              const char         *event,
              WireGatewaySession *session)
{
  g_autoptr (GString) payload = g_string_new (NULL);

  wire_gateway_session_append_json (session, payload);
  wire_message_router_emit (wire_gateway_get_router (self->gateway), ADMIN_CHANNEL, event,
                            "gateway", WIRE_PRIORITY_LOW, payload->str);
}

/* One timer for every connection: each dirty connection is announced at most once a tick. */
static gboolean
update_cb (gpointer user_data)
{
  WireAdminFeed *self = user_data;
  g_autoptr (GPtrArray) sessions = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  if (g_hash_table_size (self->dirty) == 0 || !has_listeners (self))
    {
      g_hash_table_remove_all (self->dirty);
      self->update_id = 0;
      return G_SOURCE_REMOVE;
    }
  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (sessions, key);
  g_hash_table_remove_all (self->dirty);
  for (guint i = 0; i < sessions->len; i++)
    emit_session (self, "session_updated", g_ptr_array_index (sessions, i));
  return G_SOURCE_CONTINUE;
}

void
wire_admin_feed_touch (WireAdminFeed      *self,
                       WireGatewaySession *session)
{
  g_return_if_fail (WIRE_IS_ADMIN_FEED (self));

  /* The feed's own readers change with every update they get: announcing that would feed
   * itself forever. */
  if (!wire_gateway_session_is_authenticated (session)
      || wire_gateway_session_has_channel (session, ADMIN_CHANNEL) || !has_listeners (self))
    return;
  g_hash_table_add (self->dirty, session);
  if (self->update_id == 0)
    self->update_id = g_timeout_add (UPDATE_INTERVAL_MS, update_cb, self);
}

void
wire_admin_feed_opened (WireAdminFeed      *self,
                        WireGatewaySession *session)
{
  g_return_if_fail (WIRE_IS_ADMIN_FEED (self));

  if (has_listeners (self))
    emit_session (self, "session_opened", session);
}

void
wire_admin_feed_closed (WireAdminFeed      *self,
                        WireGatewaySession *session,
                        int                 code)
{
  g_autoptr (GString) payload = NULL;

  g_return_if_fail (WIRE_IS_ADMIN_FEED (self));

  g_hash_table_remove (self->dirty, session);
  if (!has_listeners (self))
    return;
  payload = g_string_new ("{\"connectionId\":");
  wire_json_append_string (payload, wire_gateway_session_get_connection_id (session));
  g_string_append_printf (payload, ",\"code\":%d}", code);
  wire_message_router_emit (wire_gateway_get_router (self->gateway), ADMIN_CHANNEL,
                            "session_closed", "gateway", WIRE_PRIORITY_LOW, payload->str);
}

static void
subscribed_cb (WireMessageRouter  *router,
               WireGatewaySession *session,
               const char         *channel,
               WireAdminFeed      *self)
{
  g_autoptr (GPtrArray) sessions = NULL;
  g_autoptr (GString) payload = NULL;
  gboolean first = TRUE;

  if (g_strcmp0 (channel, ADMIN_CHANNEL) != 0)
    return;

  sessions = wire_gateway_list_sessions (self->gateway);
  payload = g_string_new ("{\"connections\":[");
  for (guint i = 0; i < sessions->len; i++)
    {
      WireGatewaySession *each = g_ptr_array_index (sessions, i);

      if (!wire_gateway_session_is_authenticated (each))
        continue;
      if (!first)
        g_string_append_c (payload, ',');
      first = FALSE;
      wire_gateway_session_append_json (each, payload);
    }
  g_string_append (payload, "]}");
  wire_message_router_emit_to (router, session, ADMIN_CHANNEL, "sessions", "gateway",
                               WIRE_PRIORITY_NORMAL, payload->str);
}

static void
wire_admin_feed_dispose (GObject *object)
{
  WireAdminFeed *self = WIRE_ADMIN_FEED (object);

  g_clear_handle_id (&self->update_id, g_source_remove);
  if (self->dirty != NULL)
    g_hash_table_remove_all (self->dirty);

  G_OBJECT_CLASS (wire_admin_feed_parent_class)->dispose (object);
}

static void
wire_admin_feed_finalize (GObject *object)
{
  WireAdminFeed *self = WIRE_ADMIN_FEED (object);

  g_clear_pointer (&self->dirty, g_hash_table_unref);

  G_OBJECT_CLASS (wire_admin_feed_parent_class)->finalize (object);
}

static void
wire_admin_feed_class_init (WireAdminFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wire_admin_feed_dispose;
  object_class->finalize = wire_admin_feed_finalize;
}

static void
wire_admin_feed_init (WireAdminFeed *self)
{
  self->dirty = g_hash_table_new (NULL, NULL);
}

WireAdminFeed *
wire_admin_feed_new (WireGateway *gateway)
{
  WireAdminFeed *self;

  g_return_val_if_fail (WIRE_IS_GATEWAY (gateway), NULL);

  self = g_object_new (WIRE_TYPE_ADMIN_FEED, NULL);
  self->gateway = gateway;
  g_signal_connect_object (wire_gateway_get_router (gateway), "subscribed::admin",
                           G_CALLBACK (subscribed_cb), self, 0);
  return self;
}
