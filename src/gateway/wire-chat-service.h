/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-message-router.h"

G_BEGIN_DECLS

#define WIRE_TYPE_CHAT_SERVICE (wire_chat_service_get_type ())
G_DECLARE_FINAL_TYPE (WireChatService, wire_chat_service, WIRE, CHAT_SERVICE, GObject)

WireChatService *wire_chat_service_new   (WireGateway *gateway,
                                          GRand       *rand);
/* Starts the demo traffic (PROTOCOL.md §8); a no-op unless the gateway's demo is on. */
void             wire_chat_service_start (WireChatService *self);

G_END_DECLS
