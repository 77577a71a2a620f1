/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-protocol.h"
#include "wire-config.h"
#include "wire-backoff.h"
#include "wire-network-monitor.h"
#include "wire-message-queue.h"
#include "wire-connection.h"
#include "wire-manager.h"
#include "wire-core-enums.h"
