#define G_LOG_DOMAIN "wire-fuzz"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The gateway's token parsing and verification: any bytes as a token. A token the fuzzer did not
 * sign with the secret must never verify; decoding without verification must never crash. */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "wire-protocol.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const guint8 secret[] = "fuzzing-secret-that-the-input-cannot-know";

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *token = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(WireJwtClaims) verified = NULL;
  g_autoptr(WireJwtClaims) decoded = NULL;

  verified = wire_jwt_verify_hs256 (token, secret, sizeof secret - 1, 1700000000, WIRE_JWT_LEEWAY_S, &error);
  if (verified != NULL)
    {
      /* Only a correctly signed token may pass: recompute its signature independently. */
      const char *dot = strrchr (token, '.');
      g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, secret, sizeof secret - 1);
      guint8 digest[32];
      gsize digest_len = sizeof digest;
      g_autofree char *expected = NULL;

      g_assert_nonnull (dot);
      g_hmac_update (hmac, (const guchar *) token, dot - token);
      g_hmac_get_digest (hmac, digest, &digest_len);
      expected = wire_base64url_encode (digest, digest_len);
      g_assert_cmpstr (expected, ==, dot + 1);
      g_assert_nonnull (verified->sub);
      g_assert_cmpint (verified->exp, >, 0);
    }
  else
    {
      g_assert_true (error->domain == WIRE_ERROR);
    }

  decoded = wire_jwt_decode_unverified (token, NULL);
  return 0;
}
