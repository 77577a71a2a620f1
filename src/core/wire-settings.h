/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "wire-config.h"
#include "wire-priority.h"

G_BEGIN_DECLS

/* GSettings for Wirescope: the schema io.github.wirescope.Wirescope (data/), bound to a
 * WireConfig. GIO only, so the app and wirescope-cli share it.
 *
 * Every WireConfig property with a key of the same name is bound both ways: the key names equal
 * the property names (reconnect-max-attempts, jitter, overflow, queue-capacity, …), and the
 * enum keys `jitter` and `overflow` use the nicks of WireJitter / WireOverflowPolicy
 * ("none", "equal", "full"; "reject-new", "drop-lowest"). Connections watch their config's
 * notify, so a change in GSettings reaches running connections at once.
 *
 * Keys that are not WireConfig properties: default-priority (string), event-priorities (a{ss}:
 * event name → "critical" | "high" | "normal" | "low"), profiles (aa{sv}, see below),
 * window-width, window-height, window-maximized, message-log-history (uint, rows per
 * connection). Tokens are never stored in GSettings. */

#define WIRE_SETTINGS_SCHEMA_ID "io.github.wirescope.Wirescope"

/* Looks the schema up in the default schema source without aborting when it is not installed
 * (g_settings_new() would). Returns a new reference, or NULL. Honours GSETTINGS_SCHEMA_DIR. */
GSettingsSchema *wire_settings_lookup_schema     (void);

/* g_settings_new (WIRE_SETTINGS_SCHEMA_ID) when the schema is installed, else NULL. The CLI
 * uses this: with a schema it reads the user's settings, then lets every flag override them. */
GSettings       *wire_settings_new_if_installed  (void);

/* Binds every key that names a WireConfig property (G_SETTINGS_BIND_DEFAULT, i.e. both ways).
 * Keys absent from an older installed schema are skipped with a debug message. The binding
 * lives as long as @config. */
void             wire_settings_bind_config       (GSettings   *settings,
                                                  WireConfig  *config);

/* Copies the current values of every bound key into @config once, without a binding: for the
 * CLI, which applies its flags afterwards and must not write them back. */
void             wire_settings_apply_to_config   (GSettings   *settings,
                                                  WireConfig  *config);

/* The priority a publish of @event gets when none was chosen: event-priorities[@event] if
 * present and valid, else default-priority, else WIRE_PRIORITY_NORMAL. @settings may be NULL. */
WirePriority     wire_settings_priority_for_event (GSettings  *settings,
                                                   const char *event);

/* Saved connection profiles (key `profiles`, aa{sv}). Each profile is an a{sv} dictionary with
 *   "name" (s), "type" (s, a WireEndpointKind string), "url" (s), "user-id" (s),
 *   "session-id" (s), "slot-id" (s), "channels" (as).
 * Never a token: wire_settings_set_profiles() drops any "token" member (and any member whose
 * name contains "token" or "secret") before writing, so a caller cannot persist one by mistake.
 * wire_settings_get_profiles() returns a new reference to a GVariant of type aa{sv}. */
GVariant        *wire_settings_get_profiles      (GSettings   *settings);
gboolean         wire_settings_set_profiles      (GSettings   *settings,
                                                  GVariant    *profiles);

G_END_DECLS
