/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "wire-config.h"

G_BEGIN_DECLS

/* The transport half of WireConnection: turning a ws:// or wss:// URL and the settings into the
 * upgrade request libsoup sends. Kept apart so that TLS, headers and extensions are read in one
 * place. */

/* Parses and checks a gateway URL: scheme ws or wss, a host, a path of PROTOCOL.md §1.
 * WIRE_ERROR_INVALID_ARGUMENT with a message naming the problem otherwise. */
GUri        *wire_handshake_parse_url         (const char   *url,
                                               GError      **error);
/* "host:port" with the scheme's default port filled in: the key of per-host limits. */
char        *wire_handshake_host_key          (GUri         *uri);
/* "http(s)://host:port" + @health_path: the network monitor's probe for this gateway. */
char        *wire_handshake_probe_uri         (GUri         *uri,
                                               const char   *health_path);
/* The upgrade request: extra headers, permessage-deflate off when the settings say so, and
 * certificate checks against ca-file or, with insecure, none at all (warned about once). */
SoupMessage *wire_handshake_build_message     (GUri         *uri,
                                               WireConfig   *config,
                                               GError      **error);
/* Makes sure @session negotiates WebSocket extensions (permessage-deflate). */
void         wire_handshake_prepare_session   (SoupSession  *session);

G_END_DECLS
