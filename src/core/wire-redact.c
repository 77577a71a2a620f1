#define G_LOG_DOMAIN "wire-recorder"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-recorder.h"
#include "wire-redact.h"

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

/* Whether @word (of @len bytes) is in @text with its byte @back at @p. The bytes next to @p are
 * compared first: they turn away nearly every stop. */
static inline gboolean
word_at (const char *text,
         const char *p,
         gsize       back,
         const char *word,
         gsize       len)
{
  return (gsize) (p - text) >= back && p[-1] == word[back - 1] && p[1] == word[back + 1]
         && strncmp (p - back, word, len) == 0;
}

/* Every secret the expression above removes holds one of these bytes at a known place: the k of
 * "token" (also in accessToken, refresh_token, …), the w of "jwt" and "password", the c of
 * "secret", the J of a JWT's "eyJ", the b of "bearer" in any case. They are rare in frames, so
 * the scan (strpbrk, vectorised by the C library) stops a few times per frame at most. */
#define TRIGGERS "kwcJbB"

gboolean
wire_redact_needed (const char *text)
{
  g_return_val_if_fail (text != NULL, FALSE);

  for (const char *p = strpbrk (text, TRIGGERS); p != NULL; p = strpbrk (p + 1, TRIGGERS))
    {
      switch (*p)
        {
        case 'k':
          if (word_at (text, p, 1, "oken", 4))
            return TRUE;
          break;
        case 'w':
          if (word_at (text, p, 1, "jwt", 3) || word_at (text, p, 3, "assword", 7))
            return TRUE;
          break;
        case 'c':
          if (word_at (text, p, 1, "ecret", 5))
            return TRUE;
          break;
        case 'J':
          /* The J ends the word: nothing after it to compare first. */
          if (p - text >= 2 && p[-2] == 'e' && p[-1] == 'y')
            return TRUE;
          break;
        default: /* b, B */
          if ((p[1] | 0x20) == 'e' && g_ascii_strncasecmp (p, "bearer", 6) == 0)
            return TRUE;
          break;
        }
    }
  return FALSE;
}

char *
wire_redact_text (const char *text)
{
  if (text == NULL)
    return NULL;

  /* Most frames mention nothing secret, and the log sees thousands a second. */
  if (!wire_redact_needed (text))
    return g_strdup (text);

  return g_regex_replace_eval (redaction_regex (), text, -1, 0, 0, redact_eval_cb, NULL, NULL);
}
