#define G_LOG_DOMAIN "wire-preferences"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "wire-preferences-window.h"

struct _WirePreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  GPtrArray            *event_rows;       /* AdwComboRow, one per event-priorities entry */
  gboolean              updating_events;

  AdwPreferencesGroup  *priorities_group;
  AdwEntryRow          *health_path;
  GtkDrawingArea       *plot;
  GtkLabel             *plot_summary;
};

G_DEFINE_FINAL_TYPE (WirePreferencesWindow, wire_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* Spin buttons in the template are named after their key with '_' for '-'. */
static const char * const spin_keys[] = {
  "reconnect-max-attempts", "reconnect-base-delay-ms", "reconnect-max-delay-ms",
  "reset-after-ms", "heartbeat-interval-ms", "heartbeat-timeout-ms", "connect-timeout-ms",
  "probe-interval-ms", "unstable-threshold-ms", "slow-threshold-ms", "queue-capacity",
  "max-retries", "retry-delay-ms", "ack-timeout-ms", "dedup-ttl-ms", "message-log-history",
};

/* Combo rows: the nicks of the key's enum, in the order of the row's items. */
static const char * const jitter_nicks[] = { "none", "equal", "full", NULL };
static const char * const overflow_nicks[] = { "reject-new", "drop-lowest", NULL };
static const char * const priority_nicks[] = { "critical", "high", "normal", "low", NULL };

static const struct
{
  const char         *key;
  const char * const *nicks;
} combo_keys[] = {
  { "jitter", jitter_nicks },
  { "overflow", overflow_nicks },
  { "default-priority", priority_nicks },
};

static char *
key_to_id (const char *key)
{
  return g_strdelimit (g_strdup (key), "-", '_');
}

static gboolean
nick_to_index (GValue   *value,
               GVariant *variant,
               gpointer  user_data)
{
  const char * const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++)
    if (g_str_equal (nicks[i], nick))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
index_to_nick (const GValue       *value,
               const GVariantType *expected_type,
               gpointer            user_data)
{
  const char * const *nicks = user_data;
  guint index = g_value_get_uint (value);

  if (index >= g_strv_length ((char **) nicks))
    return NULL;
  return g_variant_new_string (nicks[index]);
}

/* ---- The delay schedule plot ---------------------------------------------------------------- */

typedef struct
{
  double low;    /* seconds */
  double high;
} Band;

static void
compute_schedule (GSettings *settings,
                  Band       bands[10],
                  guint     *out_attempts)
{
  guint base = g_settings_get_uint (settings, "reconnect-base-delay-ms");
  guint max = g_settings_get_uint (settings, "reconnect-max-delay-ms");
  guint max_attempts = g_settings_get_uint (settings, "reconnect-max-attempts");
  g_autofree char *jitter = g_settings_get_string (settings, "jitter");

  for (guint i = 0; i < 10; i++)
    {
      /* The same rule as WireBackoff: min (base × 2^attempt, max), then jitter. */
      double delay = MIN ((double) base * ldexp (1.0, i), (double) max) / 1000.0;

      bands[i].high = delay;
      if (g_str_equal (jitter, "full"))
        bands[i].low = 0;
      else if (g_str_equal (jitter, "equal"))
        bands[i].low = delay / 2;
      else
        bands[i].low = delay;
    }

  *out_attempts = max_attempts == 0 ? 10 : MIN (max_attempts, 10);
}

static char *
format_seconds (double s)
{
  if (s < 1.0)
    return g_strdup_printf (_("%.0f ms"), s * 1000);
  if (s < 10.0)
    return g_strdup_printf (_("%.1f s"), s);
  return g_strdup_printf (_("%.0f s"), s);
}

static char *
format_band (const Band *band)
{
  g_autofree char *low = format_seconds (band->low);
  g_autofree char *high = format_seconds (band->high);

  if (band->low == band->high)
    return g_steal_pointer (&high);
  /* Translators: a range of delays, e.g. “0.5 s – 1.0 s” */
  return g_strdup_printf (_("%s – %s"), low, high);
}

static void
update_plot_summary (WirePreferencesWindow *self)
{
  Band bands[10];
  guint attempts;
  guint max_attempts = g_settings_get_uint (self->settings, "reconnect-max-attempts");
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  g_autofree char *text = NULL;

  compute_schedule (self->settings, bands, &attempts);
  first = format_band (&bands[0]);
  last = format_band (&bands[attempts - 1]);

  if (max_attempts == 0)
    text = g_strdup_printf (_("Attempt 1 waits %s, attempt 10 waits %s. Never gives up."),
                            first, last);
  else
    text = g_strdup_printf (ngettext ("Attempt 1 waits %s, attempt %u waits %s. Gives up after %u attempt.",
                                      "Attempt 1 waits %s, attempt %u waits %s. Gives up after %u attempts.",
                                      max_attempts),
                            first, attempts, last, max_attempts);

  gtk_label_set_label (self->plot_summary, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->plot),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Delay schedule"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                  -1);
  gtk_widget_queue_draw (GTK_WIDGET (self->plot));
}

static void
draw_plot (GtkDrawingArea *area,
           cairo_t        *cr,
           int             width,
           int             height,
           gpointer        user_data)
{
  WirePreferencesWindow *self = user_data;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkStyleContext *style = gtk_widget_get_style_context (GTK_WIDGET (area));
  G_GNUC_END_IGNORE_DEPRECATIONS
  GdkRGBA fg;
  Band bands[10];
  guint attempts;
  double top = 0, slot, margin_bottom = 16, margin_left = 4, plot_h;

  if (self->settings == NULL)
    return;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (style, &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS

  compute_schedule (self->settings, bands, &attempts);
  for (guint i = 0; i < attempts; i++)
    top = MAX (top, bands[i].high);
  if (top <= 0)
    top = 1;

  plot_h = height - margin_bottom;
  slot = (width - margin_left) / 10.0;

  /* Baseline. */
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.3);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, margin_left, plot_h + 0.5);
  cairo_line_to (cr, width, plot_h + 0.5);
  cairo_stroke (cr);

  for (guint i = 0; i < 10; i++)
    {
      double x = margin_left + i * slot + slot * 0.2;
      double w = slot * 0.6;
      double y_high = plot_h - bands[i].high / top * (plot_h - 4);
      double y_low = plot_h - bands[i].low / top * (plot_h - 4);
      char label[4];

      if (i < attempts)
        {
          /* The jitter band: every delay the policy may pick for this attempt. */
          cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.35);
          cairo_rectangle (cr, x, y_high, w, MAX (y_low - y_high, 2));
          cairo_fill (cr);
          /* The un-jittered delay. */
          cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 1.0);
          cairo_rectangle (cr, x, y_high - 1, w, 2);
          cairo_fill (cr);
        }

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, i < attempts ? 0.7 : 0.25);
      cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
      cairo_set_font_size (cr, 10);
      g_snprintf (label, sizeof label, "%u", i + 1);
      cairo_move_to (cr, x + w / 2 - 3 * strlen (label), height - 3);
      cairo_show_text (cr, label);
    }
}

static void
schedule_changed_cb (GSettings             *settings,
                     const char            *key,
                     WirePreferencesWindow *self)
{
  update_plot_summary (self);
}

/* ---- Event priorities ----------------------------------------------------------------------- */

static void
event_row_selected_cb (AdwComboRow           *row,
                       GParamSpec            *pspec,
                       WirePreferencesWindow *self)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));

  if (self->updating_events)
    return;

  for (guint i = 0; i < self->event_rows->len; i++)
    {
      AdwComboRow *r = g_ptr_array_index (self->event_rows, i);
      guint selected = adw_combo_row_get_selected (r);

      if (selected < G_N_ELEMENTS (priority_nicks) - 1)
        g_variant_builder_add (&builder, "{ss}",
                               adw_preferences_row_get_title (ADW_PREFERENCES_ROW (r)),
                               priority_nicks[selected]);
    }

  self->updating_events = TRUE;
  g_settings_set_value (self->settings, "event-priorities", g_variant_builder_end (&builder));
  self->updating_events = FALSE;
}

static void
rebuild_event_rows (WirePreferencesWindow *self)
{
  g_autoptr(GVariant) map = NULL;
  GVariantIter iter;
  const char *event, *priority;

  if (self->updating_events)
    return;

  for (guint i = 0; i < self->event_rows->len; i++)
    adw_preferences_group_remove (self->priorities_group, g_ptr_array_index (self->event_rows, i));
  g_ptr_array_set_size (self->event_rows, 0);

  map = g_settings_get_value (self->settings, "event-priorities");
  self->updating_events = TRUE;
  g_variant_iter_init (&iter, map);
  while (g_variant_iter_next (&iter, "{&s&s}", &event, &priority))
    {
      const char * const labels[] = { _("Critical"), _("High"), _("Normal"), _("Low"), NULL };
      g_autoptr(GtkStringList) model = gtk_string_list_new (labels);
      AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), event);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Event"));
      adw_combo_row_set_model (row, G_LIST_MODEL (model));
      for (guint p = 0; priority_nicks[p] != NULL; p++)
        if (g_str_equal (priority_nicks[p], priority))
          adw_combo_row_set_selected (row, p);
      g_signal_connect (row, "notify::selected", G_CALLBACK (event_row_selected_cb), self);
      adw_preferences_group_add (self->priorities_group, GTK_WIDGET (row));
      g_ptr_array_add (self->event_rows, row);
    }
  self->updating_events = FALSE;
}

static void
event_priorities_changed_cb (GSettings             *settings,
                             const char            *key,
                             WirePreferencesWindow *self)
{
  rebuild_event_rows (self);
}

/* ---- Health path: applied with the row's button, checked first ------------------------------ */

static void
health_path_apply_cb (AdwEntryRow           *row,
                      WirePreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  if (text[0] != '/' || strchr (text, ' ') != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  g_settings_set_string (self->settings, "health-path", text);
}

static void
health_path_changed_cb (GSettings             *settings,
                        const char            *key,
                        WirePreferencesWindow *self)
{
  g_autofree char *path = g_settings_get_string (settings, "health-path");

  gtk_editable_set_text (GTK_EDITABLE (self->health_path), path);
}

/* ---- GObject -------------------------------------------------------------------------------- */

static void
wire_preferences_window_dispose (GObject *object)
{
  WirePreferencesWindow *self = WIRE_PREFERENCES_WINDOW (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->event_rows, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), WIRE_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (wire_preferences_window_parent_class)->dispose (object);
}

static void
wire_preferences_window_class_init (WirePreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wirescope/Wirescope/wire-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WirePreferencesWindow, priorities_group);
  gtk_widget_class_bind_template_child (widget_class, WirePreferencesWindow, health_path);
  gtk_widget_class_bind_template_child (widget_class, WirePreferencesWindow, plot);
  gtk_widget_class_bind_template_child (widget_class, WirePreferencesWindow, plot_summary);

  /* The rows bound to keys are found by name (gtk_widget_get_template_child()), not fields. */
  for (guint i = 0; i < G_N_ELEMENTS (spin_keys); i++)
    {
      g_autofree char *id = key_to_id (spin_keys[i]);

      gtk_widget_class_bind_template_child_full (widget_class, g_intern_string (id), FALSE, 0);
    }
  for (guint i = 0; i < G_N_ELEMENTS (combo_keys); i++)
    {
      g_autofree char *id = key_to_id (combo_keys[i].key);

      gtk_widget_class_bind_template_child_full (widget_class, g_intern_string (id), FALSE, 0);
    }
  gtk_widget_class_bind_template_child_full (widget_class, "reconnection_group", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "queue_group", FALSE, 0);
}

static void
wire_preferences_window_init (WirePreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->event_rows = g_ptr_array_new ();
  gtk_drawing_area_set_draw_func (self->plot, draw_plot, self, NULL);
}

static void
bind_settings (WirePreferencesWindow *self)
{
  static const char * const schedule_keys[] = {
    "changed::reconnect-base-delay-ms", "changed::reconnect-max-delay-ms",
    "changed::reconnect-max-attempts", "changed::jitter",
  };

  for (guint i = 0; i < G_N_ELEMENTS (spin_keys); i++)
    {
      g_autofree char *id = key_to_id (spin_keys[i]);
      GObject *spin = gtk_widget_get_template_child (GTK_WIDGET (self),
                                                     WIRE_TYPE_PREFERENCES_WINDOW, id);

      g_assert (GTK_IS_SPIN_BUTTON (spin));
      g_settings_bind (self->settings, spin_keys[i],
                       gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (spin)), "value",
                       G_SETTINGS_BIND_DEFAULT);
    }

  for (guint i = 0; i < G_N_ELEMENTS (combo_keys); i++)
    {
      g_autofree char *id = key_to_id (combo_keys[i].key);
      GObject *combo = gtk_widget_get_template_child (GTK_WIDGET (self),
                                                      WIRE_TYPE_PREFERENCES_WINDOW, id);

      g_assert (ADW_IS_COMBO_ROW (combo));
      g_settings_bind_with_mapping (self->settings, combo_keys[i].key, combo, "selected",
                                    G_SETTINGS_BIND_DEFAULT, nick_to_index, index_to_nick,
                                    (gpointer) combo_keys[i].nicks, NULL);
    }

  health_path_changed_cb (self->settings, "health-path", self);
  g_signal_connect (self->settings, "changed::health-path", G_CALLBACK (health_path_changed_cb), self);
  g_signal_connect (self->health_path, "apply", G_CALLBACK (health_path_apply_cb), self);

  for (guint i = 0; i < G_N_ELEMENTS (schedule_keys); i++)
    g_signal_connect (self->settings, schedule_keys[i], G_CALLBACK (schedule_changed_cb), self);
  update_plot_summary (self);

  rebuild_event_rows (self);
  g_signal_connect (self->settings, "changed::event-priorities",
                    G_CALLBACK (event_priorities_changed_cb), self);
}

GtkWidget *
wire_preferences_window_new (GtkWindow *parent,
                             GSettings *settings)
{
  WirePreferencesWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (WIRE_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
  self->settings = g_object_ref (settings);
  bind_settings (self);

  return GTK_WIDGET (self);
}
