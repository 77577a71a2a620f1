#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "wire-rate-chart.h"
#include "wire-rate-history.h"

struct _WireRateChart
{
  GtkWidget        parent_instance;

  WireConnection  *connection;
  WireRateHistory *history;    /* the connection's, or our own without one */
  guint            seconds;
};

G_DEFINE_FINAL_TYPE (WireRateChart, wire_rate_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_SECONDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The palette of the GNOME HIG: distinct in light and dark styles, and each series also differs
 * by line style so that colour is not the only cue. */
static const GdkRGBA in_color = { 0.21f, 0.52f, 0.89f, 1.0f };   /* blue 3 */
static const GdkRGBA out_color = { 0.18f, 0.76f, 0.49f, 1.0f };  /* green 4 */
static const GdkRGBA rtt_color = { 0.90f, 0.38f, 0.0f, 1.0f };   /* orange 5 */

static void
update_description (WireRateChart *self)
{
  g_autofree char *text = NULL;

  if (wire_rate_history_get_n_samples (self->history) == 0)
    text = g_strdup (_("No samples yet"));
  else
    {
      double in, out;
      gint64 rtt;

      wire_rate_history_get_sample (self->history, 0, &in, &out, &rtt);
      if (rtt >= 0)
        text = g_strdup_printf (_("Last second: %.1f messages per second in, %.1f out, "
                                  "heartbeat round trip %d ms"),
                                in, out, (int) MIN (rtt, G_MAXINT));
      else
        text = g_strdup_printf (_("Last second: %.1f messages per second in, %.1f out, "
                                  "heartbeat round trip unknown"),
                                in, out);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                  -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), text);
}

static void
history_changed_cb (WireRateChart *self)
{
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_history (WireRateChart   *self,
             WireRateHistory *history)
{
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_set_object (&self->history, history);
  g_signal_connect_object (history, "changed", G_CALLBACK (history_changed_cb), self,
                           G_CONNECT_SWAPPED);
  history_changed_cb (self);
}

void
wire_rate_chart_push_sample (WireRateChart *self,
                             double         in_per_sec,
                             double         out_per_sec,
                             gint64         rtt_ms)
{
  g_return_if_fail (WIRE_IS_RATE_CHART (self));

  wire_rate_history_push (self->history, in_per_sec, out_per_sec, rtt_ms);
}

guint
wire_rate_chart_get_n_samples (WireRateChart *self)
{
  g_return_val_if_fail (WIRE_IS_RATE_CHART (self), 0);
  return wire_rate_history_get_n_samples (self->history);
}

void
wire_rate_chart_clear (WireRateChart *self)
{
  g_return_if_fail (WIRE_IS_RATE_CHART (self));

  wire_rate_history_clear (self->history);
}

void
wire_rate_chart_set_connection (WireRateChart  *self,
                                WireConnection *connection)
{
  g_autoptr(WireRateHistory) own = NULL;

  g_return_if_fail (WIRE_IS_RATE_CHART (self));
  g_return_if_fail (connection == NULL || WIRE_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  g_set_object (&self->connection, connection);
  if (connection != NULL)
    set_history (self, wire_rate_history_get_for_connection (connection));
  else
    set_history (self, (own = wire_rate_history_new ()));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

WireConnection *
wire_rate_chart_get_connection (WireRateChart *self)
{
  g_return_val_if_fail (WIRE_IS_RATE_CHART (self), NULL);
  return self->connection;
}

/* A "nice" axis maximum (1, 2, 5 × 10^n) at or above @v. */
static double
nice_ceiling (double v)
{
  double exp10, f;

  if (v <= 1)
    return 1;
  exp10 = pow (10, floor (log10 (v)));
  f = v / exp10;
  if (f <= 1)
    return exp10;
  if (f <= 2)
    return 2 * exp10;
  if (f <= 5)
    return 5 * exp10;
  return 10 * exp10;
}

static void
draw_label (GtkWidget  *widget,
            cairo_t    *cr,
            const char *text,
            double      x,
            double      y,
            gboolean    right_align)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, right_align ? x - w : x, y);
  pango_cairo_show_layout (cr, layout);
}

static void
plot_series (WireRateChart *self,
             cairo_t       *cr,
             guint          n,
             double         left,
             double         top,
             double         w,
             double         h,
             double         max,
             int            which)
{
  gboolean pen_down = FALSE;
  double step = n > 1 ? w / (self->seconds - 1) : 0;

  for (guint age = 0; age < n; age++)
    {
      double in, out, v, x, y;
      gint64 rtt;

      wire_rate_history_get_sample (self->history, age, &in, &out, &rtt);
      if (which == 0)
        v = in;
      else if (which == 1)
        v = out;
      else if (rtt >= 0)
        v = rtt;
      else
        {
          pen_down = FALSE;
          continue;
        }

      x = left + w - age * step;
      y = top + h - MIN (v / max, 1.0) * h;
      if (pen_down)
        cairo_line_to (cr, x, y);
      else
        cairo_move_to (cr, x, y);
      pen_down = TRUE;
    }
  cairo_stroke (cr);
}

static void
wire_rate_chart_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  WireRateChart *self = WIRE_RATE_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkStyleContext *style = gtk_widget_get_style_context (widget);
  GdkRGBA fg;
  cairo_t *cr;
  double left = 8, right = 8, top = 24, bottom = 22;
  double plot_w, plot_h, rate_max = 1, rtt_max = 1;
  guint n = MIN (wire_rate_history_get_n_samples (self->history), self->seconds);
  g_autofree char *rate_label = NULL;
  g_autofree char *rtt_label = NULL;
  g_autofree char *span_label = NULL;
  static const double dashes[] = { 6.0, 3.0 };

  if (width <= 0 || height <= 0)
    return;

  gtk_style_context_get_color (style, &fg);

  for (guint age = 0; age < n; age++)
    {
      double in, out;
      gint64 rtt;

      wire_rate_history_get_sample (self->history, age, &in, &out, &rtt);
      rate_max = MAX (rate_max, MAX (in, out));
      rtt_max = MAX (rtt_max, rtt);
    }
  rate_max = nice_ceiling (rate_max);
  rtt_max = nice_ceiling (rtt_max);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  plot_w = MAX (width - left - right, 1);
  plot_h = MAX (height - top - bottom, 1);

  /* Grid: quarters of the scale, faint. */
  cairo_set_line_width (cr, 1);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.12);
  for (int i = 0; i <= 4; i++)
    {
      double y = floor (top + plot_h * i / 4) + 0.5;

      cairo_move_to (cr, left, y);
      cairo_line_to (cr, left + plot_w, y);
    }
  cairo_stroke (cr);

  /* Scale labels: rates on the left, RTT on the right; the legend names the series. */
  rate_label = g_strdup_printf (_("%g msg/s"), rate_max);
  rtt_label = g_strdup_printf (_("%g ms"), rtt_max);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.7);
  draw_label (widget, cr, rate_label, left, 2, FALSE);
  draw_label (widget, cr, rtt_label, left + plot_w, 2, TRUE);
  if (self->seconds % 60 == 0)
    span_label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute ago", "%u minutes ago",
                                               self->seconds / 60), self->seconds / 60);
  else
    span_label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second ago", "%u seconds ago",
                                               self->seconds), self->seconds);
  draw_label (widget, cr, span_label, left, top + plot_h + 3, FALSE);
  draw_label (widget, cr, _("now"), left + plot_w, top + plot_h + 3, TRUE);

  if (n > 0)
    {
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      cairo_set_line_width (cr, 2);

      gdk_cairo_set_source_rgba (cr, &in_color);
      plot_series (self, cr, n, left, top, plot_w, plot_h, rate_max, 0);

      cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
      gdk_cairo_set_source_rgba (cr, &out_color);
      plot_series (self, cr, n, left, top, plot_w, plot_h, rate_max, 1);

      cairo_set_dash (cr, NULL, 0, 0);
      cairo_set_line_width (cr, 1.5);
      gdk_cairo_set_source_rgba (cr, &rtt_color);
      plot_series (self, cr, n, left, top, plot_w, plot_h, rtt_max, 2);
    }

  cairo_destroy (cr);
}

static void
wire_rate_chart_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 120;
      *natural = 480;
    }
  else
    {
      *minimum = 80;
      *natural = 160;
    }
}

static void
wire_rate_chart_dispose (GObject *object)
{
  WireRateChart *self = WIRE_RATE_CHART (object);

  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_clear_object (&self->history);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (wire_rate_chart_parent_class)->dispose (object);
}

static void
wire_rate_chart_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  WireRateChart *self = WIRE_RATE_CHART (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_SECONDS:
      g_value_set_uint (value, self->seconds);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_rate_chart_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  WireRateChart *self = WIRE_RATE_CHART (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      wire_rate_chart_set_connection (self, g_value_get_object (value));
      break;
    case PROP_SECONDS:
      if (self->seconds != g_value_get_uint (value))
        {
          self->seconds = g_value_get_uint (value);
          gtk_widget_queue_draw (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_rate_chart_class_init (WireRateChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_rate_chart_dispose;
  object_class->get_property = wire_rate_chart_get_property;
  object_class->set_property = wire_rate_chart_set_property;

  widget_class->snapshot = wire_rate_chart_snapshot;
  widget_class->measure = wire_rate_chart_measure;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         WIRE_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SECONDS] =
    g_param_spec_uint ("seconds", NULL, NULL,
                       2, WIRE_RATE_HISTORY_MAX_SAMPLES, WIRE_RATE_CHART_DEFAULT_SECONDS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "wire-rate-chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
wire_rate_chart_init (WireRateChart *self)
{
  g_autoptr(WireRateHistory) own = wire_rate_history_new ();

  self->seconds = WIRE_RATE_CHART_DEFAULT_SECONDS;

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Messages per second and heartbeat round trip"),
                                  -1);
  set_history (self, own);
}

GtkWidget *
wire_rate_chart_new (void)
{
  return g_object_new (WIRE_TYPE_RATE_CHART, NULL);
}
