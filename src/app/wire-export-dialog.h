/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "wire-export.h"
#include "wire-manager.h"

G_BEGIN_DECLS

#define WIRE_TYPE_EXPORT_DIALOG (wire_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (WireExportDialog, wire_export_dialog, WIRE, EXPORT_DIALOG, AdwWindow)

/* win.export-metrics: asks for a format (CSV, NDJSON, OpenMetrics, HAR), then a file through
 * GtkFileChooserNative (the portal under Flatpak), exports the recorder of @manager
 * (wire_recorder_ensure_for_manager()) off the main thread with a progress bar and a Cancel
 * button, and reports errors as sentences (unwritable folder, full disk, …).
 * The dialog is modal and transient for @parent and frees itself when closed. */
void wire_export_dialog_present (GtkWindow   *parent,
                                 WireManager *manager);

/* Exports to @file in @format as if the person had chosen them (tests, "export again"): the
 * progress bar, the Cancel button and the outcome sentence behave the same. */
void wire_export_dialog_export_to_file (WireExportDialog *self,
                                        WireExportFormat  format,
                                        GFile            *file);

G_END_DECLS
