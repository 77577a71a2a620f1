/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* wire_redact_text() (declared in wire-recorder.h) in two steps, for callers that copy the text
 * anyway: FALSE means @text certainly holds nothing wire_redact_text() would remove, so it can be
 * kept as it is. One pass over @text; TRUE only near a name or shape of a secret. */
gboolean wire_redact_needed (const char *text);

G_END_DECLS
