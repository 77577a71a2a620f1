#define G_LOG_DOMAIN "wire-cli"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "wire-cli-connect.h"
#include "wire-cli-export.h"

static void
print_usage (FILE *stream)
{
  fprintf (stream,
           "Usage: wirescope-cli COMMAND [OPTION…]\n"
           "\n"
           "Commands:\n"
           "  connect URL…   Connect to a gateway and log states, messages and metrics\n"
           "  export FILE    Convert a recording (connect --record) to CSV, NDJSON,\n"
           "                 OpenMetrics or HAR\n"
           "\n"
           "Run “wirescope-cli COMMAND --help” for the options of a command.\n");
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  /* Events are read live by people and by scripts: one line, one write. */
  setvbuf (stdout, NULL, _IOLBF, 0);

  if (argc < 2)
    {
      print_usage (stderr);
      return WIRE_CLI_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")
      || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return WIRE_CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("wirescope-cli %s\n", PACKAGE_VERSION);
      return WIRE_CLI_EXIT_OK;
    }
  /* The program name is what --help shows in its usage line. */
  if (g_str_equal (argv[1], "connect"))
    {
      g_set_prgname ("wirescope-cli connect");
      return wire_cli_connect_run (argc - 1, argv + 1);
    }
  if (g_str_equal (argv[1], "export"))
    {
      g_set_prgname ("wirescope-cli export");
      return wire_cli_export_run (argc - 1, argv + 1);
    }
  g_set_prgname ("wirescope-cli");

  fprintf (stderr, "wirescope-cli: unknown command “%s”\n\n", argv[1]);
  print_usage (stderr);
  return WIRE_CLI_EXIT_USAGE;
}
