// SPDX-License-Identifier: GPL-3.0-or-later
// The Node.js side of the receive benchmark: the npm `ws` client doing what a browser-side
// connection manager does per frame: JSON.parse, a Set for dedup, counters. Prints
// "cpu_s=S messages=N" (process CPU, user + system, from auth_ok to the last frame).
'use strict';

const WebSocket = require('ws');

const url = process.argv[2];
const expected = parseInt(process.argv[3] || '200000', 10);
if (!url) {
  console.error('usage: node bench-receive-node.js ws://HOST:PORT/ws/chat/bench [COUNT]');
  process.exit(2);
}

const seen = new Set();
const perChannel = new Map();
let received = 0;
let duplicates = 0;
let bytes = 0;
let cpuStart = null;

const ws = new WebSocket(url, { perMessageDeflate: false });
ws.on('open', () => {
  ws.send(JSON.stringify({ type: 'auth', token: 'x', sessionId: 'bench', channels: ['chat:bench'] }));
});
ws.on('message', (data) => {
  bytes += data.length;
  const frame = JSON.parse(data);
  if (frame.type === 'auth_ok') {
    cpuStart = process.cpuUsage();
    return;
  }
  if (frame.type !== 'message') return;
  if (seen.has(frame.id)) {
    duplicates++;
    return;
  }
  seen.add(frame.id);
  perChannel.set(frame.channel, (perChannel.get(frame.channel) || 0) + 1);
  received++;
  if (received === expected) {
    const cpu = process.cpuUsage(cpuStart);
    console.log(`cpu_s=${((cpu.user + cpu.system) / 1e6).toFixed(4)} messages=${received}`);
    ws.close(1000);
    process.exit(0);
  }
});
ws.on('error', (err) => {
  console.error(`connect: ${err.message}`);
  process.exit(1);
});
