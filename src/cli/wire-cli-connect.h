/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses of wirescope-cli. */
enum
{
  WIRE_CLI_EXIT_OK = 0,
  WIRE_CLI_EXIT_FAILED = 1,          /* a connection ended in an error state for another reason */
  WIRE_CLI_EXIT_USAGE = 2,
  WIRE_CLI_EXIT_AUTH_REFUSED = 3,    /* 4000, 4003, or 4001 after one token refresh */
  WIRE_CLI_EXIT_GAVE_UP = 4,         /* reconnect-max-attempts used up */
};

/* `wirescope-cli connect …`; @argv[0] is "connect". Returns the exit status. */
int wire_cli_connect_run (int    argc,
                          char **argv);

G_END_DECLS
