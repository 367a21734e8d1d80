'use strict';
// A Node `ws` server doing Parley's message path for the comparison: welcome, an optional default room (joined
// with the member list, presence to the others), join, message (parse, seq per room, from/ts, broadcast to every
// member with the sender's ref, then ack to the sender). Nothing is stored.
// Presence follows Parley's rules (docs/protocol.md, "Presence in large rooms"): clients that connect with
// ?features=presence-diff get one presence_diff per room per 100 ms; others one presence frame per event while the
// room has at most 200 users, none beyond; a large room's diffs carry the count only, one interval per 200 users; joined lists at most 200 members (here the first 200 to have joined,
// where Parley lists the first 200 by name) with the count.
//   node peer-ws.js PORT [defaultRoom]
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2]);
const defaultRoom = process.argv[3] && process.argv[3] !== 'none' ? process.argv[3] : null;
const rooms = new Map(); // name -> { seq, members: Set<ws>, users: Map<user, tabs>, pending: Map<user, in?> }
const LARGE_ROOM = 200;
const INTERVAL_MS = 100;
let sessions = 0;

function room(name) {
  let r = rooms.get(name);
  if (!r) {
    r = { seq: 0, members: new Set(), users: new Map(), pending: new Map(), timer: null, named: true, count: -1 };
    rooms.set(name, r);
  }
  return r;
}

/** One presence frame per event to the v1 clients of a small room; the diff clients' change waits for the timer. */
function tell(name, r, user, inRoom) {
  r.pending.set(user, inRoom);
  if (r.users.size <= LARGE_ROOM) {
    const presence = JSON.stringify({ type: 'presence', room: name, user, event: inRoom ? 'join' : 'leave' });
    for (const m of r.members) if (!m.diffs && m.user !== user) m.send(presence);
  }
  // as Parley: a large room's count goes out once per interval per 200 users
  if (!r.timer) r.timer = setTimeout(() => flush(name, r), INTERVAL_MS * Math.max(1, Math.ceil(r.users.size / LARGE_ROOM)));
}

function flush(name, r) {
  r.timer = null;
  const count = r.users.size;
  const named = count <= LARGE_ROOM;
  let diff = null;
  if (named && !r.named) {
    diff = { type: 'presence_diff', room: name, members: [...r.users.keys()].sort(), count };
  } else if (named) {
    const joins = [];
    const leaves = [];
    for (const [u, inRoom] of r.pending) (inRoom ? joins : leaves).push(u);
    diff = { type: 'presence_diff', room: name, count };
    if (joins.length) diff.joins = joins.sort();
    if (leaves.length) diff.leaves = leaves.sort();
  } else if (count !== r.count) {
    diff = { type: 'presence_diff', room: name, count };
  }
  r.pending.clear();
  r.named = named;
  if (!diff) return;
  r.count = count;
  const out = JSON.stringify(diff);
  for (const m of r.members) if (m.diffs) m.send(out);
}

function join(ws, name, ref) {
  const r = room(name);
  if (r.members.has(ws)) return;
  r.members.add(ws);
  ws.rooms.add(name);
  const tabs = r.users.get(ws.user) || 0;
  r.users.set(ws.user, tabs + 1);
  if (tabs === 0) tell(name, r, ws.user, true);
  const members = [];
  for (const u of r.users.keys()) {
    if (members.length === LARGE_ROOM) break;
    members.push(u);
  }
  const joined = { type: 'joined', room: name, members, history: [], epoch: 'peer', ref };
  if (ws.diffs || r.users.size > members.length) joined.count = r.users.size;
  ws.send(JSON.stringify(joined));
}

function leaveAll(ws) {
  for (const name of ws.rooms) {
    const r = rooms.get(name);
    r.members.delete(ws);
    const tabs = r.users.get(ws.user) - 1;
    if (tabs > 0) {
      r.users.set(ws.user, tabs);
    } else {
      r.users.delete(ws.user);
      tell(name, r, ws.user, false);
    }
  }
}

const wss = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 64 * 1024 });
wss.on('connection', (ws, req) => {
  const query = new URL(req.url, 'http://x').searchParams;
  ws.user = query.get('name') || 'guest-' + sessions;
  ws.diffs = (query.get('features') || '').split(',').includes('presence-diff');
  ws.rooms = new Set();
  sessions++;
  const welcome = { type: 'welcome', user: ws.user, session: String(sessions), protocol: 1,
    rooms: defaultRoom ? [defaultRoom] : [] };
  if (ws.diffs) welcome.features = ['presence-diff'];
  ws.send(JSON.stringify(welcome));
  if (defaultRoom) join(ws, defaultRoom);
  ws.on('message', (data) => {
    let f;
    try {
      f = JSON.parse(data);
    } catch (e) {
      ws.send(JSON.stringify({ type: 'error', code: 'bad_json', message: 'not JSON' }));
      return;
    }
    if (f.type === 'join') {
      join(ws, f.room, f.ref);
    } else if (f.type === 'message') {
      const r = rooms.get(f.room);
      if (!r || !r.members.has(ws)) {
        ws.send(JSON.stringify({ type: 'error', code: 'not_member', ref: f.ref }));
        return;
      }
      const seq = ++r.seq;
      const out = JSON.stringify({ type: 'message', room: f.room, seq, from: ws.user, text: f.text,
        ts: new Date().toISOString(), ref: f.ref });
      for (const m of r.members) m.send(out);
      ws.send(JSON.stringify({ type: 'ack', ref: f.ref, room: f.room, seq }));
    }
  });
  ws.on('close', () => leaveAll(ws));
});
wss.on('listening', () => console.log('ready in peer-ws on ' + port));
