#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-transition-item.h"

struct _WireTransitionItem
{
  GObject         parent_instance;

  WireTransition *transition;
};

G_DEFINE_FINAL_TYPE (WireTransitionItem, wire_transition_item, G_TYPE_OBJECT)

static void
wire_transition_item_finalize (GObject *object)
{
  WireTransitionItem *self = WIRE_TRANSITION_ITEM (object);

  g_clear_pointer (&self->transition, wire_transition_free);

  G_OBJECT_CLASS (wire_transition_item_parent_class)->finalize (object);
}

static void
wire_transition_item_class_init (WireTransitionItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wire_transition_item_finalize;
}

static void
wire_transition_item_init (WireTransitionItem *self)
{
}

WireTransitionItem *
wire_transition_item_new (const WireTransition *transition)
{
  WireTransitionItem *self;

  g_return_val_if_fail (transition != NULL, NULL);

  self = g_object_new (WIRE_TYPE_TRANSITION_ITEM, NULL);
  self->transition = wire_transition_copy (transition);

  return self;
}

const WireTransition *
wire_transition_item_get_transition (WireTransitionItem *self)
{
  g_return_val_if_fail (WIRE_IS_TRANSITION_ITEM (self), NULL);
  return self->transition;
}
