#define G_LOG_DOMAIN "wire-gateway"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "wire-chat-service.h"

/* PROTOCOL.md §8, chat: every user_message is answered "from":"assistant" with typing_start, a
 * reply and typing_stop; with demo on the reply is streamed as assistant_chunk events first. */

#define FROM "assistant"

static const char * const replies[] = {
  "Happy to help with that. Let me look at your itinerary and suggest a few options.",
  "Good question. The quickest route is the morning train, which leaves at 08:15.",
  "I found three hotels near the venue with free cancellation. Shall I list them?",
  "Done. I added it to your trip and let your collaborators know.",
  "The forecast says light rain on Thursday, so an indoor museum day could fit well.",
};

typedef struct
{
  char   *channel;
  char  **words;
  guint   next;
  guint   source_id;
} Reply;

struct _WireChatService
{
  GObject      parent_instance;

  WireGateway *gateway;    /* borrowed */
  GRand       *rand;       /* borrowed from the gateway */
  GList       *replies;    /* Reply, streaming now */
};

G_DEFINE_FINAL_TYPE (WireChatService, wire_chat_service, G_TYPE_OBJECT)

static void
reply_free (Reply *reply)
{
  g_clear_handle_id (&reply->source_id, g_source_remove);
  g_free (reply->channel);
  g_strfreev (reply->words);
  g_free (reply);
}

static char *
text_payload (const char *member,
              const char *text,
              const char *extra)
{
  GString *out = g_string_new ("{\"");

  g_string_append (out, member);
  g_string_append (out, "\":");
  wire_json_append_string (out, text);
  if (extra != NULL)
    g_string_append (out, extra);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

static void
finish_reply (WireChatService *self,
              const char      *channel,
              const char      *text)
{
  WireMessageRouter *router = wire_gateway_get_router (self->gateway);
  g_autofree char *payload = text_payload ("text", text, NULL);

  wire_message_router_emit (router, channel, "assistant_message", FROM, WIRE_PRIORITY_NORMAL,
                            payload);
  wire_message_router_emit (router, channel, "typing_stop", FROM, WIRE_PRIORITY_LOW, NULL);
}

typedef struct
{
  WireChatService *self;
  Reply           *reply;
} StreamStep;

static gboolean
stream_step_cb (gpointer user_data)
{
  StreamStep *step = user_data;
  WireChatService *self = step->self;
  Reply *reply = step->reply;
  WireMessageRouter *router = wire_gateway_get_router (self->gateway);

  if (reply->words[reply->next] != NULL)
    {
      g_autofree char *chunk = g_strconcat (reply->next > 0 ? " " : "", reply->words[reply->next],
                                            NULL);
      g_autofree char *extra = g_strdup_printf (",\"index\":%u", reply->next);
      g_autofree char *payload = text_payload ("text", chunk, extra);

      wire_message_router_emit (router, reply->channel, "assistant_chunk", FROM,
                                WIRE_PRIORITY_NORMAL, payload);
      reply->next++;
      return G_SOURCE_CONTINUE;
    }

  {
    g_autofree char *full = g_strjoinv (" ", reply->words);

    finish_reply (self, reply->channel, full);
  }
  reply->source_id = 0;
  self->replies = g_list_remove (self->replies, reply);
  reply_free (reply);
  return G_SOURCE_REMOVE;
}

static void
published_cb (WireMessageRouter  *router,
              WireGatewaySession *from,
              const char         *channel,
              const char         *event,
              const char         *payload_json,
              WireChatService    *self)
{
  const WireGatewayConfig *config = wire_gateway_get_config (self->gateway);
  const char *text;

  if (g_strcmp0 (event, "user_message") != 0)
    return;

  text = replies[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (replies))];
  wire_message_router_emit (router, channel, "typing_start", FROM, WIRE_PRIORITY_LOW, NULL);
  if (!config->demo)
    {
      finish_reply (self, channel, text);
      return;
    }

  {
    Reply *reply = g_new0 (Reply, 1);
    StreamStep *step = g_new0 (StreamStep, 1);

    reply->channel = g_strdup (channel);
    reply->words = g_strsplit (text, " ", -1);
    step->self = self;
    step->reply = reply;
    reply->source_id = g_timeout_add_full (G_PRIORITY_DEFAULT, MAX (config->demo_tick_ms / 10, 1),
                                           stream_step_cb, step, g_free);
    self->replies = g_list_prepend (self->replies, reply);
  }
}

void
wire_chat_service_start (WireChatService *self)
{
  g_return_if_fail (WIRE_IS_CHAT_SERVICE (self));
  /* The chat service only answers; it has no traffic of its own. */
}

static void
wire_chat_service_dispose (GObject *object)
{
  WireChatService *self = WIRE_CHAT_SERVICE (object);

  g_list_free_full (g_steal_pointer (&self->replies), (GDestroyNotify) reply_free);

  G_OBJECT_CLASS (wire_chat_service_parent_class)->dispose (object);
}

static void
wire_chat_service_class_init (WireChatServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = wire_chat_service_dispose;
}

static void
wire_chat_service_init (WireChatService *self)
{
}

WireChatService *
wire_chat_service_new (WireGateway *gateway,
                       GRand       *rand)
{
  WireChatService *self = g_object_new (WIRE_TYPE_CHAT_SERVICE, NULL);

  self->gateway = gateway;
  self->rand = rand;
  g_signal_connect_object (wire_gateway_get_router (gateway), "published::chat",
                           G_CALLBACK (published_cb), self, 0);
  return self;
}
