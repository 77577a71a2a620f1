#define G_LOG_DOMAIN "wire-fuzz"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The client's frame and envelope decoder: any bytes from the network. Beyond "no crash", it
 * checks that whatever the scanner accepts json-glib accepts too, and that the members it hands
 * out are themselves valid JSON. */

#include "config.h"

#include <stdint.h>

#include "wire-protocol.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char *members[] = { "payload", "channels", "error", "deniedChannels", "availableChannels" };
  g_autoptr(GError) error = NULL;
  g_autoptr(WireEnvelope) envelope = NULL;
  gboolean valid;

  valid = wire_json_validate ((const char *) data, size, NULL);
  envelope = wire_envelope_parse ((const char *) data, size, &error);
  if (envelope == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == WIRE_ERROR);
      return 0;
    }

  /* An accepted envelope is a valid JSON value. */
  g_assert_true (valid);

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      gsize len = 0;
      const char *text = wire_envelope_peek_member (envelope, members[i], &len);

      if (text != NULL)
        {
          g_autoptr(JsonNode) node = NULL;
          g_auto(GStrv) strv = NULL;

          g_assert_true (wire_json_validate (text, len, NULL));
          node = wire_envelope_dup_member_node (envelope, members[i]);
          g_assert_nonnull (node);
          strv = wire_envelope_dup_member_strv (envelope, members[i]);
        }
    }

  {
    g_autoptr(JsonParser) parser = json_parser_new_immutable ();
    gsize len = 0;
    const char *text = wire_envelope_get_text (envelope, &len);

    /* json-glib must agree that the frame is well-formed. */
    g_assert_true (json_parser_load_from_data (parser, text, len, NULL));
    g_assert_nonnull (wire_envelope_get_object (envelope));
    g_free (wire_envelope_to_pretty_string (envelope));
  }

  return 0;
}
