#define G_LOG_DOMAIN "wire-protocol"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-priority.h"

static const char * const priority_names[WIRE_N_PRIORITIES] = {
  "critical", "high", "normal", "low",
};

const char *
wire_priority_to_string (WirePriority priority)
{
  g_return_val_if_fail ((guint) priority < WIRE_N_PRIORITIES, "normal");

  return priority_names[priority];
}

gboolean
wire_priority_from_string (const char   *str,
                           WirePriority *out_priority)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < WIRE_N_PRIORITIES; i++)
    {
      if (strcmp (str, priority_names[i]) == 0)
        {
          if (out_priority != NULL)
            *out_priority = (WirePriority) i;
          return TRUE;
        }
    }

  return FALSE;
}
