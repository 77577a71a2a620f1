/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-message-router.h"

G_BEGIN_DECLS

#define WIRE_TYPE_TRIP_SERVICE (wire_trip_service_get_type ())
G_DECLARE_FINAL_TYPE (WireTripService, wire_trip_service, WIRE, TRIP_SERVICE, GObject)

WireTripService *wire_trip_service_new   (WireGateway *gateway,
                                          GRand       *rand);
/* Starts the demo traffic (PROTOCOL.md §8); a no-op unless the gateway's demo is on. */
void             wire_trip_service_start (WireTripService *self);

G_END_DECLS
