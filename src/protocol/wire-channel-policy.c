#define G_LOG_DOMAIN "wire-protocol"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-channel-policy.h"
#include "wire-endpoint.h"
#include "wire-error.h"

/* PROTOCOL.md §3, as data. */
static const char * const chat_events[] = { "user_message", "typing_start", "typing_stop", NULL };
static const char * const agent_events[] = { "status_update", "task_start", "task_complete", NULL };
static const char * const trip_events[] = { "trip_update", "cursor_move", "presence", NULL };
static const char * const notification_events[] = { "notification", NULL };
static const char * const admin_events[] = {
  "sessions", "session_opened", "session_updated", "session_closed", NULL
};

static const WireChannelRule default_rules[] = {
  { "chat:*",          WIRE_SUBSCRIBE_OWNER_SESSION, TRUE,  10.0, 10.0, chat_events },
  { "agent:*",         WIRE_SUBSCRIBE_OWNER_USER,    FALSE,  0.0,  0.0, agent_events },
  { "trip:*",          WIRE_SUBSCRIBE_TRIP_MEMBER,   TRUE,  20.0, 20.0, trip_events },
  { "notifications:*", WIRE_SUBSCRIBE_OWNER_USER,    FALSE,  0.0,  0.0, notification_events },
  { "admin:sessions",  WIRE_SUBSCRIBE_ADMIN,         FALSE,  0.0,  0.0, admin_events },
};

typedef struct
{
  WireChannelRule rule;        /* pattern and allowed_events point at the copies below */
  char           *pattern;
  char          **events;
  gsize           prefix_len;
} RuleEntry;

struct _WireChannelPolicy
{
  GHashTable *exact;     /* pattern without '*' → RuleEntry, borrowed from @rules */
  GPtrArray  *patterns;  /* RuleEntry with a '*', in insertion order, borrowed from @rules */
  GPtrArray  *rules;     /* owns every RuleEntry */
};

static void
rule_entry_free (gpointer data)
{
  RuleEntry *entry = data;

  g_free (entry->pattern);
  g_strfreev (entry->events);
  g_free (entry);
}

WireChannelPolicy *
wire_channel_policy_new (void)
{
  WireChannelPolicy *policy = g_new0 (WireChannelPolicy, 1);

  policy->exact = g_hash_table_new (g_str_hash, g_str_equal);
  policy->patterns = g_ptr_array_new ();
  policy->rules = g_ptr_array_new_with_free_func (rule_entry_free);

  return policy;
}

WireChannelPolicy *
wire_channel_policy_new_default (void)
{
  WireChannelPolicy *policy = wire_channel_policy_new ();

  for (guint i = 0; i < G_N_ELEMENTS (default_rules); i++)
    wire_channel_policy_add_rule (policy, &default_rules[i]);

  return policy;
}

void
wire_channel_policy_free (WireChannelPolicy *policy)
{
  if (policy == NULL)
    return;

  g_hash_table_unref (policy->exact);
  g_ptr_array_unref (policy->patterns);
  g_ptr_array_unref (policy->rules);
  g_free (policy);
}

void
wire_channel_policy_add_rule (WireChannelPolicy     *policy,
                              const WireChannelRule *rule)
{
  RuleEntry *entry;

  g_return_if_fail (policy != NULL);
  g_return_if_fail (rule != NULL);
  g_return_if_fail (rule->pattern != NULL && rule->pattern[0] != '\0');

  entry = g_new0 (RuleEntry, 1);
  entry->rule = *rule;
  entry->pattern = g_strdup (rule->pattern);
  entry->events = g_strdupv ((char **) rule->allowed_events);
  if (entry->events == NULL)
    entry->events = g_new0 (char *, 1);
  entry->rule.pattern = entry->pattern;
  entry->rule.allowed_events = (const char * const *) entry->events;
  entry->prefix_len = wire_pattern_literal_prefix_len (entry->pattern);

  if (strchr (entry->pattern, '*') == NULL)
    {
      RuleEntry *old = g_hash_table_lookup (policy->exact, entry->pattern);

      /* Replace the key too, before the old entry (which owns the old key) is freed. */
      g_hash_table_replace (policy->exact, entry->pattern, entry);
      if (old != NULL)
        g_ptr_array_remove (policy->rules, old);
    }
  else
    {
      gboolean replaced = FALSE;

      /* Replacing in place keeps the rule's rank among equal prefixes. */
      for (guint i = 0; i < policy->patterns->len && !replaced; i++)
        {
          RuleEntry *old = g_ptr_array_index (policy->patterns, i);

          if (strcmp (old->pattern, entry->pattern) == 0)
            {
              policy->patterns->pdata[i] = entry;
              g_ptr_array_remove (policy->rules, old);
              replaced = TRUE;
            }
        }
      if (!replaced)
        g_ptr_array_add (policy->patterns, entry);
    }

  g_ptr_array_add (policy->rules, entry);
}

const WireChannelRule *
wire_channel_policy_lookup (WireChannelPolicy *policy,
                            const char        *channel)
{
  RuleEntry *best = NULL;
  RuleEntry *entry;

  g_return_val_if_fail (policy != NULL, NULL);

  if (channel == NULL)
    return NULL;

  entry = g_hash_table_lookup (policy->exact, channel);
  if (entry != NULL)
    return &entry->rule;

  /* The longest literal prefix wins; between equal prefixes, the rule added first. */
  for (guint i = 0; i < policy->patterns->len; i++)
    {
      entry = g_ptr_array_index (policy->patterns, i);

      if (best != NULL && entry->prefix_len <= best->prefix_len)
        continue;
      if (wire_pattern_match (entry->pattern, channel))
        best = entry;
    }

  return best != NULL ? &best->rule : NULL;
}

static gboolean
strv_contains (const char * const *strv,
               const char         *str)
{
  return strv != NULL && str != NULL && g_strv_contains (strv, str);
}

/* wire_channel_split() without allocating: the policy checks run for every publish. */
static const char *
channel_id (const char *channel)
{
  const char *colon;

  if (channel == NULL)
    return NULL;

  colon = strchr (channel, ':');
  if (colon == NULL || colon == channel || colon - channel > WIRE_ID_MAX_LEN)
    return NULL;

  for (const char *c = channel; c < colon; c++)
    if (!g_ascii_isalnum (*c) && *c != '_' && *c != '-')
      return NULL;

  return wire_id_is_valid (colon + 1) ? colon + 1 : NULL;
}

gboolean
wire_channel_policy_can_subscribe (WireChannelPolicy  *policy,
                                   const char         *channel,
                                   const WireIdentity *who,
                                   gboolean           *out_read_only,
                                   GError            **error)
{
  const WireChannelRule *rule;
  const char *why = NULL;
  const char *id;
  gboolean allowed = FALSE;

  g_return_val_if_fail (policy != NULL, FALSE);
  g_return_val_if_fail (who != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_read_only != NULL)
    *out_read_only = FALSE;

  id = channel_id (channel);
  if (id == NULL)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_FORBIDDEN,
                   "“%s” is not a valid channel name", channel != NULL ? channel : "(null)");
      return FALSE;
    }

  rule = wire_channel_policy_lookup (policy, channel);

  if (rule == NULL)
    why = "no policy rule matches it";
  else
    {
      switch (rule->subscribe)
        {
        case WIRE_SUBSCRIBE_NOBODY:
          why = "nobody may subscribe to it";
          break;

        case WIRE_SUBSCRIBE_OWNER_USER:
          allowed = who->user_id != NULL && strcmp (who->user_id, id) == 0;
          why = "it belongs to another user";
          break;

        case WIRE_SUBSCRIBE_OWNER_SESSION:
          /* The connection's own session; without one, a session listed in the token. The
           * token's list, when present, also bounds the connection's own session. */
          if (who->session_id != NULL)
            allowed = strcmp (who->session_id, id) == 0 &&
                      (who->sessions == NULL || strv_contains (who->sessions, id));
          else
            allowed = strv_contains (who->sessions, id);
          why = "it is not this connection's session";
          break;

        case WIRE_SUBSCRIBE_TRIP_MEMBER:
          allowed = strv_contains (who->trips, id);
          why = "the token does not list this trip";
          break;

        case WIRE_SUBSCRIBE_ADMIN:
          allowed = who->is_admin;
          why = "it is for administrators only";
          break;

        case WIRE_SUBSCRIBE_ANYONE:
          allowed = TRUE;
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (allowed)
    return TRUE;

  /* An operator inspects any live channel without being part of it. */
  if (who->is_admin)
    {
      if (out_read_only != NULL)
        *out_read_only = TRUE;
      return TRUE;
    }

  g_set_error (error, WIRE_ERROR, WIRE_ERROR_FORBIDDEN,
               "Not allowed to subscribe to “%s”: %s", channel, why);
  return FALSE;
}

gboolean
wire_channel_policy_can_publish (WireChannelPolicy  *policy,
                                 const char         *channel,
                                 const char         *event,
                                 GError            **error)
{
  const WireChannelRule *rule;

  g_return_val_if_fail (policy != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (channel_id (channel) == NULL)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_PUBLISH_DENIED,
                   "“%s” is not a valid channel name", channel != NULL ? channel : "(null)");
      return FALSE;
    }

  rule = wire_channel_policy_lookup (policy, channel);
  if (rule == NULL)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_PUBLISH_DENIED,
                   "Publishing on “%s” is not allowed: no policy rule matches it", channel);
      return FALSE;
    }

  if (!rule->can_publish)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_PUBLISH_DENIED,
                   "Publishing on “%s” is not allowed: the channel is read-only for clients",
                   channel);
      return FALSE;
    }

  if (!strv_contains (rule->allowed_events, event))
    {
      g_autofree char *allowed = g_strjoinv (", ", (char **) rule->allowed_events);

      g_set_error (error, WIRE_ERROR, WIRE_ERROR_FORBIDDEN_EVENT,
                   "Event “%s” may not be published on “%s” (allowed: %s)",
                   event != NULL ? event : "(none)", channel,
                   allowed[0] != '\0' ? allowed : "none");
      return FALSE;
    }

  return TRUE;
}

/**
 * wire_pattern_match:
 * @pattern: a pattern where each `*` stands for one or more characters
 * @name: the name to test
 *
 * Matches by backtracking to the last `*` only (linear in practice, O(n·m) at worst), and
 * every other character is literal, so names full of regex metacharacters mean nothing special.
 */
gboolean
wire_pattern_match (const char *pattern,
                    const char *name)
{
  const char *p = pattern;
  const char *n = name;
  const char *star_p = NULL;
  const char *star_n = NULL;

  g_return_val_if_fail (pattern != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  while (*n != '\0')
    {
      if (*p == '*')
        {
          /* A star takes its one mandatory character now, then more on backtracking. */
          star_p = ++p;
          star_n = ++n;
        }
      else if (*p == *n)
        {
          p++;
          n++;
        }
      else if (star_p != NULL)
        {
          p = star_p;
          n = ++star_n;
        }
      else
        return FALSE;
    }

  return *p == '\0';
}

gsize
wire_pattern_literal_prefix_len (const char *pattern)
{
  g_return_val_if_fail (pattern != NULL, 0);

  return strcspn (pattern, "*");
}

gboolean
wire_channel_split (const char  *channel,
                    char       **out_prefix,
                    char       **out_id)
{
  const char *id = channel_id (channel);

  if (id == NULL)
    return FALSE;

  if (out_prefix != NULL)
    *out_prefix = g_strndup (channel, id - 1 - channel);
  if (out_id != NULL)
    *out_id = g_strdup (id);

  return TRUE;
}
