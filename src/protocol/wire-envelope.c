#define G_LOG_DOMAIN "wire-protocol"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-envelope.h"
#include "wire-error.h"
#include "wire-json-scanner-private.h"

/* The JSON scanner (wire-json-scanner.c) validates the frame in one pass; for the top-level
 * object only, the envelope remembers where each member's name and value are. Decoding is left
 * for after the scan, when the sizes are known, so that the envelope, the copy of the text, the
 * member spans and the decoded strings share one allocation.
 *
 * Duplicate member names: the last one wins, both for the copied fields and for the spans
 * (wire_envelope_peek_member() returns the last), as json-glib does for get_object(). */

#define INLINE_MEMBERS 24

typedef enum
{
  F_TYPE,
  F_ID,
  F_CHANNEL,
  F_EVENT,
  F_FROM,
  F_STATUS,
  F_CODE,
  F_MESSAGE,
  F_TOKEN,
  F_SESSION_ID,
  F_USER_ID,
  F_CONNECTION_ID,
  F_PRIORITY,
  N_STRING_FIELDS,
  F_TS = N_STRING_FIELDS,
  F_TIMESTAMP,
  F_SERVER_TIME,
  F_RETRY_AFTER_MS,
  F_HEARTBEAT_INTERVAL_MS,
  F_MAX_MESSAGE_BYTES,
  F_SUCCESS,
  F_NONE,
} Field;

#define N_INT_FIELDS (F_SUCCESS - F_TS)

typedef struct
{
  guint32 key_off;      /* offset of the name's first byte after the quote */
  guint32 key_len;      /* raw length, escapes not decoded */
  guint32 value_off;
  guint32 value_len;
  gboolean key_escaped;
} Member;

/* A string's raw span: offset after the opening quote and raw length. */
typedef struct
{
  guint32  off;
  guint32  len;
  gboolean escaped;
  gboolean present;
} RawString;

typedef struct
{
  WireEnvelope    pub;
  gatomicrefcount ref_count;
  JsonObject     *object;    /* parsed on demand; set once */
  char           *text;
  Member         *members;
  guint           n_members;
} WireEnvelopeReal;

G_STATIC_ASSERT (G_STRUCT_OFFSET (WireEnvelopeReal, pub) == 0);

/* The scanner plus what the envelope collects from the top-level object. */
typedef struct
{
  WireJsonScanner json;
  RawString       strings[N_STRING_FIELDS];
  gint64          ints[N_INT_FIELDS];
  int             success;
  Member         *members;
  guint           n_members;
  guint           members_alloc;
  Member          inline_members[INLINE_MEMBERS];  /* most frames need no heap for spans */
} EnvelopeScan;

static Field
field_for_key (const char *k,
               gsize       len)
{
#define IS(name) (memcmp (k, name, sizeof (name) - 1) == 0)
  switch (len)
    {
    case 2:
      if (IS ("id"))
        return F_ID;
      if (IS ("ts"))
        return F_TS;
      break;
    case 4:
      if (IS ("type"))
        return F_TYPE;
      if (IS ("from"))
        return F_FROM;
      if (IS ("code"))
        return F_CODE;
      break;
    case 5:
      if (IS ("event"))
        return F_EVENT;
      if (IS ("token"))
        return F_TOKEN;
      break;
    case 6:
      if (IS ("status"))
        return F_STATUS;
      if (IS ("userId"))
        return F_USER_ID;
      break;
    case 7:
      if (IS ("channel"))
        return F_CHANNEL;
      if (IS ("message"))
        return F_MESSAGE;
      if (IS ("success"))
        return F_SUCCESS;
      break;
    case 8:
      if (IS ("priority"))
        return F_PRIORITY;
      break;
    case 9:
      if (IS ("sessionId"))
        return F_SESSION_ID;
      if (IS ("timestamp"))
        return F_TIMESTAMP;
      break;
    case 10:
      if (IS ("serverTime"))
        return F_SERVER_TIME;
      break;
    case 12:
      if (IS ("connectionId"))
        return F_CONNECTION_ID;
      if (IS ("retryAfterMs"))
        return F_RETRY_AFTER_MS;
      break;
    case 15:
      if (IS ("maxMessageBytes"))
        return F_MAX_MESSAGE_BYTES;
      break;
    case 19:
      if (IS ("heartbeatIntervalMs"))
        return F_HEARTBEAT_INTERVAL_MS;
      break;
    default:
      break;
    }
#undef IS
  return F_NONE;
}

static Field
field_for_member (EnvelopeScan *s,
                  const Member *m)
{
  const char *raw = (const char *) s->json.start + m->key_off;
  char decoded[32];
  gsize len;

  if (!m->key_escaped)
    return field_for_key (raw, m->key_len);

  /* An escaped name ("\u0074ype") is rare; none of ours is longer than 19 bytes decoded. */
  if (m->key_len > sizeof decoded)
    return F_NONE;
  len = wire_json_decode_string ((const guchar *) raw, m->key_len, decoded);
  return field_for_key (decoded, len);
}

static void
add_member (EnvelopeScan *s,
            const Member *m)
{
  if (s->n_members == s->members_alloc)
    {
      guint alloc = s->members_alloc * 2;

      if (s->members == s->inline_members)
        {
          s->members = g_new (Member, alloc);
          memcpy (s->members, s->inline_members, sizeof (Member) * s->n_members);
        }
      else
        s->members = g_renew (Member, s->members, alloc);
      s->members_alloc = alloc;
    }

  s->members[s->n_members++] = *m;
}

/* The top-level object of a frame: validated like any object, and its members recorded. */
static gboolean
scan_top_object (EnvelopeScan *s)
{
  WireJsonScanner *json = &s->json;
  char buf[16];

  json->p++;
  wire_json_skip_ws (json);
  if (json->p < json->end && *json->p == '}')
    {
      json->p++;
      return TRUE;
    }

  for (;;)
    {
      Member m;
      Field field;
      const guchar *value;

      if (json->p >= json->end || *json->p != '"')
        {
          wire_json_scanner_fail (json, json->p, "expected a member name, found %s",
                                  wire_json_describe_byte (json->p, json->end, buf));
          return FALSE;
        }
      if (!wire_json_scan_string_fast (json, &m.key_off, &m.key_len, &m.key_escaped))
        return FALSE;
      wire_json_skip_ws (json);
      if (json->p >= json->end || *json->p != ':')
        {
          wire_json_scanner_fail (json, json->p, "expected “:” after a member name, found %s",
                                  wire_json_describe_byte (json->p, json->end, buf));
          return FALSE;
        }
      json->p++;
      wire_json_skip_ws (json);

      value = json->p;
      field = field_for_member (s, &m);

      if (json->p < json->end && *json->p == '"')
        {
          RawString str;

          if (!wire_json_scan_string_fast (json, &str.off, &str.len, &str.escaped))
            return FALSE;
          str.present = TRUE;
          if (field < N_STRING_FIELDS)
            s->strings[field] = str;
          else if (field == F_SUCCESS)
            s->success = -1;
          else if (field != F_NONE)
            s->ints[field - F_TS] = -1;
        }
      else if (json->p < json->end && (*json->p == '-' || wire_json_is_digit (*json->p)) &&
                                                                              field >= F_TS && field < F_SUCCESS)
        {
          gint64 v = -1;
          gboolean is_int = FALSE;

          if (!wire_json_scan_number (json, &v, &is_int))
            return FALSE;
          s->ints[field - F_TS] = is_int ? v : -1;
        }
      else
        {
          if (!wire_json_scan_value (json, 1))
            return FALSE;
          if (field < N_STRING_FIELDS)
            s->strings[field].present = FALSE;
          else if (field == F_SUCCESS)
            s->success = *value == 't' ? 1 : *value == 'f' ? 0 : -1;
          else if (field != F_NONE)
            s->ints[field - F_TS] = -1;
        }

      m.value_off = (guint32) (value - json->start);
      m.value_len = (guint32) (json->p - value);
      add_member (s, &m);

      wire_json_skip_ws (json);
      if (json->p < json->end && *json->p == ',')
        {
          json->p++;
          wire_json_skip_ws (json);
          continue;
        }
      if (json->p < json->end && *json->p == '}')
        {
          json->p++;
          return TRUE;
        }

      wire_json_scanner_fail (json, json->p, "expected “,” or “}”, found %s",
                              wire_json_describe_byte (json->p, json->end, buf));
      return FALSE;
    }
}

static gboolean
scan_document (EnvelopeScan *s)
{
  WireJsonScanner *json = &s->json;
  char buf[16];

  wire_json_skip_ws (json);

  if (json->p >= json->end)
    {
      wire_json_scanner_fail (json, json->p, "empty frame, expected a JSON object");
      return FALSE;
    }
  if (*json->p != '{')
    {
      /* Say what it is, once it is known to be valid JSON at all. */
      const guchar *begin = json->p;

      if (!wire_json_scan_value (json, 0))
        return FALSE;
      json->failed = TRUE;
      g_set_error (json->error, WIRE_ERROR, WIRE_ERROR_BAD_FRAME,
                   "The frame is not a JSON object but %s",
                   *begin == '[' ? "an array" :
                   *begin == '"' ? "a string" :
                   *begin == 'n' ? "null" :
                   *begin == 't' || *begin == 'f' ? "a boolean" : "a number");
      return FALSE;
    }
  if (!scan_top_object (s))
    return FALSE;

  wire_json_skip_ws (json);
  if (json->p < json->end)
    {
      wire_json_scanner_fail (json, json->p, "unexpected %s after the JSON value",
                              wire_json_describe_byte (json->p, json->end, buf));
      return FALSE;
    }

  return TRUE;
}

static inline gsize
align8 (gsize n)
{
  return (n + 7) & ~(gsize) 7;
}

WireEnvelope *
wire_envelope_parse (const char  *data,
                     gsize        len,
                     GError     **error)
{
  WireEnvelopeReal *env;
  EnvelopeScan s;
  gsize members_off;
  gsize text_off;
  gsize strings_off;
  gsize total;
  char *strings;
  const char **targets[N_STRING_FIELDS];
  const char *priority = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > G_MAXUINT32)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_TOO_LARGE,
                   "Frame of %" G_GSIZE_FORMAT " bytes is too large to parse", len);
      return NULL;
    }

  wire_json_scanner_init (&s.json, data, len, error);
  memset (s.strings, 0, sizeof s.strings);
  for (guint i = 0; i < N_INT_FIELDS; i++)
    s.ints[i] = -1;
  s.success = -1;
  s.members = s.inline_members;
  s.n_members = 0;
  s.members_alloc = INLINE_MEMBERS;

  if (!scan_document (&s))
    {
      if (s.members != s.inline_members)
        g_free (s.members);
      return NULL;
    }

  /* One block: the envelope, the member spans, the text, then the decoded strings (each no
   * longer than its raw form, plus a NUL). */
  members_off = align8 (sizeof (WireEnvelopeReal));
  text_off = members_off + sizeof (Member) * s.n_members;
  strings_off = text_off + len + 1;
  total = strings_off;
  for (guint i = 0; i < N_STRING_FIELDS; i++)
    if (s.strings[i].present)
      total += s.strings[i].len + 1;

  env = g_malloc (total);
  memset (env, 0, sizeof (WireEnvelopeReal));
  g_atomic_ref_count_init (&env->ref_count);
  env->members = (Member *) (gpointer) ((char *) env + members_off);
  env->n_members = s.n_members;
  memcpy (env->members, s.members, sizeof (Member) * s.n_members);
  env->text = (char *) env + text_off;
  memcpy (env->text, data, len);
  env->text[len] = '\0';

  if (s.members != s.inline_members)
    g_free (s.members);

  targets[F_TYPE] = &env->pub.type_name;
  targets[F_ID] = &env->pub.id;
  targets[F_CHANNEL] = &env->pub.channel;
  targets[F_EVENT] = &env->pub.event;
  targets[F_FROM] = &env->pub.from;
  targets[F_STATUS] = &env->pub.status;
  targets[F_CODE] = &env->pub.code;
  targets[F_MESSAGE] = &env->pub.message;
  targets[F_TOKEN] = &env->pub.token;
  targets[F_SESSION_ID] = &env->pub.session_id;
  targets[F_USER_ID] = &env->pub.user_id;
  targets[F_CONNECTION_ID] = &env->pub.connection_id;
  targets[F_PRIORITY] = &priority;

  strings = (char *) env + strings_off;
  for (guint i = 0; i < N_STRING_FIELDS; i++)
    {
      const RawString *raw = &s.strings[i];
      gsize n;

      if (!raw->present)
        continue;

      if (raw->escaped)
        n = wire_json_decode_string ((const guchar *) data + raw->off, raw->len, strings);
      else
        {
          n = raw->len;
          memcpy (strings, data + raw->off, n);
        }
      strings[n] = '\0';

      /* A decoded U+0000 would silently cut the string short; such a value is treated as
       * absent rather than as a different, shorter one. */
      if (raw->escaped && memchr (strings, '\0', n) != NULL)
        continue;

      *targets[i] = strings;
      strings += n + 1;
    }

  env->pub.frame_type = wire_frame_type_from_string (env->pub.type_name);
  if (env->pub.type_name == NULL && s.strings[F_TYPE].present == FALSE && env->pub.token != NULL)
    env->pub.frame_type = WIRE_FRAME_AUTH;
  env->pub.has_priority = wire_priority_from_string (priority, &env->pub.priority);
  if (!env->pub.has_priority)
    env->pub.priority = WIRE_PRIORITY_NORMAL;
  env->pub.success = s.success;
  env->pub.ts = s.ints[F_TS - F_TS];
  env->pub.timestamp = s.ints[F_TIMESTAMP - F_TS];
  env->pub.server_time = s.ints[F_SERVER_TIME - F_TS];
  env->pub.retry_after_ms = s.ints[F_RETRY_AFTER_MS - F_TS];
  env->pub.heartbeat_interval_ms = s.ints[F_HEARTBEAT_INTERVAL_MS - F_TS];
  env->pub.max_message_bytes = s.ints[F_MAX_MESSAGE_BYTES - F_TS];
  env->pub.size = len;

  return &env->pub;
}

WireEnvelope *
wire_envelope_ref (WireEnvelope *envelope)
{
  WireEnvelopeReal *env = (WireEnvelopeReal *) envelope;

  g_return_val_if_fail (envelope != NULL, NULL);

  g_atomic_ref_count_inc (&env->ref_count);
  return envelope;
}

void
wire_envelope_unref (WireEnvelope *envelope)
{
  WireEnvelopeReal *env = (WireEnvelopeReal *) envelope;

  g_return_if_fail (envelope != NULL);

  if (g_atomic_ref_count_dec (&env->ref_count))
    {
      g_clear_pointer (&env->object, json_object_unref);
      g_free (env);
    }
}

G_DEFINE_BOXED_TYPE (WireEnvelope, wire_envelope, wire_envelope_ref, wire_envelope_unref)

const char *
wire_envelope_get_text (WireEnvelope *envelope,
                        gsize        *out_len)
{
  WireEnvelopeReal *env = (WireEnvelopeReal *) envelope;

  g_return_val_if_fail (envelope != NULL, NULL);

  if (out_len != NULL)
    *out_len = envelope->size;
  return env->text;
}

static gboolean
member_name_equal (WireEnvelopeReal *env,
                   const Member     *m,
                   const char       *name,
                   gsize             name_len)
{
  const char *raw = env->text + m->key_off;
  g_autofree char *decoded = NULL;
  gsize len;

  if (!m->key_escaped)
    return m->key_len == name_len && memcmp (raw, name, name_len) == 0;

  decoded = g_malloc (m->key_len + 1);
  len = wire_json_decode_string ((const guchar *) raw, m->key_len, decoded);
  return len == name_len && memcmp (decoded, name, name_len) == 0;
}

static const Member *
find_member (WireEnvelopeReal *env,
             const char       *name)
{
  gsize name_len = strlen (name);

  /* From the end: the last of duplicate names wins. */
  for (guint i = env->n_members; i > 0; i--)
    {
      const Member *m = &env->members[i - 1];

      if (member_name_equal (env, m, name, name_len))
        return m;
    }

  return NULL;
}

const char *
wire_envelope_peek_member (WireEnvelope *envelope,
                           const char   *member,
                           gsize        *out_len)
{
  WireEnvelopeReal *env = (WireEnvelopeReal *) envelope;
  const Member *m;

  g_return_val_if_fail (envelope != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  m = find_member (env, member);
  if (m == NULL)
    {
      if (out_len != NULL)
        *out_len = 0;
      return NULL;
    }

  if (out_len != NULL)
    *out_len = m->value_len;
  return env->text + m->value_off;
}

gboolean
wire_envelope_has_member (WireEnvelope *envelope,
                          const char   *member)
{
  g_return_val_if_fail (envelope != NULL, FALSE);
  g_return_val_if_fail (member != NULL, FALSE);

  return find_member ((WireEnvelopeReal *) envelope, member) != NULL;
}

JsonNode *
wire_envelope_dup_member_node (WireEnvelope *envelope,
                               const char   *member)
{
  g_autoptr(JsonParser) parser = NULL;
  const char *raw;
  gsize len;

  g_return_val_if_fail (envelope != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  raw = wire_envelope_peek_member (envelope, member, &len);
  if (raw == NULL)
    return NULL;

  /* Mutable: the caller owns the copy. */
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, raw, len, NULL))
    return NULL;

  return json_parser_steal_root (parser);
}

/**
 * wire_envelope_dup_member_strv:
 *
 * Reads the array with the scanner rather than json-glib: the text was validated at parse
 * time, so this only walks it and decodes the strings.
 */
char **
wire_envelope_dup_member_strv (WireEnvelope *envelope,
                               const char   *member)
{
  g_autoptr(GPtrArray) strv = NULL;
  const char *raw;
  gsize len;
  WireJsonScanner s;

  g_return_val_if_fail (envelope != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  raw = wire_envelope_peek_member (envelope, member, &len);
  if (raw == NULL || raw[0] != '[')
    return NULL;

  wire_json_scanner_init (&s, raw, len, NULL);
  strv = g_ptr_array_new_with_free_func (g_free);

  s.p++;
  wire_json_skip_ws (&s);
  while (s.p < s.end && *s.p != ']')
    {
      guint32 off, slen;
      gboolean escaped;
      char *str;
      gsize n;

      if (*s.p != '"' || !wire_json_scan_string (&s, &off, &slen, &escaped))
        return NULL;

      str = g_malloc (slen + 1);
      n = escaped ? wire_json_decode_string ((const guchar *) raw + off, slen, str) : slen;
      if (!escaped)
        memcpy (str, raw + off, slen);
      str[n] = '\0';
      g_ptr_array_add (strv, str);

      /* A string with U+0000 inside cannot be a C string: the shape is wrong. */
      if (escaped && memchr (str, '\0', n) != NULL)
        return NULL;

      wire_json_skip_ws (&s);
      if (s.p < s.end && *s.p == ',')
        {
          s.p++;
          wire_json_skip_ws (&s);
        }
    }

  g_ptr_array_add (strv, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&strv), FALSE);
}

/**
 * wire_envelope_get_object:
 *
 * Returns: (transfer none) (nullable): the whole frame parsed by json-glib, cached and shared
 *   by every holder of @envelope, so it is sealed (immutable); %NULL only if json-glib refuses
 *   text the scanner accepted, which valid JSON does not make it do.
 */
JsonObject *
wire_envelope_get_object (WireEnvelope *envelope)
{
  WireEnvelopeReal *env = (WireEnvelopeReal *) envelope;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;
  JsonNode *root;

  g_return_val_if_fail (envelope != NULL, NULL);

  object = g_atomic_pointer_get (&env->object);
  if (object != NULL)
    return object;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, env->text, envelope->size, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  object = json_object_ref (json_node_get_object (root));
  if (!g_atomic_pointer_compare_and_exchange (&env->object, NULL, object))
    {
      /* Another thread got there first. */
      json_object_unref (object);
      object = g_atomic_pointer_get (&env->object);
    }

  return object;
}

char *
wire_envelope_to_pretty_string (WireEnvelope *envelope)
{
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  g_return_val_if_fail (envelope != NULL, NULL);

  object = wire_envelope_get_object (envelope);
  if (object == NULL)
    return g_strdup (wire_envelope_get_text (envelope, NULL));

  root = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (root, object);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static const char * const frame_type_names[] = {
  [WIRE_FRAME_UNKNOWN] = "unknown",
  [WIRE_FRAME_AUTH] = "auth",
  [WIRE_FRAME_AUTH_OK] = "auth_ok",
  [WIRE_FRAME_AUTH_ERROR] = "auth_error",
  [WIRE_FRAME_HEARTBEAT] = "heartbeat",
  [WIRE_FRAME_HEARTBEAT_ACK] = "heartbeat_ack",
  [WIRE_FRAME_SUBSCRIBE] = "subscribe",
  [WIRE_FRAME_SUBSCRIBED] = "subscribed",
  [WIRE_FRAME_UNSUBSCRIBE] = "unsubscribe",
  [WIRE_FRAME_UNSUBSCRIBED] = "unsubscribed",
  [WIRE_FRAME_PUBLISH] = "publish",
  [WIRE_FRAME_ACK] = "ack",
  [WIRE_FRAME_MESSAGE] = "message",
  [WIRE_FRAME_ERROR] = "error",
};

WireFrameType
wire_frame_type_from_string (const char *type_name)
{
  WireFrameType candidate;

  if (type_name == NULL)
    return WIRE_FRAME_UNKNOWN;

  /* Every frame of the hot path goes through here: one string compare, the candidate chosen
   * by length and first letter, rather than a walk over the table. "unknown" is not a wire
   * type. */
  switch (strlen (type_name))
    {
    case 3:
      candidate = WIRE_FRAME_ACK;
      break;
    case 4:
      candidate = WIRE_FRAME_AUTH;
      break;
    case 5:
      candidate = WIRE_FRAME_ERROR;
      break;
    case 7:
      candidate = type_name[0] == 'm' ? WIRE_FRAME_MESSAGE :
                  type_name[0] == 'p' ? WIRE_FRAME_PUBLISH : WIRE_FRAME_AUTH_OK;
      break;
    case 9:
      candidate = type_name[0] == 'h' ? WIRE_FRAME_HEARTBEAT : WIRE_FRAME_SUBSCRIBE;
      break;
    case 10:
      candidate = type_name[0] == 'a' ? WIRE_FRAME_AUTH_ERROR : WIRE_FRAME_SUBSCRIBED;
      break;
    case 11:
      candidate = WIRE_FRAME_UNSUBSCRIBE;
      break;
    case 12:
      candidate = WIRE_FRAME_UNSUBSCRIBED;
      break;
    case 13:
      candidate = WIRE_FRAME_HEARTBEAT_ACK;
      break;
    default:
      return WIRE_FRAME_UNKNOWN;
    }

  return strcmp (type_name, frame_type_names[candidate]) == 0 ? candidate : WIRE_FRAME_UNKNOWN;
}

const char *
wire_frame_type_to_string (WireFrameType type)
{
  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (frame_type_names), NULL);

  return frame_type_names[type];
}
