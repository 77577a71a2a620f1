/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "wire-config.h"

G_BEGIN_DECLS

/* A GOptionGroup with a flag for every WireConfig setting: each unsigned property becomes
 * --NAME (the property's own name, e.g. --reconnect-max-attempts), plus --jitter, --overflow,
 * --health-path, --ca-file, --insecure, --header and --no-deflate. Values are checked while the
 * command line is parsed, so a bad value is a usage error with a message that names the flag.
 * The group keeps a reference to @config and writes into it. */
GOptionGroup *wire_cli_config_option_group_new (WireConfig *config);

G_END_DECLS
