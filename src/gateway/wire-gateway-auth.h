/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-protocol.h"

G_BEGIN_DECLS

/* The gateway's authentication service (PROTOCOL.md §2.2–2.4): checks the first frame is a
 * well-formed auth request, verifies its HS256 token with the gateway's secret, and applies
 * the path checks of the endpoint. Returns the token's claims, or NULL with the auth_error
 * code in *@out_code ("bad_request", "invalid_token", "expired_token", "forbidden"), the close
 * code in *@out_close_code (4000, 4001, 4003) and the reason in @error. @env may be NULL (the
 * frame was not JSON). */
WireJwtClaims *wire_gateway_authenticate (GBytes            *secret,
                                          WireEndpointKind   kind,
                                          const char        *slot_id,
                                          WireEnvelope      *env,
                                          const char       **out_code,
                                          int               *out_close_code,
                                          GError           **error);

G_END_DECLS
