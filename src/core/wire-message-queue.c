#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-message-queue.h"
