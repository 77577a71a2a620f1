// SPDX-License-Identifier: GPL-3.0-or-later
//
// A minimal relay on the npm `ws` package doing the same work as wirescope-gateway on the
// trip collaboration path, for a side-by-side benchmark: parse every frame, authenticate the
// first one (HS256 JWT), authorise (trip membership, subscription, allowed events), dedup
// publish ids per user, ack, and deliver to the other subscribers. No rate limits (the
// gateway runs with --no-rate-limits for the same benchmark).
//
// Usage: WIRESCOPE_GATEWAY_SECRET=... node relay.js [PORT]   (prints "listening on ws://...")
'use strict';

const http = require('http');
const crypto = require('crypto');
const { WebSocketServer } = require('ws');

const secret = process.env.WIRESCOPE_GATEWAY_SECRET || 'bench-secret';
const port = Number(process.argv[2] || 0);
const TRIP_EVENTS = new Set(['trip_update', 'cursor_move', 'presence']);
const DEDUP_TTL_MS = 300000;
const PATH = /^\/ws\/trips\/([A-Za-z0-9_-]{1,64})\/collab$/;

const channels = new Map();   // channel -> Set of sockets
const dedup = new Map();      // user -> Map(id -> expiry)
let connectionCounter = 0;

function b64url(buf) {
  return buf.toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

function verify(token, nowS) {
  if (typeof token !== 'string' || token.length > 8192) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  let header, claims;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
  } catch (e) {
    return null;
  }
  if (!header || header.alg !== 'HS256') return null;
  const expected = Buffer.from(
    b64url(crypto.createHmac('sha256', secret).update(parts[0] + '.' + parts[1]).digest()));
  const given = Buffer.from(parts[2]);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
  if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return null;
  if (claims.exp + 30 < nowS) return null;
  return claims;
}

function sendError(ws, id, code, message) {
  ws.send(JSON.stringify({ type: 'error', id: id === undefined ? null : id, code, message }));
}

function isDuplicate(user, id, now) {
  let seen = dedup.get(user);
  if (!seen) {
    seen = new Map();
    dedup.set(user, seen);
  }
  // Expire from the oldest end (insertion order is expiry order).
  for (const [key, expiry] of seen) {
    if (expiry > now) break;
    seen.delete(key);
  }
  if (seen.has(id)) return true;
  seen.set(id, now + DEDUP_TTL_MS);
  return false;
}

const server = http.createServer((req, res) => {
  if (req.url === '/api/health') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok' }));
    return;
  }
  res.writeHead(404);
  res.end();
});
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

server.on('upgrade', (req, socket, head) => {
  const match = PATH.exec(req.url);
  if (!match) {
    socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.tripId = match[1];
    wss.emit('connection', ws);
  });
});

wss.on('connection', (ws) => {
  ws.user = null;
  ws.channels = new Set();
  const authTimer = setTimeout(() => ws.close(4008), 5000);

  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      ws.close(1003);
      return;
    }
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (e) {
      if (!ws.user) {
        ws.close(4000);
      } else {
        sendError(ws, null, 'bad_frame', 'not JSON');
      }
      return;
    }
    if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) {
      sendError(ws, null, 'bad_frame', 'not an object');
      return;
    }

    if (!ws.user) {
      clearTimeout(authTimer);
      const claims = verify(frame.token, Date.now() / 1000);
      if (!claims) {
        ws.send(JSON.stringify({ type: 'auth_error', success: false,
                                 error: { code: 'invalid_token', message: 'invalid token' } }));
        ws.close(4001);
        return;
      }
      if (!Array.isArray(claims.trips) || !claims.trips.includes(ws.tripId)) {
        ws.send(JSON.stringify({ type: 'auth_error', success: false,
                                 error: { code: 'forbidden', message: 'trip not granted' } }));
        ws.close(4003);
        return;
      }
      ws.user = claims.sub;
      const channel = 'trip:' + ws.tripId;
      ws.channels.add(channel);
      if (!channels.has(channel)) channels.set(channel, new Set());
      channels.get(channel).add(ws);
      ws.send(JSON.stringify({
        type: 'auth_ok', success: true, userId: ws.user, sessionId: null,
        connectionId: 'c-' + (++connectionCounter), availableChannels: [channel],
        deniedChannels: [], permissions: ['read', 'write'], heartbeatIntervalMs: 30000,
        maxMessageBytes: 65536, serverTime: Date.now(),
      }));
      return;
    }

    switch (frame.type) {
      case 'heartbeat':
        ws.send(JSON.stringify({ type: 'heartbeat_ack', ts: frame.ts, serverTime: Date.now() }));
        return;
      case 'publish': {
        const { id, channel, event } = frame;
        if (typeof id !== 'string' || typeof channel !== 'string' || typeof event !== 'string') {
          sendError(ws, id, 'bad_frame', 'A publish needs id, channel and event');
          return;
        }
        if (!ws.channels.has(channel)) {
          sendError(ws, id, 'not_subscribed', 'not subscribed');
          return;
        }
        if (!TRIP_EVENTS.has(event)) {
          sendError(ws, id, 'forbidden_event', 'event not allowed');
          return;
        }
        const now = Date.now();
        if (isDuplicate(ws.user, id, now)) {
          ws.send(JSON.stringify({ type: 'ack', id, status: 'duplicate' }));
          return;
        }
        ws.send(JSON.stringify({ type: 'ack', id, status: 'ok' }));
        const out = JSON.stringify({
          type: 'message', id, channel, event, from: ws.user,
          priority: frame.priority || 'normal', timestamp: now, payload: frame.payload || {},
        });
        for (const peer of channels.get(channel)) {
          if (peer !== ws) peer.send(out);
        }
        return;
      }
      default:
        sendError(ws, null, 'unknown_type', 'unknown type');
    }
  });

  ws.on('close', () => {
    clearTimeout(authTimer);
    for (const channel of ws.channels) {
      const set = channels.get(channel);
      if (set) {
        set.delete(ws);
        if (set.size === 0) channels.delete(channel);
      }
    }
  });
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on ws://127.0.0.1:${server.address().port}\n`);
});

process.on('SIGTERM', () => {
  for (const ws of wss.clients) ws.close(1001);
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
