/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Remembers ids for a TTL. Insert and lookup are O(1) (a hash table); expiry walks a FIFO in
 * expiry order, so each id is expired exactly once: amortised O(1), never a full sweep. Memory
 * is bounded by @max_entries: past it the oldest id is forgotten early (and counted). */
typedef struct _WireDedupCache WireDedupCache;

/* @max_entries 0 means no bound. An id expires at insert time + TTL (at that instant it is no
 * longer seen); a hit does not extend it. */
WireDedupCache *wire_dedup_cache_new               (gint64          ttl_ms,
                                                    guint           max_entries);
void            wire_dedup_cache_free              (WireDedupCache *cache);
/* TRUE when @id was seen within the TTL (a hit, counted); otherwise remembers it. Expires
 * what is due first. */
gboolean        wire_dedup_cache_check_and_insert  (WireDedupCache *cache,
                                                    const char     *id,
                                                    gint64          now_ms);
gboolean        wire_dedup_cache_contains          (WireDedupCache *cache,
                                                    const char     *id,
                                                    gint64          now_ms);
void            wire_dedup_cache_expire            (WireDedupCache *cache,
                                                    gint64          now_ms);
/* Applies to ids inserted from now on. */
void            wire_dedup_cache_set_ttl           (WireDedupCache *cache,
                                                    gint64          ttl_ms);
gint64          wire_dedup_cache_get_ttl           (WireDedupCache *cache);
guint           wire_dedup_cache_size              (WireDedupCache *cache);
guint64         wire_dedup_cache_get_hits          (WireDedupCache *cache);
guint64         wire_dedup_cache_get_evicted       (WireDedupCache *cache);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WireDedupCache, wire_dedup_cache_free)

G_END_DECLS
