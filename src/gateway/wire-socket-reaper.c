#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-socket-reaper.h"

struct _WireSocketReaper
{
  SoupServer *server;          /* borrowed: the gateway frees the reaper first */
  GHashTable *watched;         /* GSocket (weak) → TRUE when it carries the leaked reference */
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
  gboolean leaked;

  if (socket == NULL || g_hash_table_contains (reaper->watched, socket))
    return;
  /* At its first request a socket is held by libsoup's connection object alone, plus, on a
   * leaking libsoup, by the reference its listener never dropped. Any other count means a
   * libsoup this code does not know: the socket is only counted, never released here. */
  leaked = reaper->leaky_libsoup && ref_count (socket) == 2;
  g_hash_table_insert (reaper->watched, socket, GINT_TO_POINTER (leaked));
  g_object_weak_ref (G_OBJECT (socket), socket_gone_cb, reaper);
}

WireSocketReaper *
wire_socket_reaper_new (SoupServer *server)
{
  WireSocketReaper *reaper = g_new0 (WireSocketReaper, 1);

  reaper->server = server;
  reaper->watched = g_hash_table_new (NULL, NULL);
  reaper->leaky_libsoup = libsoup_leaks_accepted_sockets ();
  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), reaper);
  return reaper;
}

guint
wire_socket_reaper_sweep (WireSocketReaper *reaper)
{
  g_autoptr (GPtrArray) done = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (reaper != NULL, 0);

  /* Closed, and the leaked reference is the only one left: libsoup's connection, its streams and
   * the gateway's session have all let go. Released outside the walk, since each release
   * removes its socket from the table. */
  done = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, reaper->watched);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (GPOINTER_TO_INT (value) && g_socket_is_closed (key) && ref_count (key) == 1)
      g_ptr_array_add (done, key);
  for (guint i = 0; i < done->len; i++)
    g_object_unref (g_ptr_array_index (done, i));
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
