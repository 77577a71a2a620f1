/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define WIRE_JWT_MAX_BYTES 8192
#define WIRE_JWT_LEEWAY_S  30

/* PROTOCOL.md §2.3. Times in seconds since the epoch; 0 = absent (for iat/nbf). */
typedef struct
{
  char   *sub;
  char   *role;       /* "user" when absent */
  gint64  exp;
  gint64  iat;
  gint64  nbf;
  char  **trips;      /* never NULL after decoding: an empty list when absent */
  char  **sessions;   /* NULL when the claim is absent */
} WireJwtClaims;

WireJwtClaims *wire_jwt_claims_new          (void);
WireJwtClaims *wire_jwt_claims_copy         (const WireJwtClaims *claims);
void           wire_jwt_claims_free         (WireJwtClaims       *claims);
gboolean       wire_jwt_claims_is_admin     (const WireJwtClaims *claims);

/* A compact HS256 JWT of @claims (iat/nbf written only when non-zero). */
char          *wire_jwt_sign_hs256          (const WireJwtClaims *claims,
                                             const guint8        *secret,
                                             gsize                secret_len);
/* Verifies signature (constant-time), alg (HS256 only; "none" and all others refused),
 * size (WIRE_JWT_MAX_BYTES), exp (required), nbf and iat with @leeway_s, sub (required).
 * Errors: WIRE_ERROR_TOKEN_INVALID, WIRE_ERROR_TOKEN_EXPIRED. */
WireJwtClaims *wire_jwt_verify_hs256        (const char          *token,
                                             const guint8        *secret,
                                             gsize                secret_len,
                                             gint64               now_s,
                                             gint64               leeway_s,
                                             GError             **error);
/* Reads the claims without verifying: the client shows the expiry countdown with it. */
WireJwtClaims *wire_jwt_decode_unverified   (const char          *token,
                                             GError             **error);

/* base64url without padding. */
char          *wire_base64url_encode        (const guint8        *data,
                                             gsize                len);
guint8        *wire_base64url_decode        (const char          *text,
                                             gsize                text_len,
                                             gsize               *out_len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WireJwtClaims, wire_jwt_claims_free)

G_END_DECLS
