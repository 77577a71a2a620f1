/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-gateway-session.h"

G_BEGIN_DECLS

/* The slot rules of PROTOCOL.md §1: which connections hold each endpoint's slot (a chat
 * session, a user, a trip), supersede (4009) and a full slot (4029). Sessions are borrowed:
 * a session leaves its slot before it goes away. */
typedef struct _WireSlotTable WireSlotTable;

WireSlotTable *wire_slot_table_new   (WireGateway        *gateway);
void           wire_slot_table_free  (WireSlotTable      *table);
/* Supersedes this user's older connections to the slot, then takes a place, or returns FALSE
 * with *@out_code = 4029 when the slot already has its limit of distinct users. */
gboolean       wire_slot_table_admit (WireSlotTable      *table,
                                      WireGatewaySession *session,
                                      int                *out_code);
void           wire_slot_table_leave (WireSlotTable      *table,
                                      WireGatewaySession *session);
/* Slots with at least one connection. */
guint          wire_slot_table_get_size (WireSlotTable   *table);

G_END_DECLS
