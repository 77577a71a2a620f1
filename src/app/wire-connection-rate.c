#define G_LOG_DOMAIN "wire-connection-rate"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-connection-rate.h"

/* Rates are measured over this window. */
#define RATE_WINDOW_US (G_USEC_PER_SEC)

typedef struct
{
  gint64  at_us;
  guint64 messages_in;
  guint64 messages_out;
  double  in_per_s;
  double  out_per_s;
} RateSample;

static RateSample *
get_rate_sample (WireConnection *connection)
{
  static GQuark rate_quark;
  RateSample *sample;

  if (rate_quark == 0)
    rate_quark = g_quark_from_static_string ("wire-window-rate");

  sample = g_object_get_qdata (G_OBJECT (connection), rate_quark);
  if (sample == NULL)
    {
      sample = g_new0 (RateSample, 1);
      g_object_set_qdata_full (G_OBJECT (connection), rate_quark, sample, g_free);
    }

  return sample;
}

void
wire_connection_rate_update (WireConnection *connection,
                             gint64          now_us)
{
  RateSample *sample;
  WireMetrics metrics;
  gint64 elapsed;

  g_return_if_fail (WIRE_IS_CONNECTION (connection));

  sample = get_rate_sample (connection);
  wire_connection_get_metrics (connection, &metrics);

  elapsed = now_us - sample->at_us;
  if (sample->at_us != 0 && elapsed < RATE_WINDOW_US)
    return;

  if (sample->at_us != 0 && elapsed > 0)
    {
      guint64 d_in = metrics.messages_received >= sample->messages_in ?
                     metrics.messages_received - sample->messages_in : 0;
      guint64 d_out = metrics.messages_sent >= sample->messages_out ?
                      metrics.messages_sent - sample->messages_out : 0;

      sample->in_per_s = (double) d_in * G_USEC_PER_SEC / elapsed;
      sample->out_per_s = (double) d_out * G_USEC_PER_SEC / elapsed;
    }

  sample->at_us = now_us;
  sample->messages_in = metrics.messages_received;
  sample->messages_out = metrics.messages_sent;
}

double
wire_connection_rate_get_in (WireConnection *connection)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (connection), 0);

  return get_rate_sample (connection)->in_per_s;
}

double
wire_connection_rate_get_out (WireConnection *connection)
{
  g_return_val_if_fail (WIRE_IS_CONNECTION (connection), 0);

  return get_rate_sample (connection)->out_per_s;
}

char *
wire_connection_rate_format (double per_s)
{
  if (per_s >= 100)
    return g_strdup_printf ("%.0f", per_s);

  return g_strdup_printf ("%.1f", per_s);
}
