#define G_LOG_DOMAIN "wire-export-dialog"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "wire-export.h"
#include "wire-export-dialog.h"

struct _WireExportDialog
{
  AdwWindow             parent_instance;

  WireRecorder         *recorder;
  GCancellable         *cancellable;
  GtkFileChooserNative *chooser;
  GFile                *file;

  AdwComboRow          *format_row;
  GtkLabel             *summary_label;
  GtkProgressBar       *progress;
  GtkLabel             *status_label;
  GtkButton            *export_button;
  GtkButton            *cancel_button;

  /* Set in dispose: an export still finishing must not touch the widgets any more. */
  gboolean              disposed;
};

G_DEFINE_FINAL_TYPE (WireExportDialog, wire_export_dialog, ADW_TYPE_WINDOW)

static const char *
format_description (WireExportFormat format)
{
  switch (format)
    {
    case WIRE_EXPORT_CSV:
      return _("One row per connection per second, for spreadsheets");
    case WIRE_EXPORT_NDJSON:
      return _("Samples, state changes and messages, one JSON object per line");
    case WIRE_EXPORT_OPENMETRICS:
      return _("Current counters and gauges in the Prometheus text format");
    case WIRE_EXPORT_HAR:
      return _("WebSocket messages per connection, for browser developer tools");
    default:
      return "";
    }
}

static void
update_format_subtitle (WireExportDialog *self)
{
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->format_row),
                               format_description (adw_combo_row_get_selected (self->format_row)));
}

static void
format_selected_cb (WireExportDialog *self)
{
  update_format_subtitle (self);
}

static void
set_busy (WireExportDialog *self,
          gboolean          busy)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->format_row), !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), busy);
  gtk_button_set_label (self->cancel_button, busy ? _("_Cancel") : _("_Close"));
}

static void
set_status (WireExportDialog *self,
            const char       *text,
            gboolean          error)
{
  gtk_label_set_label (self->status_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  WireExportDialog *self = user_data;

  if (self->disposed)
    return;
  gtk_progress_bar_set_fraction (self->progress, total > 0 ? (double) done / total : 1.0);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(WireExportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint64 items = 0;
  gboolean ok;

  g_clear_object (&self->cancellable);
  ok = wire_export_file_finish (result, &items, &error);
  if (self->disposed)
    return;

  set_busy (self, FALSE);
  if (!ok)
    {
      gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

      text = wire_export_error_describe (error, self->file);
      g_debug ("Export failed: %s", error->message);
      set_status (self, text, !cancelled);
      return;
    }

  {
    g_autofree char *name = g_file_get_basename (self->file);

    text = g_strdup_printf (_("Saved “%s”."), name);
  }
  gtk_progress_bar_set_fraction (self->progress, 1.0);
  set_status (self, text, FALSE);
}

static void
start_export (WireExportDialog *self,
              GFile            *file)
{
  WireExportFormat format = adw_combo_row_get_selected (self->format_row);

  g_set_object (&self->file, file);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_progress_bar_set_fraction (self->progress, 0);
  set_status (self, _("Exporting…"), FALSE);
  set_busy (self, TRUE);

  /* The dialog stays alive until the export reports back, even if it is closed. */
  wire_export_file_async (self->recorder, format, file, progress_cb, self, NULL,
                          self->cancellable, export_done_cb, g_object_ref (self));
}

void
wire_export_dialog_export_to_file (WireExportDialog *self,
                                   WireExportFormat  format,
                                   GFile            *file)
{
  g_return_if_fail (WIRE_IS_EXPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->cancellable == NULL);

  adw_combo_row_set_selected (self->format_row, format);
  start_export (self, file);
}

static void
chooser_response_cb (GtkNativeDialog  *chooser,
                     int               response,
                     WireExportDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      G_GNUC_END_IGNORE_DEPRECATIONS

      if (file != NULL)
        start_export (self, file);
    }
  g_clear_object (&self->chooser);
}

static char *
suggested_name (WireExportFormat format)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  return g_strdup_printf ("wirescope-%s%s", stamp, wire_export_format_get_extension (format));
}

static void
export_clicked_cb (WireExportDialog *self)
{
  WireExportFormat format = adw_combo_row_get_selected (self->format_row);
  g_autofree char *name = suggested_name (format);

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Export Metrics"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
cancel_clicked_cb (WireExportDialog *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static gboolean
close_request_cb (WireExportDialog *self)
{
  /* Closing the window while exporting cancels: no half file is left (it is renamed at the end). */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  return FALSE;
}

static void
update_summary (WireExportDialog *self)
{
  g_autoptr(WireRecording) recording = wire_recorder_snapshot (self->recorder);
  guint tracks = wire_recording_get_n_tracks (recording);
  guint64 messages = 0, samples = 0;
  g_autofree char *text = NULL;
  g_autofree char *connections = NULL;
  g_autofree char *n_samples = NULL;
  g_autofree char *n_messages = NULL;

  for (guint t = 0; t < tracks; t++)
    {
      messages += wire_recording_get_n_messages (recording, t);
      samples += wire_recording_get_n_samples (recording, t);
    }

  connections = g_strdup_printf (ngettext ("%u connection", "%u connections", tracks), tracks);
  n_samples = g_strdup_printf ("%" G_GUINT64_FORMAT, samples);
  n_messages = g_strdup_printf ("%" G_GUINT64_FORMAT, messages);
  /* Translators: “3 connections, 120 samples, 4000 messages recorded. …” */
  text = g_strdup_printf (_("%s, %s samples, %s messages recorded. Tokens are never exported."),
                          connections, n_samples, n_messages);
  gtk_label_set_label (self->summary_label, text);
}

static void
wire_export_dialog_dispose (GObject *object)
{
  WireExportDialog *self = WIRE_EXPORT_DIALOG (object);

  self->disposed = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->recorder);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (wire_export_dialog_parent_class)->dispose (object);
}

static void
wire_export_dialog_class_init (WireExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_export_dialog_dispose;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
wire_export_dialog_init (WireExportDialog *self)
{
  const char * const formats[] = { "CSV", "NDJSON", "OpenMetrics", "HAR", NULL };
  g_autoptr(GtkStringList) model = gtk_string_list_new (formats);
  GtkWidget *toolbar, *header, *box, *group, *buttons;

  gtk_window_set_title (GTK_WINDOW (self), _("Export Metrics"));
  gtk_window_set_default_size (GTK_WINDOW (self), 480, -1);
  gtk_window_set_resizable (GTK_WINDOW (self), FALSE);

  toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (toolbar), header);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_box_append (GTK_BOX (toolbar), box);

  group = adw_preferences_group_new ();
  self->format_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->format_row), _("_Format"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->format_row), TRUE);
  adw_combo_row_set_model (self->format_row, G_LIST_MODEL (model));
  g_signal_connect_swapped (self->format_row, "notify::selected", G_CALLBACK (format_selected_cb), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->format_row));
  gtk_box_append (GTK_BOX (box), group);
  update_format_subtitle (self);

  self->summary_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->summary_label, TRUE);
  gtk_label_set_xalign (self->summary_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->summary_label));

  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_visible (GTK_WIDGET (self->progress), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Export progress"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress));

  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_label_set_xalign (self->status_label, 0);
  gtk_label_set_selectable (self->status_label, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status_label));

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  self->cancel_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Close")));
  self->export_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Export…")));
  gtk_widget_add_css_class (GTK_WIDGET (self->export_button), "suggested-action");
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (cancel_clicked_cb), self);
  g_signal_connect_swapped (self->export_button, "clicked", G_CALLBACK (export_clicked_cb), self);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->cancel_button));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->export_button));
  gtk_box_append (GTK_BOX (box), buttons);

  adw_window_set_content (ADW_WINDOW (self), toolbar);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->export_button));
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
}

void
wire_export_dialog_present (GtkWindow   *parent,
                            WireManager *manager)
{
  WireExportDialog *self;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (WIRE_IS_MANAGER (manager));

  self = g_object_new (WIRE_TYPE_EXPORT_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "destroy-with-parent", TRUE,
                       NULL);
  self->recorder = g_object_ref (wire_recorder_ensure_for_manager (manager));
  update_summary (self);
  gtk_window_present (GTK_WINDOW (self));
}
