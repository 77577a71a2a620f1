/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  WIRE_PRIORITY_CRITICAL,
  WIRE_PRIORITY_HIGH,
  WIRE_PRIORITY_NORMAL,
  WIRE_PRIORITY_LOW,
} WirePriority;

#define WIRE_N_PRIORITIES 4

const char *wire_priority_to_string   (WirePriority  priority);
/* Returns FALSE for anything but "critical", "high", "normal", "low". */
gboolean    wire_priority_from_string (const char   *str,
                                       WirePriority *out_priority);

G_END_DECLS
