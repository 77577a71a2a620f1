/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "wire-connection.h"

G_BEGIN_DECLS

#define WIRE_TYPE_CHANNEL_ITEM (wire_channel_item_get_type ())
G_DECLARE_FINAL_TYPE (WireChannelItem, wire_channel_item, WIRE, CHANNEL_ITEM, GObject)

/* One channel of a connection in the channel list: what the policy says about it and its
 * traffic. The item lives as long as the channel is listed and is updated in place; "changed"
 * tells the cells showing it to read it again. The rate budget is a client-side estimate: a token
 * bucket with the policy's rate and burst that every message sent on the channel takes from. */
WireChannelItem *wire_channel_item_new               (const char             *channel,
                                                      const WireChannelRule  *rule);
const char      *wire_channel_item_get_channel       (WireChannelItem        *self);
/* Returns TRUE when something shown changed (and emits "changed"). @stats may be NULL. */
gboolean         wire_channel_item_update            (WireChannelItem        *self,
                                                      const WireChannelStats *stats,
                                                      gboolean                available,
                                                      gint64                  now_us);

gboolean         wire_channel_item_get_subscribed    (WireChannelItem        *self);
char            *wire_channel_item_dup_state_text    (WireChannelItem        *self);
char            *wire_channel_item_dup_permissions_text (WireChannelItem     *self);
const char      *wire_channel_item_get_events_text   (WireChannelItem        *self);
char            *wire_channel_item_dup_budget_text   (WireChannelItem        *self,
                                                      gint64                  now_us);
guint64          wire_channel_item_get_messages_in   (WireChannelItem        *self);
guint64          wire_channel_item_get_messages_out  (WireChannelItem        *self);
char            *wire_channel_item_dup_last_event_text (WireChannelItem      *self);

G_END_DECLS
