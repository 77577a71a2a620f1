#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The demo window, driven the way a screen reader user would: through the accessibility tree.

Starts `wirescope --demo`, then reads and acts only through AT-SPI: the accessible names and
descriptions of the sidebar rows, buttons and labels. Prints TAP. Skips (exit 0) when there is no
display or no accessibility bus, which is never the case under `xvfb-run dbus-run-session`.

Usage: test-demo-window.py PATH-TO-wirescope
"""

import os
import subprocess
import sys
import tempfile
import time

SCALE = float(os.environ.get('WIRESCOPE_UI_TIMEOUT_SCALE', '1'))
CLICK_PAUSE = 0.4
KINDS = ('Chat ', 'Agent Status ', 'Trip Collaboration ', 'Notifications ', 'Admin ')
DEMO_CONNECTIONS = 6


def skip(reason):
    print('1..0 # SKIP ' + reason)
    sys.exit(0)


if len(sys.argv) != 2:
    sys.exit('usage: test-demo-window.py PATH-TO-wirescope')
if not os.environ.get('DISPLAY'):
    skip('no X display (run under xvfb-run)')
if not os.environ.get('DBUS_SESSION_BUS_ADDRESS'):
    skip('no session bus (run under dbus-run-session)')

# This process reads the accessibility tree with GLib underneath; libatspi warns when the tree
# changes under a query, which must not abort the test runner (the app keeps its own G_DEBUG).
APP_G_DEBUG = 'gc-friendly,fatal-criticals'
os.environ['G_DEBUG'] = 'gc-friendly'

# Xvfb resets when its last client leaves, and refuses connections while it does: the
# accessibility bus launcher connects and leaves at start. Holding a connection for the whole
# run keeps the server up for the app.
try:
    import ctypes
    _xlib = ctypes.CDLL('libX11.so.6')
    _xlib.XOpenDisplay.restype = ctypes.c_void_p
    _xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    _x_display = _xlib.XOpenDisplay(None)
    if not _x_display:
        skip('cannot open the X display %s' % os.environ.get('DISPLAY'))
except OSError:
    pass

try:
    import pyatspi
except ImportError as error:
    skip('pyatspi is not installed: %s' % error)


class Failure(Exception):
    pass


def wait_for(what, predicate, timeout):
    """Polls @predicate until it returns a true value; raises Failure after @timeout seconds."""
    deadline = time.monotonic() + timeout * SCALE
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except Exception as error:  # the tree changes under our feet: try again
            last = None
            last_error = error
        if last:
            return last
        time.sleep(0.1)
    raise Failure('timed out after %.1f s waiting for %s' % (timeout * SCALE, what))


def descendants(root, predicate):
    found = []

    def walk(node, depth):
        if node is None or depth > 60:
            return
        try:
            if predicate(node):
                found.append(node)
            count = node.childCount
        except Exception:
            return
        for i in range(count):
            try:
                child = node.getChildAtIndex(i)
            except Exception:
                continue
            walk(child, depth + 1)

    walk(root, 0)
    return found


def role(node):
    try:
        return node.getRoleName()
    except Exception:
        return ''


def name(node):
    try:
        return node.name or ''
    except Exception:
        return ''


def description(node):
    try:
        return node.description or ''
    except Exception:
        return ''


def text_of(node):
    """What a screen reader reads for a label: its text, else its name."""
    try:
        text = node.queryText()
        content = text.getText(0, text.characterCount)
        if content:
            return content
    except Exception:
        pass
    return name(node)


def showing(node):
    try:
        return node.getState().contains(pyatspi.STATE_SHOWING)
    except Exception:
        return False


def find_app(pid):
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        try:
            if app is not None and app.get_process_id() == pid:
                return app
        except Exception:
            continue
    return None


def sidebar_rows(app):
    """The connection rows: a label naming the connection and a description with its state."""
    return descendants(app, lambda n: name(n).startswith(KINDS) and description(n) != ''
                       and role(n) != 'push button')


def states(app):
    return {name(n): description(n).split(',')[0] for n in sidebar_rows(app)}


def click(node):
    """Activates a button the way an assistive technology does (its first action)."""
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) in ('click', 'activate', 'press', 'toggle'):
            action.doAction(i)
            break
    else:
        action.doAction(0)
    time.sleep(CLICK_PAUSE)


def mouse_click(node):
    component = node.queryComponent()
    x, y, w, h = component.getExtents(pyatspi.DESKTOP_COORDS)
    pyatspi.Registry.generateMouseEvent(x + w // 2, y + h // 2, 'b1c')
    time.sleep(CLICK_PAUSE)


def has_action(node):
    try:
        return node.queryAction().nActions > 0
    except Exception:
        return False


def button(app, label):
    """A button by what is read for it: its label (GTK 4.8 reads "_Send Send") or tooltip."""
    def matches(n):
        return (role(n) in ('push button', 'toggle button', 'page tab')
                and (name(n).replace('_', '') in (label, label + ' ' + label)
                     or description(n) == label)
                and has_action(n))
    buttons = descendants(app, matches)
    if not buttons:
        raise Failure('no button “%s”' % label)
    return buttons[0]


def select_row(app, row):
    """Selects a sidebar row through the list's Selection interface, else with a click."""
    item = row.parent
    while item is not None and role(item) != 'list item':
        item = item.parent
    lst = item.parent if item is not None else None
    if lst is not None:
        try:
            index = item.getIndexInParent()
            if lst.querySelection().selectChild(index):
                time.sleep(CLICK_PAUSE)
                return
        except Exception:
            pass
    mouse_click(row)


def type_into(node, text):
    """Enters text as a person would: into the focused field, key by key."""
    try:
        editable = node.queryEditableText()
        if editable.setTextContents(text):
            time.sleep(CLICK_PAUSE)
            return
    except Exception:
        pass
    try:
        node.queryComponent().grabFocus()
    except Exception:
        mouse_click(node)
    time.sleep(CLICK_PAUSE)
    pyatspi.Registry.generateKeyboardEvent(0, text, pyatspi.KEY_STRING)
    time.sleep(CLICK_PAUSE)


def labels_containing(app, needle):
    return [n for n in descendants(app, lambda n: role(n) == 'label') if needle in text_of(n)]


def all_demo_connected(app):
    s = states(app)
    return len(s) == DEMO_CONNECTIONS and all(v == 'Connected' for v in s.values())


def stop(process):
    process.terminate()
    try:
        process.wait(10 * SCALE)
    except subprocess.TimeoutExpired:
        process.kill()


class Run:
    def __init__(self):
        self.number = 0
        self.failed = 0

    def check(self, title, function):
        self.number += 1
        try:
            function()
            print('ok %d - %s' % (self.number, title))
        except Exception as error:
            self.failed += 1
            print('not ok %d - %s' % (self.number, title))
            for line in str(error).splitlines() or ['(no message)']:
                print('# ' + line)
        sys.stdout.flush()


def main():
    env = dict(os.environ)
    env['GTK_A11Y'] = 'atspi'
    env.pop('NO_AT_BRIDGE', None)
    env.setdefault('GSK_RENDERER', 'cairo')
    # Criticals abort the app; warnings are reported below as diagnostics, because GTK 4.8 and
    # libadwaita 1.2 warn about their own snapshots during some transitions.
    env['G_DEBUG'] = APP_G_DEBUG
    # Full unwinding on every allocation makes a sanitized GTK app too slow to drive; it only
    # improves the stacks of leak reports.
    if 'ASAN_OPTIONS' in env:
        env['ASAN_OPTIONS'] = ':'.join(o for o in env['ASAN_OPTIONS'].split(':')
                                       if not o.startswith('fast_unwind_on_malloc'))
    app_log = tempfile.TemporaryFile(mode='w+')

    try:
        pyatspi.Registry.getDesktop(0).childCount
    except Exception as error:
        skip('the accessibility bus does not answer: %s' % error)

    # Starting the accessibility bus connects to the X server and leaves it: Xvfb then resets,
    # and a client that connects during the reset is refused ("cannot open display"). Such an
    # early exit is retried; anything else is the app's own failure.
    for attempt in range(3):
        time.sleep(1)
        app_process = subprocess.Popen([sys.argv[1], '--demo'], env=env, stderr=app_log)
        try:
            app_process.wait(2 * SCALE)
        except subprocess.TimeoutExpired:
            break
    run = Run()
    print('1..7')
    sys.stdout.flush()

    try:
        # The registry answered above: an app that never shows up on the bus is a failure.
        try:
            app = wait_for('the app on the accessibility bus', lambda: find_app(app_process.pid), 20)
        except Failure as error:
            print('Bail out! %s (app exit status %s)' % (error, app_process.poll()))
            return 1

        def all_connected():
            try:
                wait_for('every demo connection to read “Connected”',
                         lambda: all_demo_connected(app), 5)
            except Failure as error:
                raise Failure('%s; the sidebar reads %r' % (error, states(app)))

        run.check('every demo connection reaches Connected within 5 s', all_connected)

        def network_status():
            box = wait_for('the network status', lambda: [n for n in descendants(
                app, lambda n: name(n) == 'Network status')], 5)[0]
            wait_for('a probe latency', lambda: 'last probe took' in description(box), 10)
            if 'Online' not in description(box):
                raise Failure('the network status reads %r' % description(box))

        run.check('the network indicator reads Online with the probe latency', network_status)

        def select_chat():
            rows = [r for r in sidebar_rows(app) if name(r).startswith('Chat ')]
            if not rows:
                raise Failure('no chat row')
            select_row(app, rows[0])
            wait_for('the chat page title', lambda: labels_containing(app, 'Chat · session-demo'), 5)
            wait_for('the connection page (its URL)',
                     lambda: labels_containing(app, '/ws/chat/session-demo'), 5)

        run.check('selecting a connection shows its page', select_chat)

        def publish():
            click(button(app, 'Messages'))
            payload = wait_for('the payload field', lambda: [n for n in descendants(
                app, lambda n: name(n).startswith('Payload'))], 5)[0]
            type_into(payload, '{"text": "hello from the UI test"}')
            click(button(app, 'Send'))
            wait_for('the publish to be acknowledged',
                     lambda: labels_containing(app, 'on chat:session-demo: acknowledged'), 10)

        run.check('a publish from the composer is acknowledged', publish)

        def drop_all():
            seen = set()
            before = len(labels_containing(app, 'Connected → Reconnecting'))
            click(button(app, 'Simulate Fault'))
            item = wait_for('the “Drop All Connections” item', lambda: [n for n in descendants(
                app, lambda n: role(n) == 'menu item'
                and name(n).replace('_', '').endswith('Drop All Connections'))], 5)[0]
            click(item)

            def reconnecting_recorded():
                seen.update(states(app).values())
                return len(labels_containing(app, 'Connected → Reconnecting')) > before
            # The selected connection's timeline keeps the transition even when the sidebar
            # passes through Reconnecting faster than we poll.
            wait_for('the timeline row “Connected → Reconnecting”', reconnecting_recorded, 10)

            def connected_again():
                current = states(app)
                seen.update(current.values())
                return len(current) == DEMO_CONNECTIONS and all(
                    v == 'Connected' for v in current.values())
            wait_for('every connection to read “Connected” again', connected_again, 30)
            if not labels_containing(app, '1006'):
                raise Failure('no timeline row names the close code 1006')
            print('# the sidebar read: %s' % ', '.join(sorted(seen)))

        run.check('a drop-all fault shows Reconnecting, then Connected, with timeline rows', drop_all)

        def filter_log():
            def count():
                for n in descendants(app, lambda n: role(n) == 'label'):
                    words = text_of(n).split()
                    if len(words) >= 2 and words[0].isdigit() and words[-1] in ('message', 'messages'):
                        return text_of(n)
                return None
            before = wait_for('the message count', count, 10)
            search = wait_for('the message filter', lambda: [n for n in descendants(
                app, lambda n: name(n) == 'Filter messages')], 5)[0]
            type_into(search, 'no-such-event-xyz')
            after = wait_for('the filtered count', lambda: count() if ' of ' in (count() or '') else None, 5)
            if not after.startswith('0 of '):
                raise Failure('the filter left %r (before: %r)' % (after, before))

        run.check('the text filter narrows the message log', filter_log)
    finally:
        stop(app_process)

    # `wirescope --demo` while an instance runs: the running one starts the demo.
    def remote_demo():
        first = subprocess.Popen([sys.argv[1]], env=env, stderr=app_log)
        try:
            app = wait_for('the first instance on the accessibility bus',
                           lambda: find_app(first.pid), 20)
            wait_for('its empty state', lambda: button(app, 'Start Demo'), 10)
            second = subprocess.run([sys.argv[1], '--demo'], env=env, stderr=app_log,
                                    timeout=20 * SCALE)
            if second.returncode != 0:
                raise Failure('the second `wirescope --demo` exited with %d' % second.returncode)

            try:
                wait_for('the first instance to show the demo connections Connected',
                         lambda: all_demo_connected(app), 10)
            except Failure as error:
                raise Failure('%s; its sidebar reads %r' % (error, states(app)))
        finally:
            stop(first)

    run.check('`wirescope --demo` starts the demo in the instance already running', remote_demo)

    app_log.seek(0)
    for line in app_log.read().splitlines():
        if 'WARNING' in line or 'CRITICAL' in line or 'ERROR' in line:
            print('# app: ' + line.strip())
    if app_process.returncode not in (0, -15):
        print('# the app exited with status %d' % app_process.returncode)
        run.failed += 1

    return 1 if run.failed else 0


if __name__ == '__main__':
    sys.exit(main())
