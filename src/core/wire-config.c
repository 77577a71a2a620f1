#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-config.h"
#include "wire-core-enums.h"

struct _WireConfig
{
  GObject parent_instance;

  guint reconnect_max_attempts;
  guint reconnect_base_delay_ms;
  guint reconnect_max_delay_ms;
  WireJitter jitter;
  guint reset_after_ms;
  guint heartbeat_interval_ms;
  guint heartbeat_timeout_ms;
  guint probe_interval_ms;
  guint slow_threshold_ms;
  guint unstable_threshold_ms;
  char *health_path;
  guint connect_timeout_ms;
  guint idle_timeout_ms;
  guint queue_capacity;
  WireOverflowPolicy overflow;
  guint max_retries;
  guint retry_delay_ms;
  guint ack_timeout_ms;
  guint dedup_ttl_ms;
  guint max_connections;
  guint max_connections_per_host;
  gboolean permessage_deflate;
  char *ca_file;
  gboolean insecure;
  char **extra_headers;
};

G_DEFINE_FINAL_TYPE (WireConfig, wire_config, G_TYPE_OBJECT)

enum
{
  PROP_0,
  /* The unsigned properties first, in the order of uint_props[]. */
  PROP_RECONNECT_MAX_ATTEMPTS,
  PROP_RECONNECT_BASE_DELAY_MS,
  PROP_RECONNECT_MAX_DELAY_MS,
  PROP_RESET_AFTER_MS,
  PROP_HEARTBEAT_INTERVAL_MS,
  PROP_HEARTBEAT_TIMEOUT_MS,
  PROP_PROBE_INTERVAL_MS,
  PROP_SLOW_THRESHOLD_MS,
  PROP_UNSTABLE_THRESHOLD_MS,
  PROP_CONNECT_TIMEOUT_MS,
  PROP_IDLE_TIMEOUT_MS,
  PROP_QUEUE_CAPACITY,
  PROP_MAX_RETRIES,
  PROP_RETRY_DELAY_MS,
  PROP_ACK_TIMEOUT_MS,
  PROP_DEDUP_TTL_MS,
  PROP_MAX_CONNECTIONS,
  PROP_MAX_CONNECTIONS_PER_HOST,
  PROP_JITTER,
  PROP_HEALTH_PATH,
  PROP_OVERFLOW,
  PROP_PERMESSAGE_DEFLATE,
  PROP_CA_FILE,
  PROP_INSECURE,
  PROP_EXTRA_HEADERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The unsigned settings share one table: name, range, default and where the value lives. Ranges
 * are wide on purpose (tests use a few ms, a patient user hours); an hour or a day is the cap so
 * that products of these values never overflow 64 bits. */
typedef struct
{
  const char *name;
  const char *blurb;
  guint min;
  guint max;
  guint def;
  gsize offset;
} UintProp;

#define HOUR_MS (60u * 60u * 1000u)
#define DAY_MS (24u * HOUR_MS)

static const UintProp uint_props[] = {
  { "reconnect-max-attempts", "Attempts before giving up (0 = never)", 0, 1000000, 0,
    G_STRUCT_OFFSET (WireConfig, reconnect_max_attempts) },
  { "reconnect-base-delay-ms", "First backoff delay", 0, HOUR_MS, 1000,
    G_STRUCT_OFFSET (WireConfig, reconnect_base_delay_ms) },
  { "reconnect-max-delay-ms", "Longest backoff delay", 0, DAY_MS, 30000,
    G_STRUCT_OFFSET (WireConfig, reconnect_max_delay_ms) },
  { "reset-after-ms", "Uptime after which the attempt count resets", 0, DAY_MS, 60000,
    G_STRUCT_OFFSET (WireConfig, reset_after_ms) },
  { "heartbeat-interval-ms", "Heartbeat interval (0 = the gateway's)", 0, HOUR_MS, 30000,
    G_STRUCT_OFFSET (WireConfig, heartbeat_interval_ms) },
  { "heartbeat-timeout-ms", "Silence after a heartbeat that means a dead link", 1, HOUR_MS, 10000,
    G_STRUCT_OFFSET (WireConfig, heartbeat_timeout_ms) },
  { "probe-interval-ms", "Health probe interval (0 = only on network changes)", 0, DAY_MS, 30000,
    G_STRUCT_OFFSET (WireConfig, probe_interval_ms) },
  { "slow-threshold-ms", "Probe latency above which the network is slow", 1, HOUR_MS, 5000,
    G_STRUCT_OFFSET (WireConfig, slow_threshold_ms) },
  { "unstable-threshold-ms", "Probe latency above which the network is unstable", 1, HOUR_MS,
    1000, G_STRUCT_OFFSET (WireConfig, unstable_threshold_ms) },
  { "connect-timeout-ms", "Time allowed for open and auth", 1, HOUR_MS, 10000,
    G_STRUCT_OFFSET (WireConfig, connect_timeout_ms) },
  { "idle-timeout-ms", "Close a connection without traffic this long (0 = off)", 0, DAY_MS, 0,
    G_STRUCT_OFFSET (WireConfig, idle_timeout_ms) },
  { "queue-capacity", "Most messages a queue holds (queued and in flight)", 1, 100000000, 10000,
    G_STRUCT_OFFSET (WireConfig, queue_capacity) },
  { "max-retries", "Re-sends of a publish before it fails", 0, 1000, 3,
    G_STRUCT_OFFSET (WireConfig, max_retries) },
  { "retry-delay-ms", "Retry delay unit (× retry count)", 0, HOUR_MS, 1000,
    G_STRUCT_OFFSET (WireConfig, retry_delay_ms) },
  { "ack-timeout-ms", "Time allowed for a publish's ack", 1, HOUR_MS, 10000,
    G_STRUCT_OFFSET (WireConfig, ack_timeout_ms) },
  { "dedup-ttl-ms", "How long delivered ids are remembered", 0, DAY_MS, 300000,
    G_STRUCT_OFFSET (WireConfig, dedup_ttl_ms) },
  { "max-connections", "Most connections in one manager", 1, 1000000, 100,
    G_STRUCT_OFFSET (WireConfig, max_connections) },
  { "max-connections-per-host", "Most connections to one host", 1, 1000000, 100,
    G_STRUCT_OFFSET (WireConfig, max_connections_per_host) },
};

G_STATIC_ASSERT (G_N_ELEMENTS (uint_props) == PROP_JITTER - PROP_RECONNECT_MAX_ATTEMPTS);

#define UINT_FIELD(self, i) (G_STRUCT_MEMBER_P ((self), uint_props[(i)].offset))

static gboolean
is_uint_prop (guint prop_id)
{
  return prop_id >= PROP_RECONNECT_MAX_ATTEMPTS && prop_id < PROP_JITTER;
}

static void
wire_config_finalize (GObject *object)
{
  WireConfig *self = WIRE_CONFIG (object);

  g_clear_pointer (&self->health_path, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->extra_headers, g_strfreev);

  G_OBJECT_CLASS (wire_config_parent_class)->finalize (object);
}

static void
wire_config_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  WireConfig *self = WIRE_CONFIG (object);

  if (is_uint_prop (prop_id))
    {
      g_value_set_uint (value, *(guint *) UINT_FIELD (self, prop_id - PROP_RECONNECT_MAX_ATTEMPTS));
      return;
    }

  switch (prop_id)
    {
    case PROP_JITTER:
      g_value_set_enum (value, self->jitter);
      break;
    case PROP_HEALTH_PATH:
      g_value_set_string (value, self->health_path);
      break;
    case PROP_OVERFLOW:
      g_value_set_enum (value, self->overflow);
      break;
    case PROP_PERMESSAGE_DEFLATE:
      g_value_set_boolean (value, self->permessage_deflate);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_INSECURE:
      g_value_set_boolean (value, self->insecure);
      break;
    case PROP_EXTRA_HEADERS:
      g_value_set_boxed (value, self->extra_headers);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static gboolean
strv_equal0 (const char * const *a,
             const char * const *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_strv_equal (a, b);
}

static void
wire_config_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  WireConfig *self = WIRE_CONFIG (object);
  gboolean changed = FALSE;

  if (is_uint_prop (prop_id))
    {
      guint *field = UINT_FIELD (self, prop_id - PROP_RECONNECT_MAX_ATTEMPTS);
      guint v = g_value_get_uint (value);

      if (*field != v)
        {
          *field = v;
          changed = TRUE;
        }
    }
  else
    {
      switch (prop_id)
        {
        case PROP_JITTER:
          changed = self->jitter != (WireJitter) g_value_get_enum (value);
          self->jitter = g_value_get_enum (value);
          break;
        case PROP_HEALTH_PATH:
          changed = set_string (&self->health_path, g_value_get_string (value));
          break;
        case PROP_OVERFLOW:
          changed = self->overflow != (WireOverflowPolicy) g_value_get_enum (value);
          self->overflow = g_value_get_enum (value);
          break;
        case PROP_PERMESSAGE_DEFLATE:
          changed = self->permessage_deflate != g_value_get_boolean (value);
          self->permessage_deflate = g_value_get_boolean (value);
          break;
        case PROP_CA_FILE:
          changed = set_string (&self->ca_file, g_value_get_string (value));
          break;
        case PROP_INSECURE:
          changed = self->insecure != g_value_get_boolean (value);
          self->insecure = g_value_get_boolean (value);
          break;
        case PROP_EXTRA_HEADERS:
          {
            const char * const *v = g_value_get_boxed (value);

            if (!strv_equal0 ((const char * const *) self->extra_headers, v))
              {
                g_strfreev (self->extra_headers);
                self->extra_headers = g_strdupv ((char **) v);
                changed = TRUE;
              }
          }
          break;
        default:
          G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
          return;
        }
    }

  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

static void
wire_config_class_init (WireConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = wire_config_finalize;
  object_class->get_property = wire_config_get_property;
  object_class->set_property = wire_config_set_property;

  for (guint i = 0; i < G_N_ELEMENTS (uint_props); i++)
    {
      const UintProp *p = &uint_props[i];

      properties[PROP_RECONNECT_MAX_ATTEMPTS + i] =
        g_param_spec_uint (p->name, NULL, p->blurb, p->min, p->max, p->def, flags);
    }

  properties[PROP_JITTER] =
    g_param_spec_enum ("jitter", NULL, "Backoff jitter", WIRE_TYPE_JITTER, WIRE_JITTER_EQUAL,
                       flags);
  properties[PROP_HEALTH_PATH] =
    g_param_spec_string ("health-path", NULL, "Path of the gateway's health check",
                         "/api/health", flags);
  properties[PROP_OVERFLOW] =
    g_param_spec_enum ("overflow", NULL, "What a full queue does", WIRE_TYPE_OVERFLOW_POLICY,
                       WIRE_OVERFLOW_REJECT_NEW, flags);
  properties[PROP_PERMESSAGE_DEFLATE] =
    g_param_spec_boolean ("permessage-deflate", NULL, "Accept permessage-deflate", TRUE, flags);
  properties[PROP_CA_FILE] =
    g_param_spec_string ("ca-file", NULL, "Extra trusted CA (PEM)", NULL, flags);
  properties[PROP_INSECURE] =
    g_param_spec_boolean ("insecure", NULL, "Accept any certificate", FALSE, flags);
  properties[PROP_EXTRA_HEADERS] =
    g_param_spec_boxed ("extra-headers", NULL, "\"Name: value\" handshake headers",
                        G_TYPE_STRV, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wire_config_init (WireConfig *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (uint_props); i++)
    *(guint *) UINT_FIELD (self, i) = uint_props[i].def;

  self->jitter = WIRE_JITTER_EQUAL;
  self->health_path = g_strdup ("/api/health");
  self->overflow = WIRE_OVERFLOW_REJECT_NEW;
  self->permessage_deflate = TRUE;
}

WireConfig *
wire_config_new (void)
{
  return g_object_new (WIRE_TYPE_CONFIG, NULL);
}

/**
 * wire_config_copy:
 *
 * Returns: (transfer full): a new config with every property of @self. The copy does not
 * follow later changes of @self.
 */
WireConfig *
wire_config_copy (WireConfig *self)
{
  WireConfig *copy;

  g_return_val_if_fail (WIRE_IS_CONFIG (self), NULL);

  copy = wire_config_new ();

  for (guint i = 0; i < G_N_ELEMENTS (uint_props); i++)
    *(guint *) UINT_FIELD (copy, i) = *(guint *) UINT_FIELD (self, i);

  copy->jitter = self->jitter;
  set_string (&copy->health_path, self->health_path);
  copy->overflow = self->overflow;
  copy->permessage_deflate = self->permessage_deflate;
  set_string (&copy->ca_file, self->ca_file);
  copy->insecure = self->insecure;
  copy->extra_headers = g_strdupv (self->extra_headers);

  return copy;
}

#define UINT_GETTER(field)                                   \
  guint wire_config_get_##field (WireConfig *self)           \
  {                                                          \
    g_return_val_if_fail (WIRE_IS_CONFIG (self), 0);         \
    return self->field;                                      \
  }

UINT_GETTER (reconnect_max_attempts)
UINT_GETTER (reconnect_base_delay_ms)
UINT_GETTER (reconnect_max_delay_ms)
UINT_GETTER (reset_after_ms)
UINT_GETTER (heartbeat_interval_ms)
UINT_GETTER (heartbeat_timeout_ms)
UINT_GETTER (probe_interval_ms)
UINT_GETTER (slow_threshold_ms)
UINT_GETTER (unstable_threshold_ms)
UINT_GETTER (connect_timeout_ms)
UINT_GETTER (idle_timeout_ms)
UINT_GETTER (queue_capacity)
UINT_GETTER (max_retries)
UINT_GETTER (retry_delay_ms)
UINT_GETTER (ack_timeout_ms)
UINT_GETTER (dedup_ttl_ms)
UINT_GETTER (max_connections)
UINT_GETTER (max_connections_per_host)

#undef UINT_GETTER

WireJitter
wire_config_get_jitter (WireConfig *self)
{
  g_return_val_if_fail (WIRE_IS_CONFIG (self), WIRE_JITTER_EQUAL);
  return self->jitter;
}

const char *
wire_config_get_health_path (WireConfig *self)
{
  g_return_val_if_fail (WIRE_IS_CONFIG (self), NULL);
  return self->health_path;
}

WireOverflowPolicy
wire_config_get_overflow (WireConfig *self)
{
  g_return_val_if_fail (WIRE_IS_CONFIG (self), WIRE_OVERFLOW_REJECT_NEW);
  return self->overflow;
}

gboolean
wire_config_get_permessage_deflate (WireConfig *self)
{
  g_return_val_if_fail (WIRE_IS_CONFIG (self), TRUE);
  return self->permessage_deflate;
}

const char *
wire_config_get_ca_file (WireConfig *self)
{
  g_return_val_if_fail (WIRE_IS_CONFIG (self), NULL);
  return self->ca_file;
}

gboolean
wire_config_get_insecure (WireConfig *self)
{
  g_return_val_if_fail (WIRE_IS_CONFIG (self), FALSE);
  return self->insecure;
}

const char * const *
wire_config_get_extra_headers (WireConfig *self)
{
  g_return_val_if_fail (WIRE_IS_CONFIG (self), NULL);
  return (const char * const *) self->extra_headers;
}

static const char * const jitter_names[] = { "none", "equal", "full" };
static const char * const overflow_names[] = { "reject-new", "drop-lowest" };

/* The enums' names are their values' positions in these tables. */
static const char *
name_at (const char * const *names,
         guint               n_names,
         guint               value)
{
  return value < n_names ? names[value] : NULL;
}

static gboolean
value_of_name (const char * const *names,
               guint               n_names,
               const char         *str,
               guint              *out)
{
  for (guint i = 0; str != NULL && i < n_names; i++)
    {
      if (g_str_equal (str, names[i]))
        {
          *out = i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
wire_jitter_to_string (WireJitter jitter)
{
  return name_at (jitter_names, G_N_ELEMENTS (jitter_names), (guint) jitter);
}

gboolean
wire_jitter_from_string (const char *str,
                         WireJitter *out)
{
  guint value;

  g_return_val_if_fail (out != NULL, FALSE);

  if (!value_of_name (jitter_names, G_N_ELEMENTS (jitter_names), str, &value))
    return FALSE;
  *out = (WireJitter) value;
  return TRUE;
}

const char *
wire_overflow_policy_to_string (WireOverflowPolicy policy)
{
  return name_at (overflow_names, G_N_ELEMENTS (overflow_names), (guint) policy);
}

gboolean
wire_overflow_policy_from_string (const char         *str,
                                  WireOverflowPolicy *out)
{
  guint value;

  g_return_val_if_fail (out != NULL, FALSE);

  if (!value_of_name (overflow_names, G_N_ELEMENTS (overflow_names), str, &value))
    return FALSE;
  *out = (WireOverflowPolicy) value;
  return TRUE;
}
