'use strict';
// A Socket.IO server doing Parley's message path for the comparison (its own framing, the same work):
// an optional default room joined on connect with the member list and presence to the others, join, message
// (seq per room, from/ts, broadcast to the room, then the acknowledgement callback with the seq).
//   node peer-socketio.js PORT [defaultRoom]
const http = require('http');
const { Server } = require('socket.io');

const port = Number(process.argv[2]);
const defaultRoom = process.argv[3] && process.argv[3] !== 'none' ? process.argv[3] : null;
const seqs = new Map();
const io = new Server({ transports: ['websocket'], serveClient: false, maxHttpBufferSize: 64 * 1024 });

function join(socket, name) {
  socket.to(name).emit('presence', { room: name, user: socket.data.user, event: 'join' });
  socket.join(name);
  const members = [...new Set([...(io.sockets.adapter.rooms.get(name) || [])]
    .map((id) => io.sockets.sockets.get(id).data.user))].sort();
  socket.emit('joined', { room: name, members, history: [] });
}

io.on('connection', (socket) => {
  socket.data.user = socket.handshake.query.name || 'guest-' + socket.id;
  socket.emit('welcome', { user: socket.data.user, session: socket.id, rooms: defaultRoom ? [defaultRoom] : [] });
  if (defaultRoom) join(socket, defaultRoom);
  socket.on('join', (f) => join(socket, f.room));
  socket.on('message', (f, ack) => {
    if (!socket.rooms.has(f.room)) {
      if (typeof ack === 'function') ack({ error: 'not_member' });
      return;
    }
    const seq = (seqs.get(f.room) || 0) + 1;
    seqs.set(f.room, seq);
    io.to(f.room).emit('message', { room: f.room, seq, from: socket.data.user, text: f.text,
      ts: new Date().toISOString(), ref: f.ref });
    if (typeof ack === 'function') ack({ ref: f.ref, room: f.room, seq });
  });
  socket.on('disconnecting', () => {
    for (const name of socket.rooms) {
      if (name !== socket.id) socket.to(name).emit('presence', { room: name, user: socket.data.user, event: 'leave' });
    }
  });
});
const server = http.createServer();
io.attach(server);
server.listen(port, '127.0.0.1', () => console.log('ready in peer-socketio on ' + port));
