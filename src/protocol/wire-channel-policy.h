/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* PROTOCOL.md §3: who may subscribe to and publish on which channel. One table and one matcher
 * serve the gateway (which enforces) and the client (which explains before it sends). */

typedef enum
{
  WIRE_SUBSCRIBE_NOBODY,
  WIRE_SUBSCRIBE_OWNER_USER,      /* the id in the name equals the token's sub */
  WIRE_SUBSCRIBE_OWNER_SESSION,   /* the id equals this connection's chat session */
  WIRE_SUBSCRIBE_TRIP_MEMBER,     /* the id is in the token's trips */
  WIRE_SUBSCRIBE_ADMIN,           /* role admin */
  WIRE_SUBSCRIBE_ANYONE,
} WireSubscribeRule;

typedef struct
{
  const char         *pattern;        /* "chat:*", "admin:sessions"; '*' = one or more chars */
  WireSubscribeRule   subscribe;
  gboolean            can_publish;
  double              rate_per_sec;   /* 0 = no limit */
  double              burst;
  const char * const *allowed_events; /* NULL-terminated; events clients may publish */
} WireChannelRule;

/* Who is asking. All strings borrowed. */
typedef struct
{
  const char         *user_id;
  gboolean            is_admin;
  const char * const *trips;          /* NULL = none */
  const char * const *sessions;       /* NULL = claim absent (any session) */
  const char         *session_id;     /* this connection's chat session, or NULL */
} WireIdentity;

typedef struct _WireChannelPolicy WireChannelPolicy;

WireChannelPolicy     *wire_channel_policy_new             (void);
/* The table of PROTOCOL.md §3. */
WireChannelPolicy     *wire_channel_policy_new_default     (void);
void                   wire_channel_policy_free            (WireChannelPolicy       *policy);
/* Copies @rule. A later rule with the same pattern replaces the earlier one. */
void                   wire_channel_policy_add_rule        (WireChannelPolicy       *policy,
                                                            const WireChannelRule   *rule);
/* The rule for @channel: an exact name first, then the pattern with the longest literal
 * prefix; NULL when nothing matches. Valid as long as @policy. */
const WireChannelRule *wire_channel_policy_lookup          (WireChannelPolicy       *policy,
                                                            const char              *channel);
/* FALSE with WIRE_ERROR_FORBIDDEN (and a message saying why) when @who may not subscribe.
 * An admin may subscribe to any channel read-only: then *@out_read_only is TRUE (it is FALSE
 * when the admin qualifies by the rule itself, as for admin:sessions or its own user channel).
 * OWNER_SESSION: the id must equal @who->session_id (and be in @who->sessions when that is
 * set); without a session_id, the id must be in @who->sessions. */
gboolean               wire_channel_policy_can_subscribe   (WireChannelPolicy       *policy,
                                                            const char              *channel,
                                                            const WireIdentity      *who,
                                                            gboolean                *out_read_only,
                                                            GError                 **error);
/* Channel-level check of a publish (subscription state is the caller's): FALSE with
 * WIRE_ERROR_PUBLISH_DENIED or WIRE_ERROR_FORBIDDEN_EVENT. */
gboolean               wire_channel_policy_can_publish     (WireChannelPolicy       *policy,
                                                            const char              *channel,
                                                            const char              *event,
                                                            GError                 **error);

/* '*' matches one or more characters; no regex is built, so names cannot inject one. */
gboolean               wire_pattern_match                  (const char              *pattern,
                                                            const char              *name);
/* Length of the literal text before the first '*'. */
gsize                  wire_pattern_literal_prefix_len     (const char              *pattern);
/* Splits "trip:t1" into "trip" and "t1"; FALSE when there is no ':' or the id is invalid. */
gboolean               wire_channel_split                  (const char              *channel,
                                                            char                   **out_prefix,
                                                            char                   **out_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WireChannelPolicy, wire_channel_policy_free)

G_END_DECLS
