/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* libsoup 3.2's listener keeps the reference that g_socket_accept() returned for every socket it
 * accepts (later libsoup drops it once the connection object holds its own): each connection the
 * server ever accepted leaves its GSocket behind, descriptor closed, about 340 bytes of heap.
 * Under churn that was the gateway's whole memory growth. The reaper watches every socket that
 * starts a request and, on libsoup 3.2 only, drops that one reference once libsoup and the
 * gateway are done with the socket. */
typedef struct _WireSocketReaper WireSocketReaper;

WireSocketReaper *wire_socket_reaper_new   (SoupServer       *server);
/* Releases what can be released, then stops watching. */
void              wire_socket_reaper_free  (WireSocketReaper *reaper);
/* Releases the leaked reference of every closed socket that nobody else holds; returns how many
 * sockets it released. */
guint             wire_socket_reaper_sweep (WireSocketReaper *reaper);
/* Accepted sockets still carrying the leaked reference (on libsoup 3.2), closed or not. */
guint             wire_socket_reaper_count (WireSocketReaper *reaper);

G_END_DECLS
