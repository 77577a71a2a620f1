#define G_LOG_DOMAIN "wire-cli"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>

#include "wire-cli-json.h"
#include "wire-cli-reporter.h"

struct _WireCliReporter
{
  gboolean    json;
  gint64      start_us;
  WireCliJson line;
};

WireCliReporter *
wire_cli_reporter_new (gboolean json)
{
  WireCliReporter *self = g_new0 (WireCliReporter, 1);

  self->json = json;
  self->start_us = g_get_monotonic_time ();
  wire_cli_json_init (&self->line);
  return self;
}

void
wire_cli_reporter_free (WireCliReporter *self)
{
  if (self == NULL)
    return;
  wire_cli_json_clear (&self->line);
  g_free (self);
}

gboolean
wire_cli_reporter_is_json (WireCliReporter *self)
{
  return self->json;
}

static gint64
now_ms (WireCliReporter *self)
{
  return (g_get_monotonic_time () - self->start_us) / 1000;
}

/* "[  12.345] #0 " */
static void
prefix (WireCliReporter *self,
        int              index)
{
  gint64 t = now_ms (self);

  if (index >= 0)
    fprintf (stdout, "[%4" G_GINT64_FORMAT ".%03d] #%d ", t / 1000, (int) (t % 1000), index);
  else
    fprintf (stdout, "[%4" G_GINT64_FORMAT ".%03d] ", t / 1000, (int) (t % 1000));
}

static void
end_line (void)
{
  fputc ('\n', stdout);
  fflush (stdout);
}

void
wire_cli_reporter_state (WireCliReporter      *self,
                         guint                 index,
                         WireConnection       *connection,
                         const WireTransition *transition)
{
  const char *from = wire_connection_state_to_string (transition->from);
  const char *to = wire_connection_state_to_string (transition->to);
  const char *user = wire_connection_get_user_id (connection);
  const char * const *channels = wire_connection_get_available_channels (connection);

  if (self->json)
    {
      WireCliJson *j = &self->line;

      wire_cli_json_begin (j, now_ms (self), "state");
      wire_cli_json_uint (j, "connection", index);
      wire_cli_json_string (j, "url", wire_connection_get_url (connection));
      wire_cli_json_string (j, "from", from);
      wire_cli_json_string (j, "to", to);
      if (transition->close_code != 0)
        wire_cli_json_int (j, "closeCode", transition->close_code);
      else
        wire_cli_json_null (j, "closeCode");
      wire_cli_json_string (j, "reason", transition->reason);
      wire_cli_json_uint (j, "attempt", transition->attempt);
      if (transition->delay_ms >= 0)
        wire_cli_json_int (j, "delayMs", transition->delay_ms);
      else
        wire_cli_json_null (j, "delayMs");
      if (transition->to == WIRE_CONNECTION_CONNECTED)
        {
          wire_cli_json_string (j, "userId", user);
          wire_cli_json_string (j, "connectionId", wire_connection_get_connection_id (connection));
          wire_cli_json_strv (j, "availableChannels", channels);
        }
      wire_cli_json_print (j, stdout);
      return;
    }

  prefix (self, (int) index);
  fprintf (stdout, "%s → %s", from, to);
  if (transition->close_code != 0)
    fprintf (stdout, " (close %d %s)", transition->close_code,
             wire_close_code_nick (transition->close_code));
  if (transition->reason != NULL)
    fprintf (stdout, ": %s", transition->reason);
  if (transition->attempt > 0)
    fprintf (stdout, ", attempt %u", transition->attempt);
  if (transition->delay_ms >= 0)
    fprintf (stdout, ", next try in %" G_GINT64_FORMAT " ms", transition->delay_ms);
  if (transition->to == WIRE_CONNECTION_CONNECTED)
    {
      g_autofree char *joined = channels != NULL ? g_strjoinv (", ", (char **) channels)
                                                 : g_strdup ("");

      fprintf (stdout, " as %s, channels: %s", user != NULL ? user : "?",
               *joined != '\0' ? joined : "none");
    }
  end_line ();
}

void
wire_cli_reporter_message (WireCliReporter *self,
                           guint            index,
                           WireEnvelope    *envelope)
{
  gsize len = 0;
  const char *text = wire_envelope_get_text (envelope, &len);
  gsize payload_len = 0;
  const char *payload;

  if (self->json)
    {
      wire_cli_json_begin (&self->line, now_ms (self), "message");
      wire_cli_json_uint (&self->line, "connection", index);
      wire_cli_json_raw (&self->line, "envelope", text, len);
      wire_cli_json_print (&self->line, stdout);
      return;
    }

  payload = wire_envelope_peek_member (envelope, "payload", &payload_len);
  prefix (self, (int) index);
  fprintf (stdout, "message %s %s", envelope->channel != NULL ? envelope->channel : "-",
           envelope->event != NULL ? envelope->event : "-");
  if (envelope->from != NULL)
    fprintf (stdout, " from %s", envelope->from);
  if (envelope->has_priority)
    fprintf (stdout, " [%s]", wire_priority_to_string (envelope->priority));
  if (payload != NULL)
    fprintf (stdout, " %.*s%s", (int) MIN (payload_len, 200), payload,
             payload_len > 200 ? "…" : "");
  end_line ();
}

void
wire_cli_reporter_subscribed (WireCliReporter  *self,
                              guint             index,
                              char            **granted,
                              char            **denied)
{
  g_autofree char *g = NULL;
  g_autofree char *d = NULL;

  if (self->json)
    {
      wire_cli_json_begin (&self->line, now_ms (self), "subscribed");
      wire_cli_json_uint (&self->line, "connection", index);
      wire_cli_json_strv (&self->line, "channels", (const char * const *) granted);
      wire_cli_json_strv (&self->line, "denied", (const char * const *) denied);
      wire_cli_json_print (&self->line, stdout);
      return;
    }

  g = granted != NULL ? g_strjoinv (", ", granted) : g_strdup ("");
  d = denied != NULL ? g_strjoinv ("; ", denied) : g_strdup ("");
  prefix (self, (int) index);
  fprintf (stdout, "subscribed: %s%s%s", *g != '\0' ? g : "none", *d != '\0' ? ", denied: " : "",
           d);
  end_line ();
}

void
wire_cli_reporter_network (WireCliReporter   *self,
                           WireNetworkStatus  status,
                           gint64             latency_ms)
{
  if (self->json)
    {
      wire_cli_json_begin (&self->line, now_ms (self), "network");
      wire_cli_json_string (&self->line, "status", wire_network_status_to_string (status));
      if (latency_ms >= 0)
        wire_cli_json_int (&self->line, "latencyMs", latency_ms);
      else
        wire_cli_json_null (&self->line, "latencyMs");
      wire_cli_json_print (&self->line, stdout);
      return;
    }

  prefix (self, -1);
  fprintf (stdout, "network %s", wire_network_status_to_string (status));
  if (latency_ms >= 0)
    fprintf (stdout, " (probe %" G_GINT64_FORMAT " ms)", latency_ms);
  end_line ();
}

void
wire_cli_reporter_metrics (WireCliReporter *self,
                           guint            index,
                           WireConnection  *connection,
                           gboolean         final)
{
  WireMetrics m = { 0 };
  WireMessageQueue *queue = wire_connection_get_queue (connection);
  const char *state = wire_connection_state_to_string (wire_connection_get_state (connection));
  guint depth[WIRE_N_PRIORITIES];

  wire_connection_get_metrics (connection, &m);
  for (guint p = 0; p < WIRE_N_PRIORITIES; p++)
    depth[p] = wire_message_queue_get_depth (queue, (WirePriority) p);

  if (self->json)
    {
      WireCliJson *j = &self->line;

      wire_cli_json_begin (j, now_ms (self), "metrics");
      wire_cli_json_uint (j, "connection", index);
      wire_cli_json_string (j, "state", state);
      wire_cli_json_bool (j, "final", final);
      wire_cli_json_int (j, "connectedAt", m.connected_at_ms);
      wire_cli_json_int (j, "lastMessageAt", m.last_message_at_ms);
      wire_cli_json_uint (j, "messagesSent", m.messages_sent);
      wire_cli_json_uint (j, "messagesReceived", m.messages_received);
      wire_cli_json_uint (j, "errors", m.errors);
      wire_cli_json_uint (j, "reconnectAttempts", m.reconnect_attempts);
      wire_cli_json_uint (j, "reconnectsTotal", m.reconnects_total);
      wire_cli_json_uint (j, "bytesSent", m.bytes_sent);
      wire_cli_json_uint (j, "bytesReceived", m.bytes_received);
      wire_cli_json_uint (j, "dedupHits", m.dedup_hits);
      wire_cli_json_uint (j, "rateLimited", m.rate_limited);
      wire_cli_json_uint (j, "overflows", m.overflows);
      if (m.rtt_last_ms >= 0)
        {
          wire_cli_json_int (j, "rttLastMs", m.rtt_last_ms);
          wire_cli_json_int (j, "rttP50Ms", m.rtt_p50_ms);
          wire_cli_json_int (j, "rttP95Ms", m.rtt_p95_ms);
        }
      else
        {
          wire_cli_json_null (j, "rttLastMs");
          wire_cli_json_null (j, "rttP50Ms");
          wire_cli_json_null (j, "rttP95Ms");
        }
      wire_cli_json_begin_object (j, "queue");
      for (guint p = 0; p < WIRE_N_PRIORITIES; p++)
        wire_cli_json_uint (j, wire_priority_to_string ((WirePriority) p), depth[p]);
      wire_cli_json_uint (j, "inFlight", wire_message_queue_get_in_flight (queue));
      wire_cli_json_int (j, "oldestAgeMs", wire_message_queue_get_oldest_age_ms (queue));
      wire_cli_json_uint (j, "retries", wire_message_queue_get_retries (queue));
      wire_cli_json_uint (j, "failures", wire_message_queue_get_failures (queue));
      wire_cli_json_end_object (j);
      wire_cli_json_print (j, stdout);
      return;
    }

  prefix (self, (int) index);
  fprintf (stdout,
           "%s %s: in %" G_GUINT64_FORMAT " msgs / %" G_GUINT64_FORMAT " B, out %"
           G_GUINT64_FORMAT " msgs / %" G_GUINT64_FORMAT " B",
           final ? "final metrics" : "metrics", state, m.messages_received, m.bytes_received,
           m.messages_sent, m.bytes_sent);
  if (m.rtt_last_ms >= 0)
    fprintf (stdout, ", rtt %" G_GINT64_FORMAT " ms (p50 %" G_GINT64_FORMAT ", p95 %"
             G_GINT64_FORMAT ")", m.rtt_last_ms, m.rtt_p50_ms, m.rtt_p95_ms);
  fprintf (stdout,
           ", reconnects %" G_GUINT64_FORMAT ", errors %" G_GUINT64_FORMAT ", dedup %"
           G_GUINT64_FORMAT ", queue c/h/n/l %u/%u/%u/%u (in flight %u)",
           m.reconnects_total, m.errors, m.dedup_hits, depth[0], depth[1], depth[2], depth[3],
           wire_message_queue_get_in_flight (queue));
  end_line ();
}

void
wire_cli_reporter_publish (WireCliReporter *self,
                           guint            index,
                           const char      *id,
                           guint            line,
                           const char      *status,
                           const GError    *error)
{
  if (self->json)
    {
      WireCliJson *j = &self->line;

      wire_cli_json_begin (j, now_ms (self), error == NULL ? "ack" : "publish_failed");
      wire_cli_json_uint (j, "connection", index);
      wire_cli_json_string (j, "id", id);
      wire_cli_json_uint (j, "line", line);
      if (error == NULL)
        {
          wire_cli_json_string (j, "status", status);
        }
      else
        {
          wire_cli_json_string (j, "error", error->message);
          if (error->domain == WIRE_ERROR)
            wire_cli_json_string (j, "code", wire_error_to_wire_code ((WireError) error->code));
        }
      wire_cli_json_print (j, stdout);
      return;
    }

  prefix (self, (int) index);
  if (error == NULL)
    fprintf (stdout, "ack %s (line %u): %s", id, line, status);
  else
    fprintf (stdout, "publish failed %s (line %u): %s", id != NULL ? id : "-", line,
             error->message);
  end_line ();
}

void
wire_cli_reporter_listening (WireCliReporter *self,
                             const char      *url)
{
  if (self->json)
    {
      wire_cli_json_begin (&self->line, now_ms (self), "listening");
      wire_cli_json_string (&self->line, "url", url);
      wire_cli_json_print (&self->line, stdout);
      return;
    }
  prefix (self, -1);
  fprintf (stdout, "serving metrics at %s", url);
  end_line ();
}

void
wire_cli_reporter_ended (WireCliReporter *self,
                         guint            index,
                         const char      *outcome,
                         const char      *error,
                         int              close_code)
{
  if (self->json)
    return;
  prefix (self, (int) index);
  fprintf (stdout, "ended: %s%s%s", outcome, error != NULL ? ": " : "", error != NULL ? error : "");
  if (close_code != 0)
    fprintf (stdout, " (close code %d)", close_code);
  end_line ();
}

void
wire_cli_reporter_note (WireCliReporter *self,
                        const char      *text)
{
  if (self->json)
    return;
  prefix (self, -1);
  fputs (text, stdout);
  end_line ();
}

void
wire_cli_reporter_exit (WireCliReporter *self,
                        int              status,
                        const char      *reason)
{
  if (self->json)
    {
      wire_cli_json_begin (&self->line, now_ms (self), "exit");
      wire_cli_json_int (&self->line, "status", status);
      wire_cli_json_string (&self->line, "reason", reason);
      wire_cli_json_print (&self->line, stdout);
      return;
    }
  prefix (self, -1);
  fprintf (stdout, "exit %d (%s)", status, reason);
  end_line ();
}
