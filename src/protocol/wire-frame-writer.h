/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "wire-priority.h"

G_BEGIN_DECLS

/* Frames are written with a small GString-based writer rather than json-glib's generator:
 * these are on the hot path of both ends and have a fixed shape. Every string goes through
 * wire_json_append_string(), which escapes per RFC 8259. */

void   wire_json_append_string       (GString             *out,
                                      const char          *str);
/* A JSON array of strings; NULL @strv writes []. */
void   wire_json_append_strv         (GString             *out,
                                      const char * const  *strv);

/* Client to gateway. @session_id and @channels may be NULL. */
char  *wire_frame_build_auth         (const char          *token,
                                      const char          *session_id,
                                      const char * const  *channels);
/* @ts < 0 omits "ts". */
char  *wire_frame_build_heartbeat    (gint64               ts);
/* @type_name is "subscribe" or "unsubscribe" (or "subscribed"/"unsubscribed" on the gateway). */
char  *wire_frame_build_channels     (const char          *type_name,
                                      const char * const  *channels);
/* @payload_json is the payload's JSON text (an object), already validated; NULL means {}. */
char  *wire_frame_build_publish      (const char          *id,
                                      const char          *channel,
                                      const char          *event,
                                      WirePriority         priority,
                                      const char          *payload_json);

/* Gateway to client. */
char  *wire_frame_build_heartbeat_ack (gint64              ts,
                                       gint64              server_time);
/* @status: "ok" or "duplicate". */
char  *wire_frame_build_ack          (const char          *id,
                                      const char          *status);
/* @id may be NULL (written as null); @retry_after_ms < 0 omits it. */
char  *wire_frame_build_error        (const char          *id,
                                      const char          *code,
                                      const char          *message,
                                      gint64               retry_after_ms);
char  *wire_frame_build_message      (const char          *id,
                                      const char          *channel,
                                      const char          *event,
                                      const char          *from,
                                      WirePriority         priority,
                                      gint64               timestamp,
                                      const char          *payload_json);
/* The same, with a payload given as a span (not NUL-terminated when @payload_len >= 0), e.g.
 * straight from wire_envelope_peek_member(). */
char  *wire_frame_build_message_len  (const char          *id,
                                      const char          *channel,
                                      const char          *event,
                                      const char          *from,
                                      WirePriority         priority,
                                      gint64               timestamp,
                                      const char          *payload_json,
                                      gssize               payload_len);
char  *wire_frame_build_auth_error   (const char          *code,
                                      const char          *message);

G_END_DECLS
