#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-protocol.h"

#define SECRET ((const guint8 *) "test-secret")
#define SECRET_LEN 11
#define NOW 1800000000

/* Builds a token with any header and payload, signed with HS256 under @secret (or with the
 * given raw signature part). */
static char *
make_token (const char *header_json,
            const char *payload_json,
            const char *secret,
            const char *signature_part)
{
  g_autofree char *h = wire_base64url_encode ((const guint8 *) header_json, strlen (header_json));
  g_autofree char *p = wire_base64url_encode ((const guint8 *) payload_json, strlen (payload_json));
  g_autofree char *input = g_strconcat (h, ".", p, NULL);
  g_autofree char *sig = NULL;

  if (signature_part != NULL)
    sig = g_strdup (signature_part);
  else
    {
      g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret,
                                          strlen (secret));
      guint8 digest[32];
      gsize len = sizeof digest;

      g_hmac_update (hmac, (const guchar *) input, -1);
      g_hmac_get_digest (hmac, digest, &len);
      sig = wire_base64url_encode (digest, len);
    }

  return g_strconcat (input, ".", sig, NULL);
}

static void
assert_refused (const char *token,
                int         code,
                const char *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WireJwtClaims) claims = NULL;

  claims = wire_jwt_verify_hs256 (token, SECRET, SECRET_LEN, NOW, WIRE_JWT_LEEWAY_S, &error);
  g_assert_null (claims);
  g_assert_error (error, WIRE_ERROR, code);
  if (message_part != NULL && strstr (error->message, message_part) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, message_part);
}

static WireJwtClaims *
verify_ok (const char *token)
{
  g_autoptr(GError) error = NULL;
  WireJwtClaims *claims;

  claims = wire_jwt_verify_hs256 (token, SECRET, SECRET_LEN, NOW, WIRE_JWT_LEEWAY_S, &error);
  g_assert_no_error (error);
  g_assert_nonnull (claims);
  return claims;
}

static void
test_base64url (void)
{
  static const struct { const char *raw; const char *enc; } cases[] = {
    { "", "" },
    { "f", "Zg" },
    { "fo", "Zm8" },
    { "foo", "Zm9v" },
    { "foob", "Zm9vYg" },
    { "fooba", "Zm9vYmE" },
    { "foobar", "Zm9vYmFy" },
    { "\xfb\xff\xfe", "-__-" },
  };
  static const char * const bad[] = { "Z", "Zm9vY", "Zm=v", "Zm+v", "Zm/v", "Zm v", "Zh" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len = strlen (cases[i].raw);
      g_autofree char *enc = wire_base64url_encode ((const guint8 *) cases[i].raw, len);
      g_autofree guint8 *dec = NULL;
      gsize dec_len = 99;

      g_assert_cmpstr (enc, ==, cases[i].enc);
      dec = wire_base64url_decode (enc, strlen (enc), &dec_len);
      g_assert_nonnull (dec);
      g_assert_cmpmem (dec, dec_len, cases[i].raw, len);
    }

  /* Bad characters, padding, impossible lengths and non-zero leftover bits are refused. */
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gsize len;

      if (wire_base64url_decode (bad[i], strlen (bad[i]), &len) != NULL)
        g_error ("“%s” decoded", bad[i]);
    }
}

static void
test_round_trip (void)
{
  g_autoptr(WireJwtClaims) claims = wire_jwt_claims_new ();
  g_autoptr(WireJwtClaims) got = NULL;
  g_autoptr(WireJwtClaims) copy = NULL;
  g_autoptr(WireJwtClaims) unverified = NULL;
  g_autofree char *token = NULL;
  const char *trips[] = { "t1", "t2", NULL };
  const char *sessions[] = { "s\"1", NULL };

  claims->sub = g_strdup ("user-123");
  claims->role = g_strdup ("admin");
  claims->exp = NOW + 3600;
  claims->iat = NOW - 10;
  claims->nbf = NOW - 5;
  g_strfreev (claims->trips);
  claims->trips = g_strdupv ((char **) trips);
  claims->sessions = g_strdupv ((char **) sessions);

  token = wire_jwt_sign_hs256 (claims, SECRET, SECRET_LEN);
  g_assert_nonnull (token);
  g_assert_true (g_str_has_prefix (token, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));

  got = verify_ok (token);
  g_assert_cmpstr (got->sub, ==, "user-123");
  g_assert_cmpstr (got->role, ==, "admin");
  g_assert_true (wire_jwt_claims_is_admin (got));
  g_assert_cmpint (got->exp, ==, NOW + 3600);
  g_assert_cmpint (got->iat, ==, NOW - 10);
  g_assert_cmpint (got->nbf, ==, NOW - 5);
  g_assert_cmpstrv (got->trips, trips);
  g_assert_cmpstrv (got->sessions, sessions);

  copy = wire_jwt_claims_copy (got);
  g_assert_cmpstr (copy->sub, ==, got->sub);
  g_assert_true (copy->trips != got->trips);
  g_assert_cmpstrv (copy->trips, got->trips);

  unverified = wire_jwt_decode_unverified (token, NULL);
  g_assert_nonnull (unverified);
  g_assert_cmpint (unverified->exp, ==, NOW + 3600);
}

static void
test_defaults (void)
{
  g_autofree char *token = make_token ("{\"alg\":\"HS256\"}",
                                       "{\"sub\":\"u1\",\"exp\":1800003600}", "test-secret", NULL);
  g_autoptr(WireJwtClaims) claims = verify_ok (token);
  g_autoptr(WireJwtClaims) fresh = wire_jwt_claims_new ();

  g_assert_cmpstr (claims->role, ==, "user");
  g_assert_false (wire_jwt_claims_is_admin (claims));
  g_assert_nonnull (claims->trips);
  g_assert_cmpuint (g_strv_length (claims->trips), ==, 0);
  g_assert_null (claims->sessions);
  g_assert_cmpint (claims->iat, ==, 0);
  g_assert_cmpint (claims->nbf, ==, 0);

  g_assert_nonnull (fresh->trips);
  g_assert_null (fresh->sessions);
}

static void
test_external_vectors (void)
{
  /* Signed by an independent HS256 implementation with the secret "test-secret". */
  const char *token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEyMyIsImV4cCI6MjAwMDAwMDAwMCwiaWF0"
    "IjoxNzAwMDAwMDAwLCJyb2xlIjoiYWRtaW4iLCJ0cmlwcyI6WyJ0MSIsInQyIl0sInNlc3Npb25zIjpbInMxIl19."
    "GXkyqDAQGi6bG3xRjGjGULQUx_8fgfAW7UT9wtTQ-5w";
  /* exp written as a float, 1.9e9. */
  const char *float_exp =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1IiwiZXhwIjoxOTAwMDAwMDAwLjB9."
    "RqpwEq5bGQCBacem9uoXct0RiRTxWVs6nmeTyE_W0IY";
  /* The well-known example token: a valid signature, but no exp. */
  const char *no_exp =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwi"
    "aWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  g_autoptr(WireJwtClaims) claims = verify_ok (token);
  g_autoptr(WireJwtClaims) claims2 = verify_ok (float_exp);
  g_autoptr(GError) error = NULL;
  g_autoptr(WireJwtClaims) none = NULL;

  g_assert_cmpstr (claims->sub, ==, "user-123");
  g_assert_cmpint (claims->exp, ==, 2000000000);
  g_assert_cmpint (claims->iat, ==, 1700000000);
  g_assert_true (wire_jwt_claims_is_admin (claims));
  g_assert_cmpuint (g_strv_length (claims->trips), ==, 2);
  g_assert_cmpint (claims2->exp, ==, 1900000000);

  none = wire_jwt_verify_hs256 (no_exp, (const guint8 *) "your-256-bit-secret", 19, NOW, 30,
                                &error);
  g_assert_null (none);
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID);
  g_assert_nonnull (strstr (error->message, "exp"));
}

static void
test_tampered (void)
{
  g_autoptr(WireJwtClaims) claims = wire_jwt_claims_new ();
  g_autofree char *token = NULL;
  g_autofree char *other_payload = NULL;
  char *last;

  claims->sub = g_strdup ("alice");
  claims->exp = NOW + 60;
  token = wire_jwt_sign_hs256 (claims, SECRET, SECRET_LEN);

  /* The wrong secret. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (wire_jwt_verify_hs256 (token, (const guint8 *) "test-secreT", SECRET_LEN,
                                          NOW, 30, &error));
    g_assert_error (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID);
  }

  /* One flipped signature character. */
  {
    g_autofree char *bad = g_strdup (token);

    last = bad + strlen (bad) - 2;
    *last = *last == 'A' ? 'B' : 'A';
    assert_refused (bad, WIRE_ERROR_TOKEN_INVALID, "signature");
  }

  /* A payload swapped for another user's, the old signature kept. */
  other_payload = make_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                              "{\"sub\":\"root\",\"role\":\"admin\",\"exp\":1800000060}",
                              "other", NULL);
  {
    g_auto(GStrv) a = g_strsplit (token, ".", 3);
    g_auto(GStrv) b = g_strsplit (other_payload, ".", 3);
    g_autofree char *mixed = g_strjoin (".", a[0], b[1], a[2], NULL);

    assert_refused (mixed, WIRE_ERROR_TOKEN_INVALID, "signature");
  }

  /* A truncated or missing signature. */
  {
    g_auto(GStrv) a = g_strsplit (token, ".", 3);
    g_autofree char *empty_sig = g_strjoin (".", a[0], a[1], "", NULL);
    g_autofree char *short_sig = g_strjoin (".", a[0], a[1], "AAAA", NULL);

    assert_refused (empty_sig, WIRE_ERROR_TOKEN_INVALID, "signature");
    assert_refused (short_sig, WIRE_ERROR_TOKEN_INVALID, "signature");
  }
}

static void
test_algorithms (void)
{
  const char *payload = "{\"sub\":\"alice\",\"exp\":1800000060}";
  g_autofree char *none = make_token ("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, NULL, "");
  g_autofree char *none_signed = make_token ("{\"alg\":\"none\"}", payload, "test-secret", NULL);
  g_autofree char *hs512 = make_token ("{\"alg\":\"HS512\"}", payload, "test-secret", NULL);
  g_autofree char *rs256 = make_token ("{\"alg\":\"RS256\"}", payload, "test-secret", NULL);
  g_autofree char *lower = make_token ("{\"alg\":\"hs256\"}", payload, "test-secret", NULL);
  g_autofree char *missing = make_token ("{\"typ\":\"JWT\"}", payload, "test-secret", NULL);
  g_autofree char *numeric = make_token ("{\"alg\":256}", payload, "test-secret", NULL);
  g_autofree char *not_object = make_token ("[\"HS256\"]", payload, "test-secret", NULL);
  g_autofree char *ok = make_token ("{\"typ\":\"JWT\",\"alg\":\"HS256\"}", payload, "test-secret",
                                    NULL);
  g_autoptr(WireJwtClaims) claims = NULL;

  assert_refused (none, WIRE_ERROR_TOKEN_INVALID, "none");
  assert_refused (none_signed, WIRE_ERROR_TOKEN_INVALID, "only HS256");
  assert_refused (hs512, WIRE_ERROR_TOKEN_INVALID, "HS512");
  assert_refused (rs256, WIRE_ERROR_TOKEN_INVALID, "RS256");
  assert_refused (lower, WIRE_ERROR_TOKEN_INVALID, "hs256");
  assert_refused (missing, WIRE_ERROR_TOKEN_INVALID, "only HS256");
  assert_refused (numeric, WIRE_ERROR_TOKEN_INVALID, "only HS256");
  assert_refused (not_object, WIRE_ERROR_TOKEN_INVALID, "header");
  claims = verify_ok (ok);
}

static void
test_times (void)
{
  const char *hdr = "{\"alg\":\"HS256\"}";
  struct { const char *payload; int code; const char *why; } cases[] = {
    /* exp: required, and past means expired (a distinct error). */
    { "{\"sub\":\"a\"}", WIRE_ERROR_TOKEN_INVALID, "exp" },
    { "{\"sub\":\"a\",\"exp\":1799999999}", WIRE_ERROR_TOKEN_EXPIRED, "expired" },
    { "{\"sub\":\"a\",\"exp\":1800000000}", WIRE_ERROR_TOKEN_EXPIRED, "expired" },
    { "{\"sub\":\"a\",\"exp\":1000}", WIRE_ERROR_TOKEN_EXPIRED, "expired" },
    { "{\"sub\":\"a\",\"exp\":\"soon\"}", WIRE_ERROR_TOKEN_INVALID, "exp" },
    /* Out-of-range floats are clamped, not undefined. */
    { "{\"sub\":\"a\",\"exp\":1e300}", -1, NULL },
    { "{\"sub\":\"a\",\"exp\":-1e300}", WIRE_ERROR_TOKEN_EXPIRED, "expired" },
    { "{\"sub\":\"a\",\"exp\":null}", WIRE_ERROR_TOKEN_INVALID, "exp" },
    /* nbf in the future beyond the leeway. */
    { "{\"sub\":\"a\",\"exp\":1800000600,\"nbf\":1800000031}", WIRE_ERROR_TOKEN_INVALID,
      "not valid before" },
    { "{\"sub\":\"a\",\"exp\":1800000600,\"nbf\":1800000030}", -1, NULL },
    { "{\"sub\":\"a\",\"exp\":1800000600,\"nbf\":1799990000}", -1, NULL },
    /* iat in the future beyond the leeway. */
    { "{\"sub\":\"a\",\"exp\":1800000600,\"iat\":1800000031}", WIRE_ERROR_TOKEN_INVALID, "future" },
    { "{\"sub\":\"a\",\"exp\":1800000600,\"iat\":1800000030}", -1, NULL },
    { "{\"sub\":\"a\",\"exp\":1800000600,\"iat\":\"x\"}", WIRE_ERROR_TOKEN_INVALID, "iat" },
    /* Other claims. */
    { "{\"exp\":1800000600}", WIRE_ERROR_TOKEN_INVALID, "sub" },
    { "{\"sub\":\"\",\"exp\":1800000600}", WIRE_ERROR_TOKEN_INVALID, "sub" },
    { "{\"sub\":7,\"exp\":1800000600}", WIRE_ERROR_TOKEN_INVALID, "sub" },
    { "{\"sub\":\"a\",\"exp\":1800000600,\"role\":1}", WIRE_ERROR_TOKEN_INVALID, "role" },
    { "{\"sub\":\"a\",\"exp\":1800000600,\"trips\":\"t1\"}", WIRE_ERROR_TOKEN_INVALID, "trips" },
    { "{\"sub\":\"a\",\"exp\":1800000600,\"trips\":[1]}", WIRE_ERROR_TOKEN_INVALID, "trips" },
    { "{\"sub\":\"a\",\"exp\":1800000600,\"sessions\":{}}", WIRE_ERROR_TOKEN_INVALID, "sessions" },
    { "[1]", WIRE_ERROR_TOKEN_INVALID, "payload" },
    { "not json", WIRE_ERROR_TOKEN_INVALID, "payload" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *token = make_token (hdr, cases[i].payload, "test-secret", NULL);

      g_test_message ("payload %s", cases[i].payload);
      if (cases[i].code < 0)
        wire_jwt_claims_free (verify_ok (token));
      else
        assert_refused (token, cases[i].code, cases[i].why);
    }
}

static void
test_malformed (void)
{
  g_autofree char *big = NULL;
  g_autoptr(WireJwtClaims) claims = wire_jwt_claims_new ();
  g_autofree char *token = NULL;

  assert_refused ("", WIRE_ERROR_TOKEN_INVALID, NULL);
  assert_refused ("abc", WIRE_ERROR_TOKEN_INVALID, "three");
  assert_refused ("a.b", WIRE_ERROR_TOKEN_INVALID, "three");
  assert_refused ("a.b.c.d", WIRE_ERROR_TOKEN_INVALID, "three");
  assert_refused ("!!.b.c", WIRE_ERROR_TOKEN_INVALID, "base64url");
  assert_refused ("..", WIRE_ERROR_TOKEN_INVALID, NULL);

  {
    g_autoptr(GError) error = NULL;

    g_assert_null (wire_jwt_verify_hs256 (NULL, SECRET, SECRET_LEN, NOW, 30, &error));
    g_assert_error (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID);
  }

  /* Over 8 KiB: refused before anything is decoded, even with a valid signature. */
  claims->sub = g_strdup ("alice");
  claims->exp = NOW + 60;
  claims->role = g_strnfill (WIRE_JWT_MAX_BYTES, 'r');
  token = wire_jwt_sign_hs256 (claims, SECRET, SECRET_LEN);
  g_assert_cmpuint (strlen (token), >, WIRE_JWT_MAX_BYTES);
  assert_refused (token, WIRE_ERROR_TOKEN_INVALID, "larger than");

  /* Just under the limit is fine: shrink the padding until the token fits. */
  for (gsize n = 6300; n > 0; n--)
    {
      g_free (claims->role);
      claims->role = g_strnfill (n, 'r');
      g_free (token);
      token = wire_jwt_sign_hs256 (claims, SECRET, SECRET_LEN);
      if (strlen (token) <= WIRE_JWT_MAX_BYTES)
        break;
    }
  g_assert_cmpuint (strlen (token), <=, WIRE_JWT_MAX_BYTES);
  g_assert_cmpuint (strlen (token), >, WIRE_JWT_MAX_BYTES - 4);
  wire_jwt_claims_free (verify_ok (token));

  big = g_strnfill (WIRE_JWT_MAX_BYTES * 4, 'a');
  assert_refused (big, WIRE_ERROR_TOKEN_INVALID, "larger than");
}

static void
test_decode_unverified (void)
{
  g_autofree char *expired = make_token ("{\"alg\":\"HS256\"}",
                                         "{\"sub\":\"bob\",\"exp\":1000,\"trips\":[\"t\"]}",
                                         "any secret", NULL);
  g_autoptr(WireJwtClaims) claims = NULL;
  g_autoptr(GError) error = NULL;

  /* No signature, no clock: the client reads its own token's expiry. */
  claims = wire_jwt_decode_unverified (expired, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (claims->sub, ==, "bob");
  g_assert_cmpint (claims->exp, ==, 1000);
  g_assert_cmpstr (claims->trips[0], ==, "t");

  g_assert_null (wire_jwt_decode_unverified ("nope", &error));
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/jwt/base64url", test_base64url);
  g_test_add_func ("/wire/jwt/round-trip", test_round_trip);
  g_test_add_func ("/wire/jwt/defaults", test_defaults);
  g_test_add_func ("/wire/jwt/external-vectors", test_external_vectors);
  g_test_add_func ("/wire/jwt/tampered", test_tampered);
  g_test_add_func ("/wire/jwt/algorithms", test_algorithms);
  g_test_add_func ("/wire/jwt/times", test_times);
  g_test_add_func ("/wire/jwt/malformed", test_malformed);
  g_test_add_func ("/wire/jwt/decode-unverified", test_decode_unverified);

  return g_test_run ();
}
