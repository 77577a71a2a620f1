#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-gateway-auth.h"

static gboolean
strv_contains_opt (char       **strv,
                   const char  *str)
{
  return strv != NULL && g_strv_contains ((const char * const *) strv, str);
}

static WireJwtClaims *
refuse (const char   *code,
        int           close_code,
        const char   *message,
        const char  **out_code,
        int          *out_close_code,
        GError      **error)
{
  *out_code = code;
  *out_close_code = close_code;
  g_set_error_literal (error, WIRE_ERROR,
                       close_code == WIRE_CLOSE_FORBIDDEN ? WIRE_ERROR_FORBIDDEN
                                                          : WIRE_ERROR_AUTH_FAILED,
                       message);
  return NULL;
}

/* Path checks (PROTOCOL.md §2.4): NULL when the claims may use this endpoint and slot. */
static const char *
path_refusal (WireJwtClaims    *claims,
              WireEndpointKind  kind,
              const char       *slot_id,
              WireEnvelope     *env)
{
  switch (kind)
    {
    case WIRE_ENDPOINT_AGENT_STATUS:
    case WIRE_ENDPOINT_NOTIFICATIONS:
      if (g_strcmp0 (slot_id, claims->sub) != 0)
        return "The path names another user";
      return NULL;
    case WIRE_ENDPOINT_TRIP_COLLAB:
      if (!strv_contains_opt (claims->trips, slot_id))
        return "The token does not grant this trip";
      return NULL;
    case WIRE_ENDPOINT_CHAT:
      if (env->session_id != NULL && g_strcmp0 (env->session_id, slot_id) != 0)
        return "sessionId does not match the path";
      if (claims->sessions != NULL && !strv_contains_opt (claims->sessions, slot_id))
        return "The token does not grant this chat session";
      return NULL;
    case WIRE_ENDPOINT_ADMIN:
    default:
      if (!wire_jwt_claims_is_admin (claims))
        return "The admin endpoint needs role admin";
      return NULL;
    }
}

WireJwtClaims *
wire_gateway_authenticate (GBytes            *secret,
                           WireEndpointKind   kind,
                           const char        *slot_id,
                           WireEnvelope      *env,
                           const char       **out_code,
                           int               *out_close_code,
                           GError           **error)
{
  g_autoptr (WireJwtClaims) claims = NULL;
  g_autoptr (GError) local_error = NULL;
  g_auto (GStrv) channels = NULL;
  const char *refusal;
  gsize secret_len;
  const guint8 *secret_data;

  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (out_code != NULL && out_close_code != NULL, NULL);

  if (env == NULL || env->frame_type != WIRE_FRAME_AUTH)
    return refuse ("bad_request", WIRE_CLOSE_BAD_REQUEST,
                   "The first frame must be an auth request", out_code, out_close_code, error);
  if (env->token == NULL || env->token[0] == '\0')
    return refuse ("bad_request", WIRE_CLOSE_BAD_REQUEST, "The auth request carries no token",
                   out_code, out_close_code, error);
  if (wire_envelope_has_member (env, "channels")
      && (channels = wire_envelope_dup_member_strv (env, "channels")) == NULL)
    return refuse ("bad_request", WIRE_CLOSE_BAD_REQUEST, "channels must be an array of strings",
                   out_code, out_close_code, error);
  if (env->session_id != NULL && !wire_id_is_valid (env->session_id))
    return refuse ("bad_request", WIRE_CLOSE_BAD_REQUEST, "Invalid sessionId", out_code,
                   out_close_code, error);

  secret_data = g_bytes_get_data (secret, &secret_len);
  claims = wire_jwt_verify_hs256 (env->token, secret_data, secret_len,
                                  g_get_real_time () / G_USEC_PER_SEC, WIRE_JWT_LEEWAY_S,
                                  &local_error);
  if (claims == NULL)
    {
      gboolean expired = g_error_matches (local_error, WIRE_ERROR, WIRE_ERROR_TOKEN_EXPIRED);

      *out_code = expired ? "expired_token" : "invalid_token";
      *out_close_code = WIRE_CLOSE_INVALID_TOKEN;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  refusal = path_refusal (claims, kind, slot_id, env);
  if (refusal != NULL)
    return refuse ("forbidden", WIRE_CLOSE_FORBIDDEN, refusal, out_code, out_close_code, error);
  return g_steal_pointer (&claims);
}
