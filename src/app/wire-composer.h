/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "wire-connection.h"

G_BEGIN_DECLS

#define WIRE_TYPE_COMPOSER (wire_composer_get_type ())
G_DECLARE_FINAL_TYPE (WireComposer, wire_composer, WIRE, COMPOSER, GtkWidget)

/* Publishes on a connection: channel (the subscribed ones), event (offered from the channel's
 * allowed events), priority and a JSON payload validated as it is typed (it must be an object).
 * What the channel policy would refuse is explained before anything is sent, and Send stays
 * disabled. The outcome (ack, duplicate or the error) is shown inline and announced by the
 * "published" signal (id or NULL, status "ok"/"duplicate" or NULL, error message or NULL).
 *
 * Action: composer.send (Ctrl+Return in the payload). */
GtkWidget  *wire_composer_new             (void);
void        wire_composer_set_connection  (WireComposer   *self,
                                           WireConnection *connection);
/* Reads the subscribed channels again (keeps the choice when it is still there). */
void        wire_composer_refresh         (WireComposer   *self);

/* For tests and keyboard-less automation. */
gboolean    wire_composer_select_channel  (WireComposer   *self,
                                           const char     *channel);
gboolean    wire_composer_select_event    (WireComposer   *self,
                                           const char     *event);
void        wire_composer_set_payload     (WireComposer   *self,
                                           const char     *json);
gboolean    wire_composer_can_send        (WireComposer   *self);
/* The inline problem with the payload or the policy ("" when none), and the last result. */
const char *wire_composer_get_problem     (WireComposer   *self);
const char *wire_composer_get_result      (WireComposer   *self);
void        wire_composer_send            (WireComposer   *self);

G_END_DECLS
