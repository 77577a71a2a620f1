#define G_LOG_DOMAIN "wire-fuzz"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The channel pattern matcher, against a tiny reference matcher written for clarity rather than
 * speed: '*' matches one or more characters. Input: pattern, a NUL byte, then the name. */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "wire-protocol.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
reference_match (const char *p,
                 const char *n)
{
  if (*p == '\0')
    return *n == '\0';
  if (*p == '*')
    {
      /* One or more characters, then the rest of the pattern. */
      for (const char *k = n + 1; k <= n + strlen (n); k++)
        if (*n != '\0' && reference_match (p + 1, k))
          return TRUE;
      return FALSE;
    }
  return *p == *n && reference_match (p + 1, n + 1);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *copy = NULL;
  const char *pattern;
  const char *name;
  gsize plen;

  /* The reference matcher is exponential in the number of stars: keep inputs small. */
  if (size > 64)
    return 0;

  copy = g_malloc0 (size + 2);
  memcpy (copy, data, size);
  pattern = copy;
  plen = strlen (pattern);
  name = plen < size ? copy + plen + 1 : copy + plen;

  g_assert_cmpint (wire_pattern_match (pattern, name), ==, reference_match (pattern, name));

  if (g_utf8_validate (name, -1, NULL))
    {
      g_autoptr(WireChannelPolicy) policy = wire_channel_policy_new_default ();
      const WireChannelRule *rule = wire_channel_policy_lookup (policy, name);

      if (rule != NULL)
        g_assert_true (g_str_equal (rule->pattern, name) || wire_pattern_match (rule->pattern, name));
    }

  return 0;
}
