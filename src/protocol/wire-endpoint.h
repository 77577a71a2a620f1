/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* PROTOCOL.md §1: the connection types and their paths. */
typedef enum
{
  WIRE_ENDPOINT_CHAT,           /* /ws/chat/{session_id}          1 per session */
  WIRE_ENDPOINT_AGENT_STATUS,   /* /ws/agent-status/{user_id}     1 per user */
  WIRE_ENDPOINT_TRIP_COLLAB,    /* /ws/trips/{trip_id}/collab     3 per trip (distinct users) */
  WIRE_ENDPOINT_NOTIFICATIONS,  /* /ws/notifications/{user_id}    1 per user */
  WIRE_ENDPOINT_ADMIN,          /* /ws/admin                      admin role only */
} WireEndpointKind;

#define WIRE_N_ENDPOINT_KINDS 5
#define WIRE_ID_MAX_LEN 64

/* [A-Za-z0-9_-]{1,64} */
gboolean     wire_id_is_valid                 (const char        *id);

/* Parses a request path ("/ws/trips/t1/collab"); sets WIRE_ERROR_INVALID_ARGUMENT for any other
 * path or a bad id. @out_slot_id is NULL for admin. */
gboolean     wire_endpoint_parse_path         (const char        *path,
                                               WireEndpointKind  *out_kind,
                                               char             **out_slot_id,
                                               GError           **error);
/* @slot_id is ignored for admin; returns NULL for an invalid id. */
char        *wire_endpoint_build_path         (WireEndpointKind   kind,
                                               const char        *slot_id);
/* 1, 1, 3, 1; 0 means no per-slot limit (admin). */
guint        wire_endpoint_limit              (WireEndpointKind   kind);
/* "chat", "agent-status", "trip-collab", "notifications", "admin" */
const char  *wire_endpoint_kind_to_string     (WireEndpointKind   kind);
gboolean     wire_endpoint_kind_from_string   (const char        *str,
                                               WireEndpointKind  *out_kind);
/* What the slot id names, for people: "session", "user", "trip", NULL for admin. */
const char  *wire_endpoint_slot_label         (WireEndpointKind   kind);

G_END_DECLS
