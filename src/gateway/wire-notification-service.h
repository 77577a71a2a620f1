/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-message-router.h"

G_BEGIN_DECLS

#define WIRE_TYPE_NOTIFICATION_SERVICE (wire_notification_service_get_type ())
G_DECLARE_FINAL_TYPE (WireNotificationService, wire_notification_service, WIRE, NOTIFICATION_SERVICE, GObject)

WireNotificationService *wire_notification_service_new   (WireGateway *gateway,
                                          GRand       *rand);
/* Starts the demo traffic (PROTOCOL.md §8); a no-op unless the gateway's demo is on. */
void             wire_notification_service_start (WireNotificationService *self);

G_END_DECLS
