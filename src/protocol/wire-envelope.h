/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "wire-priority.h"

G_BEGIN_DECLS

typedef enum
{
  WIRE_FRAME_UNKNOWN,       /* a "type" this version does not know */
  WIRE_FRAME_AUTH,          /* also a first frame without "type" but with "token" */
  WIRE_FRAME_AUTH_OK,
  WIRE_FRAME_AUTH_ERROR,
  WIRE_FRAME_HEARTBEAT,
  WIRE_FRAME_HEARTBEAT_ACK,
  WIRE_FRAME_SUBSCRIBE,
  WIRE_FRAME_SUBSCRIBED,
  WIRE_FRAME_UNSUBSCRIBE,
  WIRE_FRAME_UNSUBSCRIBED,
  WIRE_FRAME_PUBLISH,
  WIRE_FRAME_ACK,
  WIRE_FRAME_MESSAGE,
  WIRE_FRAME_ERROR,
} WireFrameType;

#define WIRE_TYPE_ENVELOPE (wire_envelope_get_type ())

/* One parsed frame. Parsing is split on purpose: wire_envelope_parse() validates the whole text
 * (JSON syntax, UTF-8, a top-level object) and copies out only the top-level scalar members the
 * protocol routes on; nested values (payload, channels, error, …) stay as spans of the original
 * text and are parsed by json-glib only when somebody asks for them. A delivered message is thus
 * routed, deduplicated and counted without building a JSON tree.
 *
 * The public fields are read-only. Strings are NULL and integers -1 when the member is absent
 * (or of another JSON type). Integers must be JSON integers that fit in 64 bits (1.5, 1e3 and
 * larger numbers read as -1); a string whose decoded text holds U+0000 reads as NULL, never as a
 * shorter string.
 *
 * Duplicate member names: the last one wins, for the copied fields, the spans and
 * wire_envelope_get_object() alike.
 *
 * The scanner follows RFC 8259 strictly: valid UTF-8 only, no lone surrogates in \u escapes,
 * no leading zeros, no byte-order mark, no trailing text, nesting at most
 * WIRE_JSON_MAX_DEPTH levels (the top-level object is level 1). */
#define WIRE_JSON_MAX_DEPTH 64
typedef struct _WireEnvelope WireEnvelope;
struct _WireEnvelope
{
  WireFrameType  frame_type;
  const char    *type_name;      /* the "type" string as sent, or NULL */
  const char    *id;
  const char    *channel;
  const char    *event;
  const char    *from;
  const char    *status;         /* ack: "ok" / "duplicate" */
  const char    *code;           /* error frames: "rate_limited", … */
  const char    *message;        /* error frames */
  const char    *token;          /* auth */
  const char    *session_id;     /* "sessionId" */
  const char    *user_id;        /* "userId" */
  const char    *connection_id;  /* "connectionId" */
  gboolean       has_priority;
  WirePriority   priority;
  int            success;        /* -1 absent, 0 false, 1 true */
  gint64         ts;
  gint64         timestamp;
  gint64         server_time;    /* "serverTime" */
  gint64         retry_after_ms; /* "retryAfterMs" */
  gint64         heartbeat_interval_ms;
  gint64         max_message_bytes;
  gsize          size;           /* bytes of the frame text */
};

GType          wire_envelope_get_type           (void) G_GNUC_CONST;

/* @data need not be NUL-terminated; it is copied. Sets WIRE_ERROR_BAD_FRAME with a message
 * that says what is wrong (position and cause) for anything that is not a JSON object. */
WireEnvelope  *wire_envelope_parse              (const char    *data,
                                                 gsize          len,
                                                 GError       **error);
WireEnvelope  *wire_envelope_ref                (WireEnvelope  *envelope);
void           wire_envelope_unref              (WireEnvelope  *envelope);

/* The whole frame text (NUL-terminated). */
const char    *wire_envelope_get_text           (WireEnvelope  *envelope,
                                                 gsize         *out_len);
/* The raw JSON text of a top-level member ("payload", "channels", …), or NULL. Not copied:
 * valid as long as @envelope. */
const char    *wire_envelope_peek_member        (WireEnvelope  *envelope,
                                                 const char    *member,
                                                 gsize         *out_len);
gboolean       wire_envelope_has_member         (WireEnvelope  *envelope,
                                                 const char    *member);
/* Parses one member with json-glib on demand. */
JsonNode      *wire_envelope_dup_member_node    (WireEnvelope  *envelope,
                                                 const char    *member);
/* A member that must be an array of strings ("channels", "availableChannels"); NULL when
 * absent or of another shape. */
char         **wire_envelope_dup_member_strv    (WireEnvelope  *envelope,
                                                 const char    *member);
/* The whole frame as a json-glib object, parsed once and cached. */
JsonObject    *wire_envelope_get_object         (WireEnvelope  *envelope);
/* Pretty-printed JSON of the whole frame, for people. */
char          *wire_envelope_to_pretty_string   (WireEnvelope  *envelope);

WireFrameType  wire_frame_type_from_string      (const char    *type_name);
const char    *wire_frame_type_to_string        (WireFrameType  type);

/* A validating scan of any JSON text (used by the composer and by tests): TRUE when @text is
 * one well-formed JSON value. */
gboolean       wire_json_validate               (const char    *text,
                                                 gsize          len,
                                                 GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WireEnvelope, wire_envelope_unref)

G_END_DECLS
