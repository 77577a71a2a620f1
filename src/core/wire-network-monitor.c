#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <libsoup/soup.h>

#include "wire-network-monitor.h"
#include "wire-config.h"
#include "wire-core-enums.h"
#include "wire-property-private.h"

/* A probe never takes longer than this, nor less than twice the slow threshold. */
#define MIN_PROBE_TIMEOUT_MS 10000

struct _WireNetworkMonitor
{
  GObject parent_instance;

  WireNetworkStatus status;
  gint64 latency_ms;
  gint64 last_probe_time;
  char *probe_uri;
  guint probe_interval_ms;
  guint slow_threshold_ms;
  guint unstable_threshold_ms;
  guint probe_timeout_ms;
  guint64 probe_count;

  GNetworkMonitor *network_monitor;
  SoupSession *session;
  guint interval_id;

  /* The running probe, if any: later requests coalesce with it. */
  GCancellable *probe_cancellable;
  guint probe_timeout_id;
  /* A probe was asked for while one was running: its answer may predate the request. */
  gboolean probe_again;
  gint64 probe_started_us;
};

G_DEFINE_FINAL_TYPE (WireNetworkMonitor, wire_network_monitor, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATUS,
  PROP_LATENCY_MS,
  PROP_PROBE_URI,
  PROP_PROBE_INTERVAL_MS,
  PROP_SLOW_THRESHOLD_MS,
  PROP_UNSTABLE_THRESHOLD_MS,
  PROP_LAST_PROBE_TIME,
  PROP_PROBE_TIMEOUT_MS,
  PROP_PROBE_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void restart_interval (WireNetworkMonitor *self);

static void
set_status (WireNetworkMonitor *self,
            WireNetworkStatus   status)
{
  if (self->status == status)
    return;
  g_debug ("Network status: %s", wire_network_status_to_string (status));
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static guint
effective_timeout_ms (WireNetworkMonitor *self)
{
  if (self->probe_timeout_ms > 0)
    return self->probe_timeout_ms;
  return MAX ((guint64) self->slow_threshold_ms * 2, MIN_PROBE_TIMEOUT_MS);
}

typedef struct
{
  GWeakRef monitor;
  GCancellable *cancellable;
  SoupMessage *message;
} Probe;

static void
probe_free (Probe *probe)
{
  g_weak_ref_clear (&probe->monitor);
  g_clear_object (&probe->cancellable);
  g_clear_object (&probe->message);
  g_free (probe);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Probe, probe_free)

static void
probe_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (Probe) probe = user_data;
  g_autoptr (WireNetworkMonitor) self = g_weak_ref_get (&probe->monitor);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  guint status_code;
  gboolean ok;
  gint64 latency_ms;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  /* The monitor went away, or this probe was superseded: nothing to report. */
  if (self == NULL || self->probe_cancellable != probe->cancellable)
    return;

  g_clear_handle_id (&self->probe_timeout_id, g_source_remove);
  g_clear_object (&self->probe_cancellable);

  latency_ms = (g_get_monotonic_time () - self->probe_started_us) / 1000;
  status_code = soup_message_get_status (probe->message);
  ok = error == NULL && SOUP_STATUS_IS_SUCCESSFUL (status_code);
  if (!ok)
    g_debug ("Health probe of %s failed: %s", self->probe_uri,
             error ? error->message : soup_status_get_phrase (status_code));

  self->last_probe_time = g_get_real_time () / 1000;
  self->probe_count++;
  if (self->latency_ms != latency_ms)
    {
      self->latency_ms = latency_ms;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LATENCY_MS]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_PROBE_TIME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBE_COUNT]);
  set_status (self, wire_network_status_classify (ok, latency_ms, self->unstable_threshold_ms,
                                                  self->slow_threshold_ms));

  /* Requests made during this probe are answered by one more probe, started after them. */
  if (self->probe_again)
    {
      self->probe_again = FALSE;
      wire_network_monitor_probe_now (self);
    }
}

static gboolean
probe_timeout_cb (gpointer user_data)
{
  WireNetworkMonitor *self = user_data;

  self->probe_timeout_id = 0;
  g_debug ("Health probe of %s timed out", self->probe_uri);
  /* The completion callback sees the cancellation and reports the probe as failed. */
  g_cancellable_cancel (self->probe_cancellable);
  return G_SOURCE_REMOVE;
}

static void
status_from_network_monitor (WireNetworkMonitor *self)
{
  /* Without a probe target, GNetworkMonitor is all there is to go by. */
  set_status (self, g_network_monitor_get_network_available (self->network_monitor)
                      ? WIRE_NETWORK_ONLINE : WIRE_NETWORK_OFFLINE);
}

static gboolean
is_http_uri (const char *str)
{
  g_autoptr (GUri) uri = g_uri_parse (str, SOUP_HTTP_URI_FLAGS, NULL);
  const char *scheme;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return FALSE;
  scheme = g_uri_get_scheme (uri);
  return g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0;
}

void
wire_network_monitor_probe_now (WireNetworkMonitor *self)
{
  Probe *probe;

  g_return_if_fail (WIRE_IS_NETWORK_MONITOR (self));

  if (self->probe_cancellable != NULL)
    {
      self->probe_again = TRUE;
      return;
    }

  if (self->probe_uri == NULL)
    {
      status_from_network_monitor (self);
      return;
    }

  if (!is_http_uri (self->probe_uri))
    {
      g_debug ("Cannot probe %s: not an http(s) URI with a host", self->probe_uri);
      set_status (self, WIRE_NETWORK_OFFLINE);
      return;
    }

  probe = g_new0 (Probe, 1);
  g_weak_ref_init (&probe->monitor, self);
  probe->message = soup_message_new (SOUP_METHOD_HEAD, self->probe_uri);
  /* A probe measures the path to the gateway, not a cache. */
  soup_message_headers_replace (soup_message_get_request_headers (probe->message),
                                "Cache-Control", "no-cache");

  self->probe_cancellable = g_cancellable_new ();
  probe->cancellable = g_object_ref (self->probe_cancellable);
  self->probe_started_us = g_get_monotonic_time ();
  self->probe_timeout_id = g_timeout_add (effective_timeout_ms (self), probe_timeout_cb, self);

  soup_session_send_and_read_async (self->session, probe->message, G_PRIORITY_DEFAULT,
                                    probe->cancellable, probe_done_cb, probe);
}

static gboolean
interval_cb (gpointer user_data)
{
  wire_network_monitor_probe_now (WIRE_NETWORK_MONITOR (user_data));
  return G_SOURCE_CONTINUE;
}

static void
restart_interval (WireNetworkMonitor *self)
{
  g_clear_handle_id (&self->interval_id, g_source_remove);
  if (self->probe_interval_ms > 0 && self->probe_uri != NULL)
    self->interval_id = g_timeout_add (self->probe_interval_ms, interval_cb, self);
}

static void
network_changed_cb (GNetworkMonitor    *monitor,
                    gboolean            available,
                    WireNetworkMonitor *self)
{
  /* Only a hint: the probe decides (a loopback gateway answers without any default route). */
  wire_network_monitor_probe_now (self);
  restart_interval (self);
}

static void
connectivity_changed_cb (GNetworkMonitor    *monitor,
                         GParamSpec         *pspec,
                         WireNetworkMonitor *self)
{
  wire_network_monitor_probe_now (self);
  restart_interval (self);
}

static void
cancel_probe (WireNetworkMonitor *self)
{
  g_clear_handle_id (&self->probe_timeout_id, g_source_remove);
  if (self->probe_cancellable != NULL)
    {
      g_cancellable_cancel (self->probe_cancellable);
      g_clear_object (&self->probe_cancellable);
    }
}

static void
wire_network_monitor_dispose (GObject *object)
{
  WireNetworkMonitor *self = WIRE_NETWORK_MONITOR (object);

  g_clear_handle_id (&self->interval_id, g_source_remove);
  cancel_probe (self);
  if (self->network_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->network_monitor, self);
  g_clear_object (&self->network_monitor);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (wire_network_monitor_parent_class)->dispose (object);
}

static void
wire_network_monitor_finalize (GObject *object)
{
  WireNetworkMonitor *self = WIRE_NETWORK_MONITOR (object);

  g_free (self->probe_uri);

  G_OBJECT_CLASS (wire_network_monitor_parent_class)->finalize (object);
}

static void
wire_network_monitor_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  WireNetworkMonitor *self = WIRE_NETWORK_MONITOR (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_LATENCY_MS:
      g_value_set_int64 (value, self->latency_ms);
      break;
    case PROP_PROBE_URI:
      g_value_set_string (value, self->probe_uri);
      break;
    case PROP_PROBE_INTERVAL_MS:
      g_value_set_uint (value, self->probe_interval_ms);
      break;
    case PROP_SLOW_THRESHOLD_MS:
      g_value_set_uint (value, self->slow_threshold_ms);
      break;
    case PROP_UNSTABLE_THRESHOLD_MS:
      g_value_set_uint (value, self->unstable_threshold_ms);
      break;
    case PROP_LAST_PROBE_TIME:
      g_value_set_int64 (value, self->last_probe_time);
      break;
    case PROP_PROBE_TIMEOUT_MS:
      g_value_set_uint (value, self->probe_timeout_ms);
      break;
    case PROP_PROBE_COUNT:
      g_value_set_uint64 (value, self->probe_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_network_monitor_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  WireNetworkMonitor *self = WIRE_NETWORK_MONITOR (object);

  switch (prop_id)
    {
    case PROP_PROBE_URI:
      wire_network_monitor_set_probe_uri (self, g_value_get_string (value));
      break;
    case PROP_PROBE_INTERVAL_MS:
      if (wire_object_set_uint (self, &self->probe_interval_ms, g_value_get_uint (value), pspec))
        restart_interval (self);
      break;
    case PROP_SLOW_THRESHOLD_MS:
      wire_object_set_uint (self, &self->slow_threshold_ms, g_value_get_uint (value), pspec);
      break;
    case PROP_UNSTABLE_THRESHOLD_MS:
      wire_object_set_uint (self, &self->unstable_threshold_ms, g_value_get_uint (value), pspec);
      break;
    case PROP_PROBE_TIMEOUT_MS:
      wire_object_set_uint (self, &self->probe_timeout_ms, g_value_get_uint (value), pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wire_network_monitor_class_init (WireNetworkMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = wire_network_monitor_dispose;
  object_class->finalize = wire_network_monitor_finalize;
  object_class->get_property = wire_network_monitor_get_property;
  object_class->set_property = wire_network_monitor_set_property;

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, WIRE_TYPE_NETWORK_STATUS, WIRE_NETWORK_ONLINE, ro);
  properties[PROP_LATENCY_MS] =
    g_param_spec_int64 ("latency-ms", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_PROBE_URI] =
    g_param_spec_string ("probe-uri", NULL, NULL, NULL, rw);
  properties[PROP_PROBE_INTERVAL_MS] =
    g_param_spec_uint ("probe-interval-ms", NULL, NULL, 0, G_MAXUINT, 30000, rw);
  properties[PROP_SLOW_THRESHOLD_MS] =
    g_param_spec_uint ("slow-threshold-ms", NULL, NULL, 1, G_MAXUINT, 5000, rw);
  properties[PROP_UNSTABLE_THRESHOLD_MS] =
    g_param_spec_uint ("unstable-threshold-ms", NULL, NULL, 1, G_MAXUINT, 1000, rw);
  properties[PROP_LAST_PROBE_TIME] =
    g_param_spec_int64 ("last-probe-time", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_PROBE_TIMEOUT_MS] =
    g_param_spec_uint ("probe-timeout-ms", NULL, NULL, 0, G_MAXUINT, 0, rw);
  properties[PROP_PROBE_COUNT] =
    g_param_spec_uint64 ("probe-count", NULL, NULL, 0, G_MAXUINT64, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wire_network_monitor_init (WireNetworkMonitor *self)
{
  self->status = WIRE_NETWORK_ONLINE;
  self->latency_ms = -1;
  self->probe_interval_ms = 30000;
  self->slow_threshold_ms = 5000;
  self->unstable_threshold_ms = 1000;

  /* Its own session: probes must not queue behind, or share connections with, WebSockets. */
  self->session = soup_session_new_with_options ("max-conns-per-host", 2, NULL);

  self->network_monitor = g_object_ref (g_network_monitor_get_default ());
  g_signal_connect (self->network_monitor, "network-changed", G_CALLBACK (network_changed_cb),
                    self);
  g_signal_connect (self->network_monitor, "notify::connectivity",
                    G_CALLBACK (connectivity_changed_cb), self);
}

WireNetworkMonitor *
wire_network_monitor_new (void)
{
  return g_object_new (WIRE_TYPE_NETWORK_MONITOR, NULL);
}

WireNetworkMonitor *
wire_network_monitor_new_for_config (WireConfig *config)
{
  static const char * const names[] = {
    "probe-interval-ms", "slow-threshold-ms", "unstable-threshold-ms",
  };
  WireNetworkMonitor *self;

  g_return_val_if_fail (WIRE_IS_CONFIG (config), NULL);

  self = wire_network_monitor_new ();
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_object_bind_property (config, names[i], self, names[i], G_BINDING_SYNC_CREATE);
  return self;
}

void
wire_network_monitor_set_probe_uri (WireNetworkMonitor *self,
                                    const char         *uri)
{
  g_return_if_fail (WIRE_IS_NETWORK_MONITOR (self));

  if (g_strcmp0 (self->probe_uri, uri) == 0)
    return;

  g_free (self->probe_uri);
  self->probe_uri = g_strdup (uri);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBE_URI]);

  /* A new target: what the old one said no longer counts. */
  cancel_probe (self);
  restart_interval (self);
  wire_network_monitor_probe_now (self);
}

WireNetworkStatus
wire_network_monitor_get_status (WireNetworkMonitor *self)
{
  g_return_val_if_fail (WIRE_IS_NETWORK_MONITOR (self), WIRE_NETWORK_OFFLINE);
  return self->status;
}

gint64
wire_network_monitor_get_latency_ms (WireNetworkMonitor *self)
{
  g_return_val_if_fail (WIRE_IS_NETWORK_MONITOR (self), -1);
  return self->latency_ms;
}

gint64
wire_network_monitor_get_last_probe_time (WireNetworkMonitor *self)
{
  g_return_val_if_fail (WIRE_IS_NETWORK_MONITOR (self), 0);
  return self->last_probe_time;
}

gboolean
wire_network_monitor_get_probing (WireNetworkMonitor *self)
{
  g_return_val_if_fail (WIRE_IS_NETWORK_MONITOR (self), FALSE);
  return self->probe_cancellable != NULL;
}

WireNetworkStatus
wire_network_status_classify (gboolean probe_ok,
                              gint64   latency_ms,
                              guint    unstable_threshold_ms,
                              guint    slow_threshold_ms)
{
  if (!probe_ok)
    return WIRE_NETWORK_OFFLINE;
  if (latency_ms > (gint64) slow_threshold_ms)
    return WIRE_NETWORK_SLOW;
  if (latency_ms > (gint64) unstable_threshold_ms)
    return WIRE_NETWORK_UNSTABLE;
  return WIRE_NETWORK_ONLINE;
}

const char *
wire_network_status_to_string (WireNetworkStatus status)
{
  switch (status)
    {
    case WIRE_NETWORK_ONLINE:
      return "online";
    case WIRE_NETWORK_UNSTABLE:
      return "unstable";
    case WIRE_NETWORK_SLOW:
      return "slow";
    case WIRE_NETWORK_OFFLINE:
      return "offline";
    default:
      return "unknown";
    }
}

gint64
wire_network_status_min_delay_ms (WireNetworkStatus status)
{
  switch (status)
    {
    case WIRE_NETWORK_SLOW:
      return 5000;
    case WIRE_NETWORK_UNSTABLE:
      return 2000;
    case WIRE_NETWORK_ONLINE:
    case WIRE_NETWORK_OFFLINE:
    default:
      return 0;
    }
}
