#define G_LOG_DOMAIN "wire-protocol"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "wire-close-code.h"

/* PROTOCOL.md §6, one row per code. */
static const struct
{
  int              code;
  WireCloseAction  action;
  const char      *nick;
  const char      *description;
} close_codes[] = {
  { WIRE_CLOSE_NORMAL, WIRE_CLOSE_ACTION_STAY_DISCONNECTED,
    "normal", N_("Closed normally") },
  { WIRE_CLOSE_GOING_AWAY, WIRE_CLOSE_ACTION_RECONNECT,
    "going-away", N_("The gateway is going away") },
  { WIRE_CLOSE_UNSUPPORTED_DATA, WIRE_CLOSE_ACTION_ERROR,
    "unsupported-data", N_("A binary frame was sent; only text frames are accepted") },
  { WIRE_CLOSE_ABNORMAL, WIRE_CLOSE_ACTION_RECONNECT,
    "abnormal", N_("The connection was lost without a close frame") },
  { WIRE_CLOSE_POLICY_VIOLATION, WIRE_CLOSE_ACTION_ERROR,
    "policy-violation", N_("Closed for a policy violation (too many bad frames)") },
  { WIRE_CLOSE_TOO_BIG, WIRE_CLOSE_ACTION_RECONNECT_AFTER_ERROR,
    "too-big", N_("A frame was larger than the gateway accepts") },
  { WIRE_CLOSE_SERVER_ERROR, WIRE_CLOSE_ACTION_RECONNECT,
    "server-error", N_("The gateway had an internal error") },
  { WIRE_CLOSE_SERVICE_RESTART, WIRE_CLOSE_ACTION_RECONNECT,
    "service-restart", N_("The gateway is restarting") },
  { WIRE_CLOSE_TRY_AGAIN_LATER, WIRE_CLOSE_ACTION_RECONNECT_SLOW,
    "try-again-later", N_("The gateway is overloaded; try again later") },
  { WIRE_CLOSE_BAD_REQUEST, WIRE_CLOSE_ACTION_ERROR,
    "bad-request", N_("The authentication request was malformed") },
  { WIRE_CLOSE_INVALID_TOKEN, WIRE_CLOSE_ACTION_REFRESH_TOKEN,
    "invalid-token", N_("The token is invalid or has expired") },
  { WIRE_CLOSE_FORBIDDEN, WIRE_CLOSE_ACTION_ERROR,
    "forbidden", N_("Access forbidden for this path, user, role or origin") },
  { WIRE_CLOSE_AUTH_TIMEOUT, WIRE_CLOSE_ACTION_RECONNECT,
    "auth-timeout", N_("No authentication request arrived in time") },
  { WIRE_CLOSE_SUPERSEDED, WIRE_CLOSE_ACTION_STAY_DISCONNECTED,
    "superseded", N_("Superseded by a newer connection") },
  { WIRE_CLOSE_IDLE, WIRE_CLOSE_ACTION_RECONNECT,
    "idle", N_("Closed after being idle for too long") },
  { WIRE_CLOSE_SLOT_FULL, WIRE_CLOSE_ACTION_RECONNECT,
    "slot-full", N_("The connection limit for this slot is reached") },
};

static int
find_code (int code)
{
  for (guint i = 0; i < G_N_ELEMENTS (close_codes); i++)
    if (close_codes[i].code == code)
      return (int) i;
  return -1;
}

/**
 * wire_close_code_action:
 * @code: a WebSocket close code
 *
 * Returns: what the client does next; codes not in PROTOCOL.md §6 mean reconnect (with
 *   backoff), since an unknown code says nothing against trying again.
 */
WireCloseAction
wire_close_code_action (int code)
{
  int i = find_code (code);

  if (i < 0)
    return WIRE_CLOSE_ACTION_RECONNECT;

  return close_codes[i].action;
}

const char *
wire_close_code_describe (int code)
{
  int i = find_code (code);

  if (i < 0)
    return _("Closed with an unknown code");

  return _(close_codes[i].description);
}

const char *
wire_close_code_nick (int code)
{
  int i = find_code (code);

  if (i < 0)
    return "unknown";

  return close_codes[i].nick;
}
