/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "wire-gateway-private.h"

G_BEGIN_DECLS

#define WIRE_TYPE_FAULT_INJECTOR (wire_fault_injector_get_type ())
G_DECLARE_FINAL_TYPE (WireFaultInjector, wire_fault_injector, WIRE, FAULT_INJECTOR, GObject)

/* The faults of PROTOCOL.md §7: drop, close, stall, latency, refuse, clear. */
WireFaultInjector *wire_fault_injector_new   (WireGateway       *gateway);
/* WIRE_ERROR_INVALID_ARGUMENT for an unknown action, a missing field or an unknown target. */
gboolean           wire_fault_injector_apply (WireFaultInjector *self,
                                              JsonObject        *fault,
                                              GError           **error);

G_END_DECLS
