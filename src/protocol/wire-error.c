#define G_LOG_DOMAIN "wire-protocol"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-error.h"
