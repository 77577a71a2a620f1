/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* PROTOCOL.md §6. */
typedef enum
{
  WIRE_CLOSE_NORMAL            = 1000,
  WIRE_CLOSE_GOING_AWAY        = 1001,
  WIRE_CLOSE_UNSUPPORTED_DATA  = 1003,
  WIRE_CLOSE_ABNORMAL          = 1006,
  WIRE_CLOSE_POLICY_VIOLATION  = 1008,
  WIRE_CLOSE_TOO_BIG           = 1009,
  WIRE_CLOSE_SERVER_ERROR      = 1011,
  WIRE_CLOSE_SERVICE_RESTART   = 1012,
  WIRE_CLOSE_TRY_AGAIN_LATER   = 1013,
  WIRE_CLOSE_BAD_REQUEST       = 4000,
  WIRE_CLOSE_INVALID_TOKEN     = 4001,
  WIRE_CLOSE_FORBIDDEN         = 4003,
  WIRE_CLOSE_AUTH_TIMEOUT      = 4008,
  WIRE_CLOSE_SUPERSEDED        = 4009,
  WIRE_CLOSE_IDLE              = 4010,
  WIRE_CLOSE_SLOT_FULL         = 4029,
} WireCloseCode;

/* What the client does after a close (the right-hand column of §6). */
typedef enum
{
  WIRE_CLOSE_ACTION_STAY_DISCONNECTED,   /* 1000, 4009 */
  WIRE_CLOSE_ACTION_RECONNECT,           /* 1001, 1006, 1011, 1012, 4008, 4010, 4029, unknown */
  WIRE_CLOSE_ACTION_RECONNECT_SLOW,      /* 1013: at least 5 s later */
  WIRE_CLOSE_ACTION_RECONNECT_AFTER_ERROR, /* 1009: fail the message, then reconnect */
  WIRE_CLOSE_ACTION_REFRESH_TOKEN,       /* 4001: ask the token source once, then error */
  WIRE_CLOSE_ACTION_ERROR,               /* 1003, 1008, 4000, 4003 */
} WireCloseAction;

#define WIRE_CLOSE_SLOW_RECONNECT_MIN_MS 5000

/* Codes outside the table mean WIRE_CLOSE_ACTION_RECONNECT (with backoff). */
WireCloseAction  wire_close_code_action   (int code);
/* A short translatable sentence for people ("Superseded by a newer connection"). */
const char      *wire_close_code_describe (int code);
/* The symbolic name ("superseded"), stable, for logs and JSON; "unknown" outside the table. */
const char      *wire_close_code_nick     (int code);

G_END_DECLS
