#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-socket-reaper.h"

struct _WireSocketReaper
{
  SoupServer *server;    /* borrowed: the gateway frees the reaper first */
  GHashTable *watched;   /* GSocket (weak) → NULL */
};

static void
socket_gone_cb (gpointer  data,
                GObject  *where_the_object_was)
{
  WireSocketReaper *reaper = data;

  g_hash_table_remove (reaper->watched, where_the_object_was);
}

/* Every accepted connection starts a request at once (before a byte is read), so this sees every
 * socket; a kept-alive connection starts more, and is watched once. */
static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    WireSocketReaper  *reaper)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket == NULL || g_hash_table_contains (reaper->watched, socket))
    return;
  g_hash_table_add (reaper->watched, socket);
  g_object_weak_ref (G_OBJECT (socket), socket_gone_cb, reaper);
}

WireSocketReaper *
wire_socket_reaper_new (SoupServer *server)
{
  WireSocketReaper *reaper = g_new0 (WireSocketReaper, 1);

  reaper->server = server;
  reaper->watched = g_hash_table_new (NULL, NULL);
  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), reaper);
  return reaper;
}

guint
wire_socket_reaper_sweep (WireSocketReaper *reaper)
{
  g_return_val_if_fail (reaper != NULL, 0);
  return 0;
}

guint
wire_socket_reaper_count (WireSocketReaper *reaper)
{
  g_return_val_if_fail (reaper != NULL, 0);
  return g_hash_table_size (reaper->watched);
}

void
wire_socket_reaper_free (WireSocketReaper *reaper)
{
  GHashTableIter iter;
  gpointer key;

  if (reaper == NULL)
    return;
  wire_socket_reaper_sweep (reaper);
  g_signal_handlers_disconnect_by_data (reaper->server, reaper);
  g_hash_table_iter_init (&iter, reaper->watched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_object_weak_unref (key, socket_gone_cb, reaper);
  g_hash_table_unref (reaper->watched);
  g_free (reaper);
}
