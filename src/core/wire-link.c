#define G_LOG_DOMAIN "wire-core"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* WebSocket links on the core's I/O thread; see wire-link.h.
 *
 * Two threads touch a link. The opener's thread (the "owner": in the app, the one that paints)
 * calls wire_link_*() and receives the callbacks; the I/O thread runs libsoup: the session,
 * the upgrade, the WebSocket and its signals. The owner asks the I/O thread for work with
 * g_main_context_invoke(); the I/O thread appends events to the link's queue, and the owner's
 * context takes them from one "drain" source per context, round robin over the links that
 * have events, a slice of SLICE_US at a time.
 *
 * Everything shared is under one mutex: the queues, the list of links with events, the count
 * that holds the I/O thread back when the owner falls behind, and `closed`. */

#include "config.h"

#include <string.h>

#include "wire-handshake.h"
#include "wire-link.h"

/* The owner's work on frames per main-loop iteration, at most. */
#define SLICE_US        4000
/* Below GTK's layout (G_PRIORITY_HIGH_IDLE + 10) and drawing (+ 20): a frame is drawn between
 * two slices. Above G_PRIORITY_DEFAULT_IDLE, so ordinary idle work waits for frames. */
#define DRAIN_PRIORITY  (G_PRIORITY_HIGH_IDLE + 30)
/* Under a stream of frames the owner is woken at most this often. */
#define COALESCE_US     1000
/* Events waiting for their owners, over all links: past HIGH the I/O thread stops reading
 * until the owners are back under LOW. */
#define BACKLOG_HIGH    WIRE_LINK_BACKLOG_MAX
#define BACKLOG_LOW     (WIRE_LINK_BACKLOG_MAX / 2)

typedef enum
{
  EVENT_OPENED,
  EVENT_OPEN_FAILED,
  EVENT_FRAME,
  EVENT_ERROR,
  EVENT_CLOSED,
} EventKind;

typedef struct
{
  GList     node;      /* in the link's queue; data is the event */
  EventKind kind;
  int       code;      /* frame type, close code, peer close code, HTTP status */
  gint64    received_us;
  GBytes   *message;
  GError   *error;
  char     *text;      /* close data, reason phrase */
} Event;

typedef struct _Drain Drain;

struct _WireLink
{
  gint                     ref_count;

  /* The owner's. */
  Drain                   *drain;
  WireLinkCallbacks        callbacks;
  gpointer                 user_data;
  gboolean                 open;          /* opened, and neither closed nor failed since */
  gboolean                 direct;        /* wire_link_new_direct(): no I/O thread */

  /* The I/O thread's. */
  SoupMessage             *msg;
  SoupWebsocketConnection *ws;
  GCancellable            *cancellable;
  guint64                  max_incoming;

  /* Shared, under `lock`. */
  GQueue                   events;
  gint64                   last_read_us;  /* of the newest frame */
  gboolean                 queued;        /* in drain->ready */
  gboolean                 closed;        /* by the owner: drop everything */
};

struct _Drain
{
  GMainContext *context;
  GSource      *source;
  GQueue        ready;          /* links with events, each once */
  gint64        wake_us;        /* when the owner was last asked to take events */
};

static GMutex lock;
static GCond backlog_cond;
static guint backlog;
static GSList *drains;

static GMainContext *io_context;
static SoupSession *io_session;

/* ---- Events ------------------------------------------------------------------------------- */

static void
event_free (Event *event)
{
  g_clear_pointer (&event->message, g_bytes_unref);
  g_clear_error (&event->error);
  g_free (event->text);
  g_free (event);
}

/* On the owner's thread. */
static WireLink *
link_new (const WireLinkCallbacks *callbacks,
          gpointer                 user_data)
{
  WireLink *link = g_new0 (WireLink, 1);

  link->ref_count = 1;
  link->callbacks = *callbacks;
  link->user_data = user_data;
  g_queue_init (&link->events);
  return link;
}

static WireLink *
link_ref (WireLink *link)
{
  g_atomic_int_inc (&link->ref_count);
  return link;
}

static void
link_unref (WireLink *link)
{
  if (!g_atomic_int_dec_and_test (&link->ref_count))
    return;

  /* Both sides are done: the owner closed (which emptied the queue) and the I/O thread let go. */
  g_assert (g_queue_is_empty (&link->events));
  g_clear_object (&link->msg);
  g_clear_object (&link->ws);
  g_clear_object (&link->cancellable);
  g_free (link);
}

/* On the I/O thread. An event for a link its owner has closed is dropped. */
static void
push_event (WireLink *link,
            Event    *event)
{
  g_mutex_lock (&lock);
  /* Hold the reader back while the owners are far behind; the close of a link lets it go. */
  while (backlog >= BACKLOG_HIGH && !link->closed && event->kind == EVENT_FRAME)
    g_cond_wait (&backlog_cond, &lock);
  if (link->closed)
    {
      g_mutex_unlock (&lock);
      event_free (event);
      return;
    }
  event->node.data = event;
  g_queue_push_tail_link (&link->events, &event->node);
  if (event->kind == EVENT_FRAME)
    link->last_read_us = event->received_us;
  backlog++;
  if (!link->queued)
    {
      link->queued = TRUE;
      g_queue_push_tail (&link->drain->ready, link_ref (link));
      if (link->drain->ready.length == 1)
        {
          Drain *drain = link->drain;
          gint64 now = g_get_monotonic_time ();

          /* Each wake-up costs both threads a context switch: a stream of frames waits for
           * the next millisecond and goes over in one batch. */
          drain->wake_us = MAX (now, drain->wake_us + COALESCE_US);
          g_source_set_ready_time (drain->source, drain->wake_us);
        }
    }
  g_mutex_unlock (&lock);
}

static void
backlog_take (guint n)
{
  gboolean was_high = backlog >= BACKLOG_LOW;

  backlog -= n;
  if (was_high && backlog < BACKLOG_LOW)
    g_cond_broadcast (&backlog_cond);
}

/* ---- The owner's side: handing events over ------------------------------------------------- */

static void
deliver (WireLink *link,
         Event    *event)
{
  const WireLinkCallbacks *cb = &link->callbacks;

  switch (event->kind)
    {
    case EVENT_OPENED:
      link->open = TRUE;
      cb->opened (link->user_data);
      break;
    case EVENT_OPEN_FAILED:
      cb->open_failed ((guint) event->code, event->text, event->error, link->user_data);
      break;
    case EVENT_FRAME:
      cb->frame (event->code, event->message, event->received_us, link->user_data);
      break;
    case EVENT_ERROR:
      cb->error (event->error, event->code, link->user_data);
      break;
    case EVENT_CLOSED:
      link->open = FALSE;
      cb->closed (event->code, event->text, link->user_data);
      break;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
drain_dispatch (GSource     *source,
                GSourceFunc  func,
                gpointer     user_data)
{
  Drain *drain = user_data;
  /* The slice is per iteration of the main loop: g_source_get_time() is its start. */
  gint64 start = g_source_get_time (source);

  g_source_set_ready_time (source, -1);
  g_mutex_lock (&lock);
  /* One link at least, however late the slice starts. */
  for (gboolean first = TRUE; first || g_get_monotonic_time () - start < SLICE_US; first = FALSE)
    {
      WireLink *link = g_queue_pop_head (&drain->ready);
      guint n = 0;

      if (link == NULL)
        break;

      /* A few events from each link in turn, so that one busy link does not hold back the
       * others; taken four at a time (one lock, one look at the clock), none after the slice.
       * `closed` is the owner's to write: it may read it without the lock. */
      while (n < 32 && !link->closed && !g_queue_is_empty (&link->events)
             && (n == 0 || g_get_monotonic_time () - start < SLICE_US))
        {
          Event *batch[4];
          guint got = 0;

          while (got < G_N_ELEMENTS (batch) && !g_queue_is_empty (&link->events))
            batch[got++] = g_queue_pop_head_link (&link->events)->data;
          backlog_take (got);
          g_mutex_unlock (&lock);
          for (guint i = 0; i < got; i++)
            {
              if (!link->closed)
                deliver (link, batch[i]);
              event_free (batch[i]);
            }
          n += got;
          g_mutex_lock (&lock);
        }

      if (!link->closed && !g_queue_is_empty (&link->events))
        g_queue_push_tail (&drain->ready, link);
      else
        {
          link->queued = FALSE;
          g_mutex_unlock (&lock);
          link_unref (link);
          g_mutex_lock (&lock);
        }
    }

  /* Out of time with work left: the next iteration, after whatever outranks the drain. */
  if (!g_queue_is_empty (&drain->ready))
    g_source_set_ready_time (source, 0);
  g_mutex_unlock (&lock);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs drain_funcs = { NULL, NULL, drain_dispatch, NULL, NULL, NULL };

/* Under `lock`. One drain per context, for the life of the process. */
static Drain *
drain_for_context (GMainContext *context)
{
  Drain *drain;

  for (GSList *l = drains; l != NULL; l = l->next)
    {
      drain = l->data;
      if (drain->context == context)
        return drain;
    }

  drain = g_new0 (Drain, 1);
  drain->context = g_main_context_ref (context);
  drain->source = g_source_new (&drain_funcs, sizeof (GSource));
  g_source_set_callback (drain->source, NULL, drain, NULL);
  g_source_set_priority (drain->source, DRAIN_PRIORITY);
  g_source_set_name (drain->source, "WireLink drain");
  g_source_set_ready_time (drain->source, -1);
  g_source_attach (drain->source, context);
  drains = g_slist_prepend (drains, drain);
  return drain;
}

/* ---- The I/O thread ------------------------------------------------------------------------ */

static gpointer
io_thread_main (gpointer data)
{
  GMainLoop *loop;

  g_main_context_push_thread_default (io_context);
  io_session = soup_session_new ();
  wire_handshake_prepare_session (io_session);
  loop = g_main_loop_new (io_context, FALSE);
  g_main_loop_run (loop);
  return NULL;
}

static GMainContext *
io_thread_context (void)
{
  static gsize started;

  if (g_once_init_enter (&started))
    {
      io_context = g_main_context_new ();
      g_thread_unref (g_thread_new ("wire-io", io_thread_main, NULL));
      g_once_init_leave (&started, 1);
    }
  return io_context;
}

guint
wire_link_get_backlog (void)
{
  guint n;

  g_mutex_lock (&lock);
  n = backlog;
  g_mutex_unlock (&lock);
  return n;
}

void
wire_link_start_io_thread (void)
{
  io_thread_context ();
}

typedef struct
{
  WireLink *link;
  GBytes   *bytes;
  gushort   code;
  char     *reason;
  guint64   max_incoming;
} Request;

static void
request_free (Request *request)
{
  link_unref (request->link);
  g_clear_pointer (&request->bytes, g_bytes_unref);
  g_free (request->reason);
  g_free (request);
}

static void
io_request (WireLink    *link,
            Request     *request,
            GSourceFunc  func)
{
  request->link = link_ref (link);
  g_main_context_invoke_full (io_thread_context (), G_PRIORITY_DEFAULT, func, request,
                              (GDestroyNotify) request_free);
}

static gboolean
io_closed_by_owner (WireLink *link)
{
  gboolean closed;

  g_mutex_lock (&lock);
  closed = link->closed;
  g_mutex_unlock (&lock);
  return closed;
}

static gboolean
unref_cb (gpointer object)
{
  g_object_unref (object);
  return G_SOURCE_REMOVE;
}

static void
unref_later (gpointer object)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, unref_cb, object, NULL);
  g_source_attach (source, io_context);
  g_source_unref (source);
}

static void
ws_message_cb (SoupWebsocketConnection *ws,
               int                      type,
               GBytes                  *message,
               WireLink                *link)
{
  Event *event = g_new0 (Event, 1);

  event->kind = EVENT_FRAME;
  event->code = type;
  event->message = g_bytes_ref (message);
  event->received_us = g_get_monotonic_time ();
  push_event (link, event);
}

static void
ws_error_cb (SoupWebsocketConnection *ws,
             GError                  *error,
             WireLink                *link)
{
  Event *event = g_new0 (Event, 1);

  event->kind = EVENT_ERROR;
  event->code = soup_websocket_connection_get_close_code (ws);
  event->error = g_error_copy (error);
  push_event (link, event);
}

static void
ws_closed_cb (SoupWebsocketConnection *ws,
              WireLink                *link)
{
  Event *event = g_new0 (Event, 1);

  event->kind = EVENT_CLOSED;
  event->code = soup_websocket_connection_get_close_code (ws);
  event->text = g_strdup (soup_websocket_connection_get_close_data (ws));
  push_event (link, event);

  /* The WebSocket is done: let go of it (once its signal has returned), and of the I/O
   * thread's reference to the link. */
  g_signal_handlers_disconnect_by_data (ws, link);
  unref_later (g_steal_pointer (&link->ws));
  link_unref (link);
}

static void
io_connect_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  WireLink *link = user_data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws;
  Event *event = g_new0 (Event, 1);

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (ws == NULL)
    {
      event->kind = EVENT_OPEN_FAILED;
      event->code = (int) soup_message_get_status (link->msg);
      event->text = g_strdup (soup_message_get_reason_phrase (link->msg));
      event->error = g_steal_pointer (&error);
      g_clear_object (&link->msg);
      push_event (link, event);
      link_unref (link);
      return;
    }

  g_clear_object (&link->msg);
  link->ws = ws;
  if (link->max_incoming > soup_websocket_connection_get_max_incoming_payload_size (ws))
    soup_websocket_connection_set_max_incoming_payload_size (ws, link->max_incoming);

  if (io_closed_by_owner (link))
    {
      /* Closed while the upgrade ran and before it could be cancelled: end it politely. */
      event_free (event);
      g_signal_connect (ws, "closed", G_CALLBACK (ws_closed_cb), link);
      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      return;
    }

  /* The I/O thread's reference to the link passes to the WebSocket's signals. */
  g_signal_connect (ws, "message", G_CALLBACK (ws_message_cb), link);
  g_signal_connect (ws, "error", G_CALLBACK (ws_error_cb), link);
  g_signal_connect (ws, "closed", G_CALLBACK (ws_closed_cb), link);
  event->kind = EVENT_OPENED;
  push_event (link, event);
}

static gboolean
io_open_cb (gpointer user_data)
{
  Request *request = user_data;
  WireLink *link = request->link;

  if (io_closed_by_owner (link))
    return G_SOURCE_REMOVE;

  soup_session_websocket_connect_async (io_session, link->msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        link->cancellable, io_connect_cb, link_ref (link));
  return G_SOURCE_REMOVE;
}

static gboolean
io_send_cb (gpointer user_data)
{
  Request *request = user_data;
  SoupWebsocketConnection *ws = request->link->ws;

  if (ws != NULL && soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_message (ws, SOUP_WEBSOCKET_DATA_TEXT, request->bytes);
  return G_SOURCE_REMOVE;
}

static gboolean
io_max_incoming_cb (gpointer user_data)
{
  Request *request = user_data;
  WireLink *link = request->link;

  link->max_incoming = MAX (link->max_incoming, request->max_incoming);
  if (link->ws != NULL &&
      link->max_incoming > soup_websocket_connection_get_max_incoming_payload_size (link->ws))
    soup_websocket_connection_set_max_incoming_payload_size (link->ws, link->max_incoming);
  return G_SOURCE_REMOVE;
}

static gboolean
io_close_cb (gpointer user_data)
{
  Request *request = user_data;
  WireLink *link = request->link;

  /* An upgrade in progress: its callback sees the cancellation. */
  g_cancellable_cancel (link->cancellable);
  /* An open WebSocket: its close handshake runs, then ws_closed_cb lets go of it. */
  if (link->ws != NULL)
    {
      g_signal_handlers_disconnect_matched (link->ws, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA,
                                            0, 0, NULL, ws_message_cb, link);
      g_signal_handlers_disconnect_matched (link->ws, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA,
                                            0, 0, NULL, ws_error_cb, link);
      if (soup_websocket_connection_get_state (link->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (link->ws, request->code, request->reason);
    }
  return G_SOURCE_REMOVE;
}

/* ---- Direct links: on the owner's thread, for tests ---------------------------------------- */

static void
direct_message_cb (SoupWebsocketConnection *ws,
                   int                      type,
                   GBytes                  *message,
                   WireLink                *link)
{
  link->callbacks.frame (type, message, g_get_monotonic_time (), link->user_data);
}

static void
direct_error_cb (SoupWebsocketConnection *ws,
                 GError                  *error,
                 WireLink                *link)
{
  link->callbacks.error (error, soup_websocket_connection_get_close_code (ws), link->user_data);
}

static void
direct_closed_cb (SoupWebsocketConnection *ws,
                  WireLink                *link)
{
  link->open = FALSE;
  link->callbacks.closed (soup_websocket_connection_get_close_code (ws),
                          soup_websocket_connection_get_close_data (ws), link->user_data);
}

WireLink *
wire_link_new_direct (SoupWebsocketConnection *ws,
                      const WireLinkCallbacks *callbacks,
                      gpointer                 user_data)
{
  WireLink *link;

  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (ws), NULL);

  link = link_new (callbacks, user_data);
  link->direct = TRUE;
  link->open = TRUE;
  link->ws = g_object_ref (ws);
  g_signal_connect (ws, "message", G_CALLBACK (direct_message_cb), link);
  g_signal_connect (ws, "error", G_CALLBACK (direct_error_cb), link);
  g_signal_connect (ws, "closed", G_CALLBACK (direct_closed_cb), link);
  return link;
}

/* ---- The owner's API ----------------------------------------------------------------------- */

WireLink *
wire_link_open (SoupMessage             *msg,
                guint64                  max_incoming,
                const WireLinkCallbacks *callbacks,
                gpointer                 user_data)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  WireLink *link;

  g_return_val_if_fail (SOUP_IS_MESSAGE (msg), NULL);

  link = link_new (callbacks, user_data);
  link->msg = msg;
  link->cancellable = g_cancellable_new ();
  link->max_incoming = max_incoming;

  g_mutex_lock (&lock);
  link->drain = drain_for_context (context);
  g_mutex_unlock (&lock);

  io_request (link, g_new0 (Request, 1), io_open_cb);
  return link;
}

gint64
wire_link_get_last_read_us (WireLink *link)
{
  gint64 read_us;

  if (link->direct)
    return 0;
  g_mutex_lock (&lock);
  read_us = link->last_read_us;
  g_mutex_unlock (&lock);
  return read_us;
}

gboolean
wire_link_send_text (WireLink   *link,
                     const char *text,
                     gsize       len)
{
  Request *request;

  if (link == NULL || !link->open)
    return FALSE;

  if (link->direct)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (text, len);

      if (soup_websocket_connection_get_state (link->ws) != SOUP_WEBSOCKET_STATE_OPEN)
        return FALSE;
      soup_websocket_connection_send_message (link->ws, SOUP_WEBSOCKET_DATA_TEXT, bytes);
      return TRUE;
    }

  request = g_new0 (Request, 1);
  request->bytes = g_bytes_new (text, len);
  io_request (link, request, io_send_cb);
  return TRUE;
}

void
wire_link_set_max_incoming_payload_size (WireLink *link,
                                         guint64   max_incoming)
{
  Request *request;

  if (link->direct)
    {
      if (max_incoming > soup_websocket_connection_get_max_incoming_payload_size (link->ws))
        soup_websocket_connection_set_max_incoming_payload_size (link->ws, max_incoming);
      return;
    }

  request = g_new0 (Request, 1);
  request->max_incoming = max_incoming;
  io_request (link, request, io_max_incoming_cb);
}

void
wire_link_close (WireLink    *link,
                 gushort      code,
                 const char  *reason)
{
  Request *request;
  Event *event;

  if (link->direct)
    {
      g_signal_handlers_disconnect_by_data (link->ws, link);
      if (soup_websocket_connection_get_state (link->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (link->ws, code, reason);
      link->closed = TRUE;
      link_unref (link);
      return;
    }

  g_mutex_lock (&lock);
  link->closed = TRUE;
  link->open = FALSE;
  while (!g_queue_is_empty (&link->events))
    {
      event = g_queue_pop_head_link (&link->events)->data;
      backlog_take (1);
      event_free (event);
    }
  /* The I/O thread may wait for room; for this link there is no point any more. */
  g_cond_broadcast (&backlog_cond);
  g_mutex_unlock (&lock);

  request = g_new0 (Request, 1);
  request->code = code;
  request->reason = g_strdup (reason);
  io_request (link, request, io_close_cb);

  /* The drain drops its reference when it next meets the link. */
  link_unref (link);
}
