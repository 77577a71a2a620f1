#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "wire-channel-item.h"

struct _WireChannelItem
{
  GObject          parent_instance;

  char            *channel;
  WireSubscribeRule subscribe_rule;
  gboolean         has_rule;
  gboolean         can_publish;
  double           rate;
  double           burst;
  char            *events_text;

  gboolean         subscribed;
  gboolean         available;
  gboolean         read_only;
  guint64          messages_in;
  guint64          messages_out;
  char            *last_event;
  gint64           last_event_at_ms;

  WireTokenBucket  bucket;
  int              last_budget;   /* whole tokens shown, to notice a change */
};

G_DEFINE_FINAL_TYPE (WireChannelItem, wire_channel_item, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
wire_channel_item_finalize (GObject *object)
{
  WireChannelItem *self = WIRE_CHANNEL_ITEM (object);

  g_free (self->channel);
  g_free (self->events_text);
  g_free (self->last_event);

  G_OBJECT_CLASS (wire_channel_item_parent_class)->finalize (object);
}

static void
wire_channel_item_class_init (WireChannelItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wire_channel_item_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
wire_channel_item_init (WireChannelItem *self)
{
  self->last_budget = -1;
}

WireChannelItem *
wire_channel_item_new (const char            *channel,
                       const WireChannelRule *rule)
{
  WireChannelItem *self;

  g_return_val_if_fail (channel != NULL, NULL);

  self = g_object_new (WIRE_TYPE_CHANNEL_ITEM, NULL);
  self->channel = g_strdup (channel);
  if (rule != NULL)
    {
      self->has_rule = TRUE;
      self->subscribe_rule = rule->subscribe;
      self->can_publish = rule->can_publish;
      self->rate = rule->rate_per_sec;
      self->burst = rule->burst;
      if (rule->allowed_events != NULL && rule->allowed_events[0] != NULL && rule->can_publish)
        self->events_text = g_strjoinv (", ", (char **) rule->allowed_events);
    }
  if (self->events_text == NULL)
    self->events_text = g_strdup (self->can_publish ? _("any") : _("none (read only)"));
  if (self->rate > 0)
    wire_token_bucket_init (&self->bucket, self->rate, MAX (self->burst, 1),
                            g_get_monotonic_time ());

  return self;
}

const char *
wire_channel_item_get_channel (WireChannelItem *self)
{
  g_return_val_if_fail (WIRE_IS_CHANNEL_ITEM (self), NULL);
  return self->channel;
}

static int
budget_tokens (WireChannelItem *self,
               gint64           now_us)
{
  if (self->rate <= 0)
    return -1;
  return (int) floor (wire_token_bucket_peek (&self->bucket, now_us));
}

gboolean
wire_channel_item_update (WireChannelItem        *self,
                          const WireChannelStats *stats,
                          gboolean                available,
                          gint64                  now_us)
{
  gboolean changed = FALSE;
  gboolean subscribed;
  int budget;

  g_return_val_if_fail (WIRE_IS_CHANNEL_ITEM (self), FALSE);

  subscribed = available || (stats != NULL && stats->subscribed);
  if (subscribed != self->subscribed || available != self->available)
    {
      self->subscribed = subscribed;
      self->available = available;
      changed = TRUE;
    }

  if (stats != NULL)
    {
      /* Every message sent since the last look took a token from the gateway's bucket. */
      if (self->rate > 0 && stats->messages_out > self->messages_out)
        {
          guint64 taken = stats->messages_out - self->messages_out;

          for (guint64 i = 0; i < MIN (taken, (guint64) self->burst + 1); i++)
            wire_token_bucket_take (&self->bucket, now_us, NULL);
        }
      if (stats->read_only != self->read_only || stats->messages_in != self->messages_in
          || stats->messages_out != self->messages_out
          || stats->last_event_at_ms != self->last_event_at_ms
          || g_strcmp0 (stats->last_event, self->last_event) != 0)
        {
          self->read_only = stats->read_only;
          self->messages_in = stats->messages_in;
          self->messages_out = stats->messages_out;
          self->last_event_at_ms = stats->last_event_at_ms;
          g_free (self->last_event);
          self->last_event = g_strdup (stats->last_event);
          changed = TRUE;
        }
    }

  budget = budget_tokens (self, now_us);
  if (budget != self->last_budget)
    {
      self->last_budget = budget;
      changed = TRUE;
    }

  if (changed)
    g_signal_emit (self, signals[CHANGED], 0);

  return changed;
}

gboolean
wire_channel_item_get_subscribed (WireChannelItem *self)
{
  g_return_val_if_fail (WIRE_IS_CHANNEL_ITEM (self), FALSE);
  return self->subscribed;
}

char *
wire_channel_item_dup_state_text (WireChannelItem *self)
{
  g_return_val_if_fail (WIRE_IS_CHANNEL_ITEM (self), NULL);

  if (!self->subscribed)
    return g_strdup (_("not subscribed"));
  if (self->read_only)
    return g_strdup (_("subscribed, read only (admin)"));
  return g_strdup (_("subscribed"));
}

static const char *
subscribe_rule_text (WireSubscribeRule rule)
{
  switch (rule)
    {
    case WIRE_SUBSCRIBE_NOBODY:
      return _("nobody");
    case WIRE_SUBSCRIBE_OWNER_USER:
      return _("its user");
    case WIRE_SUBSCRIBE_OWNER_SESSION:
      return _("its chat session");
    case WIRE_SUBSCRIBE_TRIP_MEMBER:
      return _("trip members");
    case WIRE_SUBSCRIBE_ADMIN:
      return _("admins");
    case WIRE_SUBSCRIBE_ANYONE:
      return _("anyone");
    default:
      return _("unknown");
    }
}

char *
wire_channel_item_dup_permissions_text (WireChannelItem *self)
{
  g_return_val_if_fail (WIRE_IS_CHANNEL_ITEM (self), NULL);

  if (!self->has_rule)
    return g_strdup (_("no policy rule: refused"));

  /* Translators: who may subscribe, then whether clients may publish. */
  return g_strdup_printf (_("subscribe: %s; publish: %s"),
                          subscribe_rule_text (self->subscribe_rule),
                          self->can_publish && !self->read_only ? _("yes") : _("no"));
}

const char *
wire_channel_item_get_events_text (WireChannelItem *self)
{
  g_return_val_if_fail (WIRE_IS_CHANNEL_ITEM (self), NULL);
  return self->events_text;
}

char *
wire_channel_item_dup_budget_text (WireChannelItem *self,
                                   gint64           now_us)
{
  int budget;

  g_return_val_if_fail (WIRE_IS_CHANNEL_ITEM (self), NULL);

  if (!self->can_publish)
    return g_strdup ("–");
  budget = budget_tokens (self, now_us);
  if (budget < 0)
    return g_strdup (_("unlimited"));

  /* Translators: messages that may be sent now, of the burst, and the refill rate. */
  return g_strdup_printf (_("%d of %g (%g/s)"), budget, self->burst, self->rate);
}

guint64
wire_channel_item_get_messages_in (WireChannelItem *self)
{
  g_return_val_if_fail (WIRE_IS_CHANNEL_ITEM (self), 0);
  return self->messages_in;
}

guint64
wire_channel_item_get_messages_out (WireChannelItem *self)
{
  g_return_val_if_fail (WIRE_IS_CHANNEL_ITEM (self), 0);
  return self->messages_out;
}

char *
wire_channel_item_dup_last_event_text (WireChannelItem *self)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *clock = NULL;

  g_return_val_if_fail (WIRE_IS_CHANNEL_ITEM (self), NULL);

  if (self->last_event == NULL)
    return g_strdup ("–");
  if (self->last_event_at_ms <= 0)
    return g_strdup (self->last_event);

  /* A clock time rather than "3 s ago": the cell is redrawn only when the channel changes. */
  dt = g_date_time_new_from_unix_local (self->last_event_at_ms / 1000);
  if (dt == NULL)
    return g_strdup (self->last_event);
  clock = g_date_time_format (dt, "%H:%M:%S");
  /* Translators: an event name and the time it arrived: "typing_start at 14:02:11". */
  return g_strdup_printf (_("%s at %s"), self->last_event, clock);
}
