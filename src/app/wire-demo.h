/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "wire-core.h"

G_BEGIN_DECLS

typedef enum
{
  WIRE_DEMO_FAULT_DROP_ALL,    /* every connection loses its TCP link (1006) */
  WIRE_DEMO_FAULT_DROP_ONE,    /* only the given connection */
  WIRE_DEMO_FAULT_STALL,       /* the gateway stops answering for a while (half-open) */
  WIRE_DEMO_FAULT_LATENCY,     /* every frame and health answer is delayed */
  WIRE_DEMO_FAULT_REFUSE,      /* new upgrades are refused with 503 for a while */
  WIRE_DEMO_FAULT_CLEAR,       /* ends every active fault */
} WireDemoFault;

#define WIRE_DEMO_STALL_MS    8000
#define WIRE_DEMO_LATENCY_MS  1500
#define WIRE_DEMO_REFUSE_MS   10000

#define WIRE_TYPE_DEMO (wire_demo_get_type ())
G_DECLARE_FINAL_TYPE (WireDemo, wire_demo, WIRE, DEMO, GObject)

/* Demo mode: the reference gateway runs in-process on a free loopback port with demo traffic,
 * tokens are minted with its secret, and one connection of each type (plus a second trip
 * collaborator and an admin connection) is added to @manager and connected. */
WireDemo    *wire_demo_new          (WireManager     *manager);
gboolean     wire_demo_start        (WireDemo        *self,
                                     GError         **error);
/* "ws://127.0.0.1:PORT", or NULL before start. */
const char  *wire_demo_get_url      (WireDemo        *self);
/* The connections the demo opened, in the order above. */
GPtrArray   *wire_demo_get_connections (WireDemo     *self);
/* @target: the connection for WIRE_DEMO_FAULT_DROP_ONE (ignored otherwise). */
gboolean     wire_demo_apply_fault  (WireDemo        *self,
                                     WireDemoFault    fault,
                                     WireConnection  *target,
                                     GError         **error);

/* The fault named @nick, as the targets of win.fault spell them: drop-all, drop-one, stall,
 * latency, refuse, clear. FALSE for any other name. */
gboolean     wire_demo_fault_from_nick (const char    *nick,
                                        WireDemoFault *fault);
/* What @fault does, in one sentence for a toast once it is applied. */
const char  *wire_demo_fault_describe  (WireDemoFault  fault);

G_END_DECLS
