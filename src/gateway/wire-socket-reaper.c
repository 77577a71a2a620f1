#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-socket-reaper.h"

struct _WireSocketReaper
{
  SoupServer *server;          /* borrowed: the gateway frees the reaper first */
  /* Each socket carrying libsoup's leaked reference, with a reference of ours (a strong one: a
   * weak-reference record on a socket that stays leaked would be leaked with it). */
  GHashTable *watched;
  gboolean    leaky_libsoup;
};

/* Seen in 3.2.3 (Debian 12's, the version this project builds against); later releases drop
 * the reference after handing the socket to the connection. Another version is left alone: a
 * reference dropped that libsoup still owns would free a socket in use. */
static gboolean
libsoup_leaks_accepted_sockets (void)
{
  return soup_get_major_version () == 3 && soup_get_minor_version () == 2;
}

static guint
ref_count (GSocket *socket)
{
  return g_atomic_int_get (&G_OBJECT (socket)->ref_count);
}

/* Every accepted connection starts a request at once (before a byte is read), so this sees every
 * socket; a kept-alive connection starts more, and is watched once. */
static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    WireSocketReaper  *reaper)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (!reaper->leaky_libsoup || socket == NULL || g_hash_table_contains (reaper->watched, socket))
    return;
  /* At its first request a socket is held by libsoup's connection object alone, plus, on a
   * leaking libsoup, by the reference its listener never dropped. Any other count means a
   * libsoup this code does not know: the socket is left alone. */
  if (ref_count (socket) != 2)
    return;
  g_hash_table_add (reaper->watched, g_object_ref (socket));
}

WireSocketReaper *
wire_socket_reaper_new (SoupServer *server)
{
  WireSocketReaper *reaper = g_new0 (WireSocketReaper, 1);

  reaper->server = server;
  reaper->watched = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  reaper->leaky_libsoup = libsoup_leaks_accepted_sockets ();
  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), reaper);
  return reaper;
}

guint
wire_socket_reaper_sweep (WireSocketReaper *reaper)
{
  g_autoptr (GPtrArray) done = NULL;
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (reaper != NULL, 0);

  /* Closed, and held only by the leaked reference and ours: libsoup's connection, its streams
   * and the gateway's session have all let go. */
  done = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, reaper->watched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_socket_is_closed (key) && ref_count (key) == 2)
      g_ptr_array_add (done, key);
  for (guint i = 0; i < done->len; i++)
    {
      GSocket *socket = g_ptr_array_index (done, i);

      g_hash_table_steal (reaper->watched, socket);
      g_object_unref (socket);   /* libsoup's leaked reference */
      g_object_unref (socket);   /* ours */
    }
  return done->len;
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
  if (reaper == NULL)
    return;
  wire_socket_reaper_sweep (reaper);
  g_signal_handlers_disconnect_by_data (reaper->server, reaper);
  /* Sockets still in use keep libsoup's leaked reference: only ours goes. */
  g_hash_table_unref (reaper->watched);
  g_free (reaper);
}
