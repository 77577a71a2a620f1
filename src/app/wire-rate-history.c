#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-rate-history.h"

typedef struct
{
  float  in_per_sec;
  float  out_per_sec;
  gint32 rtt_ms;
} Sample;

struct _WireRateHistory
{
  GObject         parent_instance;

  WireConnection *connection;   /* weak: the connection owns its history */
  guint           sample_id;
  guint64         last_received;
  guint64         last_sent;
  gint64          last_sample_us;

  Sample          samples[WIRE_RATE_HISTORY_MAX_SAMPLES];
  guint           n_samples;
  guint           head;         /* next write position */
};

G_DEFINE_FINAL_TYPE (WireRateHistory, wire_rate_history, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];
static GQuark history_quark;

void
wire_rate_history_push (WireRateHistory *self,
                        double           in_per_sec,
                        double           out_per_sec,
                        gint64           rtt_ms)
{
  Sample *s;

  g_return_if_fail (WIRE_IS_RATE_HISTORY (self));

  s = &self->samples[self->head];
  s->in_per_sec = (float) MAX (in_per_sec, 0.0);
  s->out_per_sec = (float) MAX (out_per_sec, 0.0);
  s->rtt_ms = rtt_ms < 0 ? -1 : (gint32) MIN (rtt_ms, G_MAXINT32);
  self->head = (self->head + 1) % WIRE_RATE_HISTORY_MAX_SAMPLES;
  self->n_samples = MIN (self->n_samples + 1, WIRE_RATE_HISTORY_MAX_SAMPLES);

  g_signal_emit (self, signals[CHANGED], 0);
}

guint
wire_rate_history_get_n_samples (WireRateHistory *self)
{
  g_return_val_if_fail (WIRE_IS_RATE_HISTORY (self), 0);
  return self->n_samples;
}

void
wire_rate_history_get_sample (WireRateHistory *self,
                              guint            age,
                              double          *out_in_per_sec,
                              double          *out_out_per_sec,
                              gint64          *out_rtt_ms)
{
  const Sample *s;

  g_return_if_fail (WIRE_IS_RATE_HISTORY (self));
  g_return_if_fail (age < self->n_samples);

  s = &self->samples[(self->head + WIRE_RATE_HISTORY_MAX_SAMPLES - 1 - age)
                     % WIRE_RATE_HISTORY_MAX_SAMPLES];
  if (out_in_per_sec != NULL)
    *out_in_per_sec = s->in_per_sec;
  if (out_out_per_sec != NULL)
    *out_out_per_sec = s->out_per_sec;
  if (out_rtt_ms != NULL)
    *out_rtt_ms = s->rtt_ms;
}

void
wire_rate_history_clear (WireRateHistory *self)
{
  g_return_if_fail (WIRE_IS_RATE_HISTORY (self));

  self->n_samples = 0;
  self->head = 0;
  g_signal_emit (self, signals[CHANGED], 0);
}

static gboolean
sample_cb (gpointer user_data)
{
  WireRateHistory *self = user_data;
  WireMetrics metrics;
  gint64 now = g_get_monotonic_time ();
  double secs = (now - self->last_sample_us) / (double) G_USEC_PER_SEC;

  if (secs <= 0)
    secs = 1;

  wire_connection_get_metrics (self->connection, &metrics);
  /* Never a negative rate, should a counter ever start again. */
  wire_rate_history_push (self,
                          metrics.messages_received >= self->last_received
                            ? (metrics.messages_received - self->last_received) / secs : 0,
                          metrics.messages_sent >= self->last_sent
                            ? (metrics.messages_sent - self->last_sent) / secs : 0,
                          metrics.rtt_last_ms);
  self->last_received = metrics.messages_received;
  self->last_sent = metrics.messages_sent;
  self->last_sample_us = now;

  return G_SOURCE_CONTINUE;
}

static void
wire_rate_history_dispose (GObject *object)
{
  WireRateHistory *self = WIRE_RATE_HISTORY (object);

  g_clear_handle_id (&self->sample_id, g_source_remove);
  self->connection = NULL;

  G_OBJECT_CLASS (wire_rate_history_parent_class)->dispose (object);
}

static void
wire_rate_history_class_init (WireRateHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wire_rate_history_dispose;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  history_quark = g_quark_from_static_string ("wire-rate-history");
}

static void
wire_rate_history_init (WireRateHistory *self)
{
}

WireRateHistory *
wire_rate_history_new (void)
{
  return g_object_new (WIRE_TYPE_RATE_HISTORY, NULL);
}

static void
history_destroy (gpointer data)
{
  /* Stops sampling while the connection is still alive (it is being disposed). */
  g_object_run_dispose (data);
  g_object_unref (data);
}

WireRateHistory *
wire_rate_history_get_for_connection (WireConnection *connection)
{
  WireRateHistory *self;
  WireMetrics metrics;

  g_return_val_if_fail (WIRE_IS_CONNECTION (connection), NULL);

  g_type_ensure (WIRE_TYPE_RATE_HISTORY);
  self = g_object_get_qdata (G_OBJECT (connection), history_quark);
  if (self != NULL)
    return self;

  self = wire_rate_history_new ();
  self->connection = connection;
  wire_connection_get_metrics (connection, &metrics);
  self->last_received = metrics.messages_received;
  self->last_sent = metrics.messages_sent;
  self->last_sample_us = g_get_monotonic_time ();
  self->sample_id = g_timeout_add_seconds (1, sample_cb, self);
  g_object_set_qdata_full (G_OBJECT (connection), history_quark, self, history_destroy);

  return self;
}
