/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define WIRE_TYPE_TOKEN_STORE (wire_token_store_get_type ())
G_DECLARE_FINAL_TYPE (WireTokenStore, wire_token_store, WIRE, TOKEN_STORE, GObject)

/* Where the app keeps connection tokens: the keyring through libsecret (the Secret portal under
 * Flatpak) when the build has libsecret (HAVE_LIBSECRET) and a keyring answers; otherwise in
 * memory only, for this run. Never GSettings, never logs. A token is keyed by the connection
 * URL (without query) and user id.
 *
 * Every token is also kept in memory, so wire_token_store_lookup() answers at once (e.g. from
 * a WireTokenFunc); the keyring is read asynchronously with wire_token_store_load_async().
 *
 * Properties:
 *   persistent (boolean, read-only): TRUE once a keyring answered; FALSE before and without one.
 *   status-message (string, read-only): a sentence for people, e.g. "No keyring is available:
 *     tokens are kept in memory until Wirescope quits." The app shows it (a banner or toast)
 *     whenever persistent is FALSE after wire_token_store_probe_async() completed. */
WireTokenStore *wire_token_store_new                (void);

/* The application's store: created and probed on first call. When the probe finds no keyring,
 * the active WireWindow shows status-message as a toast, so people know their tokens last only
 * as long as this run. Returns a borrowed reference. */
WireTokenStore *wire_token_store_get_default        (void);

/* Asks the keyring once whether it answers; completes with the value of persistent. */
void            wire_token_store_probe_async        (WireTokenStore      *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean        wire_token_store_probe_finish       (WireTokenStore      *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

gboolean        wire_token_store_get_persistent     (WireTokenStore      *self);
const char     *wire_token_store_get_status_message (WireTokenStore      *self);

/* Keeps @token in memory at once and in the keyring when persistent (asynchronously; a keyring
 * error is logged and the memory copy stays). @token NULL or "" forgets it. */
void            wire_token_store_save               (WireTokenStore      *self,
                                                     const char          *url,
                                                     const char          *user_id,
                                                     const char          *token);
/* The token in memory, or NULL. Returns a new string. */
char           *wire_token_store_lookup             (WireTokenStore      *self,
                                                     const char          *url,
                                                     const char          *user_id);
/* Looks in memory, then in the keyring; completes with a new string or NULL (no error when
 * there is simply no token). */
void            wire_token_store_load_async         (WireTokenStore      *self,
                                                     const char          *url,
                                                     const char          *user_id,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
char           *wire_token_store_load_finish        (WireTokenStore      *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void            wire_token_store_forget             (WireTokenStore      *self,
                                                     const char          *url,
                                                     const char          *user_id);

G_END_DECLS
