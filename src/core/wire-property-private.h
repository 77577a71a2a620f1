/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The setter of an unsigned property: stores @value in @field and notifies @pspec, only when
 * the value changes. Returns whether it changed. */
static inline gboolean
wire_object_set_uint (gpointer    object,
                      guint      *field,
                      guint       value,
                      GParamSpec *pspec)
{
  if (*field == value)
    return FALSE;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (object), pspec);
  return TRUE;
}

G_END_DECLS
