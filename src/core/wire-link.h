/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* One WebSocket link, run on the core's I/O thread.
 *
 * libsoup reads, unmasks and frames every byte on the thread that owns its session; on the
 * thread that paints, 20 000 frames a second arriving in bursts kept a window from drawing for
 * 100 ms at a time. The core's I/O thread owns the session and every WebSocket; each link hands
 * what happens on it (opened, frames, errors, closed) to the thread that opened it, in order,
 * where the connection's logic runs as before. That thread takes the frames in slices of a few
 * milliseconds at a priority below drawing, so a burst is spread over frames instead of
 * delaying one. Under a stream of frames it is woken at most once a millisecond and takes them
 * in batches, instead of a wake-up (two context switches) every few frames; a frame after a
 * quiet spell comes at once, and each frame carries the time it was read, so that round trips
 * do not count the wait. When the owner falls far behind, the I/O thread stops reading, and TCP
 * tells the gateway to slow down, as it would if the receiver read on one thread.
 *
 * Every function here is called on the thread that opened the link; the callbacks are called
 * there too, never after wire_link_close(). */

typedef struct _WireLink WireLink;

/* Frames received on all links and not yet handed to their owners: at this many the I/O
 * thread stops reading until the owners have taken half of them. */
#define WIRE_LINK_BACKLOG_MAX 16384

typedef struct
{
  /* The upgrade succeeded: wire_link_send_text() works from now on. */
  void (*opened)      (gpointer      user_data);
  /* The upgrade failed; @http_status is 0 when no HTTP answer came. Nothing follows. */
  void (*open_failed) (guint         http_status,
                       const char   *reason_phrase,
                       const GError *error,
                       gpointer      user_data);
  /* A whole message (@type is SOUP_WEBSOCKET_DATA_TEXT or _BINARY), read from the socket at
   * @received_us (monotonic). */
  void (*frame)       (int           type,
                       GBytes       *message,
                       gint64        received_us,
                       gpointer      user_data);
  /* libsoup reported an error; @peer_close_code is the close code the peer sent, if any. */
  void (*error)       (const GError *error,
                       int           peer_close_code,
                       gpointer      user_data);
  /* The link is closed, with the close code and reason libsoup saw. Nothing follows. */
  void (*closed)      (int           close_code,
                       const char   *close_data,
                       gpointer      user_data);
} WireLinkCallbacks;

/* The frames (and other events) waiting for their owners now, over all links. */
guint     wire_link_get_backlog                 (void);
/* Starts the I/O thread now instead of with the first link. From then on the thread holds
 * descriptors of its own (its main context's wakeup), for the life of the process. */
void      wire_link_start_io_thread             (void);
/* Starts the upgrade of @msg (taken over: not to be touched again) on the I/O thread.
 * @max_incoming is the largest message accepted until told otherwise (0: libsoup's default). */
WireLink *wire_link_open                        (SoupMessage             *msg,
                                                 guint64                  max_incoming,
                                                 const WireLinkCallbacks *callbacks,
                                                 gpointer                 user_data);
/* For tests that drive a connection without a socket (the client frame fuzz target): a link
 * over @ws, open already, that lives on the calling thread. Each message @ws emits goes to
 * @callbacks at once, and text is sent on @ws at once. */
WireLink *wire_link_new_direct                  (SoupWebsocketConnection *ws,
                                                 const WireLinkCallbacks *callbacks,
                                                 gpointer                 user_data);
/* When the I/O thread last read a frame on @link (monotonic µs; 0: none yet), whether or not
 * the owner has taken it yet. */
gint64    wire_link_get_last_read_us            (WireLink                *link);
/* Queues @text for sending; FALSE (nothing sent) unless the link is open. */
gboolean  wire_link_send_text                   (WireLink                *link,
                                                 const char              *text,
                                                 gsize                    len);
void      wire_link_set_max_incoming_payload_size (WireLink              *link,
                                                 guint64                  max_incoming);
/* Ends the link: no callback comes any more, whatever was received and not yet handed over is
 * dropped, an open WebSocket is closed with @code and @reason (its close handshake runs on
 * the I/O thread), an upgrade in progress is cancelled. Frees @link. */
void      wire_link_close                       (WireLink                *link,
                                                 gushort                  code,
                                                 const char              *reason);

G_END_DECLS
