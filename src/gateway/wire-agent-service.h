/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-message-router.h"

G_BEGIN_DECLS

#define WIRE_TYPE_AGENT_SERVICE (wire_agent_service_get_type ())
G_DECLARE_FINAL_TYPE (WireAgentService, wire_agent_service, WIRE, AGENT_SERVICE, GObject)

WireAgentService *wire_agent_service_new   (WireGateway *gateway,
                                          GRand       *rand);
/* Starts the demo traffic (PROTOCOL.md §8); a no-op unless the gateway's demo is on. */
void             wire_agent_service_start (WireAgentService *self);

G_END_DECLS
