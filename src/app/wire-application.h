/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "wire-core.h"
#include "wire-demo.h"

G_BEGIN_DECLS

#define WIRE_TYPE_APPLICATION (wire_application_get_type ())
G_DECLARE_FINAL_TYPE (WireApplication, wire_application, WIRE, APPLICATION, AdwApplication)

/* The application: owns the configuration (bound to GSettings when the schema is installed), the
 * connection manager and, in demo mode, the embedded gateway.
 *
 * Command line: --demo starts the demo at launch.
 * Environment: WIRESCOPE_FIRST_FRAME_EXIT=1 prints "first-frame <monotonic µs>" once the window
 * has drawn its first frame and quits (the start-up benchmark). */
WireApplication *wire_application_new          (void);
WireManager     *wire_application_get_manager  (WireApplication *self);
WireConfig      *wire_application_get_config   (WireApplication *self);
/* Properties: demo (WireDemo, read-only): the running demo, or NULL. */
WireDemo        *wire_application_get_demo     (WireApplication *self);
/* Starts the embedded gateway and the demo connections; does nothing when already running. */
gboolean         wire_application_start_demo   (WireApplication *self,
                                                GError         **error);
/* NULL when the schema is not installed (defaults are used). */
GSettings       *wire_application_get_settings (WireApplication *self);

G_END_DECLS
