/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The outgoing side of one gateway connection: what keeps a slow reader from growing memory
 * without bound.
 *
 * libsoup 3.2 queues what it cannot write at once and offers no way to ask how much that is.
 * The outbox therefore hands a frame to libsoup only while the kernel socket accepts data (a
 * poll for POLLOUT), so libsoup writes it at once and its own queue holds at most the frame it
 * was writing when the socket filled. Everything else waits here, counted: past the limit the
 * caller closes the connection (1013). Memory per connection is thus bounded by the limit plus
 * about one frame in libsoup, plus the kernel's socket buffer.
 *
 * It also delays frames for a latency fault, and writes the close frames libsoup refuses to
 * send (1012–1014). */
typedef struct _WireOutbox WireOutbox;

/* Called for every frame handed to libsoup. */
typedef void (*WireOutboxPushed) (gpointer user_data,
                                  gsize    len);

WireOutbox *wire_outbox_new              (SoupWebsocketConnection *ws,
                                          GSocket                 *socket,
                                          WireOutboxPushed         pushed,
                                          gpointer                 user_data);
void        wire_outbox_free             (WireOutbox              *outbox);
/* Sends now or queues (copied), @latency_ms later at the earliest. FALSE when the queue went
 * past @limit_bytes (0 = no limit): then nothing is queued any more. */
gboolean    wire_outbox_send             (WireOutbox              *outbox,
                                          const char              *text,
                                          gsize                    len,
                                          guint                    latency_ms,
                                          guint                    limit_bytes);
/* Hands every queued frame to libsoup now (before a close frame). */
void        wire_outbox_flush            (WireOutbox              *outbox);
void        wire_outbox_clear            (WireOutbox              *outbox);
gsize       wire_outbox_get_queued_bytes (WireOutbox              *outbox);
/* libsoup closes the socket before it reports the connection closed. */
gboolean    wire_outbox_is_socket_closed (WireOutbox              *outbox);
/* Ends the TCP connection without a close frame (the peer sees 1006). */
void        wire_outbox_drop             (WireOutbox              *outbox);
/* TRUE when libsoup 3.2 agrees to send @code itself. */
gboolean    wire_outbox_libsoup_sends    (int                      code);
/* Writes a close frame with @code itself as soon as libsoup has nothing half-written, then
 * half-closes; drops the connection when that cannot be done. */
void        wire_outbox_close_raw        (WireOutbox              *outbox,
                                          int                      code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WireOutbox, wire_outbox_free)

G_END_DECLS
