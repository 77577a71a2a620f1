#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "wire-connection-header.h"
#include "wire-metrics-view.h"

typedef enum {
  KIND_TIME,
  KIND_COUNT,
  KIND_BYTES,
  KIND_MS,
} Kind;

typedef struct
{
  const char *name;     /* the guide's name, stable */
  const char *title;    /* translatable */
  Kind        kind;
  gsize       offset;   /* into WireMetrics */
} MetricInfo;

static const MetricInfo metric_info[] = {
  { "connectedAt", N_("Connected at"), KIND_TIME, G_STRUCT_OFFSET (WireMetrics, connected_at_ms) },
  { "lastMessageAt", N_("Last message"), KIND_TIME, G_STRUCT_OFFSET (WireMetrics, last_message_at_ms) },
  { "messagesSent", N_("Messages sent"), KIND_COUNT, G_STRUCT_OFFSET (WireMetrics, messages_sent) },
  { "messagesReceived", N_("Messages received"), KIND_COUNT, G_STRUCT_OFFSET (WireMetrics, messages_received) },
  { "errors", N_("Errors"), KIND_COUNT, G_STRUCT_OFFSET (WireMetrics, errors) },
  { "reconnectAttempts", N_("Reconnect attempts"), KIND_COUNT, G_STRUCT_OFFSET (WireMetrics, reconnect_attempts) },
  { "reconnectsTotal", N_("Reconnects in all"), KIND_COUNT, G_STRUCT_OFFSET (WireMetrics, reconnects_total) },
  { "bytesSent", N_("Bytes sent"), KIND_BYTES, G_STRUCT_OFFSET (WireMetrics, bytes_sent) },
  { "bytesReceived", N_("Bytes received"), KIND_BYTES, G_STRUCT_OFFSET (WireMetrics, bytes_received) },
  { "rttLast", N_("RTT last"), KIND_MS, G_STRUCT_OFFSET (WireMetrics, rtt_last_ms) },
  { "rttP50", N_("RTT p50"), KIND_MS, G_STRUCT_OFFSET (WireMetrics, rtt_p50_ms) },
  { "rttP95", N_("RTT p95"), KIND_MS, G_STRUCT_OFFSET (WireMetrics, rtt_p95_ms) },
  { "dedupHits", N_("Duplicates dropped"), KIND_COUNT, G_STRUCT_OFFSET (WireMetrics, dedup_hits) },
  { "rateLimited", N_("Rate limited"), KIND_COUNT, G_STRUCT_OFFSET (WireMetrics, rate_limited) },
  { "overflows", N_("Queue overflows"), KIND_COUNT, G_STRUCT_OFFSET (WireMetrics, overflows) },
};

struct _WireMetricsView
{
  GtkWidget   parent_instance;

  GtkFlowBox *flow;
  GtkWidget  *values[G_N_ELEMENTS (metric_info)];
};

G_DEFINE_FINAL_TYPE (WireMetricsView, wire_metrics_view, GTK_TYPE_WIDGET)

static char *
format_value (const MetricInfo  *info,
              const WireMetrics *metrics)
{
  const guint8 *base = (const guint8 *) metrics;

  switch (info->kind)
    {
    case KIND_TIME:
      {
        gint64 ms = *(const gint64 *) (base + info->offset);
        g_autoptr(GDateTime) dt = NULL;
        g_autofree char *ago = NULL;
        g_autofree char *clock = NULL;

        if (ms <= 0)
          return g_strdup (_("never"));
        dt = g_date_time_new_from_unix_local (ms / 1000);
        if (dt == NULL)
          return g_strdup ("–");
        clock = g_date_time_format (dt, "%H:%M:%S");
        ago = wire_format_duration (g_get_real_time () / 1000 - ms);
        /* Translators: a clock time and how long ago it was: "14:02:11 (3 s ago)". */
        return g_strdup_printf (_("%s (%s ago)"), clock, ago);
      }
    case KIND_COUNT:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, *(const guint64 *) (base + info->offset));
    case KIND_BYTES:
      return g_format_size (*(const guint64 *) (base + info->offset));
    case KIND_MS:
      {
        gint64 ms = *(const gint64 *) (base + info->offset);

        if (ms < 0)
          return g_strdup (_("unknown"));
        return g_strdup_printf (_("%d ms"), (int) MIN (ms, G_MAXINT));
      }
    default:
      g_assert_not_reached ();
    }
}

void
wire_metrics_view_update (WireMetricsView   *self,
                          const WireMetrics *metrics)
{
  g_return_if_fail (WIRE_IS_METRICS_VIEW (self));

  for (guint i = 0; i < G_N_ELEMENTS (metric_info); i++)
    {
      GtkLabel *label = GTK_LABEL (self->values[i]);
      g_autofree char *text = metrics != NULL ? format_value (&metric_info[i], metrics)
                                              : g_strdup ("–");

      /* Setting an unchanged text would still relayout the label. */
      if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
        gtk_label_set_text (label, text);
    }
}

const char *
wire_metrics_view_get_text (WireMetricsView *self,
                            const char      *name)
{
  g_return_val_if_fail (WIRE_IS_METRICS_VIEW (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (metric_info); i++)
    if (g_str_equal (metric_info[i].name, name))
      return gtk_label_get_text (GTK_LABEL (self->values[i]));

  return NULL;
}

static void
wire_metrics_view_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), WIRE_TYPE_METRICS_VIEW);

  G_OBJECT_CLASS (wire_metrics_view_parent_class)->dispose (object);
}

static void
wire_metrics_view_class_init (WireMetricsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_metrics_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wirescope/Wirescope/wire-metrics-view.ui");
  gtk_widget_class_bind_template_child (widget_class, WireMetricsView, flow);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "wire-metrics-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
wire_metrics_view_init (WireMetricsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (metric_info); i++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      GtkWidget *caption = gtk_label_new (_(metric_info[i].title));
      GtkWidget *value = gtk_label_new ("–");

      gtk_label_set_xalign (GTK_LABEL (caption), 0);
      gtk_widget_add_css_class (caption, "caption");
      gtk_widget_add_css_class (caption, "dim-label");
      gtk_label_set_xalign (GTK_LABEL (value), 0);
      gtk_label_set_ellipsize (GTK_LABEL (value), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (value, "numeric");
      gtk_widget_add_css_class (value, "heading");
      gtk_accessible_update_relation (GTK_ACCESSIBLE (value),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, caption, NULL,
                                      -1);
      gtk_box_append (GTK_BOX (box), caption);
      gtk_box_append (GTK_BOX (box), value);
      gtk_flow_box_append (self->flow, box);
      gtk_widget_set_focusable (gtk_widget_get_parent (box), FALSE);
      self->values[i] = value;
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Metrics"),
                                  -1);
}

GtkWidget *
wire_metrics_view_new (void)
{
  return g_object_new (WIRE_TYPE_METRICS_VIEW, NULL);
}
