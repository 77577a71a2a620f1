/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `wirescope-cli export RECORDING.ndjson --format FORMAT [--output FILE]`: reads a recording
 * written by `connect --record FILE.ndjson` (or exported as NDJSON by the app) and writes it in
 * another format. @argv[0] is "export". Returns the exit status. */
int wire_cli_export_run (int    argc,
                         char **argv);

G_END_DECLS
