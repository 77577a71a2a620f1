#define G_LOG_DOMAIN "wire-protocol"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "wire-error.h"
#include "wire-frame-writer.h"
#include "wire-jwt.h"

#define SHA256_LEN 32

WireJwtClaims *
wire_jwt_claims_new (void)
{
  WireJwtClaims *claims = g_new0 (WireJwtClaims, 1);

  claims->trips = g_new0 (char *, 1);

  return claims;
}

WireJwtClaims *
wire_jwt_claims_copy (const WireJwtClaims *claims)
{
  WireJwtClaims *copy;

  g_return_val_if_fail (claims != NULL, NULL);

  copy = g_new0 (WireJwtClaims, 1);
  copy->sub = g_strdup (claims->sub);
  copy->role = g_strdup (claims->role);
  copy->exp = claims->exp;
  copy->iat = claims->iat;
  copy->nbf = claims->nbf;
  copy->trips = g_strdupv (claims->trips);
  copy->sessions = g_strdupv (claims->sessions);

  return copy;
}

void
wire_jwt_claims_free (WireJwtClaims *claims)
{
  if (claims == NULL)
    return;

  g_free (claims->sub);
  g_free (claims->role);
  g_strfreev (claims->trips);
  g_strfreev (claims->sessions);
  g_free (claims);
}

gboolean
wire_jwt_claims_is_admin (const WireJwtClaims *claims)
{
  g_return_val_if_fail (claims != NULL, FALSE);

  return g_strcmp0 (claims->role, "admin") == 0;
}

/* base64url, RFC 4648 §5, without padding. */
static const char b64url_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *
wire_base64url_encode (const guint8 *data,
                       gsize         len)
{
  char *out;
  char *o;
  gsize i;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  out = g_malloc ((len + 2) / 3 * 4 + 1);
  o = out;

  for (i = 0; i + 3 <= len; i += 3)
    {
      guint32 v = ((guint32) data[i] << 16) | ((guint32) data[i + 1] << 8) | data[i + 2];

      *o++ = b64url_alphabet[(v >> 18) & 63];
      *o++ = b64url_alphabet[(v >> 12) & 63];
      *o++ = b64url_alphabet[(v >> 6) & 63];
      *o++ = b64url_alphabet[v & 63];
    }

  if (len - i == 1)
    {
      guint32 v = (guint32) data[i] << 16;

      *o++ = b64url_alphabet[(v >> 18) & 63];
      *o++ = b64url_alphabet[(v >> 12) & 63];
    }
  else if (len - i == 2)
    {
      guint32 v = ((guint32) data[i] << 16) | ((guint32) data[i + 1] << 8);

      *o++ = b64url_alphabet[(v >> 18) & 63];
      *o++ = b64url_alphabet[(v >> 12) & 63];
      *o++ = b64url_alphabet[(v >> 6) & 63];
    }

  *o = '\0';
  return out;
}

static inline int
b64url_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

/**
 * wire_base64url_decode:
 * @text: base64url text, without padding
 * @text_len: its length, or -1 (as a gsize) when NUL-terminated
 * @out_len: (out): the number of bytes decoded
 *
 * Strict: any character outside the alphabet, padding, or a length that no encoding produces
 * is refused.
 *
 * Returns: (nullable): the bytes (with a NUL appended for convenience), or %NULL.
 */
guint8 *
wire_base64url_decode (const char *text,
                       gsize       text_len,
                       gsize      *out_len)
{
  guint8 *out;
  gsize n = 0;
  guint32 acc = 0;
  int bits = 0;

  g_return_val_if_fail (text != NULL, NULL);

  if (text_len == (gsize) -1)
    text_len = strlen (text);

  if (text_len % 4 == 1)
    return NULL;

  out = g_malloc (text_len / 4 * 3 + 3 + 1);

  for (gsize i = 0; i < text_len; i++)
    {
      int v = b64url_value (text[i]);

      if (v < 0)
        {
          g_free (out);
          return NULL;
        }

      acc = (acc << 6) | (guint32) v;
      bits += 6;
      if (bits >= 8)
        {
          bits -= 8;
          out[n++] = (guint8) ((acc >> bits) & 0xff);
        }
    }

  /* Leftover bits must be zero, or two encodings would decode to the same bytes. */
  if ((acc & ((1u << bits) - 1)) != 0)
    {
      g_free (out);
      return NULL;
    }

  out[n] = 0;
  if (out_len != NULL)
    *out_len = n;

  return out;
}

static void
append_claims_json (GString             *out,
                    const WireJwtClaims *claims)
{
  g_string_append (out, "{\"sub\":");
  wire_json_append_string (out, claims->sub != NULL ? claims->sub : "");
  if (claims->role != NULL)
    {
      g_string_append (out, ",\"role\":");
      wire_json_append_string (out, claims->role);
    }
  g_string_append_printf (out, ",\"exp\":%" G_GINT64_FORMAT, claims->exp);
  if (claims->iat != 0)
    g_string_append_printf (out, ",\"iat\":%" G_GINT64_FORMAT, claims->iat);
  if (claims->nbf != 0)
    g_string_append_printf (out, ",\"nbf\":%" G_GINT64_FORMAT, claims->nbf);
  g_string_append (out, ",\"trips\":");
  wire_json_append_strv (out, (const char * const *) claims->trips);
  if (claims->sessions != NULL)
    {
      g_string_append (out, ",\"sessions\":");
      wire_json_append_strv (out, (const char * const *) claims->sessions);
    }
  g_string_append_c (out, '}');
}

static void
hs256 (const guint8 *secret,
       gsize         secret_len,
       const char   *data,
       gsize         data_len,
       guint8        digest[SHA256_LEN])
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, secret, secret_len);
  gsize digest_len = SHA256_LEN;

  g_hmac_update (hmac, (const guchar *) data, data_len);
  g_hmac_get_digest (hmac, digest, &digest_len);
  g_assert (digest_len == SHA256_LEN);
}

char *
wire_jwt_sign_hs256 (const WireJwtClaims *claims,
                     const guint8        *secret,
                     gsize                secret_len)
{
  static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  g_autoptr(GString) payload = g_string_new (NULL);
  g_autofree char *header_b64 = NULL;
  g_autofree char *payload_b64 = NULL;
  g_autofree char *signature_b64 = NULL;
  g_autofree char *signing_input = NULL;
  guint8 digest[SHA256_LEN];

  g_return_val_if_fail (claims != NULL, NULL);
  g_return_val_if_fail (secret != NULL || secret_len == 0, NULL);

  append_claims_json (payload, claims);

  header_b64 = wire_base64url_encode ((const guint8 *) header, strlen (header));
  payload_b64 = wire_base64url_encode ((const guint8 *) payload->str, payload->len);
  signing_input = g_strconcat (header_b64, ".", payload_b64, NULL);

  hs256 (secret, secret_len, signing_input, strlen (signing_input), digest);
  signature_b64 = wire_base64url_encode (digest, sizeof digest);

  return g_strconcat (signing_input, ".", signature_b64, NULL);
}

/* The three parts of a compact JWS. */
typedef struct
{
  const char *header;
  gsize       header_len;
  const char *payload;
  gsize       payload_len;
  const char *signature;
  gsize       signature_len;
} JwtParts;

static gboolean
split_token (const char  *token,
             JwtParts    *parts,
             GError     **error)
{
  const char *dot1;
  const char *dot2;
  gsize len;

  len = strnlen (token, WIRE_JWT_MAX_BYTES + 1);
  if (len > WIRE_JWT_MAX_BYTES)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID,
                   "Token is larger than %d bytes", WIRE_JWT_MAX_BYTES);
      return FALSE;
    }

  dot1 = memchr (token, '.', len);
  dot2 = dot1 != NULL ? memchr (dot1 + 1, '.', len - (dot1 + 1 - token)) : NULL;
  if (dot1 == NULL || dot2 == NULL ||
      memchr (dot2 + 1, '.', len - (dot2 + 1 - token)) != NULL)
    {
      g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID,
                           "Token is not a JWT: it needs three dot-separated parts");
      return FALSE;
    }

  parts->header = token;
  parts->header_len = dot1 - token;
  parts->payload = dot1 + 1;
  parts->payload_len = dot2 - (dot1 + 1);
  parts->signature = dot2 + 1;
  parts->signature_len = len - (dot2 + 1 - token);

  return TRUE;
}

static JsonObject *
decode_json_part (const char  *part,
                  gsize        part_len,
                  const char  *what,
                  GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree guint8 *json = NULL;
  gsize json_len = 0;
  JsonNode *root;

  json = wire_base64url_decode (part, part_len, &json_len);
  if (json == NULL)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID,
                   "Token %s is not valid base64url", what);
      return NULL;
    }

  if (!json_parser_load_from_data (parser, (const char *) json, json_len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID,
                   "Token %s is not a JSON object", what);
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

static gboolean
read_time_claim (JsonObject  *payload,
                 const char  *name,
                 gint64      *out_value,
                 GError     **error)
{
  JsonNode *node = json_object_get_member (payload, name);
  GType value_type;

  *out_value = 0;
  if (node == NULL)
    return TRUE;

  value_type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (value_type == G_TYPE_INT64)
    *out_value = json_node_get_int (node);
  else if (value_type == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      /* Clamped: casting an out-of-range double is undefined. */
      if (d >= 9.2e18)
        *out_value = G_MAXINT64;
      else if (d <= -9.2e18)
        *out_value = G_MININT64;
      else
        *out_value = (gint64) d;
    }
  else
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID,
                   "Token claim “%s” is not a number", name);
      return FALSE;
    }

  return TRUE;
}

static gboolean
read_strv_claim (JsonObject   *payload,
                 const char   *name,
                 char       ***out_strv,
                 GError      **error)
{
  JsonNode *node = json_object_get_member (payload, name);
  JsonArray *array;
  GStrvBuilder *builder;

  *out_strv = NULL;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    goto bad;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        goto bad;
    }

  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_strv_builder_add (builder, json_array_get_string_element (array, i));
  *out_strv = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return TRUE;

bad:
  g_set_error (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID,
               "Token claim “%s” is not an array of strings", name);
  return FALSE;
}

static WireJwtClaims *
claims_from_payload (JsonObject  *payload,
                     GError     **error)
{
  g_autoptr(WireJwtClaims) claims = g_new0 (WireJwtClaims, 1);
  JsonNode *node;

  node = json_object_get_member (payload, "sub");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING ||
      json_node_get_string (node)[0] == '\0')
    {
      g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID,
                           "Token has no subject (“sub”)");
      return NULL;
    }
  claims->sub = g_strdup (json_node_get_string (node));

  node = json_object_get_member (payload, "role");
  if (node == NULL)
    claims->role = g_strdup ("user");
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    claims->role = g_strdup (json_node_get_string (node));
  else
    {
      g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID,
                           "Token claim “role” is not a string");
      return NULL;
    }

  if (!read_time_claim (payload, "exp", &claims->exp, error) ||
      !read_time_claim (payload, "iat", &claims->iat, error) ||
      !read_time_claim (payload, "nbf", &claims->nbf, error) ||
      !read_strv_claim (payload, "trips", &claims->trips, error) ||
      !read_strv_claim (payload, "sessions", &claims->sessions, error))
    return NULL;

  if (claims->trips == NULL)
    claims->trips = g_new0 (char *, 1);

  return g_steal_pointer (&claims);
}

/* Compares two digests in time that does not depend on where they differ. */
static gboolean
digest_equal (const guint8 *a,
              const guint8 *b,
              gsize         len)
{
  guint8 diff = 0;

  for (gsize i = 0; i < len; i++)
    diff |= a[i] ^ b[i];

  return diff == 0;
}

WireJwtClaims *
wire_jwt_verify_hs256 (const char    *token,
                       const guint8  *secret,
                       gsize          secret_len,
                       gint64         now_s,
                       gint64         leeway_s,
                       GError       **error)
{
  g_autoptr(JsonObject) header = NULL;
  g_autoptr(JsonObject) payload = NULL;
  g_autoptr(WireJwtClaims) claims = NULL;
  g_autofree guint8 *signature = NULL;
  guint8 expected[SHA256_LEN];
  gsize signature_len = 0;
  const char *alg;
  JwtParts parts;

  g_return_val_if_fail (secret != NULL || secret_len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (token == NULL || token[0] == '\0')
    {
      g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID, "No token given");
      return NULL;
    }

  if (!split_token (token, &parts, error))
    return NULL;

  header = decode_json_part (parts.header, parts.header_len, "header", error);
  if (header == NULL)
    return NULL;

  alg = json_object_get_string_member_with_default (header, "alg", NULL);
  if (g_strcmp0 (alg, "HS256") != 0)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID,
                   "Token algorithm “%s” is refused: only HS256 is accepted",
                   alg != NULL ? alg : "(none given)");
      return NULL;
    }

  /* The signature is checked before any claim is looked at. */
  signature = wire_base64url_decode (parts.signature, parts.signature_len, &signature_len);
  hs256 (secret, secret_len, token, parts.header_len + 1 + parts.payload_len, expected);
  if (signature == NULL || signature_len != SHA256_LEN ||
      !digest_equal (signature, expected, SHA256_LEN))
    {
      g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID,
                           "Token signature does not match");
      return NULL;
    }

  payload = decode_json_part (parts.payload, parts.payload_len, "payload", error);
  if (payload == NULL)
    return NULL;

  claims = claims_from_payload (payload, error);
  if (claims == NULL)
    return NULL;

  if (!json_object_has_member (payload, "exp"))
    {
      g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID,
                           "Token has no expiry (“exp”)");
      return NULL;
    }

  /* PROTOCOL.md §2.3: a past exp is refused outright; the leeway covers clock skew for the
   * issuing side's times (iat, nbf) only. */
  leeway_s = CLAMP (leeway_s, 0, G_MAXINT32);

  if (now_s >= claims->exp)
    {
      /* Subtracting an absurd exp (from a clamped float) could overflow. */
      if (claims->exp > 0)
        g_set_error (error, WIRE_ERROR, WIRE_ERROR_TOKEN_EXPIRED,
                     "Token expired %" G_GINT64_FORMAT " s ago", now_s - claims->exp);
      else
        g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_TOKEN_EXPIRED, "Token expired");
      return NULL;
    }

  if (claims->nbf != 0 && now_s + leeway_s < claims->nbf)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID,
                   "Token is not valid before %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT
                   " s from now)", claims->nbf, claims->nbf - now_s);
      return NULL;
    }

  if (claims->iat != 0 && now_s + leeway_s < claims->iat)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID,
                   "Token was issued in the future (%" G_GINT64_FORMAT " s from now)",
                   claims->iat - now_s);
      return NULL;
    }

  return g_steal_pointer (&claims);
}

WireJwtClaims *
wire_jwt_decode_unverified (const char  *token,
                            GError     **error)
{
  g_autoptr(JsonObject) payload = NULL;
  JwtParts parts;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (token == NULL || token[0] == '\0')
    {
      g_set_error_literal (error, WIRE_ERROR, WIRE_ERROR_TOKEN_INVALID, "No token given");
      return NULL;
    }

  if (!split_token (token, &parts, error))
    return NULL;

  payload = decode_json_part (parts.payload, parts.payload_len, "payload", error);
  if (payload == NULL)
    return NULL;

  return claims_from_payload (payload, error);
}
