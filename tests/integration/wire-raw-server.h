/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* A deliberately small WebSocket server on loopback that speaks just enough of the protocol to
 * authenticate a client, and otherwise does what a test tells it, including what the real
 * gateway never would: binary frames, malformed JSON, silence, arbitrary close codes. It tests
 * the client's robustness against bad server input.
 *
 * Tokens: "good…" is accepted; "bad…" gets auth_error invalid_token and close 4001;
 * "forbidden…" gets auth_error forbidden and close 4003. */
typedef struct
{
  SoupServer *server;
  char       *url;                 /* "ws://127.0.0.1:PORT" */
  char       *health_uri;          /* "http://127.0.0.1:PORT/api/health" */
  GPtrArray  *sockets;             /* server-side SoupWebsocketConnection, newest last */
  guint       upgrades;            /* upgrade requests answered */
  guint       auths;               /* auth frames seen */
  guint       heartbeats;          /* heartbeat frames seen */
  GPtrArray  *publish_ids;         /* ids of publish frames seen, in order */
  GPtrArray  *tokens;              /* tokens of auth frames seen, in order */
  char       *last_auth_text;
  gboolean    answer_auth;         /* default TRUE */
  gboolean    answer_heartbeats;   /* default TRUE */
  gboolean    ack_publishes;       /* default TRUE */
  guint       health_status;       /* status of GET/HEAD /api/health, default 200 */
  guint       health_delay_ms;     /* how long /api/health takes to answer, default 0 */
  gint64      heartbeat_interval_ms; /* sent in auth_ok, default 30000 */
  char       *last_test_header;    /* "X-Wirescope-Test" of the last upgrade */
  guint       last_extensions;     /* WebSocket extensions negotiated on the last upgrade */
} WireRawServer;

WireRawServer *wire_raw_server_new          (void);
/* wss:// with @certificate (NULL = ws://). */
WireRawServer *wire_raw_server_new_full     (GTlsCertificate *certificate);
void           wire_raw_server_free         (WireRawServer *server);
/* "ws://127.0.0.1:PORT" + @path. */
char          *wire_raw_server_url          (WireRawServer *server,
                                             const char    *path);
/* To the newest open socket. */
void           wire_raw_server_send_text    (WireRawServer *server,
                                             const char    *text);
void           wire_raw_server_send_binary  (WireRawServer *server,
                                             const guint8  *data,
                                             gsize          len);
void           wire_raw_server_close        (WireRawServer *server,
                                             gushort        code,
                                             const char    *reason);
/* Closes the TCP connection without a close frame (the client sees 1006). */
void           wire_raw_server_drop         (WireRawServer *server);
guint          wire_raw_server_open_count   (WireRawServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WireRawServer, wire_raw_server_free)

G_END_DECLS
