'use strict';
// Load generator of bench/compare/run.sh: Node clients against Parley or a peer, one JSON line of results.
//   node load.js --proto ws|socketio --url URL --mode fanout|connect|idle|churn|durable [options]
// fanout:  --receivers N --senders S --window W --warmup SEC --seconds SEC  (one room; W messages in flight
//          per sender, the next sent on each ack; latency from sending to a receiver getting it)
// connect: --clients N  (all connect at once into the server's default room; time until every one has `joined`)
// bigroom: --clients N  (N connect into the default room, then one of them sends a message: seconds until all are
//          joined, and seconds until the message reached every one)
// --features presence-diff: the ws clients ask for presence diffs (docs/protocol.md)
// idle:    --clients N --pid SERVER_PID [--histograms PREFIX]  (N idle connections, no room; server RSS growth and,
//          for a JVM, live heap growth per connection; the class histograms before and after go to PREFIX-*.txt)
// churn:   --concurrency C --seconds SEC  (connect, await welcome, close, repeat; connects/s)
// durable: --senders S --window W --warmup SEC --seconds SEC  (each sender in a room of its own; acks/s, ack p99)
// Every loop is bounded by its count and by --seconds; all traffic goes to the URL given (loopback).
const fs = require('fs');
const { execFileSync } = require('child_process');
const WebSocket = require('ws');
const { io } = require('socket.io-client');

const opts = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) opts[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const proto = opts.proto || 'ws';
const url = opts.url;
const mode = opts.mode || 'fanout';
const num = (k, d) => (opts[k] === undefined ? d : Number(opts[k]));
const ROOM = 'bench';
// Refs unique to this run: a server keeps refs for its idempotency window, and a later run on the same server
// (measure() runs a warm-up first) would otherwise send the same refs again and be answered with duplicates.
const RUN = process.pid.toString(36) + Date.now().toString(36);
const TIMEOUT_MS = num('timeout', 180) * 1000;

const now = () => Number(process.hrtime.bigint() / 1000n); // microseconds

/** One client: the same small API over Parley's protocol (raw `ws`) or Socket.IO. */
function client(name, handlers) {
  if (proto === 'socketio') {
    const s = io(url, { transports: ['websocket'], query: { name }, forceNew: true, reconnection: false });
    for (const t of ['welcome', 'joined', 'message', 'presence']) s.on(t, (f) => handlers[t] && handlers[t](f));
    s.on('connect_error', (e) => handlers.error && handlers.error(e));
    return {
      join: (room) => s.emit('join', { room }),
      send: (room, text, ref) => s.emit('message', { room, text, ref }, (a) => handlers.ack && handlers.ack(a)),
      close: () => s.close(),
    };
  }
  const features = opts.features ? '&features=' + encodeURIComponent(opts.features) : '';
  const ws = new WebSocket(url + (url.includes('?') ? '&' : '?') + 'name=' + encodeURIComponent(name) + features, 'chat',
    { perMessageDeflate: false });
  ws.on('message', (data) => {
    const f = JSON.parse(data);
    const h = handlers[f.type];
    if (h) h(f);
  });
  ws.on('error', (e) => handlers.error && handlers.error(e));
  return {
    join: (room) => ws.send(JSON.stringify({ type: 'join', room, ref: 'j' })),
    send: (room, text, ref) => ws.send(JSON.stringify({ type: 'message', room, text, ref })),
    close: () => ws.close(),
  };
}

/** A 60-character text that carries its sending time. */
function stamped() {
  return ('t' + now()).padEnd(60, '.');
}

class Histogram {
  constructor() { this.values = []; }
  add(v) { if (this.values.length < 2_000_000) this.values.push(v); }
  pct(p) {
    if (!this.values.length) return null;
    const s = Float64Array.from(this.values).sort();
    return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] / 1000;
  }
}

/**
 * CPU seconds the server process has used so far (user + system, from /proc), or null without --pid: on a shared
 * machine what a server spends per connection says more than the wall time, which other work stretches.
 */
function serverCpu() {
  const pid = opts.pid;
  if (!pid) return null;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 a second)
  } catch {
    return null;
  }
}
const serverCpuAtStart = serverCpu();
const cpuSince = (start) => {
  const now = serverCpu();
  return start === null || now === null ? null : Math.round((now - start) * 100) / 100;
};

function finish(result) {
  const cpu = process.cpuUsage(startCpu);
  const wall = (now() - startWall) / 1e6;
  result.loadCpuPercent = Math.round(((cpu.user + cpu.system) / 1e6 / wall) * 100);
  console.log(JSON.stringify(result));
  process.exit(0);
}

function fail(why) {
  console.log(JSON.stringify({ error: why }));
  process.exit(1);
}

const startCpu = process.cpuUsage();
const startWall = now();
setTimeout(() => fail('timed out after ' + TIMEOUT_MS / 1000 + ' s in mode ' + mode), TIMEOUT_MS).unref();

/**
 * The server's memory in KB: its resident set, and for a JVM the live Java heap, read from a class histogram
 * (`jcmd PID GC.class_histogram` runs a full collection first and counts every object still reachable, whatever
 * heap size the collector chose to keep committed; RSS of a JVM mostly follows that choice, not the connections).
 */
function memory(pid, label) {
  let heapKb = null;
  if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('java')) {
    const histogram = execFileSync('jcmd', [String(pid), 'GC.class_histogram'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (label && opts.histograms) fs.writeFileSync(`${opts.histograms}-${label}.txt`, histogram);
    const m = /^Total\s+\d+\s+(\d+)\s*$/m.exec(histogram);
    heapKb = m ? Number(m[1]) / 1024 : null;
  }
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { rssKb: Number(m[1]), heapKb };
}

/** CPU seconds (user + system) the process has used so far, or null without --pid (from /proc/PID/stat, 100 ticks/s). */
function cpuSeconds(pid) {
  if (!pid) return null;
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime: fields 14 and 15 of the whole line
  } catch (e) {
    return null;
  }
}

async function joinedClients(count, prefix, room) {
  const clients = [];
  await Promise.all(Array.from({ length: count }, (_, i) => new Promise((resolve, reject) => {
    const handlers = {
      welcome: () => c.join(room),
      joined: (f) => { if (f.room === room) resolve(); },
      error: reject,
    };
    const c = client(prefix + i, handlers);
    c.handlers = handlers;
    clients.push(c);
  })));
  return clients;
}

/**
 * Opens n clients with at most --parallel (default 200) handshakes under way at once (more overflow the
 * servers' accept backlogs, and the kernel's SYN retries would be measured instead of the server), and
 * resolves when each has got the frame `until` (welcome, or joined for the default room).
 */
function opened(n, prefix, until) {
  const parallel = num('parallel', 200);
  const clients = [];
  return new Promise((resolve, reject) => {
    let started = 0;
    let done = 0;
    const start = () => {
      if (started >= n) return;
      let counted = false;
      const handlers = {
        [until]: () => {
          if (counted) return;
          counted = true;
          if (++done === n) resolve(clients);
          else start();
        },
        error: reject,
      };
      const c = client(prefix + started++, handlers);
      c.handlers = handlers;
      clients.push(c);
    };
    for (let i = 0; i < Math.min(parallel, n); i++) start();
  });
}

/** Senders keep `window` messages in flight in their rooms while receivers count; measured after a warm-up. */
async function load(receiversPerRoom, senderRooms, window, warmup, seconds) {
  const lat = new Histogram();
  let deliveries = 0;
  let acks = 0;
  let measuring = false;
  let running = true;
  const rooms = [...new Set(senderRooms)];
  const receivers = [];
  for (const room of rooms) {
    const rs = await joinedClients(receiversPerRoom, 'r-' + room + '-', room);
    for (const r of rs) {
      r.handlers.message = (f) => {
        if (!measuring) return;
        deliveries++;
        lat.add(now() - Number(f.text.slice(1, f.text.indexOf('.'))));
      };
    }
    receivers.push(...rs);
  }
  const ackLat = new Histogram();
  const senders = await Promise.all(senderRooms.map((room, i) => joinedClients(1, 's' + i + '-', room)
    .then(([s]) => ({ s, room }))));
  for (const { s, room } of senders) {
    const sentAt = new Map();
    let n = 0;
    const next = () => {
      if (!running) return;
      const ref = RUN + '.' + n++;
      sentAt.set(ref, now());
      s.send(room, stamped(), ref);
    };
    s.handlers.ack = (a) => {
      const t = sentAt.get(a.ref);
      sentAt.delete(a.ref);
      if (measuring) {
        acks++;
        ackLat.add(now() - t);
      }
      next();
    };
    for (let i = 0; i < window; i++) next();
  }
  await new Promise((r) => setTimeout(r, warmup * 1000));
  measuring = true;
  const t0 = now();
  const cpu0 = cpuSeconds(num('pid'));
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  running = false;
  const secs = (now() - t0) / 1e6;
  const cpu1 = cpuSeconds(num('pid'));
  // The server's CPU in the window: with the machine shared, how much work each ack cost it says more than acks/s.
  const serverCpu = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
  [...receivers, ...senders.map((x) => x.s)].forEach((c) => c.close());
  return { deliveriesPerSec: Math.round(deliveries / secs), acksPerSec: Math.round(acks / secs),
    p50: lat.pct(0.5), p99: lat.pct(0.99), max: lat.pct(1), ackP50: ackLat.pct(0.5), ackP99: ackLat.pct(0.99),
    serverCpuPercent: serverCpu === null ? null : Math.round((serverCpu / secs) * 100),
    acksPerServerCpuSecond: serverCpu ? Math.round(acks / serverCpu) : null };
}

async function main() {
  if (mode === 'fanout') {
    const senders = num('senders', 1);
    const rooms = num('rooms', 1);
    const senderRooms = Array.from({ length: senders }, (_, i) => ROOM + (i % rooms));
    const r = await load(num('receivers', 100), senderRooms, num('window', 10), num('warmup', 3), num('seconds', 10));
    finish({ mode, proto, receivers: num('receivers', 100), senders, rooms, window: num('window', 10), ...r });
  } else if (mode === 'durable') {
    const senders = num('senders', 100);
    const r = await load(0, Array.from({ length: senders }, (_, i) => 'd' + i), num('window', 10),
      num('warmup', 3), num('seconds', 10));
    finish({ mode, proto, senders, window: num('window', 10), acksPerSec: r.acksPerSec, ackP50: r.ackP50, ackP99: r.ackP99,
      serverCpuPercent: r.serverCpuPercent, acksPerServerCpuSecond: r.acksPerServerCpuSecond });
  } else if (mode === 'connect') {
    const n = num('clients', 1000);
    const t0 = now();
    const cpu0 = serverCpu();
    const clients = await opened(n, 'c', 'joined');
    const secs = (now() - t0) / 1e6;
    const cpu = cpuSince(cpu0);
    clients.forEach((c) => c.close());
    finish({ mode, proto, clients: n, parallel: num('parallel', 200), seconds: Math.round(secs * 100) / 100,
      serverCpuSeconds: cpu, serverCpuMsPerConnect: cpu === null ? null : Math.round((cpu / n) * 1e5) / 100 });
  } else if (mode === 'bigroom') {
    const n = num('clients', 10000);
    const t0 = now();
    const cpu0 = serverCpu();
    const clients = await opened(n, 'b', 'joined');
    const joinSecs = (now() - t0) / 1e6;
    const joinCpu = cpuSince(cpu0);
    let got = 0;
    const t1 = now();
    const all = new Promise((resolve) => {
      for (const c of clients) {
        c.handlers.message = (f) => { if (f.text === 'to everyone' && ++got === n) resolve(); };
      }
    });
    clients[0].send(opts.room || 'lobby', 'to everyone', 'big-1');
    await all;
    const deliverSecs = (now() - t1) / 1e6;
    clients.forEach((c) => c.close());
    finish({ mode, proto, clients: n, joinSeconds: Math.round(joinSecs * 100) / 100,
      deliverSeconds: Math.round(deliverSecs * 1000) / 1000, received: got, serverCpuSeconds: joinCpu });
  } else if (mode === 'idle') {
    const n = num('clients', 5000);
    const pid = num('pid');
    await new Promise((r) => setTimeout(r, num('settle', 5) * 1000)); // an earlier run's connections are released
    const before = memory(pid, 'before');
    const t0 = now();
    const clients = await opened(n, 'i', 'welcome');
    const connectSecs = (now() - t0) / 1e6;
    await new Promise((r) => setTimeout(r, num('settle', 5) * 1000)); // let the server's allocations settle
    const after = memory(pid, 'after');
    clients.forEach((c) => c.close());
    const per = (a, b) => (a === null || b === null ? null : Math.round(((a - b) / n) * 10) / 10);
    finish({ mode, proto, clients: n, connectSeconds: Math.round(connectSecs * 100) / 100,
      rssBeforeKb: before.rssKb, rssAfterKb: after.rssKb, kbPerConnection: per(after.rssKb, before.rssKb),
      heapKbPerConnection: per(after.heapKb, before.heapKb) });
  } else if (mode === 'churn') {
    const concurrency = num('concurrency', 20);
    const until = now() + num('seconds', 10) * 1e6;
    let done = 0;
    const loop = () => new Promise((resolve, reject) => {
      const step = () => {
        if (now() > until) return resolve();
        const c = client('ch' + done, {
          welcome: () => { done++; c.close(); setImmediate(step); },
          error: reject,
        });
      };
      step();
    });
    const t0 = now();
    const cpu0 = serverCpu();
    await Promise.all(Array.from({ length: concurrency }, loop));
    const cpu = cpuSince(cpu0);
    finish({ mode, proto, concurrency, connects: done, connectsPerSec: Math.round(done / ((now() - t0) / 1e6)),
      serverCpuSeconds: cpu, serverCpuMsPerConnect: cpu === null || !done ? null : Math.round((cpu / done) * 1e5) / 100 });
  } else {
    fail('unknown mode ' + mode);
  }
}

main().catch((e) => fail(String(e && e.message ? e.message : e)));
