#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-test-util.h"

gboolean
wire_test_timeout_flag_cb (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

void
wire_test_spin_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, wire_test_timeout_flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

const WireTransition *
wire_test_last_transition_to (WireConnection      *connection,
                              WireConnectionState  to)
{
  GPtrArray *rows = wire_connection_get_transitions (connection);

  for (guint i = rows->len; i > 0; i--)
    {
      const WireTransition *row = g_ptr_array_index (rows, i - 1);

      if (row->to == to)
        return row;
    }
  return NULL;
}
