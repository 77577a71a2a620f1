/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "wire-connection.h"

G_BEGIN_DECLS

#define WIRE_TYPE_CHANNEL_LIST (wire_channel_list_get_type ())
G_DECLARE_FINAL_TYPE (WireChannelList, wire_channel_list, WIRE, CHANNEL_LIST, GtkWidget)

/* The channels of a connection (granted at auth, subscribed later, or seen in traffic): state,
 * permissions from the channel policy, allowed events, the rate budget left, messages in and out
 * and the last event; with an entry to subscribe and unsubscribe, whose refusals (local policy
 * or the gateway's "denied") are shown inline. */
GtkWidget  *wire_channel_list_new            (void);
void        wire_channel_list_set_connection (WireChannelList *self,
                                              WireConnection  *connection);
/* Reads the connection's channel statistics again (the page calls it while shown). */
void        wire_channel_list_refresh        (WireChannelList *self);
GListModel *wire_channel_list_get_model      (WireChannelList *self);
/* What the inline feedback says, for tests. */
const char *wire_channel_list_get_feedback   (WireChannelList *self);

G_END_DECLS
