#define G_LOG_DOMAIN "wire-protocol"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-error.h"

G_DEFINE_QUARK (wire-error-quark, wire_error)

/* PROTOCOL.md §2 and §4 error codes, in one table so both directions agree. */
static const struct
{
  const char *code;
  WireError   error;
} wire_codes[] = {
  { "bad_frame",       WIRE_ERROR_BAD_FRAME },
  { "unknown_type",    WIRE_ERROR_UNKNOWN_TYPE },
  { "not_subscribed",  WIRE_ERROR_NOT_SUBSCRIBED },
  { "publish_denied",  WIRE_ERROR_PUBLISH_DENIED },
  { "forbidden_event", WIRE_ERROR_FORBIDDEN_EVENT },
  { "rate_limited",    WIRE_ERROR_RATE_LIMITED },
  { "too_large",       WIRE_ERROR_TOO_LARGE },
  { "invalid_token",   WIRE_ERROR_TOKEN_INVALID },
  { "expired_token",   WIRE_ERROR_TOKEN_EXPIRED },
  { "forbidden",       WIRE_ERROR_FORBIDDEN },
  { "bad_request",     WIRE_ERROR_INVALID_ARGUMENT },
};

/**
 * wire_error_from_wire_code:
 * @code: (nullable): a code as sent on the wire
 *
 * Returns: the matching #WireError, or %WIRE_ERROR_FAILED for %NULL or a code this version
 *   does not know.
 */
WireError
wire_error_from_wire_code (const char *code)
{
  if (code == NULL)
    return WIRE_ERROR_FAILED;

  for (gsize i = 0; i < G_N_ELEMENTS (wire_codes); i++)
    if (strcmp (wire_codes[i].code, code) == 0)
      return wire_codes[i].error;

  return WIRE_ERROR_FAILED;
}

/**
 * wire_error_to_wire_code:
 * @error: a #WireError
 *
 * Returns: the wire code for @error, or %NULL when the error has no wire form (it is local
 *   to one end, like %WIRE_ERROR_QUEUE_FULL).
 */
const char *
wire_error_to_wire_code (WireError error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (wire_codes); i++)
    if (wire_codes[i].error == error)
      return wire_codes[i].code;

  return NULL;
}
