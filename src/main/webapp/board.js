// The Parley drawing board: a shared canvas on the client library. Strokes are room messages with `data`
// (stored, so a page opened later pages back through history and shows the whole drawing); pointers are
// signals (never stored, only the newest matters); each person's colour is their member state.
// Names are put into the page with textContent, never as markup.
import {ParleyClient, socketUrl} from './parley.js';

/** At most this many points per stroke message; a longer stroke goes as several (each well within the data limit). */
const POINTS_PER_MESSAGE = 400;
/** At most one pointer signal per this many ms: 60 per second, the default signal rate's half. */
const SIGNAL_INTERVAL_MS = 1000 / 60;
const LINE_WIDTH = 4;
const PAGE = 100;

const $ = (id) => document.getElementById(id);
const canvas = $('canvas');
const ctx = canvas.getContext('2d');

/** Every stroke of the board by seq; drawn in seq order, so every page shows the same picture. */
const strokes = new Map();
/** The lowest seq of the room this page has seen (any message), to know where paging back starts. */
let oldestSeq = Infinity;
let client = null;
let room = null;

/** A colour from a name, for people whose chosen colour is not known (yet). */
function colourOf(name) {
    let h = 0;
    for (const c of name) {
        h = (h * 31 + c.codePointAt(0)) % 360;
    }
    return 'hsl(' + h + ', 70%, 42%)';
}

function colourOfMember(user) {
    const state = client?.memberStates(room)[user];
    return typeof state?.colour === 'string' ? state.colour : colourOf(user);
}

/** A point of a pointer event in board coordinates: 0 to 1 across and down, 4 decimals. */
function boardPoint(event) {
    const box = canvas.getBoundingClientRect();
    const clamp = (v) => Math.min(1, Math.max(0, v));
    const round = (v) => Math.round(v * 10_000) / 10_000;
    return [round(clamp((event.clientX - box.left) / box.width)), round(clamp((event.clientY - box.top) / box.height))];
}

/** Whether a message's data is a stroke this page can draw (anything else in the room is left alone). */
function isStroke(data) {
    return data !== null && typeof data === 'object' && data.kind === 'stroke' && Array.isArray(data.points)
        && data.points.every((p) => Array.isArray(p) && p.length === 2 && p.every(Number.isFinite));
}

function drawStroke(data) {
    const points = data.points;
    if (points.length === 0) {
        return;
    }
    ctx.strokeStyle = typeof data.colour === 'string' ? data.colour : '#333';
    ctx.lineWidth = Number.isFinite(data.width) ? Math.min(40, Math.max(1, data.width)) : LINE_WIDTH;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(points[0][0] * canvas.width, points[0][1] * canvas.height);
    for (const [x, y] of points.length === 1 ? [points[0], points[0]] : points.slice(1)) {
        ctx.lineTo(x * canvas.width, y * canvas.height);
    }
    ctx.stroke();
}

function redraw() {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    for (const seq of [...strokes.keys()].sort((a, b) => a - b)) {
        drawStroke(strokes.get(seq));
    }
    if (current) {
        drawStroke(current);
    }
}

/** Takes a stored message; returns whether it was a new stroke. */
function remember(message) {
    oldestSeq = Math.min(oldestSeq, message.seq);
    if (!isStroke(message.data) || strokes.has(message.seq)) {
        return false;
    }
    strokes.set(message.seq, message.data);
    canvas.dataset.strokes = String(strokes.size);
    return true;
}

/** Pages back through the room's history until its first message, so the whole drawing shows. */
async function loadOlder() {
    while (oldestSeq > 1 && oldestSeq !== Infinity) {
        const older = await client.history(room, {before: oldestSeq, limit: PAGE});
        if (older.length === 0) {
            break;
        }
        older.forEach(remember);
        oldestSeq = Math.min(oldestSeq, older[0].seq);
        redraw();
    }
}

// ------------------------------------------------------------------ drawing

let current = null;

canvas.addEventListener('pointerdown', (event) => {
    if (!client || event.button !== 0) {
        return;
    }
    canvas.setPointerCapture(event.pointerId);
    current = {kind: 'stroke', colour: colourOfMember(client.user), width: LINE_WIDTH, points: [boardPoint(event)]};
    drawStroke(current);
});

canvas.addEventListener('pointermove', (event) => {
    const point = boardPoint(event);
    pointerMoved(point);
    if (!current) {
        return;
    }
    const last = current.points[current.points.length - 1];
    if (last[0] === point[0] && last[1] === point[1]) {
        return;
    }
    current.points.push(point);
    drawStroke({...current, points: [last, point]});
    if (current.points.length >= POINTS_PER_MESSAGE) {
        finishStroke();
        current = {...current, points: [point]};
    }
});

for (const type of ['pointerup', 'pointercancel']) {
    canvas.addEventListener(type, () => {
        finishStroke();
        current = null;
    });
}

/** Sends the stroke drawn so far as one stored message; the echo (with its seq) puts it on the board for good. */
function finishStroke() {
    if (!current || !client) {
        return;
    }
    const data = current;
    client.send(room, null, data).catch((e) => {
        $('open-error').textContent = 'A stroke was not saved: ' + e.message;
    });
}

// ------------------------------------------------------------------ pointers of others

let signalDue = 0;
let signalLater = null;
let lastPoint = null;

/** Sends this pointer's position, at most 60 times a second; the last position is always sent. */
function pointerMoved(point) {
    lastPoint = point;
    if (!client || signalLater !== null) {
        return;
    }
    const wait = signalDue - performance.now();
    if (wait > 0) {
        signalLater = setTimeout(() => {
            signalLater = null;
            pointerMoved(lastPoint);
        }, wait);
        return;
    }
    signalDue = performance.now() + SIGNAL_INTERVAL_MS;
    client.signal(room, {x: point[0], y: point[1]});
}

canvas.addEventListener('pointerleave', () => {
    if (client) {
        client.signal(room, {gone: true});
    }
});

function cursorOf(user) {
    for (const el of $('cursors').children) {
        if (el.dataset.user === user) {
            return el;
        }
    }
    const el = document.createElement('div');
    el.className = 'cursor';
    el.dataset.user = user;
    const label = document.createElement('span');
    label.textContent = user;
    el.append(label);
    $('cursors').append(el);
    return el;
}

function showCursor(user, data) {
    const el = cursorOf(user);
    el.style.setProperty('--colour', colourOfMember(user));
    if (data.gone === true || !Number.isFinite(data.x) || !Number.isFinite(data.y)) {
        el.hidden = true;
        return;
    }
    el.hidden = false;
    el.style.left = (data.x * 100) + '%';
    el.style.top = (data.y * 100) + '%';
    el.dataset.x = String(data.x);
    el.dataset.y = String(data.y);
}

function removeCursor(user) {
    for (const el of [...$('cursors').children]) {
        if (el.dataset.user === user) {
            el.remove();
        }
    }
}

function showPeople() {
    const list = $('people');
    list.replaceChildren(...client.members(room).map((user) => {
        const li = document.createElement('li');
        li.textContent = user;
        li.style.setProperty('--colour', colourOfMember(user));
        return li;
    }));
}

// ------------------------------------------------------------------ connection

const STATUS = {
    idle: 'Not connected', connecting: 'Connecting...', open: 'Connected', reconnecting: 'Connection lost, reconnecting...',
    closed: 'Disconnected',
};

function open(name, board) {
    room = board;
    client = new ParleyClient({url: socketUrl(location.href), name});
    client.on('state', (s) => {
        $('status').dataset.state = s.state;
        $('status').textContent = STATUS[s.state] ?? s.state;
        if (s.state === 'open') {
            $('me').textContent = s.user;
        }
    });
    client.on('joined', (info) => {
        if (info.room !== room) {
            return;
        }
        if (info.reset) {
            strokes.clear();
            oldestSeq = Infinity;
        }
        showPeople();
    });
    client.on('message', (m) => {
        if (m.room !== room) {
            return;
        }
        const newest = [...strokes.keys()].every((seq) => seq < m.seq);
        if (remember(m)) {
            if (newest) {
                drawStroke(m.data); // on top of everything: no need to draw the rest again
            } else {
                redraw();
            }
        }
    });
    client.on('signal', (s) => {
        if (s.room === room && s.data && typeof s.data === 'object') {
            showCursor(s.from, s.data);
        }
    });
    client.on('presence', (p) => {
        if (p.room !== room) {
            return;
        }
        if (p.event === 'leave') {
            removeCursor(p.user);
        }
        showPeople();
    });
    client.on('error', (e) => {
        $('open-error').textContent = e.message;
    });
    client.connect();
    client.join(room).then(async () => {
        // The server's own default room is of no use here.
        for (const other of client.rooms.filter((r) => r !== room)) {
            client.leave(other);
        }
        client.setMemberState(room, {colour: colourOf(client.user)});
        $('swatch').style.background = colourOf(client.user);
        $('board-name').textContent = room;
        $('who').hidden = false;
        $('open-form').hidden = true;
        $('stage').hidden = false;
        showPeople();
        await loadOlder();
        document.body.dataset.ready = 'true';
    }, (e) => {
        $('open-error').textContent = 'Could not open the board: ' + e.message;
        client.close();
        client = null;
    });
}

$('open-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = $('open-name').value.trim();
    const board = $('open-board').value.trim() || 'board';
    if (!name) {
        $('open-error').textContent = 'Choose a name first.';
        return;
    }
    $('open-error').textContent = '';
    sessionStorage.setItem('parley.board.name', name);
    open(name, board);
});

const params = new URLSearchParams(location.search);
$('open-board').value = params.get('board') ?? 'board';
const remembered = params.get('name') ?? sessionStorage.getItem('parley.board.name');
if (remembered) {
    $('open-name').value = remembered;
    open(remembered, $('open-board').value);
}
