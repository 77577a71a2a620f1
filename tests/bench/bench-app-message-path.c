#define G_LOG_DOMAIN "wire-bench"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* What the app does on the main thread for each delivered message, without the network: one
 * WireConnection with the app's message tap (ring) and a recorder attached, and the connection's
 * "frame" and "message" signals emitted for pre-parsed envelopes, as the receive path does.
 * Prints nanoseconds of CPU per message. The figure is steadier than the window's frame rate on
 * a shared machine; for instruction counts run it under
 *   valgrind --tool=callgrind --toggle-collect=deliver_all bench-app-message-path [N] */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "wire-core.h"
#include "wire-message-tap.h"
#include "wire-recorder.h"

static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (double) ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double) ru.ru_stime.tv_sec
         + ru.ru_stime.tv_usec / 1e6;
}

/* Not inlined: callgrind's --toggle-collect needs it by name. */
static void __attribute__ ((noinline))
deliver_all (WireConnection  *connection,
             WireEnvelope   **envelopes,
             guint            n)
{
  guint frame_signal = g_signal_lookup ("frame", WIRE_TYPE_CONNECTION);
  guint message_signal = g_signal_lookup ("message", WIRE_TYPE_CONNECTION);

  for (guint i = 0; i < n; i++)
    {
      g_signal_emit (connection, frame_signal, 0, envelopes[i]);
      g_signal_emit (connection, message_signal, 0, envelopes[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (WireConfig) config = wire_config_new ();
  g_autoptr (WireManager) manager = wire_manager_new (config);
  g_autoptr (WireRecorder) recorder = wire_recorder_new (0, 0);
  g_autoptr (GError) error = NULL;
  const char *channels[] = { "trip:load-0", NULL };
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 200000;
  WireEnvelope **envelopes;
  WireConnection *connection;
  double start;

  if (n == 0)
    n = 200000;

  connection = wire_manager_add_connection (manager, "ws://127.0.0.1:1/ws/admin", "x.y.z", NULL,
                                            channels, &error);
  if (connection == NULL)
    g_error ("%s", error->message);
  wire_recorder_add_connection (recorder, connection);
  wire_message_tap_get_for_connection (connection);

  /* The load benchmark's traffic: runs on one channel, ten channels, unique ids. */
  envelopes = g_new (WireEnvelope *, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf ("{\"type\":\"message\",\"id\":\"msg-%08u-3f2a9c\","
                              "\"channel\":\"trip:load-%u\",\"event\":\"cursor_move\","
                              "\"from\":\"publisher-1\",\"priority\":\"low\","
                              "\"payload\":{\"x\":12,\"y\":34,\"user\":\"load\"},"
                              "\"timestamp\":1700000000000}", i, (i / 20) % 10);
      envelopes[i] = wire_envelope_parse (text, strlen (text), &error);
      if (envelopes[i] == NULL)
        g_error ("%s", error->message);
    }

  start = cpu_seconds ();
  deliver_all (connection, envelopes, n);
  g_print ("message path (tap, ring, recorder; %u messages): %.0f ns of CPU per message\n",
           n, (cpu_seconds () - start) * 1e9 / n);

  for (guint i = 0; i < n; i++)
    wire_envelope_unref (envelopes[i]);
  g_free (envelopes);
  g_clear_object (&recorder);

  return 0;
}
