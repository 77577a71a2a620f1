#define G_LOG_DOMAIN "wire-test"
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Plain HTTP against the gateway (health probes, fault requests, refused upgrades) from clients
 * that hang up afterwards: the gateway must not keep a descriptor for any of them. libsoup 3.2
 * leaks a kept-alive connection that its client closes (fixed in libsoup 3.3), so one health
 * probe a minute from each client would exhaust the gateway's descriptors. Found by the chaos
 * run (tests/chaos), which counts the gateway's descriptors. */

#include "config.h"

#include "gateway-test-client.h"

static guint
count_fds (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

typedef struct
{
  gboolean  done;
  GBytes   *body;
} Answer;

static void
answered_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Answer *answer = user_data;

  answer->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  answer->done = TRUE;
}

static void
get_once (const char *url)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  Answer answer = { FALSE, NULL };

  /* Asynchronous: the gateway answers on this thread's main loop. */
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, answered_cb,
                                    &answer);
  gw_wait_flag (&answer.done);
  g_assert_nonnull (answer.body);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
  g_bytes_unref (answer.body);
  /* The client hangs up: its connection was idle on the gateway's side. */
  soup_session_abort (session);
}

static void
test_health_probes_keep_no_descriptor (void)
{
  WireGateway *gateway;
  g_autofree char *url = NULL;
  guint before, after = 0;

  if (!g_file_test ("/proc/self/fd", G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("No /proc/self/fd");
      return;
    }
  gateway = gw_gateway_new (NULL);
  url = g_strdup_printf ("http://127.0.0.1:%u/api/health", wire_gateway_get_port (gateway));
  get_once (url);
  gw_spin (100);
  before = count_fds ();

  for (guint i = 0; i < 20; i++)
    get_once (url);
  /* The gateway sees each hang-up on its main loop. */
  for (guint i = 0; i < 50; i++)
    {
      gw_spin (50);
      after = count_fds ();
      if (after <= before)
        break;
    }
  g_assert_cmpuint (after, <=, before);

  gw_gateway_finish (gateway);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wire/bad-input/http/health-probes-keep-no-descriptor",
                   test_health_probes_keep_no_descriptor);
  return g_test_run ();
}
