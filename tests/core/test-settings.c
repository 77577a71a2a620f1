#define G_LOG_DOMAIN "wire-test-settings"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "wire-core.h"
#include "wire-settings.h"

/* Runs with GSETTINGS_BACKEND=memory and GSETTINGS_SCHEMA_DIR=<builddir>/data (tests/meson.build). */

#define SECRET "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2VjcmV0LXNpZ25hdHVyZQ"

static GSettings *
new_settings (void)
{
  g_autoptr(GSettingsSchema) schema = wire_settings_lookup_schema ();

  if (schema == NULL)
    g_error ("The schema %s is not compiled in GSETTINGS_SCHEMA_DIR", WIRE_SETTINGS_SCHEMA_ID);
  return g_settings_new_full (schema, NULL, NULL);
}

/* The keys that must bind to a WireConfig property of the same name. */
static const char * const config_keys[] = {
  "reconnect-max-attempts", "reconnect-base-delay-ms", "reconnect-max-delay-ms", "jitter",
  "reset-after-ms", "heartbeat-interval-ms", "heartbeat-timeout-ms", "connect-timeout-ms",
  "probe-interval-ms", "slow-threshold-ms", "unstable-threshold-ms", "health-path",
  "queue-capacity", "overflow", "max-retries", "retry-delay-ms", "ack-timeout-ms", "dedup-ttl-ms",
  NULL
};

static void
test_keys_match_properties (void)
{
  g_autoptr(WireConfig) config = wire_config_new ();
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(GSettingsSchema) schema = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  for (guint i = 0; config_keys[i] != NULL; i++)
    {
      g_assert_true (g_settings_schema_has_key (schema, config_keys[i]));
      g_assert_nonnull (g_object_class_find_property (G_OBJECT_GET_CLASS (config), config_keys[i]));
    }
}

/* The schema's defaults are WireConfig's defaults: binding a fresh config changes nothing. */
static void
test_defaults_match (void)
{
  g_autoptr(WireConfig) fresh = wire_config_new ();
  g_autoptr(WireConfig) bound = wire_config_new ();
  g_autoptr(GSettings) settings = new_settings ();

  wire_settings_bind_config (settings, bound);

  for (guint i = 0; config_keys[i] != NULL; i++)
    {
      g_auto(GValue) a = G_VALUE_INIT;
      g_auto(GValue) b = G_VALUE_INIT;
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (fresh), config_keys[i]);

      g_value_init (&a, pspec->value_type);
      g_value_init (&b, pspec->value_type);
      g_object_get_property (G_OBJECT (fresh), config_keys[i], &a);
      g_object_get_property (G_OBJECT (bound), config_keys[i], &b);
      if (g_param_values_cmp (pspec, &a, &b) != 0)
        g_error ("Key %s: schema default differs from WireConfig's default", config_keys[i]);
    }
}

static void
test_bind_jitter (void)
{
  g_autoptr(WireConfig) config = wire_config_new ();
  g_autoptr(GSettings) settings = new_settings ();
  g_autofree char *nick = NULL;

  wire_settings_bind_config (settings, config);
  g_assert_cmpint (wire_config_get_jitter (config), ==, WIRE_JITTER_EQUAL);

  g_assert_true (g_settings_set_string (settings, "jitter", "full"));
  g_assert_cmpint (wire_config_get_jitter (config), ==, WIRE_JITTER_FULL);
  g_assert_true (g_settings_set_string (settings, "jitter", "none"));
  g_assert_cmpint (wire_config_get_jitter (config), ==, WIRE_JITTER_NONE);

  /* Both ways: the config's change lands in GSettings. */
  g_object_set (config, "jitter", WIRE_JITTER_EQUAL, NULL);
  nick = g_settings_get_string (settings, "jitter");
  g_assert_cmpstr (nick, ==, "equal");

  g_assert_true (g_settings_set_string (settings, "overflow", "drop-lowest"));
  g_assert_cmpint (wire_config_get_overflow (config), ==, WIRE_OVERFLOW_DROP_LOWEST);
  g_assert_true (g_settings_set_uint (settings, "reconnect-base-delay-ms", 250));
  g_assert_cmpuint (wire_config_get_reconnect_base_delay_ms (config), ==, 250);
  g_assert_true (g_settings_set_uint (settings, "queue-capacity", 42));
  g_assert_cmpuint (wire_config_get_queue_capacity (config), ==, 42);
  g_assert_true (g_settings_set_string (settings, "health-path", "/healthz"));
  g_assert_cmpstr (wire_config_get_health_path (config), ==, "/healthz");

  g_settings_reset (settings, "jitter");
  g_settings_reset (settings, "overflow");
  g_settings_reset (settings, "reconnect-base-delay-ms");
  g_settings_reset (settings, "queue-capacity");
  g_settings_reset (settings, "health-path");
}

/* A running queue follows the settings: the capacity it reports is the new key's value. */
static void
test_bind_reaches_queue (void)
{
  g_autoptr(WireConfig) config = wire_config_new ();
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(WireMessageQueue) queue = NULL;

  wire_settings_bind_config (settings, config);
  queue = wire_message_queue_new (config);
  g_assert_true (g_settings_set_uint (settings, "queue-capacity", 17));
  g_assert_cmpuint (wire_message_queue_get_capacity (queue), ==, 17);
  g_assert_true (g_settings_set_string (settings, "overflow", "drop-lowest"));
  g_assert_cmpint (wire_message_queue_get_overflow (queue), ==, WIRE_OVERFLOW_DROP_LOWEST);
  g_settings_reset (settings, "queue-capacity");
  g_settings_reset (settings, "overflow");
}

static double
fixed_random (gpointer user_data)
{
  return *(double *) user_data;
}

/* A live connection's next reconnect delay follows the jitter key the moment it changes. */
static void
test_live_connection_follows_jitter (void)
{
  g_autoptr(WireConfig) config = wire_config_new ();
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(WireConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  WireBackoff *backoff;
  double r = 0.0;

  wire_settings_bind_config (settings, config);
  g_assert_true (g_settings_set_uint (settings, "reconnect-base-delay-ms", 1000));
  connection = wire_connection_new (config, NULL, "ws://127.0.0.1:1/ws/chat/session-1", &error);
  g_assert_no_error (error);
  backoff = wire_connection_get_backoff (connection);
  wire_backoff_set_random_func (backoff, fixed_random, &r);

  /* equal: delay × U[0.5, 1.0]; with r = 0 that is half the base delay. */
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 500);
  wire_backoff_reset (backoff);

  g_assert_true (g_settings_set_string (settings, "jitter", "full"));
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 0);
  wire_backoff_reset (backoff);

  g_assert_true (g_settings_set_string (settings, "jitter", "none"));
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 1000);
  wire_backoff_reset (backoff);

  g_assert_true (g_settings_set_uint (settings, "reconnect-base-delay-ms", 200));
  g_assert_cmpint (wire_backoff_next_delay (backoff), ==, 200);

  g_settings_reset (settings, "jitter");
  g_settings_reset (settings, "reconnect-base-delay-ms");
  g_assert_finalize_object (g_steal_pointer (&connection));
}

static void
test_apply_without_binding (void)
{
  g_autoptr(WireConfig) config = wire_config_new ();
  g_autoptr(GSettings) settings = new_settings ();
  g_autofree char *nick = NULL;

  g_assert_true (g_settings_set_string (settings, "jitter", "full"));
  g_assert_true (g_settings_set_uint (settings, "max-retries", 7));
  wire_settings_apply_to_config (settings, config);
  g_assert_cmpint (wire_config_get_jitter (config), ==, WIRE_JITTER_FULL);
  g_assert_cmpuint (wire_config_get_max_retries (config), ==, 7);

  /* A flag applied afterwards (the CLI) is not written back. */
  g_object_set (config, "jitter", WIRE_JITTER_NONE, NULL);
  nick = g_settings_get_string (settings, "jitter");
  g_assert_cmpstr (nick, ==, "full");

  g_settings_reset (settings, "jitter");
  g_settings_reset (settings, "max-retries");
}

static void
test_priority_for_event (void)
{
  g_autoptr(GSettings) settings = new_settings ();

  g_assert_cmpint (wire_settings_priority_for_event (settings, "user_message"), ==, WIRE_PRIORITY_HIGH);
  g_assert_cmpint (wire_settings_priority_for_event (settings, "typing_start"), ==, WIRE_PRIORITY_LOW);
  g_assert_cmpint (wire_settings_priority_for_event (settings, "cursor_move"), ==, WIRE_PRIORITY_LOW);
  g_assert_cmpint (wire_settings_priority_for_event (settings, "trip_update"), ==, WIRE_PRIORITY_NORMAL);
  g_assert_true (g_settings_set_string (settings, "default-priority", "critical"));
  g_assert_cmpint (wire_settings_priority_for_event (settings, "trip_update"), ==, WIRE_PRIORITY_CRITICAL);
  g_assert_cmpint (wire_settings_priority_for_event (NULL, "user_message"), ==, WIRE_PRIORITY_NORMAL);
  g_settings_reset (settings, "default-priority");
}

static gboolean
settings_hold (GSettings  *settings,
               const char *needle)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      if (strstr (text, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_profiles_never_hold_tokens (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(GVariant) stored = NULL;
  GVariantBuilder builder, profile;
  const char *channels[] = { "chat:session-1", NULL };
  const char *name = NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  g_variant_builder_init (&profile, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&profile, "{sv}", "name", g_variant_new_string ("Chat"));
  g_variant_builder_add (&profile, "{sv}", "type", g_variant_new_string ("chat"));
  g_variant_builder_add (&profile, "{sv}", "url", g_variant_new_string ("ws://127.0.0.1:8765/ws/chat/session-1"));
  g_variant_builder_add (&profile, "{sv}", "channels", g_variant_new_strv (channels, -1));
  g_variant_builder_add (&profile, "{sv}", "token", g_variant_new_string (SECRET));
  g_variant_builder_add (&profile, "{sv}", "accessToken", g_variant_new_string (SECRET));
  g_variant_builder_add_value (&builder, g_variant_builder_end (&profile));

  g_assert_true (wire_settings_set_profiles (settings, g_variant_builder_end (&builder)));

  stored = wire_settings_get_profiles (settings);
  g_assert_cmpuint (g_variant_n_children (stored), ==, 1);
  {
    g_autoptr(GVariant) first = g_variant_get_child_value (stored, 0);

    g_assert_true (g_variant_lookup (first, "name", "&s", &name));
    g_assert_cmpstr (name, ==, "Chat");
    g_assert_false (g_variant_lookup (first, "token", "&s", &name));
    g_assert_cmpuint (g_variant_n_children (first), ==, 4);
  }
  g_assert_false (settings_hold (settings, SECRET));
  g_assert_false (settings_hold (settings, "c2VjcmV0LXNpZ25hdHVyZQ"));
  g_settings_reset (settings, "profiles");
}

static void
test_lookup_missing_schema_is_safe (void)
{
  /* With an empty schema directory the helpers answer NULL instead of aborting. */
  if (g_test_subprocess ())
    {
      g_autoptr(GSettingsSchema) schema = wire_settings_lookup_schema ();
      g_autoptr(GSettings) settings = NULL;

      g_assert_null (schema);
      settings = wire_settings_new_if_installed ();
      g_assert_null (settings);
      return;
    }

  {
    g_autofree char *empty = g_dir_make_tmp ("wirescope-schemas-XXXXXX", NULL);
    g_autofree char *old = g_strdup (g_getenv ("GSETTINGS_SCHEMA_DIR"));
    g_autofree char *old_data = g_strdup (g_getenv ("XDG_DATA_DIRS"));

    g_setenv ("GSETTINGS_SCHEMA_DIR", empty, TRUE);
    g_setenv ("XDG_DATA_DIRS", empty, TRUE);
    g_setenv ("XDG_DATA_HOME", empty, TRUE);
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    if (old != NULL)
      g_setenv ("GSETTINGS_SCHEMA_DIR", old, TRUE);
    if (old_data != NULL)
      g_setenv ("XDG_DATA_DIRS", old_data, TRUE);
    g_rmdir (empty);
    g_test_trap_assert_passed ();
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/settings/keys-match-properties", test_keys_match_properties);
  g_test_add_func ("/wire/settings/defaults-match", test_defaults_match);
  g_test_add_func ("/wire/settings/bind-jitter", test_bind_jitter);
  g_test_add_func ("/wire/settings/bind-reaches-queue", test_bind_reaches_queue);
  g_test_add_func ("/wire/settings/live-connection-follows-jitter", test_live_connection_follows_jitter);
  g_test_add_func ("/wire/settings/apply-without-binding", test_apply_without_binding);
  g_test_add_func ("/wire/settings/priority-for-event", test_priority_for_event);
  g_test_add_func ("/wire/settings/profiles-never-hold-tokens", test_profiles_never_hold_tokens);
  g_test_add_func ("/wire/settings/missing-schema", test_lookup_missing_schema_is_safe);

  return g_test_run ();
}
