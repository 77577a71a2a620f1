#define G_LOG_DOMAIN "wire-recorder"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-recorder.h"

static GRegex *
redaction_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    {
      /* One pass with alternatives; the first group keeps what precedes the secret. */
      GRegex *r = g_regex_new (
        "(\"(?:token|accessToken|access_token|refreshToken|refresh_token|jwt|password|secret)\""
        "\\s*:\\s*)\"(?:[^\"\\\\]|\\\\.)*\""
        "|([?&](?:token|access_token|jwt)=)[^&#\\s\"]*"
        "|((?i:bearer)\\s+)[A-Za-z0-9._~+/=-]+"
        "|()eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*",
        G_REGEX_OPTIMIZE, 0, NULL);

      g_assert (r != NULL);
      g_once_init_leave (&regex, r);
    }
  return regex;
}

static gboolean
redact_eval_cb (const GMatchInfo *info,
                GString          *result,
                gpointer          user_data)
{
  for (int group = 1; group <= 4; group++)
    {
      int start = -1, end = -1;

      if (g_match_info_fetch_pos (info, group, &start, &end) && start >= 0)
        {
          g_autofree char *prefix = g_match_info_fetch (info, group);

          g_string_append (result, prefix);
          g_string_append (result, group == 1 ? "\"[REDACTED]\"" : "[REDACTED]");
          return FALSE;
        }
    }
  g_string_append (result, "[REDACTED]");
  return FALSE;
}

char *
wire_redact_text (const char *text)
{
  if (text == NULL)
    return NULL;

  /* Fast path: most frames mention nothing secret, and the log sees thousands a second. */
  if (strstr (text, "oken") == NULL && strstr (text, "eyJ") == NULL &&
      strstr (text, "earer") == NULL && strstr (text, "EARER") == NULL &&
      strstr (text, "jwt") == NULL && strstr (text, "assword") == NULL &&
      strstr (text, "ecret") == NULL)
    return g_strdup (text);

  return g_regex_replace_eval (redaction_regex (), text, -1, 0, 0, redact_eval_cb, NULL, NULL);
}
