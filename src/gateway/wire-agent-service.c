#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "wire-agent-service.h"

/* PROTOCOL.md §8, agent status: with demo on, every user with a subscriber on agent:{user_id}
 * has an agent working through tasks: task_start, status_update with progress, task_complete. */

#define FROM "agent"

static const char * const task_names[] = {
  "Compare flight prices",
  "Summarise hotel reviews",
  "Draft the day-by-day itinerary",
  "Check visa requirements",
  "Book restaurant tables",
};

static const char * const steps[] = {
  "Collecting sources",
  "Reading results",
  "Ranking options",
  "Writing summary",
};

typedef struct
{
  char   *task_id;
  char   *name;
  int     progress;
  gint64  started_ms;
} AgentTask;

struct _WireAgentService
{
  GObject      parent_instance;

  WireGateway *gateway;   /* borrowed */
  GRand       *rand;      /* borrowed */
  GHashTable  *tasks;     /* channel → AgentTask */
  guint        tick_id;
  guint        next_task;
};

G_DEFINE_FINAL_TYPE (WireAgentService, wire_agent_service, G_TYPE_OBJECT)

static void
agent_task_free (AgentTask *task)
{
  g_free (task->task_id);
  g_free (task->name);
  g_free (task);
}

static void
step_channel (WireAgentService *self,
              const char       *channel)
{
  WireMessageRouter *router = wire_gateway_get_router (self->gateway);
  AgentTask *task = g_hash_table_lookup (self->tasks, channel);
  g_autoptr (GString) payload = g_string_new ("{\"taskId\":");

  if (task == NULL)
    {
      task = g_new0 (AgentTask, 1);
      task->task_id = g_strdup_printf ("task-%u", ++self->next_task);
      task->name = g_strdup (task_names[g_rand_int_range (self->rand, 0,
                                                          G_N_ELEMENTS (task_names))]);
      task->started_ms = g_get_real_time () / 1000;
      g_hash_table_insert (self->tasks, g_strdup (channel), task);
      wire_json_append_string (payload, task->task_id);
      g_string_append (payload, ",\"name\":");
      wire_json_append_string (payload, task->name);
      g_string_append (payload, ",\"progress\":0}");
      wire_message_router_emit (router, channel, "task_start", FROM, WIRE_PRIORITY_NORMAL,
                                payload->str);
      return;
    }

  task->progress = MIN (100, task->progress + g_rand_int_range (self->rand, 8, 30));
  wire_json_append_string (payload, task->task_id);
  g_string_append (payload, ",\"name\":");
  wire_json_append_string (payload, task->name);
  if (task->progress < 100)
    {
      g_string_append_printf (payload, ",\"progress\":%d,\"status\":\"running\",\"step\":",
                              task->progress);
      wire_json_append_string (payload, steps[MIN (task->progress * G_N_ELEMENTS (steps) / 100,
                                                   G_N_ELEMENTS (steps) - 1)]);
      g_string_append_c (payload, '}');
      wire_message_router_emit (router, channel, "status_update", FROM, WIRE_PRIORITY_NORMAL,
                                payload->str);
      return;
    }
  g_string_append_printf (payload,
                          ",\"progress\":100,\"status\":\"done\",\"durationMs\":%" G_GINT64_FORMAT
                          "}",
                          g_get_real_time () / 1000 - task->started_ms);
  wire_message_router_emit (router, channel, "task_complete", FROM, WIRE_PRIORITY_HIGH,
                            payload->str);
  g_hash_table_remove (self->tasks, channel);
}

static gboolean
tick_cb (gpointer user_data)
{
  WireAgentService *self = user_data;
  g_autoptr (GPtrArray) channels = NULL;
  GHashTableIter iter;
  gpointer key;

  channels = wire_message_router_dup_channels (wire_gateway_get_router (self->gateway), "agent:");
  /* Forget the tasks of users who left. */
  g_hash_table_iter_init (&iter, self->tasks);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_ptr_array_find_with_equal_func (channels, key, g_str_equal, NULL))
      g_hash_table_iter_remove (&iter);
  for (guint i = 0; i < channels->len; i++)
    step_channel (self, g_ptr_array_index (channels, i));
  return G_SOURCE_CONTINUE;
}

void
wire_agent_service_start (WireAgentService *self)
{
  const WireGatewayConfig *config;

  g_return_if_fail (WIRE_IS_AGENT_SERVICE (self));

  config = wire_gateway_get_config (self->gateway);
  if (config->demo && self->tick_id == 0)
    self->tick_id = g_timeout_add (config->demo_tick_ms, tick_cb, self);
}

static void
wire_agent_service_dispose (GObject *object)
{
  WireAgentService *self = WIRE_AGENT_SERVICE (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_pointer (&self->tasks, g_hash_table_unref);

  G_OBJECT_CLASS (wire_agent_service_parent_class)->dispose (object);
}

static void
wire_agent_service_class_init (WireAgentServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = wire_agent_service_dispose;
}

static void
wire_agent_service_init (WireAgentService *self)
{
  self->tasks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) agent_task_free);
}

WireAgentService *
wire_agent_service_new (WireGateway *gateway,
                        GRand       *rand)
{
  WireAgentService *self = g_object_new (WIRE_TYPE_AGENT_SERVICE, NULL);

  self->gateway = gateway;
  self->rand = rand;
  return self;
}
