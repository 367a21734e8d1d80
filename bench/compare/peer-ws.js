'use strict';
// A Node `ws` server doing Parley's message path for the comparison: welcome, an optional default room (joined
// with the member list, presence to the others), join, message (parse, seq per room, from/ts, broadcast to every
// member with the sender's ref, then ack to the sender). Nothing is stored.
//   node peer-ws.js PORT [defaultRoom]
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2]);
const defaultRoom = process.argv[3] && process.argv[3] !== 'none' ? process.argv[3] : null;
const rooms = new Map(); // name -> { seq, members: Set<ws> }
let sessions = 0;

function room(name) {
  let r = rooms.get(name);
  if (!r) {
    r = { seq: 0, members: new Set() };
    rooms.set(name, r);
  }
  return r;
}

function join(ws, name, ref) {
  const r = room(name);
  if (r.members.has(ws)) return;
  const presence = JSON.stringify({ type: 'presence', room: name, user: ws.user, event: 'join' });
  for (const m of r.members) m.send(presence);
  r.members.add(ws);
  ws.rooms.add(name);
  const members = [...new Set([...r.members].map((m) => m.user))].sort();
  ws.send(JSON.stringify({ type: 'joined', room: name, members, history: [], epoch: 'peer', ref }));
}

function leaveAll(ws) {
  for (const name of ws.rooms) {
    const r = rooms.get(name);
    r.members.delete(ws);
    const presence = JSON.stringify({ type: 'presence', room: name, user: ws.user, event: 'leave' });
    for (const m of r.members) m.send(presence);
  }
}

const wss = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 64 * 1024 });
wss.on('connection', (ws, req) => {
  ws.user = new URL(req.url, 'http://x').searchParams.get('name') || 'guest-' + sessions;
  ws.rooms = new Set();
  sessions++;
  ws.send(JSON.stringify({ type: 'welcome', user: ws.user, session: String(sessions), protocol: 1,
    rooms: defaultRoom ? [defaultRoom] : [] }));
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
