#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-slot-table.h"

struct _WireSlotTable
{
  WireGateway *gateway;   /* borrowed, for the log */
  GHashTable  *slots;     /* "kind/slot" → GPtrArray of sessions (borrowed) */
};

WireSlotTable *
wire_slot_table_new (WireGateway *gateway)
{
  WireSlotTable *table = g_new0 (WireSlotTable, 1);

  table->gateway = gateway;
  table->slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_ptr_array_unref);
  return table;
}

void
wire_slot_table_free (WireSlotTable *table)
{
  if (table == NULL)
    return;
  g_hash_table_unref (table->slots);
  g_free (table);
}

static char *
slot_key (WireGatewaySession *session)
{
  return g_strdup_printf ("%s/%s",
                          wire_endpoint_kind_to_string (wire_gateway_session_get_kind (session)),
                          wire_gateway_session_get_slot_id (session));
}

gboolean
wire_slot_table_admit (WireSlotTable      *table,
                       WireGatewaySession *session,
                       int                *out_code)
{
  WireEndpointKind kind = wire_gateway_session_get_kind (session);
  const char *user = wire_gateway_session_get_user_id (session);
  g_autofree char *key = NULL;
  g_autoptr (GPtrArray) users = NULL;
  GPtrArray *slot;
  guint limit;

  limit = wire_endpoint_limit (kind);
  if (limit == 0)
    return TRUE;

  key = slot_key (session);
  slot = g_hash_table_lookup (table->slots, key);
  if (slot == NULL)
    {
      slot = g_ptr_array_new ();
      g_hash_table_insert (table->slots, g_strdup (key), slot);
    }

  /* The same user coming back supersedes its older connection (4009): that is how a client
   * returns at once after its network dropped, before the stale socket is noticed. */
  for (guint i = slot->len; i > 0; i--)
    {
      WireGatewaySession *old = g_ptr_array_index (slot, i - 1);

      if (g_strcmp0 (wire_gateway_session_get_user_id (old), user) == 0)
        {
          g_ptr_array_remove_index (slot, i - 1);
          wire_gateway_log_event (table->gateway, old, "superseded", NULL,
                                  WIRE_CLOSE_SUPERSEDED);
          wire_gateway_session_close (old, WIRE_CLOSE_SUPERSEDED, "Superseded by a newer "
                                                                  "connection");
        }
    }

  users = g_ptr_array_new ();
  for (guint i = 0; i < slot->len; i++)
    {
      const char *other = wire_gateway_session_get_user_id (g_ptr_array_index (slot, i));

      if (!g_ptr_array_find_with_equal_func (users, other, g_str_equal, NULL))
        g_ptr_array_add (users, (gpointer) other);
    }
  if (users->len >= limit)
    {
      if (slot->len == 0)
        g_hash_table_remove (table->slots, key);
      *out_code = WIRE_CLOSE_SLOT_FULL;
      return FALSE;
    }
  g_ptr_array_add (slot, session);
  return TRUE;
}

void
wire_slot_table_leave (WireSlotTable      *table,
                       WireGatewaySession *session)
{
  g_autofree char *key = NULL;
  GPtrArray *slot;

  if (wire_endpoint_limit (wire_gateway_session_get_kind (session)) == 0)
    return;
  key = slot_key (session);
  slot = g_hash_table_lookup (table->slots, key);
  if (slot != NULL && g_ptr_array_remove (slot, session) && slot->len == 0)
    g_hash_table_remove (table->slots, key);
}

guint
wire_slot_table_get_size (WireSlotTable *table)
{
  return g_hash_table_size (table->slots);
}
