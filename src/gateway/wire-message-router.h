/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wire-gateway-session.h"

G_BEGIN_DECLS

#define WIRE_TYPE_MESSAGE_ROUTER (wire_message_router_get_type ())
G_DECLARE_FINAL_TYPE (WireMessageRouter, wire_message_router, WIRE, MESSAGE_ROUTER, GObject)

/* Channels to subscribers, delivery, per-user publish-id dedup, and the hand-off to the services
 * behind each channel (PROTOCOL.md §4, §8). Sessions are borrowed: a session unsubscribes from
 * everything before it goes away.
 *
 * Signals, detailed by the channel prefix ("published::chat"):
 *   published (WireGatewaySession *from, const char *channel, const char *event,
 *              const char *payload_json)
 *   subscribed / unsubscribed (WireGatewaySession *session, const char *channel) */
WireMessageRouter *wire_message_router_new               (WireGateway        *gateway);
void               wire_message_router_subscribe         (WireMessageRouter  *self,
                                                          WireGatewaySession *session,
                                                          const char         *channel);
void               wire_message_router_unsubscribe       (WireMessageRouter  *self,
                                                          WireGatewaySession *session,
                                                          const char         *channel);
/* Borrowed; NULL when nobody listens. */
GPtrArray         *wire_message_router_get_subscribers   (WireMessageRouter  *self,
                                                          const char         *channel);
guint              wire_message_router_count_subscribers (WireMessageRouter  *self,
                                                          const char         *channel);
/* The channels that have at least one subscriber and start with @prefix (e.g. "agent:"). */
GPtrArray         *wire_message_router_dup_channels      (WireMessageRouter  *self,
                                                          const char         *prefix);
/* TRUE when @user_id already published @id within the dedup TTL. */
gboolean           wire_message_router_is_duplicate      (WireMessageRouter  *self,
                                                          const char         *user_id,
                                                          const char         *id);
/* Remembers the id, delivers the message to every other subscriber and hands it to the
 * service behind the channel. The caller has checked policy, subscription and rate. */
void               wire_message_router_publish           (WireMessageRouter  *self,
                                                          WireGatewaySession *from,
                                                          WireEnvelope       *envelope);
/* A service's message to every subscriber of @channel. @payload_json NULL = {}. */
void               wire_message_router_emit              (WireMessageRouter  *self,
                                                          const char         *channel,
                                                          const char         *event,
                                                          const char         *from,
                                                          WirePriority        priority,
                                                          const char         *payload_json);
/* Sends to one session only (a snapshot, a presence list for a newcomer). */
void               wire_message_router_emit_to           (WireMessageRouter  *self,
                                                          WireGatewaySession *session,
                                                          const char         *channel,
                                                          const char         *event,
                                                          const char         *from,
                                                          WirePriority        priority,
                                                          const char         *payload_json);
/* Resume extension (docs/protocol-extensions.md): for each "resume": {"channel": lastSeq} member
 * of @envelope (an auth request or a subscribe frame) naming a channel @session holds, sends the
 * kept messages after lastSeq in order (never the session's own user's), or a "resume_gap"
 * error when some are no longer kept. Starts the channel's history. No "resume": nothing. */
void               wire_message_router_resume            (WireMessageRouter  *self,
                                                          WireGatewaySession *session,
                                                          WireEnvelope       *envelope);
/* Expires remembered publish ids and forgets users with none left; expires kept resume
 * messages and forgets the histories of channels idle for the TTL. */
void               wire_message_router_expire            (WireMessageRouter  *self,
                                                          gint64              now_ms);
guint64            wire_message_router_get_delivered     (WireMessageRouter  *self);
/* Testing only: channels with subscribers, users with remembered publish ids, and channels
 * keeping a resume history. */
void               wire_message_router_get_table_sizes   (WireMessageRouter  *self,
                                                          guint              *out_channels,
                                                          guint              *out_dedup_users,
                                                          guint              *out_histories);

G_END_DECLS
