/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "wire-connection.h"

G_BEGIN_DECLS

/* Waits happen on the main loop, never in sleep: a timeout source only bounds the wait, so a
 * slow machine makes a test slower, not red. */
#define WIRE_TEST_TIMEOUT_MS 20000

gboolean wire_test_timeout_flag_cb (gpointer user_data);

#define WIRE_TEST_WAIT_UNTIL(cond)                                              \
  G_STMT_START                                                                  \
  {                                                                             \
    gboolean wait_timed_out_ = FALSE;                                           \
    guint wait_source_ = g_timeout_add (WIRE_TEST_TIMEOUT_MS,                   \
                                        wire_test_timeout_flag_cb,              \
                                        &wait_timed_out_);                      \
    while (!(cond) && !wait_timed_out_)                                         \
      g_main_context_iteration (NULL, TRUE);                                    \
    if (!wait_timed_out_)                                                       \
      g_source_remove (wait_source_);                                           \
    if (!(cond))                                                                \
      g_error ("Timed out after %d ms waiting for: %s", WIRE_TEST_TIMEOUT_MS,   \
               #cond);                                                          \
  }                                                                             \
  G_STMT_END

/* Runs the main loop for @ms: used only to show that something does NOT happen (no reconnect
 * after 1000), never to wait for something that should. */
void     wire_test_spin_ms          (guint ms);

/* The latest transition of @connection into @to, or NULL. */
const WireTransition *wire_test_last_transition_to (WireConnection      *connection,
                                                    WireConnectionState  to);

G_END_DECLS
