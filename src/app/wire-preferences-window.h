/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define WIRE_TYPE_PREFERENCES_WINDOW (wire_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (WirePreferencesWindow, wire_preferences_window, WIRE, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* The preferences window (app.preferences): reconnection, liveness, network probe, queue and
 * priorities, message log; every row bound to a key of @settings (schema
 * io.github.wirescope.Wirescope) with g_settings_bind(). Next to the backoff settings a plot
 * shows the delay schedule they produce (attempts 1–10 with the jitter band). Changes apply to
 * running connections at once (the app binds the same keys to its WireConfig with
 * wire_settings_bind_config()), and the window says so.
 *
 * Returns a new window, transient for @parent (may be NULL), modal; call gtk_window_present(). */
GtkWidget *wire_preferences_window_new (GtkWindow *parent,
                                        GSettings *settings);

G_END_DECLS
