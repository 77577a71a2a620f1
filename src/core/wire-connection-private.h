/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-connection.h"

G_BEGIN_DECLS

/* For WireManager: the parsed URL's "host:port", the key of per-host limits. */
const char *wire_connection_get_host_key (WireConnection *self);

G_END_DECLS
