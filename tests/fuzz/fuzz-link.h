/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The stream under a WebSocket that a fuzz target keeps across many inputs, without a socket:
 * the peer never writes (frames reach the WebSocket through its "message" signal instead), so
 * the input stays quiet until the link is hung up, when it reads as end of file, as a peer
 * that went away. What the WebSocket writes is kept in memory until the next
 * wire_fuzz_link_check_output(), which checks it and forgets it, so a link that lives for
 * millions of inputs needs no more memory than one input's output. */
typedef struct _WireFuzzLink WireFuzzLink;

/* Called for each complete frame: its opcode and (unmasked) payload. */
typedef void (*WireFuzzFrameFunc) (guint8       opcode,
                                   const char  *payload,
                                   gsize        len,
                                   gpointer     user_data);

WireFuzzLink *wire_fuzz_link_new          (void);
GIOStream    *wire_fuzz_link_get_stream   (WireFuzzLink      *self);
/* The peer goes away: the input reads as end of file from now on. */
void          wire_fuzz_link_hang_up      (WireFuzzLink      *self);
/* Walks the WebSocket frames written since the last call (@masked: the writer is a client and
 * masks every frame, as RFC 6455 requires), aborts on anything that is not a whole, well-formed
 * frame, hands each to @func and forgets them. */
void          wire_fuzz_link_check_output (WireFuzzLink      *self,
                                           gboolean           masked,
                                           WireFuzzFrameFunc  func,
                                           gpointer           user_data);
void          wire_fuzz_link_free         (WireFuzzLink      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WireFuzzLink, wire_fuzz_link_free)

G_END_DECLS
