/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-core.h"

G_BEGIN_DECLS

/* Writes what happens during `connect` to standard output, as one JSON object per line (--json)
 * or as a readable live log. Every line carries the time since the command started ("t", ms on
 * the monotonic clock) and, for connection events, the connection's position on the command
 * line ("connection", from 0). */
typedef struct _WireCliReporter WireCliReporter;

WireCliReporter *wire_cli_reporter_new        (gboolean               json);
void             wire_cli_reporter_free       (WireCliReporter       *self);
gboolean         wire_cli_reporter_is_json    (WireCliReporter       *self);

void             wire_cli_reporter_state      (WireCliReporter       *self,
                                               guint                  index,
                                               WireConnection        *connection,
                                               const WireTransition  *transition);
void             wire_cli_reporter_message    (WireCliReporter       *self,
                                               guint                  index,
                                               WireEnvelope          *envelope);
void             wire_cli_reporter_subscribed (WireCliReporter       *self,
                                               guint                  index,
                                               char                 **granted,
                                               char                 **denied);
void             wire_cli_reporter_network    (WireCliReporter       *self,
                                               WireNetworkStatus      status,
                                               gint64                 latency_ms);
/* Metrics of one connection with its queue depth per priority; @final at exit. */
void             wire_cli_reporter_metrics    (WireCliReporter       *self,
                                               guint                  index,
                                               WireConnection        *connection,
                                               gboolean               final);
/* A publish's outcome: @error NULL means acknowledged with @status. */
void             wire_cli_reporter_publish    (WireCliReporter       *self,
                                               guint                  index,
                                               const char            *id,
                                               guint                  line,
                                               const char            *status,
                                               const GError          *error);
void             wire_cli_reporter_listening  (WireCliReporter       *self,
                                               const char            *url);
/* How a connection ended (the live log only; JSON readers have the state event). */
void             wire_cli_reporter_ended      (WireCliReporter       *self,
                                               guint                  index,
                                               const char            *outcome,
                                               const char            *error,
                                               int                    close_code);
/* A line for people only (the live log); JSON output stays machine-readable. */
void             wire_cli_reporter_note       (WireCliReporter       *self,
                                               const char            *text);
void             wire_cli_reporter_exit       (WireCliReporter       *self,
                                               int                    status,
                                               const char            *reason);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WireCliReporter, wire_cli_reporter_free)

G_END_DECLS
