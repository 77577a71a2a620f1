#define G_LOG_DOMAIN "wire-settings"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-settings.h"

GSettingsSchema *
wire_settings_lookup_schema (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();

  if (source == NULL)
    return NULL;

  return g_settings_schema_source_lookup (source, WIRE_SETTINGS_SCHEMA_ID, TRUE);
}

GSettings *
wire_settings_new_if_installed (void)
{
  g_autoptr(GSettingsSchema) schema = wire_settings_lookup_schema ();

  if (schema == NULL)
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

/* Can the default g_settings_bind() mapping carry this key into this property? Only the types
 * the schema uses are needed; anything else is skipped rather than warned about at runtime. */
static gboolean
key_fits_property (GSettingsSchemaKey *key,
                   GParamSpec         *pspec)
{
  const GVariantType *type = g_settings_schema_key_get_value_type (key);
  GType ptype = G_PARAM_SPEC_VALUE_TYPE (pspec);
  g_autoptr(GVariant) range = g_settings_schema_key_get_range (key);
  const char *range_kind = NULL;

  g_variant_get (range, "(&sv)", &range_kind, NULL);

  if (G_TYPE_IS_ENUM (ptype))
    return g_strcmp0 (range_kind, "enum") == 0;
  if (ptype == G_TYPE_UINT)
    return g_variant_type_equal (type, G_VARIANT_TYPE_UINT32);
  if (ptype == G_TYPE_INT)
    return g_variant_type_equal (type, G_VARIANT_TYPE_INT32);
  if (ptype == G_TYPE_BOOLEAN)
    return g_variant_type_equal (type, G_VARIANT_TYPE_BOOLEAN);
  if (ptype == G_TYPE_STRING)
    return g_variant_type_equal (type, G_VARIANT_TYPE_STRING);
  if (ptype == G_TYPE_STRV)
    return g_variant_type_equal (type, G_VARIANT_TYPE_STRING_ARRAY);
  return FALSE;
}

typedef void (*KeyFunc) (GSettings  *settings,
                         const char *key,
                         GParamSpec *pspec,
                         GObject    *object);

static void
foreach_config_key (GSettings  *settings,
                    WireConfig *config,
                    KeyFunc     func)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  GObjectClass *klass = G_OBJECT_GET_CLASS (config);

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);

  for (guint i = 0; keys[i] != NULL; i++)
    {
      GParamSpec *pspec = g_object_class_find_property (klass, keys[i]);
      g_autoptr(GSettingsSchemaKey) key = NULL;

      if (pspec == NULL)
        continue;

      key = g_settings_schema_get_key (schema, keys[i]);
      if (!key_fits_property (key, pspec) || !(pspec->flags & G_PARAM_WRITABLE))
        {
          g_debug ("Key “%s” does not fit the WireConfig property of that name; not bound",
                   keys[i]);
          continue;
        }

      func (settings, keys[i], pspec, G_OBJECT (config));
    }
}

static void
bind_key (GSettings  *settings,
          const char *key,
          GParamSpec *pspec,
          GObject    *object)
{
  g_settings_bind (settings, key, object, key, G_SETTINGS_BIND_DEFAULT);
}

void
wire_settings_bind_config (GSettings  *settings,
                           WireConfig *config)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (WIRE_IS_CONFIG (config));

  foreach_config_key (settings, config, bind_key);
}

static void
apply_key (GSettings  *settings,
           const char *key,
           GParamSpec *pspec,
           GObject    *object)
{
  g_auto(GValue) value = G_VALUE_INIT;
  GType ptype = G_PARAM_SPEC_VALUE_TYPE (pspec);

  g_value_init (&value, ptype);

  if (G_TYPE_IS_ENUM (ptype))
    {
      /* Map by nick, as g_settings_bind() does: the schema's numbers need not match. */
      g_autofree char *nick = g_settings_get_string (settings, key);
      g_autoptr(GEnumClass) enum_class = g_type_class_ref (ptype);
      GEnumValue *ev = g_enum_get_value_by_nick (enum_class, nick);

      if (ev == NULL)
        {
          g_debug ("Key “%s”: “%s” is not a value of %s", key, nick, g_type_name (ptype));
          return;
        }
      g_value_set_enum (&value, ev->value);
    }
  else if (ptype == G_TYPE_UINT)
    g_value_set_uint (&value, g_settings_get_uint (settings, key));
  else if (ptype == G_TYPE_INT)
    g_value_set_int (&value, g_settings_get_int (settings, key));
  else if (ptype == G_TYPE_BOOLEAN)
    g_value_set_boolean (&value, g_settings_get_boolean (settings, key));
  else if (ptype == G_TYPE_STRING)
    g_value_take_string (&value, g_settings_get_string (settings, key));
  else if (ptype == G_TYPE_STRV)
    g_value_take_boxed (&value, g_settings_get_strv (settings, key));
  else
    return;

  g_object_set_property (object, key, &value);
}

void
wire_settings_apply_to_config (GSettings  *settings,
                               WireConfig *config)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (WIRE_IS_CONFIG (config));

  foreach_config_key (settings, config, apply_key);
}

static gboolean
settings_has_key (GSettings  *settings,
                  const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  return schema != NULL && g_settings_schema_has_key (schema, key);
}

WirePriority
wire_settings_priority_for_event (GSettings  *settings,
                                  const char *event)
{
  WirePriority priority = WIRE_PRIORITY_NORMAL;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), WIRE_PRIORITY_NORMAL);

  if (settings == NULL)
    return WIRE_PRIORITY_NORMAL;

  if (event != NULL && settings_has_key (settings, "event-priorities"))
    {
      g_autoptr(GVariant) map = g_settings_get_value (settings, "event-priorities");
      const char *name = NULL;

      if (g_variant_lookup (map, event, "&s", &name) && wire_priority_from_string (name, &priority))
        return priority;
    }

  if (settings_has_key (settings, "default-priority"))
    {
      g_autofree char *name = g_settings_get_string (settings, "default-priority");

      if (wire_priority_from_string (name, &priority))
        return priority;
    }

  return WIRE_PRIORITY_NORMAL;
}

GVariant *
wire_settings_get_profiles (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_settings_get_value (settings, "profiles");
}

static gboolean
is_secret_member (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return strstr (lower, "token") != NULL || strstr (lower, "secret") != NULL ||
         strstr (lower, "password") != NULL;
}

gboolean
wire_settings_set_profiles (GSettings *settings,
                            GVariant  *profiles)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));
  g_autoptr(GVariant) sunk = NULL;
  GVariantIter iter;
  GVariant *profile;

  g_return_val_if_fail (G_IS_SETTINGS (settings), FALSE);
  g_return_val_if_fail (profiles != NULL, FALSE);
  g_return_val_if_fail (g_variant_is_of_type (profiles, G_VARIANT_TYPE ("aa{sv}")), FALSE);

  sunk = g_variant_ref_sink (profiles);

  g_variant_iter_init (&iter, sunk);
  while ((profile = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_auto(GVariantBuilder) dict = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{sv}"));
      GVariantIter members;
      const char *name;
      GVariant *value;

      g_variant_iter_init (&members, profile);
      while (g_variant_iter_next (&members, "{&sv}", &name, &value))
        {
          if (is_secret_member (name))
            g_debug ("Dropping “%s” from a saved profile: secrets never go to GSettings", name);
          else
            g_variant_builder_add (&dict, "{sv}", name, value);
          g_variant_unref (value);
        }
      g_variant_builder_add_value (&builder, g_variant_builder_end (&dict));
      g_variant_unref (profile);
    }

  return g_settings_set_value (settings, "profiles", g_variant_builder_end (&builder));
}
