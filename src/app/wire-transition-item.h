/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "wire-connection.h"

G_BEGIN_DECLS

#define WIRE_TYPE_TRANSITION_ITEM (wire_transition_item_get_type ())
G_DECLARE_FINAL_TYPE (WireTransitionItem, wire_transition_item, WIRE, TRANSITION_ITEM, GObject)

/* A WireTransition as a list item for the timeline (GListStore holds objects only). */
WireTransitionItem   *wire_transition_item_new            (const WireTransition *transition);
const WireTransition *wire_transition_item_get_transition (WireTransitionItem   *self);

G_END_DECLS
