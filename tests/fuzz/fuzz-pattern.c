#define G_LOG_DOMAIN "wire-fuzz"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The channel pattern matcher, against a tiny reference matcher written for clarity rather than
 * speed: '*' matches one or more characters. Input: pattern, a NUL byte, then the name. */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "wire-protocol.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* m[i][j]: pattern from i matches name from j. A table, not recursion: a recursive reference
 * backtracks exponentially on runs of stars, which libFuzzer reported as timeouts. */
static gboolean
reference_match (const char *p,
                 const char *n)
{
  gsize pl = strlen (p), nl = strlen (n);
  g_autofree guint8 *m = g_malloc0 ((pl + 1) * (nl + 1));

#define M(i, j) m[(gsize) (i) * (nl + 1) + (gsize) (j)]
  M (pl, nl) = 1;
  for (gsize i = pl; i-- > 0;)
    for (gsize j = nl + 1; j-- > 0;)
      {
        if (p[i] == '*')
          /* One character, then either the rest of the pattern or more of the star. */
          M (i, j) = j < nl && (M (i + 1, j + 1) || M (i, j + 1));
        else
          M (i, j) = j < nl && p[i] == n[j] && M (i + 1, j + 1);
      }
  return M (0, 0);
#undef M
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
