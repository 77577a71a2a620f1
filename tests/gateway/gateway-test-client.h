/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "wire-gateway.h"

G_BEGIN_DECLS

/* A raw libsoup WebSocket client for the gateway tests, and main-loop waits with a generous
 * deadline (a loaded machine is slow, never wrong). */

#define GW_TEST_WAIT_MS 30000

typedef struct
{
  SoupSession             *session;
  SoupWebsocketConnection *ws;
  GQueue                   frames;       /* char *, received text frames */
  gboolean                 done;         /* the connect finished (ok or not) */
  gboolean                 closed;
  int                      close_code;   /* 1006 when closed without a close frame */
  guint                    http_status;  /* of a refused upgrade */
  GError                  *error;
} GwClient;

/* Iterates the default main context until *@flag is TRUE; fails the test after the deadline. */
void          gw_wait_flag          (gboolean     *flag);
/* Iterates the main context for @ms (to give the gateway time to see something that must
 * *not* produce an answer). */
void          gw_spin               (guint         ms);

/* Connects to @path ("/ws/chat/s1") of @gateway; waits for the upgrade to finish. */
GwClient     *gw_client_connect     (WireGateway  *gateway,
                                     const char   *path,
                                     const char   *origin);
/* Connects to an http:// or https:// URL of a gateway elsewhere (a child process). */
GwClient     *gw_client_connect_url (const char   *url,
                                     const char   *origin);
void          gw_client_free        (GwClient     *client);
void          gw_client_send        (GwClient     *client,
                                     const char   *text);
/* The next received frame, parsed; fails the test when none arrives in time. */
WireEnvelope *gw_client_next        (GwClient     *client);
/* Skips frames until one of @type_name (and, when given, @event) arrives. */
WireEnvelope *gw_client_next_type   (GwClient     *client,
                                     const char   *type_name,
                                     const char   *event);
gboolean      gw_client_has_pending (GwClient     *client);
/* Waits for the close; returns the code. */
int           gw_client_wait_closed (GwClient     *client);
/* Connects and authenticates with a token minted by @gateway; asserts auth_ok. @channels NULL
 * = the endpoint's default channel. */
GwClient     *gw_client_auth        (WireGateway        *gateway,
                                     const char         *path,
                                     const char         *user,
                                     const char         *role,
                                     const char * const *trips,
                                     const char * const *channels);
/* Sends an auth request with @token and returns the answer frame. */
WireEnvelope *gw_client_send_auth   (GwClient           *client,
                                     const char         *token,
                                     const char         *session_id,
                                     const char * const *channels);

/* GET/HEAD/POST on the gateway over HTTP; returns the status and the body. */
guint         gw_http               (WireGateway  *gateway,
                                     const char   *method,
                                     const char   *path,
                                     const char   *bearer,
                                     const char   *body,
                                     char        **out_body);

/* A listening gateway on 127.0.0.1:0 with the given properties (NULL-terminated list, or just
 * NULL). */
WireGateway  *gw_gateway_new        (const char   *first_property,
                                     ...);
/* Waits until every connection is gone, then asserts the gateway is finalized. */
void          gw_gateway_finish     (WireGateway  *gateway);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GwClient, gw_client_free)

/* A raw TCP client, for what libsoup will not do: never read, send text that is not UTF-8. */
/* Connects to @gateway on loopback; @rcvbuf > 0 shrinks the receive window first (so that the
 * kernel does not soak up megabytes for a client that stops reading). */
GSocket      *gw_raw_connect        (WireGateway  *gateway,
                                     int           rcvbuf);
/* Upgrades @raw to a WebSocket on @path and asserts the 101; what followed it stays in @buf. */
void          gw_raw_upgrade        (GSocket      *raw,
                                     WireGateway  *gateway,
                                     const char   *path,
                                     GByteArray   *buf);
/* Waits (running the main loop) and appends what arrived to @buf; FALSE at EOF or a reset. */
gboolean      gw_raw_read_some      (GSocket      *raw,
                                     GByteArray   *buf);
/* Takes one unmasked server frame off the front of @buf: TRUE with its opcode and payload. */
gboolean      gw_raw_take_frame     (GByteArray   *buf,
                                     guint        *out_opcode,
                                     GBytes      **out_payload);
/* Sends @len bytes, whatever they are, as one text frame masked with a zero mask. */
void          gw_raw_send_text      (GSocket      *raw,
                                     const char   *text,
                                     gsize         len);

G_END_DECLS
