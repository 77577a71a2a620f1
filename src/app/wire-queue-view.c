#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "wire-queue-view.h"

struct _WireQueueView
{
  GtkWidget         parent_instance;

  WireMessageQueue *queue;

  GtkWidget        *grid;
  GtkWidget        *bars[WIRE_N_PRIORITIES];
  GtkWidget        *depths[WIRE_N_PRIORITIES];
  GtkWidget        *total_bar;
  GtkWidget        *total_label;
  GtkWidget        *in_flight_label;
  GtkWidget        *oldest_label;
  GtkWidget        *retries_label;
  GtkWidget        *failures_label;
  GtkWidget        *overflows_label;
  GtkWidget        *policy_label;
};

G_DEFINE_FINAL_TYPE (WireQueueView, wire_queue_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_QUEUE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
priority_title (WirePriority priority)
{
  switch (priority)
    {
    case WIRE_PRIORITY_CRITICAL:
      return _("Critical");
    case WIRE_PRIORITY_HIGH:
      return _("High");
    case WIRE_PRIORITY_NORMAL:
      return _("Normal");
    case WIRE_PRIORITY_LOW:
      return _("Low");
    default:
      g_assert_not_reached ();
    }
}

/* Refreshed four times a second: only what changed is set, so nothing relayouts (or talks to
 * the accessibility bus) for nothing. */
static void
set_label_text (GtkWidget  *label,
                const char *text)
{
  if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), text) != 0)
    gtk_label_set_text (GTK_LABEL (label), text);
}

static void
set_label_number (GtkWidget *label,
                  guint64    value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, value);
  set_label_text (label, buf);
}

void
wire_queue_view_refresh (WireQueueView *self)
{
  guint depth[WIRE_N_PRIORITIES];
  guint largest = 1, total, capacity;
  gint64 oldest;
  g_autofree char *total_text = NULL;
  g_autofree char *oldest_text = NULL;
  g_autofree char *policy_text = NULL;

  g_return_if_fail (WIRE_IS_QUEUE_VIEW (self));

  if (self->queue == NULL)
    {
      for (guint i = 0; i < WIRE_N_PRIORITIES; i++)
        {
          gtk_level_bar_set_value (GTK_LEVEL_BAR (self->bars[i]), 0);
          gtk_label_set_text (GTK_LABEL (self->depths[i]), "–");
        }
      gtk_level_bar_set_value (GTK_LEVEL_BAR (self->total_bar), 0);
      gtk_label_set_text (GTK_LABEL (self->total_label), "–");
      gtk_label_set_text (GTK_LABEL (self->in_flight_label), "–");
      gtk_label_set_text (GTK_LABEL (self->oldest_label), "–");
      gtk_label_set_text (GTK_LABEL (self->retries_label), "–");
      gtk_label_set_text (GTK_LABEL (self->failures_label), "–");
      gtk_label_set_text (GTK_LABEL (self->overflows_label), "–");
      gtk_label_set_text (GTK_LABEL (self->policy_label), "–");
      return;
    }

  for (guint i = 0; i < WIRE_N_PRIORITIES; i++)
    {
      depth[i] = wire_message_queue_get_depth (self->queue, (WirePriority) i);
      largest = MAX (largest, depth[i]);
    }

  /* The class bars compare the classes with each other: against a capacity of thousands a
   * handful of waiting messages would not show at all. The total bar shows how full it is. */
  for (guint i = 0; i < WIRE_N_PRIORITIES; i++)
    {
      GtkLevelBar *bar = GTK_LEVEL_BAR (self->bars[i]);

      set_label_number (self->depths[i], depth[i]);
      if (gtk_level_bar_get_max_value (bar) == largest && gtk_level_bar_get_value (bar) == depth[i])
        continue;

      gtk_level_bar_set_max_value (bar, largest);
      gtk_level_bar_set_value (bar, depth[i]);
      {
        g_autofree char *desc = g_strdup_printf (_("%s priority: %u waiting"),
                                                 priority_title ((WirePriority) i), depth[i]);
        gtk_accessible_update_property (GTK_ACCESSIBLE (bar),
                                        GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, desc,
                                        -1);
      }
    }

  /* Capacity bounds waiting and in-flight messages together. */
  total = wire_message_queue_get_total_depth (self->queue)
          + wire_message_queue_get_in_flight (self->queue);
  capacity = wire_message_queue_get_capacity (self->queue);
  gtk_level_bar_set_max_value (GTK_LEVEL_BAR (self->total_bar), MAX (capacity, 1));
  gtk_level_bar_set_value (GTK_LEVEL_BAR (self->total_bar), MIN (total, MAX (capacity, 1)));
  total_text = g_strdup_printf (_("%u of %u"), total, capacity);
  set_label_text (self->total_label, total_text);

  set_label_number (self->in_flight_label, wire_message_queue_get_in_flight (self->queue));
  oldest = wire_message_queue_get_oldest_age_ms (self->queue);
  if (oldest <= 0)
    oldest_text = g_strdup (_("none waiting"));
  else if (oldest < 10000)
    oldest_text = g_strdup_printf (_("%d ms"), (int) oldest);
  else
    oldest_text = g_strdup_printf (_("%d s"), (int) MIN (oldest / 1000, G_MAXINT));
  set_label_text (self->oldest_label, oldest_text);
  set_label_number (self->retries_label, wire_message_queue_get_retries (self->queue));
  set_label_number (self->failures_label, wire_message_queue_get_failures (self->queue));
  set_label_number (self->overflows_label, wire_message_queue_get_overflows (self->queue));

  switch (wire_message_queue_get_overflow (self->queue))
    {
    case WIRE_OVERFLOW_REJECT_NEW:
      policy_text = g_strdup_printf (_("Reject new messages when %u are waiting"), capacity);
      break;
    case WIRE_OVERFLOW_DROP_LOWEST:
      policy_text = g_strdup_printf (_("Drop the oldest lowest-priority message when %u are "
                                       "waiting"), capacity);
      break;
    default:
      policy_text = g_strdup ("");
    }
  set_label_text (self->policy_label, policy_text);
}

static void
queue_changed_cb (WireQueueView *self)
{
  wire_queue_view_refresh (self);
}

void
wire_queue_view_set_queue (WireQueueView    *self,
                           WireMessageQueue *queue)
{
  g_return_if_fail (WIRE_IS_QUEUE_VIEW (self));
  g_return_if_fail (queue == NULL || WIRE_IS_MESSAGE_QUEUE (queue));

  if (self->queue == queue)
    return;

  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_data (self->queue, self);
  g_set_object (&self->queue, queue);
  if (queue != NULL)
    {
      g_signal_connect_object (queue, "notify::capacity", G_CALLBACK (queue_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (queue, "notify::overflow", G_CALLBACK (queue_changed_cb), self,
                               G_CONNECT_SWAPPED);
    }

  wire_queue_view_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUEUE]);
}

WireMessageQueue *
wire_queue_view_get_queue (WireQueueView *self)
{
  g_return_val_if_fail (WIRE_IS_QUEUE_VIEW (self), NULL);
  return self->queue;
}

double
wire_queue_view_get_level (WireQueueView *self,
                           WirePriority   priority)
{
  g_return_val_if_fail (WIRE_IS_QUEUE_VIEW (self), 0);
  g_return_val_if_fail (priority < WIRE_N_PRIORITIES, 0);
  return gtk_level_bar_get_value (GTK_LEVEL_BAR (self->bars[priority]));
}

const char *
wire_queue_view_get_depth_text (WireQueueView *self,
                                WirePriority   priority)
{
  g_return_val_if_fail (WIRE_IS_QUEUE_VIEW (self), NULL);
  g_return_val_if_fail (priority < WIRE_N_PRIORITIES, NULL);
  return gtk_label_get_text (GTK_LABEL (self->depths[priority]));
}

static GtkWidget *
add_row (WireQueueView *self,
         int            row,
         const char    *title,
         GtkWidget     *bar)
{
  GtkWidget *title_label = gtk_label_new (title);
  GtkWidget *value = gtk_label_new ("–");

  gtk_label_set_xalign (GTK_LABEL (title_label), 0);
  gtk_widget_add_css_class (title_label, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value), 1);
  gtk_label_set_selectable (GTK_LABEL (value), FALSE);
  gtk_widget_add_css_class (value, "numeric");
  gtk_grid_attach (GTK_GRID (self->grid), title_label, 0, row, 1, 1);
  if (bar != NULL)
    {
      gtk_widget_set_hexpand (bar, TRUE);
      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (bar),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                      -1);
      gtk_grid_attach (GTK_GRID (self->grid), bar, 1, row, 1, 1);
      gtk_grid_attach (GTK_GRID (self->grid), value, 2, row, 1, 1);
    }
  else
    {
      gtk_label_set_xalign (GTK_LABEL (value), 0);
      gtk_label_set_wrap (GTK_LABEL (value), TRUE);
      gtk_grid_attach (GTK_GRID (self->grid), value, 1, row, 2, 1);
    }
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, title_label, NULL,
                                  -1);

  return value;
}

static GtkWidget *
new_bar (void)
{
  GtkWidget *bar = gtk_level_bar_new_for_interval (0, 1);

  /* No offsets: the default ones would colour a nearly full bar as "good". */
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_FULL);

  return bar;
}

static void
wire_queue_view_dispose (GObject *object)
{
  WireQueueView *self = WIRE_QUEUE_VIEW (object);

  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_data (self->queue, self);
  g_clear_object (&self->queue);
  g_clear_pointer (&self->grid, gtk_widget_unparent);

  G_OBJECT_CLASS (wire_queue_view_parent_class)->dispose (object);
}

static void
wire_queue_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  WireQueueView *self = WIRE_QUEUE_VIEW (object);

  switch (prop_id)
    {
    case PROP_QUEUE:
      g_value_set_object (value, self->queue);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_queue_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  WireQueueView *self = WIRE_QUEUE_VIEW (object);

  switch (prop_id)
    {
    case PROP_QUEUE:
      wire_queue_view_set_queue (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_queue_view_class_init (WireQueueViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_queue_view_dispose;
  object_class->get_property = wire_queue_view_get_property;
  object_class->set_property = wire_queue_view_set_property;

  properties[PROP_QUEUE] =
    g_param_spec_object ("queue", NULL, NULL,
                         WIRE_TYPE_MESSAGE_QUEUE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "wire-queue-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
wire_queue_view_init (WireQueueView *self)
{
  int row = 0;

  self->grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (self->grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (self->grid), 12);
  gtk_widget_set_parent (self->grid, GTK_WIDGET (self));

  for (guint i = 0; i < WIRE_N_PRIORITIES; i++)
    {
      self->bars[i] = new_bar ();
      self->depths[i] = add_row (self, row++, priority_title ((WirePriority) i), self->bars[i]);
    }

  self->total_bar = new_bar ();
  self->total_label = add_row (self, row++, _("Total"), self->total_bar);
  self->in_flight_label = add_row (self, row++, _("In flight"), NULL);
  self->oldest_label = add_row (self, row++, _("Oldest unacknowledged"), NULL);
  self->retries_label = add_row (self, row++, _("Retries"), NULL);
  self->failures_label = add_row (self, row++, _("Failures"), NULL);
  self->overflows_label = add_row (self, row++, _("Overflows"), NULL);
  self->policy_label = add_row (self, row++, _("When full"), NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Message queue"),
                                  -1);
  wire_queue_view_refresh (self);
}

GtkWidget *
wire_queue_view_new (void)
{
  return g_object_new (WIRE_TYPE_QUEUE_VIEW, NULL);
}
