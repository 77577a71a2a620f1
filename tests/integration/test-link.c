#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* WireLink: WebSockets on the core's I/O thread, their events handed to the thread that opened
 * them. Against a raw server on loopback that runs in a thread of its own, so that it keeps
 * writing while the test's thread is busy:
 * - every frame arrives, in order, even when the owner stops taking them for a while, and the
 *   I/O thread stops reading (instead of queueing without bound) while the owner is behind;
 * - the owner takes frames in slices of a few milliseconds, so that a burst cannot keep the
 *   thread from its other work (in the app: drawing) for longer than that;
 * - nothing comes after wire_link_close(), and what was waiting is freed;
 * - an upgrade that cannot happen says so, with no HTTP status. */

#include "config.h"

#include <string.h>

#include "wire-link.h"
#include "wire-raw-server.h"

/* A server thread */

typedef struct
{
  GThread       *thread;
  GMainContext  *context;
  GMainLoop     *loop;
  WireRawServer *server;
  char          *url;
  GMutex         lock;
  GCond          cond;
} ServerThread;

static gpointer
server_main (gpointer data)
{
  ServerThread *st = data;

  g_main_context_push_thread_default (st->context);
  g_mutex_lock (&st->lock);
  st->server = wire_raw_server_new ();
  st->url = wire_raw_server_url (st->server, "/ws/chat/s1");
  g_cond_signal (&st->cond);
  g_mutex_unlock (&st->lock);
  g_main_loop_run (st->loop);
  wire_raw_server_free (st->server);
  g_main_context_pop_thread_default (st->context);
  return NULL;
}

static ServerThread *
server_thread_new (void)
{
  ServerThread *st = g_new0 (ServerThread, 1);

  g_mutex_init (&st->lock);
  g_cond_init (&st->cond);
  st->context = g_main_context_new ();
  st->loop = g_main_loop_new (st->context, FALSE);
  g_mutex_lock (&st->lock);
  st->thread = g_thread_new ("test-server", server_main, st);
  while (st->url == NULL)
    g_cond_wait (&st->cond, &st->lock);
  g_mutex_unlock (&st->lock);
  return st;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
server_thread_free (ServerThread *st)
{
  g_main_context_invoke (st->context, quit_cb, st->loop);
  g_thread_join (st->thread);
  g_main_loop_unref (st->loop);
  g_main_context_unref (st->context);
  g_free (st->url);
  g_mutex_clear (&st->lock);
  g_cond_clear (&st->cond);
  g_free (st);
}

typedef struct
{
  ServerThread *st;
  guint         count;
} Burst;

/* In the server thread: @count numbered frames to the newest socket. */
static gboolean
burst_cb (gpointer data)
{
  Burst *burst = data;

  for (guint i = 0; i < burst->count; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"type\":\"message\",\"n\":%u}", i);

      wire_raw_server_send_text (burst->st->server, text);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
close_cb (gpointer data)
{
  ServerThread *st = data;

  wire_raw_server_close (st->server, 1000, "bye");
  return G_SOURCE_REMOVE;
}

/* In the server thread, after whatever was asked before. */
static void
server_close (ServerThread *st)
{
  g_main_context_invoke (st->context, close_cb, st);
}

static void
server_burst (ServerThread *st,
              guint         count)
{
  Burst *burst = g_new0 (Burst, 1);

  burst->st = st;
  burst->count = count;
  g_main_context_invoke_full (st->context, G_PRIORITY_DEFAULT, burst_cb, burst, g_free);
}

/* The owner */

typedef struct
{
  WireLink  *link;
  gboolean   opened;
  gboolean   failed;
  guint      failed_status;
  gboolean   closed;
  gboolean   link_closed;     /* wire_link_close() was called */
  guint      frames;
  guint      out_of_order;
  guint      frame_cost_us;   /* how long each frame takes the owner */
  gint64     last_received_us;
} Owner;

static void
opened_cb (gpointer user_data)
{
  Owner *owner = user_data;

  g_assert_false (owner->link_closed);
  owner->opened = TRUE;
}

static void
open_failed_cb (guint         status,
                const char   *reason_phrase,
                const GError *error,
                gpointer      user_data)
{
  Owner *owner = user_data;

  g_assert_false (owner->link_closed);
  g_assert_nonnull (error);
  owner->failed = TRUE;
  owner->failed_status = status;
}

static void
frame_cb (int       type,
          GBytes   *message,
          gint64    received_us,
          gpointer  user_data)
{
  Owner *owner = user_data;
  g_autofree char *expected = g_strdup_printf ("{\"type\":\"message\",\"n\":%u}", owner->frames);
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  g_assert_false (owner->link_closed);
  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  g_assert_cmpint (received_us, <=, g_get_monotonic_time ());
  g_assert_cmpint (received_us, >=, owner->last_received_us);
  owner->last_received_us = received_us;
  if (len != strlen (expected) || memcmp (data, expected, len) != 0)
    owner->out_of_order++;
  owner->frames++;
  if (owner->frame_cost_us > 0)
    g_usleep (owner->frame_cost_us);
}

static void
error_cb (const GError *error,
          int           peer_close_code,
          gpointer      user_data)
{
  Owner *owner = user_data;

  g_assert_false (owner->link_closed);
}

static void
closed_cb (int         close_code,
           const char *close_data,
           gpointer    user_data)
{
  Owner *owner = user_data;

  g_assert_false (owner->link_closed);
  owner->closed = TRUE;
}

static const WireLinkCallbacks callbacks = {
  .opened = opened_cb,
  .open_failed = open_failed_cb,
  .frame = frame_cb,
  .error = error_cb,
  .closed = closed_cb,
};

static void
open_link (Owner      *owner,
           const char *url)
{
  SoupMessage *msg = soup_message_new (SOUP_METHOD_GET, url);

  owner->link = wire_link_open (msg, 0, &callbacks, owner);
  while (!owner->opened && !owner->failed)
    g_main_context_iteration (NULL, TRUE);
}

static void
close_link (Owner *owner)
{
  owner->link_closed = TRUE;
  wire_link_close (g_steal_pointer (&owner->link), 1000, NULL);
}

static void
wait_for_frames (Owner *owner,
                 guint  count)
{
  while (owner->frames < count)
    g_main_context_iteration (NULL, TRUE);
}

/* Tests */

#define BURST (2 * WIRE_LINK_BACKLOG_MAX)

static void
test_order_and_backpressure (void)
{
  ServerThread *st = server_thread_new ();
  Owner owner = { 0 };
  guint backlog_while_away;

  open_link (&owner, st->url);
  g_assert_true (owner.opened);

  /* The owner looks away while the server writes: the I/O thread reads until the backlog is
   * full, then waits. */
  server_burst (st, BURST);
  g_usleep (G_USEC_PER_SEC);
  backlog_while_away = wire_link_get_backlog ();
  g_test_message ("backlog after 1 s away: %u of %u frames", backlog_while_away, BURST);
  g_assert_cmpuint (backlog_while_away, >, 0);
  g_assert_cmpuint (backlog_while_away, <=, WIRE_LINK_BACKLOG_MAX);

  wait_for_frames (&owner, BURST);
  g_assert_cmpuint (owner.frames, ==, BURST);
  g_assert_cmpuint (owner.out_of_order, ==, 0);
  g_assert_cmpuint (wire_link_get_backlog (), ==, 0);

  close_link (&owner);
  server_thread_free (st);
}

/* With each frame taking 1 ms, one turn of the main loop takes at most a slice's worth (4 ms)
 * and the frame that crosses it. Without slices, the whole burst would go in one or two. */
static void
test_slices (void)
{
  ServerThread *st = server_thread_new ();
  Owner owner = { 0 };
  guint most = 0, turns = 0;

  open_link (&owner, st->url);
  server_burst (st, 300);
  /* All 300 waiting before the owner takes any. */
  while (wire_link_get_backlog () < 300)
    g_usleep (1000);

  owner.frame_cost_us = 1000;
  while (owner.frames < 300)
    {
      guint before = owner.frames;

      g_main_context_iteration (NULL, TRUE);
      most = MAX (most, owner.frames - before);
      turns++;
    }
  g_test_message ("300 frames of 1 ms in %u turns, at most %u in one", turns, most);
  g_assert_cmpuint (most, <=, 5);
  g_assert_cmpuint (owner.out_of_order, ==, 0);

  close_link (&owner);
  server_thread_free (st);
}

/* Closed with frames waiting: none of them comes, and they are freed. */
static void
test_close_with_backlog (void)
{
  ServerThread *st = server_thread_new ();
  Owner owner = { 0 };

  open_link (&owner, st->url);
  server_burst (st, 1000);
  while (wire_link_get_backlog () < 1000)
    g_usleep (1000);

  close_link (&owner);
  g_assert_cmpuint (wire_link_get_backlog (), ==, 0);
  /* Turns of the loop after the close: the frame callback asserts that nothing comes. */
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (owner.frames, ==, 0);
  g_assert_false (owner.closed);

  server_thread_free (st);
}

/* The server closes: the owner hears of it after every frame sent before the close. */
static void
test_peer_closes (void)
{
  ServerThread *st = server_thread_new ();
  Owner owner = { 0 };

  open_link (&owner, st->url);
  server_burst (st, 100);
  server_close (st);
  while (!owner.closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (owner.frames, ==, 100);
  g_assert_cmpuint (owner.out_of_order, ==, 0);
  close_link (&owner);
  server_thread_free (st);
}

static void
test_open_fails (void)
{
  Owner owner = { 0 };

  /* Port 9 (discard): nothing listens on loopback. */
  open_link (&owner, "ws://127.0.0.1:9/ws/chat/s1");
  g_assert_true (owner.failed);
  g_assert_false (owner.opened);
  g_assert_cmpuint (owner.failed_status, ==, 0);
  close_link (&owner);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/link/order-and-backpressure", test_order_and_backpressure);
  g_test_add_func ("/link/slices", test_slices);
  g_test_add_func ("/link/close-with-backlog", test_close_with_backlog);
  g_test_add_func ("/link/peer-closes", test_peer_closes);
  g_test_add_func ("/link/open-fails", test_open_fails);

  return g_test_run ();
}
