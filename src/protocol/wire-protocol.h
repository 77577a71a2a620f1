/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What both ends of the wire agree on (PROTOCOL.md, version 1). */

#include "wire-error.h"
#include "wire-close-code.h"
#include "wire-priority.h"
#include "wire-endpoint.h"
#include "wire-envelope.h"
#include "wire-frame-writer.h"
#include "wire-channel-policy.h"
#include "wire-token-bucket.h"
#include "wire-jwt.h"
#include "wire-dedup-cache.h"

#define WIRE_PROTOCOL_VERSION            1
#define WIRE_DEFAULT_AUTH_TIMEOUT_MS     5000
#define WIRE_DEFAULT_HEARTBEAT_MS        30000
#define WIRE_DEFAULT_MAX_MESSAGE_BYTES   65536
#define WIRE_DEFAULT_DEDUP_TTL_MS        300000
#define WIRE_MAX_PUBLISH_ID_LEN          128
#define WIRE_BAD_FRAME_FLOOD_COUNT       20
#define WIRE_BAD_FRAME_FLOOD_WINDOW_MS   10000
#define WIRE_IDLE_HEARTBEATS             3
#define WIRE_HEALTH_PATH                 "/api/health"
#define WIRE_FAULTS_PATH                 "/api/faults"
