#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>

#include "wire-backoff.h"
#include "wire-core-enums.h"
#include "wire-property-private.h"

struct _WireBackoff
{
  GObject parent_instance;

  guint base_delay_ms;
  guint max_delay_ms;
  guint max_attempts;
  WireJitter jitter;
  guint reset_after_ms;

  guint attempt;
  /* Monotonic ms of the last wire_backoff_connected(), -1 while not connected. */
  gint64 connected_at_ms;

  WireRandomFunc random_func;
  gpointer random_data;
  WireClockFunc clock_func;
  gpointer clock_data;
};

G_DEFINE_FINAL_TYPE (WireBackoff, wire_backoff, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_BASE_DELAY_MS,
  PROP_MAX_DELAY_MS,
  PROP_MAX_ATTEMPTS,
  PROP_JITTER,
  PROP_RESET_AFTER_MS,
  PROP_ATTEMPT,
  PROP_GAVE_UP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static double
default_random (gpointer user_data)
{
  return g_random_double ();
}

static gint64
default_clock (gpointer user_data)
{
  return g_get_monotonic_time () / 1000;
}

static gint64
now_ms (WireBackoff *self)
{
  return self->clock_func (self->clock_data);
}

static void
set_attempt (WireBackoff *self,
             guint        attempt)
{
  gboolean gave_up_before = wire_backoff_gave_up (self);

  if (self->attempt == attempt)
    return;

  self->attempt = attempt;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTEMPT]);
  if (gave_up_before != wire_backoff_gave_up (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GAVE_UP]);
}

static void
wire_backoff_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  WireBackoff *self = WIRE_BACKOFF (object);

  switch (prop_id)
    {
    case PROP_BASE_DELAY_MS:
      g_value_set_uint (value, self->base_delay_ms);
      break;
    case PROP_MAX_DELAY_MS:
      g_value_set_uint (value, self->max_delay_ms);
      break;
    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->max_attempts);
      break;
    case PROP_JITTER:
      g_value_set_enum (value, self->jitter);
      break;
    case PROP_RESET_AFTER_MS:
      g_value_set_uint (value, self->reset_after_ms);
      break;
    case PROP_ATTEMPT:
      g_value_set_uint (value, self->attempt);
      break;
    case PROP_GAVE_UP:
      g_value_set_boolean (value, wire_backoff_gave_up (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_backoff_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  WireBackoff *self = WIRE_BACKOFF (object);

  switch (prop_id)
    {
    case PROP_BASE_DELAY_MS:
      wire_object_set_uint (self, &self->base_delay_ms, g_value_get_uint (value), pspec);
      break;
    case PROP_MAX_DELAY_MS:
      wire_object_set_uint (self, &self->max_delay_ms, g_value_get_uint (value), pspec);
      break;
    case PROP_MAX_ATTEMPTS:
      {
        gboolean gave_up_before = wire_backoff_gave_up (self);

        wire_object_set_uint (self, &self->max_attempts, g_value_get_uint (value), pspec);
        if (gave_up_before != wire_backoff_gave_up (self))
          g_object_notify_by_pspec (object, properties[PROP_GAVE_UP]);
      }
      break;
    case PROP_JITTER:
      if (self->jitter != (WireJitter) g_value_get_enum (value))
        {
          self->jitter = g_value_get_enum (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_RESET_AFTER_MS:
      wire_object_set_uint (self, &self->reset_after_ms, g_value_get_uint (value), pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_backoff_class_init (WireBackoffClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = wire_backoff_get_property;
  object_class->set_property = wire_backoff_set_property;

  properties[PROP_BASE_DELAY_MS] =
    g_param_spec_uint ("base-delay-ms", NULL, NULL, 0, G_MAXUINT, 1000, rw);
  properties[PROP_MAX_DELAY_MS] =
    g_param_spec_uint ("max-delay-ms", NULL, NULL, 0, G_MAXUINT, 30000, rw);
  properties[PROP_MAX_ATTEMPTS] =
    g_param_spec_uint ("max-attempts", NULL, NULL, 0, G_MAXUINT, 0, rw);
  properties[PROP_JITTER] =
    g_param_spec_enum ("jitter", NULL, NULL, WIRE_TYPE_JITTER, WIRE_JITTER_EQUAL, rw);
  properties[PROP_RESET_AFTER_MS] =
    g_param_spec_uint ("reset-after-ms", NULL, NULL, 0, G_MAXUINT, 60000, rw);
  properties[PROP_ATTEMPT] =
    g_param_spec_uint ("attempt", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_GAVE_UP] =
    g_param_spec_boolean ("gave-up", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wire_backoff_init (WireBackoff *self)
{
  self->base_delay_ms = 1000;
  self->max_delay_ms = 30000;
  self->jitter = WIRE_JITTER_EQUAL;
  self->reset_after_ms = 60000;
  self->connected_at_ms = -1;
  self->random_func = default_random;
  self->clock_func = default_clock;
}

WireBackoff *
wire_backoff_new (void)
{
  return g_object_new (WIRE_TYPE_BACKOFF, NULL);
}

WireBackoff *
wire_backoff_new_for_config (WireConfig *config)
{
  static const struct
  {
    const char *config_name;
    const char *backoff_name;
  } map[] = {
    { "reconnect-base-delay-ms", "base-delay-ms" },
    { "reconnect-max-delay-ms", "max-delay-ms" },
    { "reconnect-max-attempts", "max-attempts" },
    { "jitter", "jitter" },
    { "reset-after-ms", "reset-after-ms" },
  };
  WireBackoff *self;

  g_return_val_if_fail (WIRE_IS_CONFIG (config), NULL);

  self = wire_backoff_new ();
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    g_object_bind_property (config, map[i].config_name, self, map[i].backoff_name,
                            G_BINDING_SYNC_CREATE);
  return self;
}

void
wire_backoff_set_random_func (WireBackoff    *self,
                              WireRandomFunc  func,
                              gpointer        user_data)
{
  g_return_if_fail (WIRE_IS_BACKOFF (self));

  self->random_func = func ? func : default_random;
  self->random_data = func ? user_data : NULL;
}

void
wire_backoff_set_clock_func (WireBackoff   *self,
                             WireClockFunc  func,
                             gpointer       user_data)
{
  g_return_if_fail (WIRE_IS_BACKOFF (self));

  self->clock_func = func ? func : default_clock;
  self->clock_data = func ? user_data : NULL;
}

gint64
wire_backoff_base_delay_for (WireBackoff *self,
                             guint        attempt)
{
  guint64 delay;

  g_return_val_if_fail (WIRE_IS_BACKOFF (self), 0);

  /* base and max are at most 2^32 - 1, so base × 2^32 is past any max: no shift can overflow
   * once attempts of 32 and above are treated as "capped". */
  if (self->base_delay_ms == 0)
    return 0;
  if (attempt >= 32)
    return self->max_delay_ms;

  delay = (guint64) self->base_delay_ms << attempt;
  return (gint64) MIN (delay, (guint64) self->max_delay_ms);
}

static double
clamp_random (WireBackoff *self)
{
  double r = self->random_func (self->random_data);

  /* An injected source may return exactly 1.0 or garbage: keep the documented bounds. */
  if (!(r >= 0.0))
    return 0.0;
  if (r > 1.0)
    return 1.0;
  return r;
}

gint64
wire_backoff_next_delay (WireBackoff *self)
{
  gint64 delay;

  g_return_val_if_fail (WIRE_IS_BACKOFF (self), -1);

  /* Asking for a delay means the link is down, whether or not disconnected() was called. */
  if (self->connected_at_ms >= 0)
    wire_backoff_disconnected (self);

  if (wire_backoff_gave_up (self))
    return -1;

  delay = wire_backoff_base_delay_for (self, self->attempt);

  switch (self->jitter)
    {
    case WIRE_JITTER_EQUAL:
      delay = (gint64) floor ((double) delay * (0.5 + 0.5 * clamp_random (self)));
      break;
    case WIRE_JITTER_FULL:
      delay = (gint64) floor ((double) delay * clamp_random (self));
      break;
    case WIRE_JITTER_NONE:
    default:
      break;
    }

  if (self->attempt < G_MAXUINT)
    set_attempt (self, self->attempt + 1);

  return delay;
}

void
wire_backoff_connected (WireBackoff *self)
{
  g_return_if_fail (WIRE_IS_BACKOFF (self));

  self->connected_at_ms = now_ms (self);
}

void
wire_backoff_disconnected (WireBackoff *self)
{
  gint64 up_ms;

  g_return_if_fail (WIRE_IS_BACKOFF (self));

  if (self->connected_at_ms < 0)
    return;

  up_ms = now_ms (self) - self->connected_at_ms;
  self->connected_at_ms = -1;

  if (up_ms >= (gint64) self->reset_after_ms)
    set_attempt (self, 0);
}

void
wire_backoff_reset (WireBackoff *self)
{
  g_return_if_fail (WIRE_IS_BACKOFF (self));

  self->connected_at_ms = -1;
  set_attempt (self, 0);
}

guint
wire_backoff_get_attempt (WireBackoff *self)
{
  g_return_val_if_fail (WIRE_IS_BACKOFF (self), 0);
  return self->attempt;
}

gboolean
wire_backoff_gave_up (WireBackoff *self)
{
  g_return_val_if_fail (WIRE_IS_BACKOFF (self), FALSE);
  return self->max_attempts > 0 && self->attempt >= self->max_attempts;
}
