#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-core.h"

static void
test_defaults (void)
{
  g_autoptr (WireConfig) config = wire_config_new ();

  g_assert_cmpuint (wire_config_get_reconnect_max_attempts (config), ==, 0);
  g_assert_cmpuint (wire_config_get_reconnect_base_delay_ms (config), ==, 1000);
  g_assert_cmpuint (wire_config_get_reconnect_max_delay_ms (config), ==, 30000);
  g_assert_cmpint (wire_config_get_jitter (config), ==, WIRE_JITTER_EQUAL);
  g_assert_cmpuint (wire_config_get_reset_after_ms (config), ==, 60000);
  g_assert_cmpuint (wire_config_get_heartbeat_interval_ms (config), ==, 30000);
  g_assert_cmpuint (wire_config_get_heartbeat_timeout_ms (config), ==, 10000);
  g_assert_cmpuint (wire_config_get_probe_interval_ms (config), ==, 30000);
  g_assert_cmpuint (wire_config_get_slow_threshold_ms (config), ==, 5000);
  g_assert_cmpuint (wire_config_get_unstable_threshold_ms (config), ==, 1000);
  g_assert_cmpstr (wire_config_get_health_path (config), ==, "/api/health");
  g_assert_cmpuint (wire_config_get_connect_timeout_ms (config), ==, 10000);
  g_assert_cmpuint (wire_config_get_idle_timeout_ms (config), ==, 0);
  g_assert_cmpuint (wire_config_get_queue_capacity (config), ==, 10000);
  g_assert_cmpint (wire_config_get_overflow (config), ==, WIRE_OVERFLOW_REJECT_NEW);
  g_assert_cmpuint (wire_config_get_max_retries (config), ==, 3);
  g_assert_cmpuint (wire_config_get_retry_delay_ms (config), ==, 1000);
  g_assert_cmpuint (wire_config_get_ack_timeout_ms (config), ==, 10000);
  g_assert_cmpuint (wire_config_get_dedup_ttl_ms (config), ==, 300000);
  g_assert_cmpuint (wire_config_get_max_connections (config), ==, 100);
  g_assert_cmpuint (wire_config_get_max_connections_per_host (config), ==, 100);
  g_assert_true (wire_config_get_permessage_deflate (config));
  g_assert_null (wire_config_get_ca_file (config));
  g_assert_false (wire_config_get_insecure (config));
  g_assert_null (wire_config_get_extra_headers (config));
}

/* The defaults of the param specs agree with what a new object holds, so g_settings_bind and
 * "reset to default" mean the same thing. */
static void
test_pspec_defaults (void)
{
  g_autoptr (WireConfig) config = wire_config_new ();
  g_autofree GParamSpec **pspecs = NULL;
  guint n = 0;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (config), &n);
  g_assert_cmpuint (n, ==, 25);
  for (guint i = 0; i < n; i++)
    {
      g_auto (GValue) value = G_VALUE_INIT;

      g_value_init (&value, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (config), pspecs[i]->name, &value);
      g_assert_true (g_param_value_defaults (pspecs[i], &value));
      g_assert_true (pspecs[i]->flags & G_PARAM_EXPLICIT_NOTIFY);
    }
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_ranges_and_notify (void)
{
  g_autoptr (WireConfig) config = wire_config_new ();
  GParamSpecUInt *capacity;
  guint count = 0;

  capacity = G_PARAM_SPEC_UINT (g_object_class_find_property (G_OBJECT_GET_CLASS (config),
                                                              "queue-capacity"));
  g_assert_cmpuint (capacity->minimum, ==, 1);
  g_assert_cmpuint (capacity->default_value, ==, 10000);
  g_assert_true (G_IS_PARAM_SPEC_ENUM (g_object_class_find_property (G_OBJECT_GET_CLASS (config),
                                                                     "jitter")));

  g_signal_connect (config, "notify", G_CALLBACK (notify_cb), &count);
  g_object_set (config, "queue-capacity", 5, NULL);
  g_object_set (config, "queue-capacity", 5, NULL);   /* unchanged: no notify */
  g_assert_cmpuint (count, ==, 1);
  g_assert_cmpuint (wire_config_get_queue_capacity (config), ==, 5);

  g_object_set (config, "jitter", WIRE_JITTER_FULL, "overflow", WIRE_OVERFLOW_DROP_LOWEST, NULL);
  g_assert_cmpuint (count, ==, 3);
  g_assert_cmpint (wire_config_get_jitter (config), ==, WIRE_JITTER_FULL);

  if (g_test_undefined ())
    {
      /* Out of range: GObject refuses the value with a warning and keeps the old one. */
      g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING, "*queue-capacity*");
      g_object_set (config, "queue-capacity", 0, NULL);
      g_test_assert_expected_messages ();
      g_assert_cmpuint (wire_config_get_queue_capacity (config), ==, 5);
    }
}

static void
test_copy (void)
{
  g_autoptr (WireConfig) config = wire_config_new ();
  g_autoptr (WireConfig) copy = NULL;
  const char *headers[] = { "X-Trace: 1", "X-Other: two", NULL };

  g_object_set (config,
                "reconnect-max-attempts", 7,
                "jitter", WIRE_JITTER_NONE,
                "health-path", "/healthz",
                "overflow", WIRE_OVERFLOW_DROP_LOWEST,
                "permessage-deflate", FALSE,
                "ca-file", "ca.pem",
                "insecure", TRUE,
                "extra-headers", headers,
                "dedup-ttl-ms", 1234,
                NULL);
  copy = wire_config_copy (config);

  g_assert_true (copy != config);
  g_assert_cmpuint (wire_config_get_reconnect_max_attempts (copy), ==, 7);
  g_assert_cmpint (wire_config_get_jitter (copy), ==, WIRE_JITTER_NONE);
  g_assert_cmpstr (wire_config_get_health_path (copy), ==, "/healthz");
  g_assert_cmpint (wire_config_get_overflow (copy), ==, WIRE_OVERFLOW_DROP_LOWEST);
  g_assert_false (wire_config_get_permessage_deflate (copy));
  g_assert_cmpstr (wire_config_get_ca_file (copy), ==, "ca.pem");
  g_assert_true (wire_config_get_insecure (copy));
  g_assert_true (g_strv_equal (wire_config_get_extra_headers (copy), headers));
  g_assert_cmpuint (wire_config_get_dedup_ttl_ms (copy), ==, 1234);
  g_assert_cmpuint (wire_config_get_queue_capacity (copy), ==, 10000);

  /* Independent afterwards. */
  g_object_set (config, "dedup-ttl-ms", 1, NULL);
  g_assert_cmpuint (wire_config_get_dedup_ttl_ms (copy), ==, 1234);
}

static void
test_strings (void)
{
  WireJitter jitter = WIRE_JITTER_EQUAL;
  WireOverflowPolicy policy = WIRE_OVERFLOW_REJECT_NEW;

  g_assert_cmpstr (wire_jitter_to_string (WIRE_JITTER_NONE), ==, "none");
  g_assert_cmpstr (wire_jitter_to_string (WIRE_JITTER_EQUAL), ==, "equal");
  g_assert_cmpstr (wire_jitter_to_string (WIRE_JITTER_FULL), ==, "full");
  g_assert_true (wire_jitter_from_string ("full", &jitter));
  g_assert_cmpint (jitter, ==, WIRE_JITTER_FULL);
  g_assert_false (wire_jitter_from_string ("FULL", &jitter));
  g_assert_false (wire_jitter_from_string (NULL, &jitter));
  g_assert_cmpint (jitter, ==, WIRE_JITTER_FULL);

  g_assert_cmpstr (wire_overflow_policy_to_string (WIRE_OVERFLOW_DROP_LOWEST), ==, "drop-lowest");
  g_assert_true (wire_overflow_policy_from_string ("drop-lowest", &policy));
  g_assert_cmpint (policy, ==, WIRE_OVERFLOW_DROP_LOWEST);
  g_assert_true (wire_overflow_policy_from_string ("reject-new", &policy));
  g_assert_cmpint (policy, ==, WIRE_OVERFLOW_REJECT_NEW);
  g_assert_false (wire_overflow_policy_from_string ("drop", &policy));

  /* The enum nicks (what GSettings stores) are the same strings. */
  {
    GEnumClass *klass = g_type_class_ref (WIRE_TYPE_OVERFLOW_POLICY);
    GEnumClass *jklass = g_type_class_ref (WIRE_TYPE_JITTER);

    g_assert_cmpstr (g_enum_get_value (klass, WIRE_OVERFLOW_DROP_LOWEST)->value_nick, ==,
                     "drop-lowest");
    g_assert_cmpstr (g_enum_get_value (jklass, WIRE_JITTER_EQUAL)->value_nick, ==, "equal");
    g_type_class_unref (klass);
    g_type_class_unref (jklass);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/config/defaults", test_defaults);
  g_test_add_func ("/wire/config/pspec-defaults", test_pspec_defaults);
  g_test_add_func ("/wire/config/ranges-and-notify", test_ranges_and_notify);
  g_test_add_func ("/wire/config/copy", test_copy);
  g_test_add_func ("/wire/config/strings", test_strings);

  return g_test_run ();
}
