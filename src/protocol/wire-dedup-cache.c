#define G_LOG_DOMAIN "wire-protocol"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-dedup-cache.h"

/* One allocation per id: the list links, the expiry time and the id text itself. The hash table
 * maps the embedded id to its entry, so it owns nothing and frees nothing. */
typedef struct _Entry Entry;
struct _Entry
{
  Entry  *prev;
  Entry  *next;
  gint64  expires_ms;
  char    id[];
};

struct _WireDedupCache
{
  GHashTable *table;
  /* Insertion order. With a fixed TTL that is also expiry order, so expiry only ever looks at
   * the head. After a TTL change later entries may expire before earlier ones: expiry still
   * stops at the first live head (amortised O(1)), and lookups check each entry's own expiry, so
   * an id is never reported as seen after its TTL. */
  Entry      *head;
  Entry      *tail;
  gint64      ttl_ms;
  guint       max_entries;
  guint64     hits;
  guint64     evicted;
};

/**
 * wire_dedup_cache_new:
 * @ttl_ms: how long an id is remembered
 * @max_entries: the most ids kept at once; 0 means no bound
 */
WireDedupCache *
wire_dedup_cache_new (gint64 ttl_ms,
                      guint  max_entries)
{
  WireDedupCache *cache = g_new0 (WireDedupCache, 1);

  cache->table = g_hash_table_new (g_str_hash, g_str_equal);
  cache->ttl_ms = MAX (ttl_ms, 0);
  cache->max_entries = max_entries;

  return cache;
}

static void
unlink_entry (WireDedupCache *cache,
              Entry          *entry)
{
  if (entry->prev != NULL)
    entry->prev->next = entry->next;
  else
    cache->head = entry->next;

  if (entry->next != NULL)
    entry->next->prev = entry->prev;
  else
    cache->tail = entry->prev;
}

static void
remove_entry (WireDedupCache *cache,
              Entry          *entry)
{
  g_hash_table_remove (cache->table, entry->id);
  unlink_entry (cache, entry);
  g_free (entry);
}

void
wire_dedup_cache_free (WireDedupCache *cache)
{
  Entry *entry;

  if (cache == NULL)
    return;

  entry = cache->head;
  while (entry != NULL)
    {
      Entry *next = entry->next;

      g_free (entry);
      entry = next;
    }

  g_hash_table_unref (cache->table);
  g_free (cache);
}

void
wire_dedup_cache_expire (WireDedupCache *cache,
                         gint64          now_ms)
{
  g_return_if_fail (cache != NULL);

  while (cache->head != NULL && cache->head->expires_ms <= now_ms)
    remove_entry (cache, cache->head);
}

static Entry *
lookup_live (WireDedupCache *cache,
             const char     *id,
             gint64          now_ms)
{
  Entry *entry = g_hash_table_lookup (cache->table, id);

  if (entry != NULL && entry->expires_ms <= now_ms)
    {
      remove_entry (cache, entry);
      return NULL;
    }

  return entry;
}

gboolean
wire_dedup_cache_check_and_insert (WireDedupCache *cache,
                                   const char     *id,
                                   gint64          now_ms)
{
  Entry *entry;
  gsize len;

  g_return_val_if_fail (cache != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  wire_dedup_cache_expire (cache, now_ms);

  if (lookup_live (cache, id, now_ms) != NULL)
    {
      cache->hits++;
      return TRUE;
    }

  len = strlen (id);
  entry = g_malloc (sizeof (Entry) + len + 1);
  memcpy (entry->id, id, len + 1);
  entry->expires_ms = now_ms + cache->ttl_ms;
  entry->next = NULL;
  entry->prev = cache->tail;
  if (cache->tail != NULL)
    cache->tail->next = entry;
  else
    cache->head = entry;
  cache->tail = entry;
  g_hash_table_insert (cache->table, entry->id, entry);

  while (cache->max_entries > 0 &&
         g_hash_table_size (cache->table) > cache->max_entries)
    {
      remove_entry (cache, cache->head);
      cache->evicted++;
    }

  return FALSE;
}

gboolean
wire_dedup_cache_contains (WireDedupCache *cache,
                           const char     *id,
                           gint64          now_ms)
{
  g_return_val_if_fail (cache != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  wire_dedup_cache_expire (cache, now_ms);

  return lookup_live (cache, id, now_ms) != NULL;
}

void
wire_dedup_cache_set_ttl (WireDedupCache *cache,
                          gint64          ttl_ms)
{
  g_return_if_fail (cache != NULL);

  cache->ttl_ms = MAX (ttl_ms, 0);
}

gint64
wire_dedup_cache_get_ttl (WireDedupCache *cache)
{
  g_return_val_if_fail (cache != NULL, 0);

  return cache->ttl_ms;
}

guint
wire_dedup_cache_size (WireDedupCache *cache)
{
  g_return_val_if_fail (cache != NULL, 0);

  return g_hash_table_size (cache->table);
}

guint64
wire_dedup_cache_get_hits (WireDedupCache *cache)
{
  g_return_val_if_fail (cache != NULL, 0);

  return cache->hits;
}

guint64
wire_dedup_cache_get_evicted (WireDedupCache *cache)
{
  g_return_val_if_fail (cache != NULL, 0);

  return cache->evicted;
}
