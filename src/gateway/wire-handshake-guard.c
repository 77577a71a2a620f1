#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-handshake-guard.h"

struct _WireHandshakeGuard
{
  WireGateway *gateway;      /* borrowed, for the log */
  SoupServer  *server;       /* borrowed: the gateway frees the guard first */
  const guint *timeout_ms;
  GHashTable  *pending;      /* SoupServerMessage (weak) → timeout source id */
};

typedef struct
{
  WireHandshakeGuard *guard;
  SoupServerMessage  *msg;   /* weak: the table entry goes when it does */
} PendingRequest;

static void
msg_gone_cb (gpointer  data,
             GObject  *where_the_object_was)
{
  WireHandshakeGuard *guard = data;
  gpointer source_id = NULL;

  if (g_hash_table_steal_extended (guard->pending, where_the_object_was, NULL, &source_id))
    g_source_remove (GPOINTER_TO_UINT (source_id));
}

void
wire_handshake_guard_forget (WireHandshakeGuard *guard,
                             SoupServerMessage  *msg)
{
  gpointer source_id = NULL;

  if (g_hash_table_steal_extended (guard->pending, msg, NULL, &source_id))
    {
      g_object_weak_unref (G_OBJECT (msg), msg_gone_cb, guard);
      g_source_remove (GPOINTER_TO_UINT (source_id));
    }
}

static gboolean
timeout_cb (gpointer data)
{
  PendingRequest *pending = data;
  WireHandshakeGuard *guard = pending->guard;
  GSocket *socket;

  if (!g_hash_table_steal (guard->pending, pending->msg))
    return G_SOURCE_REMOVE;
  g_object_weak_unref (G_OBJECT (pending->msg), msg_gone_cb, guard);
  wire_gateway_log_event (guard->gateway, NULL, "refused", "handshake_timeout", 0);
  socket = soup_server_message_get_socket (pending->msg);
  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

static void
request_started_cb (SoupServer         *server,
                    SoupServerMessage  *msg,
                    WireHandshakeGuard *guard)
{
  PendingRequest *pending = g_new0 (PendingRequest, 1);
  guint id;

  pending->guard = guard;
  pending->msg = msg;
  id = g_timeout_add_full (G_PRIORITY_DEFAULT, MAX (*guard->timeout_ms, 1), timeout_cb, pending,
                           g_free);
  g_hash_table_insert (guard->pending, msg, GUINT_TO_POINTER (id));
  g_object_weak_ref (G_OBJECT (msg), msg_gone_cb, guard);
}

static void
request_finished_cb (SoupServer         *server,
                     SoupServerMessage  *msg,
                     WireHandshakeGuard *guard)
{
  wire_handshake_guard_forget (guard, msg);
}

WireHandshakeGuard *
wire_handshake_guard_new (WireGateway *gateway,
                          SoupServer  *server,
                          const guint *timeout_ms)
{
  WireHandshakeGuard *guard = g_new0 (WireHandshakeGuard, 1);

  guard->gateway = gateway;
  guard->server = server;
  guard->timeout_ms = timeout_ms;
  guard->pending = g_hash_table_new (NULL, NULL);
  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), guard);
  g_signal_connect (server, "request-finished", G_CALLBACK (request_finished_cb), guard);
  g_signal_connect (server, "request-aborted", G_CALLBACK (request_finished_cb), guard);
  return guard;
}

void
wire_handshake_guard_free (WireHandshakeGuard *guard)
{
  GHashTableIter iter;
  gpointer key, value;

  if (guard == NULL)
    return;
  g_signal_handlers_disconnect_by_data (guard->server, guard);
  g_hash_table_iter_init (&iter, guard->pending);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_object_weak_unref (key, msg_gone_cb, guard);
      g_source_remove (GPOINTER_TO_UINT (value));
    }
  g_hash_table_unref (guard->pending);
  g_free (guard);
}
