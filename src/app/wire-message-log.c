#define G_LOG_DOMAIN "wire-app"
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "wire-protocol.h"
#include "wire-message-log.h"

enum {
  COL_TIME,
  COL_DIRECTION,
  COL_CHANNEL,
  COL_EVENT,
  COL_PRIORITY,
  COL_SIZE,
  COL_ID,
  COL_STATUS,
  N_COLUMNS
};

struct _WireMessageLog
{
  GtkWidget                parent_instance;

  WireMessageRing         *ring;
  GtkFilterListModel      *filter_model;
  GtkCustomFilter         *filter;
  GtkSingleSelection      *selection;

  char                    *filter_text;   /* casefolded, NULL = none */
  WireMessageLogDirection  direction;
  gboolean                 follow;        /* keep the newest row in view */
  gboolean                 scrolling;
  guint                    follow_id;

  GtkWidget               *box;
  GtkSearchEntry          *search_entry;
  GtkDropDown             *direction_dropdown;
  GtkToggleButton         *pause_button;
  GtkLabel                *count_label;
  GtkScrolledWindow       *scroller;
  GtkColumnView           *view;
  GtkTextView             *detail_view;
};

G_DEFINE_FINAL_TYPE (WireMessageLog, wire_message_log, GTK_TYPE_WIDGET)

static const char * const status_classes[] = { "success", "warning", "error", "dim-label" };

/* ASCII case-insensitive substring: channel names, events and ids are ASCII by protocol. */
static gboolean
contains_ascii_ci (const char *haystack,
                   const char *needle)
{
  gsize n;

  if (haystack == NULL)
    return FALSE;
  n = strlen (needle);
  for (const char *p = haystack; *p != '\0'; p++)
    if (g_ascii_strncasecmp (p, needle, n) == 0)
      return TRUE;

  return FALSE;
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  WireMessageLog *self = user_data;
  WireMessageRow *row = item;

  if (self->direction == WIRE_MESSAGE_LOG_IN
      && wire_message_row_get_direction (row) != WIRE_MESSAGE_IN)
    return FALSE;
  if (self->direction == WIRE_MESSAGE_LOG_OUT
      && wire_message_row_get_direction (row) != WIRE_MESSAGE_OUT)
    return FALSE;

  if (self->filter_text == NULL)
    return TRUE;

  return contains_ascii_ci (wire_message_row_get_channel (row), self->filter_text)
         || contains_ascii_ci (wire_message_row_get_event (row), self->filter_text)
         || contains_ascii_ci (wire_message_row_get_id (row), self->filter_text);
}

static char *
cell_text (WireMessageRow *row,
           guint           column)
{
  switch (column)
    {
    case COL_TIME:
      {
        gint64 ms = wire_message_row_get_time_ms (row);
        g_autoptr(GDateTime) dt = ms > 0 ? g_date_time_new_from_unix_local (ms / 1000) : NULL;
        g_autofree char *clock = NULL;

        if (dt == NULL)
          return g_strdup ("–");
        clock = g_date_time_format (dt, "%H:%M:%S");
        return g_strdup_printf ("%s.%03d", clock, (int) (ms % 1000));
      }
    case COL_DIRECTION:
      return g_strdup (wire_message_row_get_direction (row) == WIRE_MESSAGE_IN ? _("in")
                                                                                : _("out"));
    case COL_CHANNEL:
      return g_strdup (wire_message_row_get_channel (row));
    case COL_EVENT:
      return g_strdup (wire_message_row_get_event (row));
    case COL_PRIORITY:
      {
        int priority = wire_message_row_get_priority (row);

        return priority >= 0 ? g_strdup (wire_priority_to_string ((WirePriority) priority))
                             : g_strdup ("");
      }
    case COL_SIZE:
      return wire_message_row_get_size (row) > 0
               ? g_strdup_printf ("%u", wire_message_row_get_size (row)) : g_strdup ("");
    case COL_ID:
      return g_strdup (wire_message_row_get_id (row));
    case COL_STATUS:
      return g_strdup (wire_message_status_to_string (wire_message_row_get_status (row)));
    default:
      g_assert_not_reached ();
    }
}

static const char *
status_class (WireMessageStatus status)
{
  switch (status)
    {
    case WIRE_MESSAGE_STATUS_ACK:
    case WIRE_MESSAGE_STATUS_DELIVERED:
      return "success";
    case WIRE_MESSAGE_STATUS_ACK_DUPLICATE:
    case WIRE_MESSAGE_STATUS_DUPLICATE:
      return "warning";
    case WIRE_MESSAGE_STATUS_FAILED:
      return "error";
    case WIRE_MESSAGE_STATUS_SENT:
    case WIRE_MESSAGE_STATUS_RECEIVED:
    case WIRE_MESSAGE_STATUS_OVERWRITTEN:
      return "dim-label";
    case WIRE_MESSAGE_STATUS_NONE:
    default:
      return NULL;
    }
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);
  guint column = GPOINTER_TO_UINT (user_data);

  gtk_label_set_xalign (GTK_LABEL (label), column == COL_SIZE ? 1 : 0);
  gtk_label_set_ellipsize (GTK_LABEL (label),
                           column == COL_ID ? PANGO_ELLIPSIZE_MIDDLE : PANGO_ELLIPSIZE_END);
  if (column == COL_TIME || column == COL_SIZE || column == COL_ID)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         gpointer                  user_data)
{
  WireMessageRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *label = gtk_list_item_get_child (list_item);
  guint column = GPOINTER_TO_UINT (user_data);
  g_autofree char *text = cell_text (row, column);

  gtk_label_set_text (GTK_LABEL (label), text);

  if (column == COL_STATUS)
    {
      const char *css = status_class (wire_message_row_get_status (row));

      for (guint i = 0; i < G_N_ELEMENTS (status_classes); i++)
        gtk_widget_remove_css_class (label, status_classes[i]);
      if (css != NULL)
        gtk_widget_add_css_class (label, css);
    }
}

static void
add_column (WireMessageLog *self,
            guint           column,
            const char     *title,
            int             fixed_width,
            gboolean        expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GUINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_column_set_expand (col, expand);
  /* Fixed widths: measuring 100 000 rows' text to size columns would defeat the ring. */
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (col, fixed_width);
  gtk_column_view_append_column (self->view, col);
  g_object_unref (col);
}

static void
update_count (WireMessageLog *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  guint total = self->ring != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->ring)) : 0;
  g_autofree char *text = NULL;

  if (shown == total)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u message", "%u messages", total),
                            total);
  else
    /* Translators: rows shown after filtering, of all rows kept. */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u message", "%u of %u messages",
                                         total),
                            shown, total);
  if (self->ring != NULL && wire_message_ring_get_paused (self->ring))
    {
      g_autofree char *paused = g_strdup_printf (_("%s — paused"), text);
      gtk_label_set_text (self->count_label, paused);
    }
  else
    gtk_label_set_text (self->count_label, text);
}

static void
scroll_to_end (WireMessageLog *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);

  self->scrolling = TRUE;
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj)
                                   - gtk_adjustment_get_page_size (adj));
  self->scrolling = FALSE;
}

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      return child;

  return NULL;
}

static gboolean
follow_cb (gpointer user_data)
{
  WireMessageLog *self = user_data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  GtkWidget *list_view = find_list_view (GTK_WIDGET (self->view));

  self->follow_id = 0;
  if (!self->follow || n == 0)
    return G_SOURCE_REMOVE;

  /* GTK 4.8 has no gtk_column_view_scroll_to(): its list view's own action does it. */
  self->scrolling = TRUE;
  if (list_view != NULL)
    gtk_widget_activate_action (list_view, "list.scroll-to-item", "u", n - 1);
  else
    scroll_to_end (self);
  self->scrolling = FALSE;

  return G_SOURCE_REMOVE;
}

static void
filtered_items_changed_cb (WireMessageLog *self,
                           guint           position,
                           guint           removed,
                           guint           added)
{
  update_count (self);

  /* At most once per ring flush, after the view has taken the new rows in. */
  if (self->follow && added > 0 && self->follow_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->follow_id = g_idle_add_full (GDK_PRIORITY_REDRAW + 10, follow_cb, self, NULL);
}

static void
adjustment_upper_cb (WireMessageLog *self)
{
  if (self->follow && self->follow_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->follow_id = g_idle_add_full (GDK_PRIORITY_REDRAW + 10, follow_cb, self, NULL);
}

static void
adjustment_value_cb (GtkAdjustment  *adj,
                     WireMessageLog *self)
{
  if (self->scrolling)
    return;
  /* The user scrolled: follow again only once back at the bottom. */
  self->follow = gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj)
                 >= gtk_adjustment_get_upper (adj) - 4;
}

static char *
describe_row (WireMessageLog *self,
              WireMessageRow *row)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *summary = NULL;

  if (wire_message_row_get_status (row) == WIRE_MESSAGE_STATUS_OVERWRITTEN)
    return g_strdup (_("This row was overwritten by newer messages."));

  text = wire_message_ring_dup_text (self->ring, wire_message_row_get_seq (row));
  if (text != NULL)
    {
      g_autoptr(WireEnvelope) envelope = wire_envelope_parse (text, strlen (text), NULL);

      if (envelope != NULL)
        return wire_envelope_to_pretty_string (envelope);
      return g_steal_pointer (&text);
    }

  /* No frame text kept (an outgoing publish whose payload was not given, or a text dropped by
   * the memory budget): show what the row knows. */
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "direction");
  json_builder_add_string_value (builder, wire_message_row_get_direction (row) == WIRE_MESSAGE_IN
                                            ? "in" : "out");
  if (wire_message_row_get_id (row) != NULL)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, wire_message_row_get_id (row));
    }
  if (wire_message_row_get_channel (row) != NULL)
    {
      json_builder_set_member_name (builder, "channel");
      json_builder_add_string_value (builder, wire_message_row_get_channel (row));
    }
  if (wire_message_row_get_event (row) != NULL)
    {
      json_builder_set_member_name (builder, "event");
      json_builder_add_string_value (builder, wire_message_row_get_event (row));
    }
  if (wire_message_row_get_priority (row) >= 0)
    {
      json_builder_set_member_name (builder, "priority");
      json_builder_add_string_value (builder,
                                     wire_priority_to_string ((WirePriority) wire_message_row_get_priority (row)));
    }
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, wire_message_row_get_size (row));
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder,
                                 wire_message_status_to_string (wire_message_row_get_status (row)));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);

  summary = json_generator_to_data (generator, NULL);

  return g_strdup_printf ("%s\n\n%s", _("The frame text is not kept for this row."), summary);
}

static void
selection_changed_cb (WireMessageLog *self)
{
  WireMessageRow *row = gtk_single_selection_get_selected_item (self->selection);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->detail_view);
  g_autofree char *text = NULL;

  if (row == NULL || self->ring == NULL)
    {
      gtk_text_buffer_set_text (buffer, "", -1);
      return;
    }

  text = describe_row (self, row);
  gtk_text_buffer_set_text (buffer, text, -1);

  /* Reading a row: new rows must not scroll it away (scrolling to the bottom follows again). */
  self->follow = FALSE;
}

void
wire_message_log_set_ring (WireMessageLog  *self,
                           WireMessageRing *ring)
{
  g_return_if_fail (WIRE_IS_MESSAGE_LOG (self));
  g_return_if_fail (ring == NULL || WIRE_IS_MESSAGE_RING (ring));

  if (self->ring == ring)
    return;

  g_set_object (&self->ring, ring);
  gtk_filter_list_model_set_model (self->filter_model, G_LIST_MODEL (ring));
  gtk_toggle_button_set_active (self->pause_button,
                                ring != NULL && wire_message_ring_get_paused (ring));
  self->follow = TRUE;
  update_count (self);
  selection_changed_cb (self);
}

WireMessageRing *
wire_message_log_get_ring (WireMessageLog *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_LOG (self), NULL);
  return self->ring;
}

void
wire_message_log_set_filter_text (WireMessageLog *self,
                                  const char     *text)
{
  g_return_if_fail (WIRE_IS_MESSAGE_LOG (self));

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text ? text : "") != 0)
    {
      /* search-changed brings us back here with the same text. */
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
    }

  g_clear_pointer (&self->filter_text, g_free);
  if (text != NULL && *text != '\0')
    self->filter_text = g_strdup (text);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_count (self);
}

void
wire_message_log_set_direction (WireMessageLog          *self,
                                WireMessageLogDirection  direction)
{
  g_return_if_fail (WIRE_IS_MESSAGE_LOG (self));
  g_return_if_fail (direction <= WIRE_MESSAGE_LOG_OUT);

  if (gtk_drop_down_get_selected (self->direction_dropdown) != direction)
    gtk_drop_down_set_selected (self->direction_dropdown, direction);

  if (self->direction == direction)
    return;
  self->direction = direction;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_count (self);
}

void
wire_message_log_set_paused (WireMessageLog *self,
                             gboolean        paused)
{
  g_return_if_fail (WIRE_IS_MESSAGE_LOG (self));

  if (gtk_toggle_button_get_active (self->pause_button) != !!paused)
    gtk_toggle_button_set_active (self->pause_button, paused);
  if (self->ring != NULL)
    wire_message_ring_set_paused (self->ring, paused);
  update_count (self);
}

GListModel *
wire_message_log_get_model (WireMessageLog *self)
{
  g_return_val_if_fail (WIRE_IS_MESSAGE_LOG (self), NULL);
  return G_LIST_MODEL (self->filter_model);
}

void
wire_message_log_select (WireMessageLog *self,
                         guint           position)
{
  g_return_if_fail (WIRE_IS_MESSAGE_LOG (self));

  gtk_single_selection_set_selected (self->selection, position);
  selection_changed_cb (self);
}

char *
wire_message_log_dup_detail_text (WireMessageLog *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (WIRE_IS_MESSAGE_LOG (self), NULL);

  buffer = gtk_text_view_get_buffer (self->detail_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
search_changed_cb (WireMessageLog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  if (g_strcmp0 (self->filter_text, *text ? text : NULL) != 0)
    wire_message_log_set_filter_text (self, text);
}

static void
direction_changed_cb (WireMessageLog *self)
{
  wire_message_log_set_direction (self, gtk_drop_down_get_selected (self->direction_dropdown));
}

static void
pause_toggled_cb (WireMessageLog *self)
{
  wire_message_log_set_paused (self, gtk_toggle_button_get_active (self->pause_button));
}

static void
clear_clicked_cb (WireMessageLog *self)
{
  if (self->ring != NULL)
    {
      wire_message_ring_clear (self->ring);
      wire_message_ring_flush (self->ring);
    }
}

static void
wire_message_log_dispose (GObject *object)
{
  WireMessageLog *self = WIRE_MESSAGE_LOG (object);

  g_clear_handle_id (&self->follow_id, g_source_remove);
  if (self->view != NULL)
    gtk_column_view_set_model (self->view, NULL);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->filter_model != NULL)
    g_signal_handlers_disconnect_by_data (self->filter_model, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), WIRE_TYPE_MESSAGE_LOG);
  g_clear_object (&self->selection);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->ring);
  g_clear_pointer (&self->filter_text, g_free);

  G_OBJECT_CLASS (wire_message_log_parent_class)->dispose (object);
}

static void
wire_message_log_class_init (WireMessageLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wire_message_log_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wirescope/Wirescope/wire-message-log.ui");
  gtk_widget_class_bind_template_child (widget_class, WireMessageLog, box);
  gtk_widget_class_bind_template_child (widget_class, WireMessageLog, search_entry);
  gtk_widget_class_bind_template_child (widget_class, WireMessageLog, direction_dropdown);
  gtk_widget_class_bind_template_child (widget_class, WireMessageLog, pause_button);
  gtk_widget_class_bind_template_child (widget_class, WireMessageLog, count_label);
  gtk_widget_class_bind_template_child (widget_class, WireMessageLog, scroller);
  gtk_widget_class_bind_template_child (widget_class, WireMessageLog, view);
  gtk_widget_class_bind_template_child (widget_class, WireMessageLog, detail_view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, direction_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, pause_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, clear_clicked_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "wire-message-log");
}

static void
wire_message_log_init (WireMessageLog *self)
{
  GtkAdjustment *adj;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->follow = TRUE;
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filter_model = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  /* Filtering 100 000 rows at once would stall a frame: let GTK do it in slices. */
  gtk_filter_list_model_set_incremental (self->filter_model, TRUE);
  g_signal_connect_swapped (self->filter_model, "items-changed",
                            G_CALLBACK (filtered_items_changed_cb), self);

  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filter_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (selection_changed_cb), self);
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (self->selection));

  add_column (self, COL_TIME, _("Time"), 110, FALSE);
  add_column (self, COL_DIRECTION, _("Dir"), 50, FALSE);
  add_column (self, COL_CHANNEL, _("Channel"), 170, FALSE);
  add_column (self, COL_EVENT, _("Event"), 140, FALSE);
  add_column (self, COL_PRIORITY, _("Priority"), 80, FALSE);
  add_column (self, COL_SIZE, _("Size"), 60, FALSE);
  add_column (self, COL_ID, _("ID"), 140, TRUE);
  add_column (self, COL_STATUS, _("Status"), 120, FALSE);

  adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (adj, "notify::upper", G_CALLBACK (adjustment_upper_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (adj, "value-changed", G_CALLBACK (adjustment_value_cb), self, 0);

  update_count (self);
}

GtkWidget *
wire_message_log_new (void)
{
  return g_object_new (WIRE_TYPE_MESSAGE_LOG, NULL);
}
