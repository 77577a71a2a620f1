/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define WIRE_ERROR (wire_error_quark ())

/* One error domain for every layer; each code names a cause a user can act on. */
typedef enum
{
  WIRE_ERROR_FAILED,
  WIRE_ERROR_INVALID_ARGUMENT,   /* bad URL, bad id, bad option value */
  WIRE_ERROR_BAD_FRAME,          /* not JSON, not an object, missing or mistyped fields */
  WIRE_ERROR_UNKNOWN_TYPE,
  WIRE_ERROR_TOKEN_INVALID,      /* malformed JWT, bad signature, wrong alg */
  WIRE_ERROR_TOKEN_EXPIRED,
  WIRE_ERROR_FORBIDDEN,          /* path, user, role, channel or Origin */
  WIRE_ERROR_NOT_SUBSCRIBED,
  WIRE_ERROR_PUBLISH_DENIED,
  WIRE_ERROR_FORBIDDEN_EVENT,
  WIRE_ERROR_RATE_LIMITED,
  WIRE_ERROR_TOO_LARGE,
  WIRE_ERROR_QUEUE_FULL,         /* reject-new overflow policy */
  WIRE_ERROR_OVERFLOW,           /* dropped by the drop-lowest overflow policy */
  WIRE_ERROR_RETRIES_EXHAUSTED,
  WIRE_ERROR_TIMEOUT,
  WIRE_ERROR_CLOSED,             /* the connection was closed for good */
  WIRE_ERROR_LIMIT_REACHED,      /* a per-type or pool connection limit */
  WIRE_ERROR_AUTH_FAILED,
} WireError;

GQuark       wire_error_quark          (void);

/* Maps a PROTOCOL.md §2/§4 error code ("rate_limited", …) to a WireError and back: an unknown
 * or NULL code gives WIRE_ERROR_FAILED, an error without a wire form gives NULL. "bad_request"
 * is WIRE_ERROR_INVALID_ARGUMENT. */
WireError    wire_error_from_wire_code (const char *code);
const char  *wire_error_to_wire_code   (WireError   error);

G_END_DECLS
