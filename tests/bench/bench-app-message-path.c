#define G_LOG_DOMAIN "wire-bench"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* What the app does on the main thread for each delivered message, without the network: one
 * WireConnection with the app's message tap (ring) and recorder attached as the app attaches them
 * (the recorder keeps 2 000 messages per connection), and the connection's "frame" and "message"
 * signals emitted for pre-parsed envelopes, as the receive path does. Prints nanoseconds of CPU
 * per message, then the heap bytes per row of a full message ring (100 000 rows) and per
 * recorded message (a track of 2 000). The time is steadier than the window's frame rate on a
 * shared machine; for instruction counts run it under
 *   valgrind --tool=callgrind --toggle-collect=deliver_all bench-app-message-path [N] */

#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "wire-core.h"
#include "wire-message-tap.h"
#include "wire-recorder.h"

#define RING_ROWS        100000
#define RECORDED_MESSAGES 2000

static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (double) ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double) ru.ru_stime.tv_sec
         + ru.ru_stime.tv_usec / 1e6;
}

/* Not inlined: callgrind's --toggle-collect needs it by name. */
static gint64
heap_bytes (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return (gint64) (info.uordblks + info.hblkhd);
}

static WireEnvelope *
make_envelope (guint i)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  WireEnvelope *envelope;

  text = g_strdup_printf ("{\"type\":\"message\",\"id\":\"msg-%08u-3f2a9c\","
                          "\"channel\":\"trip:load-%u\",\"event\":\"cursor_move\","
                          "\"from\":\"publisher-1\",\"priority\":\"low\","
                          "\"payload\":{\"x\":12,\"y\":34,\"user\":\"load\"},"
                          "\"timestamp\":1700000000000}", i, (i / 20) % 10);
  envelope = wire_envelope_parse (text, strlen (text), &error);
  if (envelope == NULL)
    g_error ("%s", error->message);
  return envelope;
}

/* Heap bytes per row of a full ring, texts included (they are kept within the ring's budget). */
static double
ring_bytes_per_row (void)
{
  WireMessageRing *ring;
  gint64 before, after;

  malloc_trim (0);
  before = heap_bytes ();
  ring = wire_message_ring_new (RING_ROWS);
  for (guint i = 0; i < RING_ROWS; i++)
    {
      g_autoptr (WireEnvelope) envelope = make_envelope (i);
      gsize len = 0;
      const char *text = wire_envelope_get_text (envelope, &len);

      wire_message_ring_append (ring, 1700000000000 + i, WIRE_MESSAGE_IN, envelope->channel,
                                envelope->event, (int) envelope->priority, (guint) len,
                                envelope->id, text, len, WIRE_MESSAGE_STATUS_DELIVERED);
    }
  after = heap_bytes ();
  g_object_unref (ring);

  return (double) (after - before) / RING_ROWS;
}

/* Heap bytes per message of a recorder track at the app's capacity. */
static double
recorder_bytes_per_message (void)
{
  WireRecorder *recorder;
  gint64 before, after;
  guint track;

  malloc_trim (0);
  before = heap_bytes ();
  recorder = wire_recorder_new (1, RECORDED_MESSAGES);
  track = wire_recorder_add_track (recorder, "load", "ws://127.0.0.1:1/ws/admin",
                                   WIRE_ENDPOINT_ADMIN);
  for (guint i = 0; i < RECORDED_MESSAGES; i++)
    {
      g_autoptr (WireEnvelope) envelope = make_envelope (i);
      WireMessageRecord record = { 0 };
      gsize len = 0;

      record.time_ms = 1700000000000 + i;
      record.direction = WIRE_DIRECTION_IN;
      record.type = (char *) envelope->type_name;
      record.id = (char *) envelope->id;
      record.channel = (char *) envelope->channel;
      record.event = (char *) envelope->event;
      record.priority = envelope->priority;
      record.text = (char *) wire_envelope_get_text (envelope, &len);
      record.size = (guint) len;
      wire_recorder_push_message (recorder, track, &record);
    }
  after = heap_bytes ();
  g_object_unref (recorder);

  return (double) (after - before) / RECORDED_MESSAGES;
}

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
  g_autoptr (WireRecorder) recorder = wire_recorder_new (0, RECORDED_MESSAGES);
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
  /* As the app does: the tap hands the connection's frames to the recorder. */
  wire_recorder_add_connection (recorder, connection);
  wire_message_tap_set_recorder (recorder);
  wire_message_tap_get_for_connection (connection);

  /* The load benchmark's traffic: runs on one channel, ten channels, unique ids. */
  envelopes = g_new (WireEnvelope *, n);
  for (guint i = 0; i < n; i++)
    envelopes[i] = make_envelope (i);

  start = cpu_seconds ();
  deliver_all (connection, envelopes, n);
  g_print ("message path (tap, ring, recorder; %u messages): %.0f ns of CPU per message\n",
           n, (cpu_seconds () - start) * 1e9 / n);

  for (guint i = 0; i < n; i++)
    wire_envelope_unref (envelopes[i]);
  g_free (envelopes);
  g_clear_object (&recorder);

  g_print ("message ring of %u rows: %.1f bytes per row\n", RING_ROWS, ring_bytes_per_row ());
  g_print ("recorder track of %u messages: %.1f bytes per message\n", RECORDED_MESSAGES,
           recorder_bytes_per_message ());

  return 0;
}
