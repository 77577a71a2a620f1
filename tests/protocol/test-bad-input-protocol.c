#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Regression tests for inputs the fuzz targets found (tests/fuzz/). Each one failed, or was
 * undefined behaviour under UBSan, before its fix. */

#include "config.h"

#include "wire-protocol.h"

/* An empty text frame reaches the parsers as (NULL, 0): GBytes hands out NULL for no data.
 * Found by fuzz-gateway-frame ("applying zero offset to null pointer" in the JSON scanner). */
static void
test_empty_frame (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = g_bytes_new ("", 0);
  WireEnvelope *env;
  gsize len = 1;
  const char *data = g_bytes_get_data (bytes, &len);

  g_assert_cmpuint (len, ==, 0);
  g_assert_false (wire_json_validate (data, len, NULL));
  env = wire_envelope_parse (data, len, &error);
  g_assert_null (env);
  g_assert_error (error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wire/bad-input/empty-frame", test_empty_frame);
  return g_test_run ();
}
