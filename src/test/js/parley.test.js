// Unit tests of the browser client library (src/main/webapp/parley.js), run by `mvn verify` with Node's
// built-in test runner. The server is played by fake sockets and time by a fake clock, so every test is
// deterministic and fast.
import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {
    backoffDelay, CLOSE_CODES, closePolicy, DEFAULT_BACKOFF, protocolUrl, RESTART_BACKOFF, RESTART_CODES, RETRY_CODES,
    ParleyClient, ParleyError, PROTOCOL, SLOW_BACKOFF, socketUrl,
} from '../../main/webapp/parley.js';

/** Timers that run only when the test advances time. */
class FakeClock {
    t = 0;
    #next = 0;
    #timers = new Map();
    setTimeout = (fn, ms) => {
        const id = ++this.#next;
        this.#timers.set(id, {at: this.t + Math.max(0, ms), fn});
        return id;
    };
    clearTimeout = (id) => {
        this.#timers.delete(id);
    };
    now = () => this.t;

    /** Moves time on by `ms`, running each timer due on the way at its own time. */
    advance(ms) {
        const end = this.t + ms;
        for (;;) {
            let due = null;
            for (const [id, timer] of this.#timers) {
                if (timer.at <= end && (due === null || timer.at < due[1].at)) {
                    due = [id, timer];
                }
            }
            if (due === null) {
                break;
            }
            this.#timers.delete(due[0]);
            this.t = due[1].at;
            due[1].fn();
        }
        this.t = end;
    }
}

/** A WebSocket class whose instances the test opens, feeds and drops. */
function fakeSockets() {
    const sockets = [];
    class FakeSocket {
        static sockets = sockets;
        readyState = 0;
        sent = [];
        closedWith = null;

        constructor(url, protocols) {
            this.url = new URL(url);
            this.protocols = protocols;
            sockets.push(this);
        }

        send(text) {
            if (this.readyState !== 1) {
                throw new Error('not open');
            }
            this.sent.push(JSON.parse(text));
        }

        close(code, reason) {
            this.closedWith = {code, reason};
            this.readyState = 2;
        }

        // ---- the server's side
        open() {
            this.readyState = 1;
            this.onopen?.({});
        }

        receive(frame) {
            this.onmessage?.({data: JSON.stringify(frame)});
        }

        drop(code = 1006, reason = '') {
            this.readyState = 3;
            this.onclose?.({code, reason});
        }

        /** Opens, welcomes and auto-joins the default room as Parley does. */
        welcome(user = 'alice', {rooms = ['lobby'], history = [], epoch = 'e1', members} = {}) {
            this.open();
            this.receive({type: 'welcome', user, session: 's' + sockets.length, protocol: 1, rooms});
            for (const room of rooms) {
                this.receive({type: 'joined', room, members: members ?? [user], history, epoch});
            }
        }

        sentOf(type) {
            return this.sent.filter((f) => f.type === type);
        }
    }
    return FakeSocket;
}

function setup(options = {}) {
    const clock = new FakeClock();
    const WebSocket = fakeSockets();
    let n = 0;
    const client = new ParleyClient({
        url: 'ws://127.0.0.1:1/parley/chat', name: 'alice', WebSocket, clock,
        random: () => ((n++ * 0.37) % 1), onListenerError: (e) => {
            throw e;
        }, ...options,
    });
    const events = {state: [], joined: [], message: [], presence: [], typing: [], direct: [], signal: [], error: []};
    for (const type of Object.keys(events)) {
        client.on(type, (d) => events[type].push(d));
    }
    const last = () => WebSocket.sockets[WebSocket.sockets.length - 1];
    /** Lets the wait before the next attempt pass. */
    const retry = () => {
        assert.equal(events.state.at(-1).state, 'reconnecting');
        clock.advance(events.state.at(-1).delay);
    };
    return {client, clock, sockets: WebSocket.sockets, last, events, retry};
}

function msg(room, seq, text = 'm' + seq, extra = {}) {
    return {type: 'message', room, seq, from: 'bob', text, ts: '2026-11-21T10:00:00.000Z', ...extra};
}

const texts = (messages) => messages.map((m) => m.text);
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('close policy', () => {
    it('retries on the codes that mean try again', () => {
        for (const code of [1001, 1006, 1011, 1012, 1013, 4008, 4408]) {
            assert.equal(closePolicy(code), 'retry', 'code ' + code);
        }
    });
    it('slows down on 4429 and wants new credentials on 4401', () => {
        assert.equal(closePolicy(4429), 'slow');
        assert.equal(closePolicy(4401), 'reauth');
    });
    it('never retries on normal closes, refusals and unknown codes', () => {
        for (const code of [1000, 1003, 1007, 1008, 1009, 4403, 4000, 4999, 3000, 0, -1, NaN, 'constructor']) {
            assert.equal(closePolicy(code), 'stop', 'code ' + code);
        }
    });
    it('derives the retry list from the one table', () => {
        assert.deepEqual(RETRY_CODES, [1001, 1006, 1011, 1012, 1013, 4008, 4408]);
        assert.ok(Object.isFrozen(CLOSE_CODES));
    });
});

describe('protocolUrl', () => {
    it('puts protocol.json next to the page', () => {
        assert.equal(protocolUrl('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080/protocol.json');
        assert.equal(protocolUrl('https://chat.example/parley/index.html?x=1#top'), 'https://chat.example/parley/protocol.json');
    });
});

describe('backoff', () => {
    it('stays within [cap * (1 - jitter), cap], the cap doubling up to max', () => {
        for (let attempt = 0; attempt < 40; attempt++) {
            const cap = Math.min(DEFAULT_BACKOFF.max, DEFAULT_BACKOFF.initial * 2 ** attempt);
            const low = backoffDelay(attempt, DEFAULT_BACKOFF, () => 0);
            const high = backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.999999);
            assert.equal(low, Math.round(cap / 2), 'attempt ' + attempt);
            assert.ok(high <= cap && high >= cap - 1, 'attempt ' + attempt + ': ' + high);
            for (let i = 0; i < 50; i++) {
                const d = backoffDelay(attempt);
                assert.ok(d >= cap / 2 - 1 && d <= cap, 'attempt ' + attempt + ': ' + d);
            }
        }
        assert.equal(backoffDelay(0, DEFAULT_BACKOFF, () => 0.999999), 500);
        assert.equal(backoffDelay(1000, DEFAULT_BACKOFF, () => 0.999999), 30_000);
    });
    it('waits longer after 4429 than after other closes', () => {
        for (let attempt = 0; attempt < 10; attempt++) {
            assert.ok(backoffDelay(attempt, SLOW_BACKOFF, () => 0) > backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.999999)
                || backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.999999) === DEFAULT_BACKOFF.max);
            assert.ok(backoffDelay(attempt, SLOW_BACKOFF, () => 0) >= 2_500);
        }
    });
    it('without jitter is exactly the capped exponential', () => {
        const b = {initial: 100, max: 1000, factor: 3, jitter: 0};
        assert.deepEqual([0, 1, 2, 3, 4].map((a) => backoffDelay(a, b)), [100, 300, 900, 1000, 1000]);
    });
    it('keeps the initial cap for the steady attempts, then grows', () => {
        const b = {initial: 100, max: 1000, factor: 2, jitter: 0, steady: 3};
        assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(a, b)), [100, 100, 100, 100, 200, 400, 800, 1000]);
    });
    it('after a restart retries every 0.5-1 s for the first 31 attempts, then every 1-2 s, with jitter', () => {
        for (let attempt = 0; attempt <= 30; attempt++) {
            assert.equal(backoffDelay(attempt, RESTART_BACKOFF, () => 0), 500);
            assert.equal(backoffDelay(attempt, RESTART_BACKOFF, () => 0.999999), 1000);
        }
        assert.deepEqual([31, 32, 33, 34, 100, 10_000].map((a) => backoffDelay(a, RESTART_BACKOFF, () => 0.999999)),
            [1500, 2000, 2000, 2000, 2000, 2000]);
        assert.equal(backoffDelay(10_000, RESTART_BACKOFF, () => 0), 1000);
        assert.deepEqual(RESTART_CODES, [1001, 1006, 1012]);
        assert.ok(RESTART_CODES.every((code) => closePolicy(code) === 'retry'));
    });
});

describe('socket URL', () => {
    it('follows the page: scheme, host and context path', () => {
        assert.equal(socketUrl('http://127.0.0.1:8080/'), 'ws://127.0.0.1:8080/chat');
        assert.equal(socketUrl('https://chat.example/parley/index.html?x=1#top'), 'wss://chat.example/parley/chat');
        assert.equal(socketUrl('http://h:9/a/b/'), 'ws://h:9/a/b/chat');
    });
});

describe('connecting', () => {
    it('offers the chat subprotocol and asks for the name', () => {
        const {client, last} = setup();
        client.connect();
        assert.equal(last().protocols, PROTOCOL);
        assert.equal(last().url.searchParams.get('name'), 'alice');
        assert.equal(last().url.pathname, '/parley/chat');
    });
    it('keeps the guest name the server gave across reconnects', () => {
        const {client, clock, last, sockets, retry} = setup({name: undefined});
        client.connect();
        assert.equal(last().url.searchParams.get('name'), null);
        last().welcome('guest-x7k2');
        last().drop(1006);
        retry();
        assert.equal(sockets.length, 2);
        assert.equal(last().url.searchParams.get('name'), 'guest-x7k2');
    });
    it('goes through connecting, open, reconnecting and open again', () => {
        const {client, clock, last, events, retry} = setup();
        client.connect();
        last().welcome();
        last().drop(1001, 'shutting down');
        retry();
        last().welcome();
        assert.deepEqual(events.state.map((s) => s.state), ['connecting', 'open', 'reconnecting', 'connecting', 'open']);
        assert.equal(events.state[2].code, 1001);
        assert.equal(client.state, 'open');
    });
});

describe('reconnect policy', () => {
    for (const code of [1001, 1006, 1011, 1012, 1013, 4008, 4408]) {
        it('reconnects after ' + code + ' within the first backoff step', () => {
            const {client, clock, last, sockets, events} = setup();
            client.connect();
            last().welcome();
            last().drop(code);
            const delay = events.state.at(-1).delay;
            assert.equal(events.state.at(-1).state, 'reconnecting');
            const [low, high] = RESTART_CODES.includes(code) ? [500, 1000] : [250, 500];
            assert.ok(delay >= low && delay <= high, 'delay ' + delay);
            clock.advance(delay - 1);
            assert.equal(sockets.length, 1);
            clock.advance(1);
            assert.equal(sockets.length, 2);
        });
    }
    for (const code of [1000, 1003, 1008, 1009, 4403]) {
        it('never reconnects after ' + code, () => {
            const {client, clock, last, sockets, events} = setup();
            client.connect();
            last().welcome();
            last().drop(code, 'no');
            clock.advance(3_600_000);
            assert.equal(sockets.length, 1);
            assert.equal(client.state, 'closed');
            assert.deepEqual(events.state.at(-1), {state: 'closed', user: 'alice', code, reason: 'no'});
        });
    }
    it('waits longer after 4429', () => {
        const {client, last, events} = setup();
        client.connect();
        last().welcome();
        last().drop(4429, 'too many');
        assert.ok(events.state.at(-1).delay >= 2_500, 'delay ' + events.state.at(-1).delay);
    });
    it('after 4401 retries once, and only when it can get new credentials', () => {
        const plain = setup();
        plain.client.connect();
        plain.last().drop(4401);
        plain.clock.advance(600_000);
        assert.equal(plain.sockets.length, 1);
        assert.equal(plain.client.state, 'closed');

        let token = 0;
        const renewing = setup({params: () => ({token: 't' + ++token})});
        renewing.client.connect();
        assert.equal(renewing.last().url.searchParams.get('token'), 't1');
        renewing.last().drop(4401);
        renewing.retry();
        assert.equal(renewing.sockets.length, 2);
        assert.equal(renewing.last().url.searchParams.get('token'), 't2');
        renewing.last().drop(4401);
        renewing.clock.advance(600_000);
        assert.equal(renewing.sockets.length, 2, 'a second 4401 in a row is final');
        assert.equal(renewing.client.state, 'closed');
    });
    it('backs off further on each failed attempt and starts over once a connection held', () => {
        const {client, clock, last, events} = setup({random: () => 0.999999});
        client.connect();
        const delays = [];
        for (let i = 0; i < 8; i++) {
            last().drop(4008);
            delays.push(events.state.at(-1).delay);
            clock.advance(events.state.at(-1).delay);
        }
        assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
        last().welcome();
        clock.advance(5_000);
        last().drop(4008);
        assert.equal(events.state.at(-1).delay, 500);
    });
    it('however long a restart takes, the next attempt comes within 2 s of the server being ready', () => {
        for (const downFor of [1_000, 5_000, 12_345, 20_000, 30_000, 40_000, 90_000, 180_000, 600_000]) {
            const {client, clock, last, sockets, events} = setup({random: () => 0.999999});
            client.connect();
            last().welcome();
            clock.advance(60_000);
            last().drop(1001, 'restarting');
            const readyAt = clock.now() + downFor;
            // Every attempt while the server is down fails at once, as a refused connection does (1006).
            while (clock.now() + events.state.at(-1).delay < readyAt) {
                clock.advance(events.state.at(-1).delay);
                last().drop(1006);
            }
            const waited = clock.now() + events.state.at(-1).delay - readyAt;
            const attempts = sockets.length;
            clock.advance(readyAt - clock.now() + waited);
            assert.equal(sockets.length, attempts + 1, 'down ' + downFor + ' ms');
            assert.ok(waited <= (downFor <= 20_000 ? 1_000 : 2_000),
                'down ' + downFor + ' ms: the next attempt came ' + waited + ' ms after the server was ready');
            last().welcome();
            assert.equal(client.state, 'open');
        }
    });
    it('a connection that breaks right after its welcome does not reset the backoff', () => {
        const {client, clock, last, events} = setup({random: () => 0.999999});
        client.connect();
        last().drop(1006);
        clock.advance(1000);
        last().welcome();
        clock.advance(100);
        last().drop(1011);
        assert.equal(events.state.at(-1).delay, 1000);
    });
    it('close() stops for good and rejects what waits', async () => {
        const {client, clock, last, sockets} = setup();
        client.connect();
        last().welcome();
        const sent = client.send('lobby', 'never answered');
        client.close();
        await assert.rejects(sent, (e) => e instanceof ParleyError && e.code === 'closed');
        assert.deepEqual(last().closedWith, {code: 1000, reason: 'bye'});
        clock.advance(600_000);
        assert.equal(sockets.length, 1);
        await assert.rejects(client.send('lobby', 'late'), (e) => e.code === 'closed');
    });
    it('reconnectNow skips the wait', () => {
        const {client, last, sockets} = setup();
        client.connect();
        last().welcome();
        last().drop(1006);
        client.reconnectNow();
        assert.equal(sockets.length, 2);
    });
});

describe('sending', () => {
    it('resolves send() with the ack of its ref', async () => {
        const {client, last} = setup();
        client.connect();
        last().welcome();
        const sent = client.send('lobby', 'hi');
        const frame = last().sentOf('message')[0];
        assert.equal(frame.room, 'lobby');
        assert.equal(frame.text, 'hi');
        assert.match(frame.ref, /^m[0-9a-z]{8}-\d+$/);
        last().receive({type: 'ack', ref: frame.ref, room: 'lobby', seq: 7});
        assert.deepEqual(await sent, {ref: frame.ref, room: 'lobby', seq: 7});
        assert.equal(client.unacknowledged.length, 0);
    });
    it('rejects send() with the error frame of its ref, and never sends it again', async () => {
        const {client, clock, last, retry} = setup();
        client.connect();
        last().welcome();
        const sent = client.send('lobby', 'x'.repeat(5000));
        const ref = last().sentOf('message')[0].ref;
        last().receive({type: 'error', code: 'too_long', message: 'text over 4000 characters', ref});
        await assert.rejects(sent, (e) => e instanceof ParleyError && e.code === 'too_long');
        last().drop(1006);
        retry();
        last().welcome();
        assert.equal(last().sentOf('message').length, 0);
    });
    it('resends an unacknowledged message after a reconnect with the same ref, after rejoining', async () => {
        const {client, clock, last, retry} = setup();
        client.connect();
        last().welcome();
        const sent = client.send('lobby', 'in flight');
        const first = last().sentOf('message')[0];
        last().drop(1006);
        retry();
        last().welcome();
        const types = last().sent.map((f) => f.type);
        assert.deepEqual(types, ['join', 'message']);
        assert.deepEqual(last().sentOf('message')[0], first);
        let resolved = 0;
        sent.then(() => resolved++);
        last().receive({type: 'ack', ref: first.ref, room: 'lobby', seq: 3});
        last().receive({type: 'ack', ref: first.ref, room: 'lobby', seq: 3});
        await settle();
        assert.equal(resolved, 1);
        assert.equal((await sent).seq, 3);
    });
    it('keeps messages sent while disconnected and sends them once, in order, when the connection is back', async () => {
        const {client, clock, last, sockets, retry} = setup();
        const early = client.send('lobby', 'before connect');
        client.connect();
        assert.equal(last().sent.length, 0);
        last().welcome();
        assert.deepEqual(texts(last().sentOf('message')), ['before connect']);
        last().receive({type: 'ack', ref: last().sentOf('message')[0].ref, room: 'lobby', seq: 1});
        await early;
        last().drop(1006);
        const offline = [client.send('lobby', 'a'), client.send('lobby', 'b'), client.direct('bob', 'c')];
        retry();
        assert.equal(sockets.length, 2);
        last().welcome();
        assert.deepEqual(last().sent.map((f) => f.type + ':' + (f.text ?? f.room)), ['join:lobby', 'message:a', 'message:b', 'direct:c']);
        for (const f of last().sent.slice(1)) {
            last().receive({type: 'ack', ref: f.ref, ...(f.to ? {to: f.to} : {room: f.room, seq: 2})});
        }
        const acks = await Promise.all(offline);
        assert.equal(acks[2].to, 'bob');
    });
    it('two clients never use the same ref', () => {
        const a = setup({random: Math.random});
        const b = setup({random: Math.random});
        a.client.connect();
        b.client.connect();
        a.last().welcome();
        b.last().welcome();
        a.client.send('lobby', 'x');
        b.client.send('lobby', 'x');
        assert.notEqual(a.last().sentOf('message')[0].ref, b.last().sentOf('message')[0].ref);
    });
    it('sends typing at most once per interval per room, and only when connected', () => {
        const {client, clock, last} = setup();
        assert.equal(client.typing('lobby'), false);
        client.connect();
        last().welcome();
        assert.equal(client.typing('lobby'), true);
        assert.equal(client.typing('lobby'), false);
        assert.equal(client.typing('other-room'), false, 'not in that room');
        assert.equal(last().sentOf('typing').length, 1);
        clock.advance(2_500);
        assert.equal(last().sentOf('typing').length, 2, 'the late notice for the second call');
        clock.advance(2_500);
        assert.equal(client.typing('lobby'), true);
        assert.equal(last().sentOf('typing').length, 3);
    });
    it('sends one more typing notice when the interval ends if the user typed meanwhile', () => {
        const {client, clock, last} = setup();
        client.connect();
        last().welcome();
        client.typing('lobby');
        clock.advance(1_000);
        client.typing('lobby');
        client.typing('lobby');
        clock.advance(1_499);
        assert.equal(last().sentOf('typing').length, 1);
        clock.advance(1);
        assert.equal(last().sentOf('typing').length, 2);
        clock.advance(10_000);
        assert.equal(last().sentOf('typing').length, 2);
    });
    it('sends no late typing notice once the message went', () => {
        const {client, clock, last} = setup();
        client.connect();
        last().welcome();
        client.typing('lobby');
        client.typing('lobby');
        client.send('lobby', 'done');
        clock.advance(10_000);
        assert.equal(last().sentOf('typing').length, 1);
    });
});

describe('rooms and recovery', () => {
    it('rejoins every room after a reconnect with since and epoch, and delivers each message once, in order', async () => {
        const {client, clock, last, events, retry} = setup();
        client.connect();
        last().welcome('alice', {history: [msg('lobby', 1), msg('lobby', 2)], epoch: 'E'});
        const joining = client.join('r1');
        const join = last().sentOf('join')[0];
        assert.equal(join.since, undefined);
        last().receive({type: 'joined', room: 'r1', members: ['alice', 'bob'], history: [msg('r1', 10)], epoch: 'E', ref: join.ref});
        assert.deepEqual((await joining).members, ['alice', 'bob']);
        last().receive(msg('lobby', 3));
        last().receive(msg('r1', 11));
        last().drop(1006);
        retry();

        // The server joins the new connection to lobby by itself (newest history, not what we missed)...
        const ws = last();
        ws.welcome('alice', {history: [msg('lobby', 5), msg('lobby', 6)], epoch: 'E'});
        const joins = ws.sentOf('join');
        assert.deepEqual(joins.map((j) => [j.room, j.since, j.epoch]), [['lobby', 3, 'E'], ['r1', 11, 'E']]);
        // ...live traffic arrives before the answer to our rejoin...
        ws.receive(msg('lobby', 7));
        ws.receive(msg('r1', 14));
        // ...and the answers carry exactly what was missed.
        ws.receive({type: 'joined', room: 'lobby', members: ['alice'], history: [4, 5, 6, 7].map((s) => msg('lobby', s)), epoch: 'E', ref: joins[0].ref});
        ws.receive({type: 'joined', room: 'r1', members: ['alice'], history: [12, 13, 14].map((s) => msg('r1', s)), epoch: 'E', ref: joins[1].ref});
        ws.receive(msg('lobby', 8));
        ws.receive(msg('lobby', 8));

        const seen = (room) => events.message.filter((m) => m.room === room).map((m) => m.seq);
        assert.deepEqual(seen('lobby'), [1, 2, 3, 4, 5, 6, 7, 8]);
        assert.deepEqual(seen('r1'), [10, 11, 12, 13, 14]);
        assert.deepEqual(events.joined.map((j) => [j.room, j.rejoin, j.reset]),
            [['lobby', false, false], ['r1', false, false], ['lobby', true, false], ['r1', true, false]]);
        assert.equal(client.lastSeq('lobby'), 8);
    });
    it('starts the room over when the server reports another epoch', () => {
        const {client, clock, last, events, retry} = setup();
        client.connect();
        last().welcome('alice', {history: [msg('lobby', 41), msg('lobby', 42)], epoch: 'old'});
        last().drop(1012);
        retry();
        last().welcome('alice', {epoch: 'new'});
        const join = last().sentOf('join')[0];
        assert.deepEqual([join.since, join.epoch], [42, 'old']);
        last().receive({type: 'joined', room: 'lobby', members: ['alice'], history: [msg('lobby', 1)], epoch: 'new', ref: join.ref});
        assert.equal(events.joined.at(-1).reset, true);
        assert.deepEqual(events.message.map((m) => m.seq), [41, 42, 1]);
        assert.equal(client.lastSeq('lobby'), 1);
    });
    it('passes truncated on, so the page knows older missed messages must be paged', () => {
        const {client, clock, last, events, retry} = setup();
        client.connect();
        last().welcome('alice', {history: [msg('lobby', 1)]});
        last().drop(1006);
        retry();
        last().welcome();
        const join = last().sentOf('join')[0];
        last().receive({type: 'joined', room: 'lobby', members: [], history: [msg('lobby', 1500)], epoch: 'e1', truncated: true, ref: join.ref});
        assert.equal(events.joined.at(-1).truncated, true);
        assert.deepEqual(events.message.map((m) => m.seq), [1, 1500]);
    });
    it('does not rejoin a room it left, and leaves the default room again if it had left it', async () => {
        const {client, clock, last, retry} = setup();
        client.connect();
        last().welcome();
        const leaving = client.leave('lobby');
        const leave = last().sentOf('leave')[0];
        last().receive({type: 'left', room: 'lobby', ref: leave.ref});
        await leaving;
        last().drop(1006);
        retry();
        last().welcome();
        assert.deepEqual(last().sent.map((f) => f.type + ':' + f.room), ['leave:lobby']);
        assert.deepEqual(client.rooms, []);
    });
    it('keeps members up to date from joined and presence', () => {
        const {client, last, events} = setup();
        client.connect();
        last().welcome('alice', {members: ['alice', 'bob']});
        last().receive({type: 'presence', room: 'lobby', user: 'carol', event: 'join'});
        last().receive({type: 'presence', room: 'lobby', user: 'bob', event: 'leave'});
        assert.deepEqual(client.members('lobby'), ['alice', 'carol']);
        assert.deepEqual(events.presence.map((p) => p.members), [['alice', 'bob', 'carol'], ['alice', 'carol']]);
    });
    it('rejects join() with the server error', async () => {
        const {client, last} = setup();
        client.connect();
        last().welcome();
        const joining = client.join('secret');
        last().receive({type: 'error', code: 'forbidden', message: 'no', ref: last().sentOf('join')[0].ref});
        await assert.rejects(joining, (e) => e.code === 'forbidden');
        assert.deepEqual(client.rooms, ['lobby']);
    });
    it('answers history() and listRooms() by ref', async () => {
        const {client, last} = setup();
        client.connect();
        last().welcome();
        const page = client.history('lobby', {before: 10, limit: 2});
        const q = last().sentOf('history')[0];
        assert.deepEqual([q.room, q.before, q.limit], ['lobby', 10, 2]);
        last().receive({type: 'history', room: 'lobby', messages: [msg('lobby', 8), msg('lobby', 9)], ref: q.ref});
        assert.deepEqual((await page).map((m) => m.seq), [8, 9]);
        const list = client.listRooms();
        last().receive({type: 'rooms', rooms: [{name: 'lobby', members: 2}], ref: last().sentOf('rooms')[0].ref});
        assert.deepEqual(await list, [{name: 'lobby', members: 2}]);
    });
    it('delivers each direct message once, by id', () => {
        const {client, last, events} = setup();
        client.connect();
        last().welcome();
        const dm = {type: 'direct', id: 5, from: 'bob', to: 'alice', text: 'psst', ts: '2026-11-21T10:00:00.000Z'};
        last().receive(dm);
        last().receive(dm);
        last().receive({...dm, id: 6});
        assert.deepEqual(events.direct.map((d) => d.id), [5, 6]);
    });
    it('reports server errors that answer no request, and survives a failing listener', () => {
        const failures = [];
        const {client, last, events} = setup({onListenerError: (e) => failures.push(e)});
        client.on('message', () => {
            throw new Error('listener bug');
        });
        client.connect();
        last().welcome();
        last().receive({type: 'error', code: 'bad_json', message: 'malformed'});
        last().receive(msg('lobby', 1));
        last().receive(msg('lobby', 2));
        assert.equal(events.error[0].code, 'bad_json');
        assert.deepEqual(events.message.map((m) => m.seq), [1, 2]);
        assert.equal(failures.length, 2);
    });
});

describe('application events', () => {
    it('sends data with or without text and passes data on with each message', async () => {
        const {client, last, events} = setup();
        client.connect();
        last().welcome();
        const stroke = {points: [[0.1, 0.2], [0.3, 0.4]], colour: '#e33', nested: {a: [1, [2, 'x']]}};
        const sent = client.send('lobby', null, stroke);
        assert.deepEqual(last().sentOf('message')[0], {type: 'message', room: 'lobby', data: stroke, ref: sent.ref});
        client.send('lobby', 'caption', {k: 1});
        assert.deepEqual(last().sentOf('message')[1].data, {k: 1});
        assert.equal(last().sentOf('message')[1].text, 'caption');
        client.direct('bob', null, {move: 'e4'});
        assert.deepEqual(last().sentOf('direct')[0].data, {move: 'e4'});
        assert.equal('text' in last().sentOf('direct')[0], false);
        last().receive(msg('lobby', 1, '', {data: stroke}));
        assert.deepEqual(events.message[0].data, stroke);
    });
    it('sends signals only while live in the room, and reports those of others', () => {
        const {client, last, events} = setup();
        client.connect();
        assert.equal(client.signal('lobby', {x: 1}), false, 'not connected');
        last().welcome();
        assert.equal(client.signal('lobby', {x: 1, y: 2}), true);
        assert.equal(client.signal('elsewhere', {x: 1}), false, 'not in that room');
        assert.deepEqual(last().sentOf('signal'), [{type: 'signal', room: 'lobby', data: {x: 1, y: 2}}]);
        last().receive({type: 'signal', room: 'lobby', from: 'bob', data: {x: 0.5}});
        last().receive({type: 'signal', room: 'elsewhere', from: 'bob', data: {x: 0.6}});
        assert.deepEqual(events.signal, [{room: 'lobby', from: 'bob', data: {x: 0.5}}]);
    });
    it('keeps member states from joined and presence, and sets its own again after a reconnect', () => {
        const {client, last, events, retry} = setup();
        client.connect();
        last().welcome('alice', {members: ['alice', 'bob']});
        client.setMemberState('lobby', {colour: '#e33'});
        assert.deepEqual(last().sentOf('state'), [{type: 'state', room: 'lobby', data: {colour: '#e33'}}]);
        last().receive({type: 'presence', room: 'lobby', user: 'bob', event: 'update', data: {colour: '#33e'}});
        assert.deepEqual(events.presence.at(-1).data, {colour: '#33e'});
        assert.deepEqual(client.memberStates('lobby'), {alice: {colour: '#e33'}, bob: {colour: '#33e'}});
        last().drop(1006);
        retry();
        const join = () => last().sentOf('join')[0];
        last().open();
        last().receive({type: 'welcome', user: 'alice', session: 's2', protocol: 1, rooms: []});
        last().receive({type: 'joined', room: 'lobby', members: ['alice', 'bob', 'carol'], history: [], epoch: 'e1',
            ref: join().ref, state: {bob: {colour: '#33e'}, carol: {c: 1}}});
        assert.deepEqual(last().sentOf('state'), [{type: 'state', room: 'lobby', data: {colour: '#e33'}}], 'said again');
        assert.deepEqual(events.joined.at(-1).state, {alice: {colour: '#e33'}, bob: {colour: '#33e'}, carol: {c: 1}});
        last().receive({type: 'presence', room: 'lobby', user: 'carol', event: 'leave'});
        assert.deepEqual(client.memberStates('lobby'), {alice: {colour: '#e33'}, bob: {colour: '#33e'}});
    });
});

describe('heartbeat', () => {
    it('pings after 10 s of silence and gives a dead connection up within 30 s', () => {
        const {client, clock, last, sockets, events} = setup();
        client.connect();
        const ws = last();
        ws.welcome();
        clock.advance(9_999);
        assert.equal(ws.sentOf('ping').length, 0);
        clock.advance(1);
        assert.equal(ws.sentOf('ping').length, 1);
        clock.advance(9_999);
        assert.equal(ws.closedWith, null);
        clock.advance(1);
        assert.equal(clock.now(), 20_000);
        assert.equal(ws.closedWith.code, 4408);
        const lostAt = events.state.findIndex((s) => s.state === 'reconnecting');
        assert.equal(events.state[lostAt].code, 4408);
        clock.advance(events.state[lostAt].delay);
        assert.equal(sockets.length, 2, 'a new connection is attempted');
    });
    it('keeps a connection that answers', () => {
        const {client, clock, last} = setup();
        client.connect();
        const ws = last();
        ws.welcome();
        for (let i = 0; i < 10; i++) {
            clock.advance(10_000);
            ws.receive({type: 'pong'});
        }
        assert.equal(ws.sentOf('ping').length, 10);
        assert.equal(ws.closedWith, null);
    });
    it('does not ping while traffic flows', () => {
        const {client, clock, last} = setup();
        client.connect();
        const ws = last();
        ws.welcome();
        for (let i = 1; i <= 30; i++) {
            clock.advance(2_000);
            ws.receive(msg('lobby', i));
        }
        assert.equal(ws.sentOf('ping').length, 0);
    });
    it('gives an attempt up when no welcome comes', () => {
        const {client, clock, last, events} = setup();
        client.connect();
        last().open();
        clock.advance(15_000);
        assert.equal(last().closedWith.code, 4408);
        assert.equal(events.state.at(-1).state, 'reconnecting');
    });
});

let dmIds = 100;

function dm(seq, from = 'bob', to = 'alice', extra = {}) {
    return {type: 'direct', id: dmIds++, seq, from, to, text: 'd' + seq, ts: '2026-11-21T10:00:00.000Z', ...extra};
}

describe('conversations and read state', () => {
    it('passes the conversations sent on connect on, and answers conversations() by ref', async () => {
        const {client, last} = setup();
        const seen = [];
        client.on('conversations', (c) => seen.push(c));
        client.connect();
        last().welcome();
        const pushed = {type: 'conversations', epoch: 'E', rooms: [{room: 'lobby', seq: 9, read: 7}],
            direct: [{with: 'bob', seq: 3, read: 1, online: true}]};
        last().receive(pushed);
        assert.deepEqual(seen, [{epoch: 'E', rooms: [{room: 'lobby', seq: 9, read: 7}], direct: [{with: 'bob', seq: 3, read: 1, online: true}]}]);
        const asked = client.conversations();
        const q = last().sentOf('conversations')[0];
        last().receive({...pushed, rooms: [], ref: q.ref});
        assert.deepEqual(await asked, {epoch: 'E', rooms: [], direct: [{with: 'bob', seq: 3, read: 1, online: true}]});
        assert.equal(seen.length, 2, 'the answer is an event too');
    });

    it('sends read for a room or a user, resolves with the stored state, and reports reads of other tabs', async () => {
        const {client, last} = setup();
        const reads = [];
        client.on('read', (r) => reads.push(r));
        client.connect();
        last().welcome();
        const room = client.read({room: 'lobby', seq: 4});
        const dmRead = client.read({with: 'bob', seq: 2});
        const [q1, q2] = last().sentOf('read');
        assert.deepEqual([q1.room, q1.with, q1.seq], ['lobby', undefined, 4]);
        assert.deepEqual([q2.room, q2.with, q2.seq], [undefined, 'bob', 2]);
        last().receive({type: 'read', room: 'lobby', seq: 4, ref: q1.ref});
        last().receive({type: 'read', with: 'bob', seq: 5, ref: q2.ref}); // never backwards: the stored seq
        assert.deepEqual(await room, {room: 'lobby', seq: 4});
        assert.deepEqual(await dmRead, {with: 'bob', seq: 5});
        last().receive({type: 'read', with: 'carol', seq: 9}); // another tab read it
        assert.deepEqual(reads, [{room: 'lobby', seq: 4}, {with: 'bob', seq: 5}, {with: 'carol', seq: 9}]);
        const refused = client.read({with: 'bob', seq: 99});
        last().receive({type: 'error', code: 'invalid', message: 'seq 99 is beyond the newest message', ref: last().sentOf('read')[2].ref});
        await assert.rejects(refused, (e) => e.code === 'invalid');
    });

    it('recovers every direct conversation it has seen after a reconnect, each message once, in seq order', async () => {
        const {client, last, events, retry} = setup();
        client.connect();
        last().welcome();
        last().receive(dm(1));
        last().receive(dm(2, 'alice', 'bob')); // its own message, from another tab
        last().receive(dm(1, 'carol'));
        last().drop(1006);
        retry();
        const ws = last();
        ws.welcome();
        const asks = ws.sentOf('history');
        assert.deepEqual(asks.map((h) => [h.with, h.since]), [['bob', 2], ['carol', 1]]);
        // Live messages (held ones, new ones) come before the answers; they wait for them.
        const five = dm(5);
        ws.receive(five);
        ws.receive(dm(2, 'carol'));
        ws.receive({type: 'history', with: 'bob', messages: [dm(3), dm(4), five], ref: asks[0].ref});
        await settle();
        ws.receive(dm(6));
        ws.receive({type: 'history', with: 'carol', messages: [], ref: asks[1].ref});
        await settle();
        const again = dm(2, 'carol');
        ws.receive(again); // again, under another id: dropped by seq
        await settle();
        const of = (user) => events.direct.filter((d) => d.from === user || d.to === user).map((d) => d.seq);
        assert.deepEqual(of('bob'), [1, 2, 3, 4, 5, 6]);
        assert.deepEqual(of('carol'), [1, 2]);
        assert.equal(client.lastDirectSeq('bob'), 6);
    });

    it('recovers a conversation the server says went on without it (a message to a closing connection)', async () => {
        const {client, last, events} = setup();
        client.connect();
        last().welcome();
        last().receive(dm(1));
        last().receive({type: 'conversations', rooms: [], direct: [{with: 'bob', seq: 2, read: 0, online: true}, {with: 'dave', seq: 4, read: 0, online: false}]});
        const asks = last().sentOf('history');
        assert.deepEqual(asks.map((h) => [h.with, h.since]), [['bob', 1]], 'only conversations it has: the page pages the others');
        last().receive({type: 'history', with: 'bob', messages: [dm(2)], ref: asks[0].ref});
        await settle();
        assert.deepEqual(events.direct.map((d) => d.seq), [1, 2]);
    });

    it('pages a direct conversation with directHistory() and recovers after what it fetched', async () => {
        const {client, last, retry} = setup();
        client.connect();
        last().welcome();
        const page = client.directHistory('bob', {before: 10, limit: 2});
        const q = last().sentOf('history')[0];
        assert.deepEqual([q.with, q.before, q.limit, q.since, q.room], ['bob', 10, 2, undefined, undefined]);
        last().receive({type: 'history', with: 'bob', messages: [dm(8), dm(9)], ref: q.ref});
        assert.deepEqual((await page).map((m) => m.seq), [8, 9]);
        assert.equal(client.lastDirectSeq('bob'), 9);
        last().drop(1006);
        retry();
        last().welcome();
        assert.deepEqual(last().sentOf('history').map((h) => [h.with, h.since]), [['bob', 9]]);
    });
});

describe('presence diffs', () => {
    /** Welcomes and joins the default room with the given members and count, as Parley does. */
    const welcomeInto = (socket, members, count) => {
        socket.welcome('alice', {rooms: []});
        const joined = {type: 'joined', room: 'lobby', members, history: [], epoch: 'e1'};
        if (count !== undefined) {
            joined.count = count;
        }
        socket.receive(joined);
    };
    it('asks for presence diffs when it connects', () => {
        const {client, last} = setup();
        client.connect();
        assert.equal(last().url.searchParams.get('features'), 'presence-diff');
    });
    it('applies a diff to the members and tells each change as the presence event one frame would have', () => {
        const {client, last, events} = setup();
        client.connect();
        welcomeInto(last(), ['alice', 'bob'], 2);
        last().receive({type: 'presence_diff', room: 'lobby', joins: ['alice', 'carol', 'dan'], leaves: ['bob'],
            state: {carol: {colour: 'red'}}, count: 3});
        assert.deepEqual(client.members('lobby'), ['alice', 'carol', 'dan']);
        assert.equal(client.memberCount('lobby'), 3);
        assert.deepEqual(client.memberStates('lobby'), {carol: {colour: 'red'}});
        assert.deepEqual(events.presence.map((p) => p.event + ' ' + p.user),
            ['join carol', 'join dan', 'leave bob', 'update carol'], 'nothing about itself');
        assert.deepEqual(events.presence.at(-1).members, ['alice', 'carol', 'dan']);
        assert.deepEqual(events.presence.at(-1).data, {colour: 'red'});
    });
    it('keeps the count of a large room and pages its members on request', async () => {
        const {client, last, events} = setup();
        client.connect();
        welcomeInto(last(), ['aaron', 'alice'], 5000);
        assert.equal(events.joined.at(-1).count, 5000);
        last().receive({type: 'presence_diff', room: 'lobby', count: 5001});
        assert.equal(client.memberCount('lobby'), 5001);
        assert.deepEqual(events.presence, [], 'a count alone tells no one');
        const page = client.fetchMembers('lobby', {after: 'alice', limit: 2});
        const q = last().sentOf('members')[0];
        assert.deepEqual([q.room, q.after, q.limit], ['lobby', 'alice', 2]);
        last().receive({type: 'members', room: 'lobby', members: ['bea', 'cy'], count: 5001, next: 'cy', ref: q.ref});
        assert.deepEqual(await page, {members: ['bea', 'cy'], count: 5001, next: 'cy', state: {}});
    });
    it('replaces its list when a room that was large lists everyone again, telling what changed', () => {
        const {client, last, events} = setup();
        client.connect();
        welcomeInto(last(), ['alice', 'bob'], 300);
        last().receive({type: 'presence_diff', room: 'lobby', members: ['alice', 'carol'], count: 2});
        assert.deepEqual(client.members('lobby'), ['alice', 'carol']);
        assert.deepEqual(events.presence.map((p) => p.event + ' ' + p.user), ['join carol', 'leave bob']);
    });
    it('still follows one presence frame per event from a server without diffs', () => {
        const {client, last} = setup();
        client.connect();
        welcomeInto(last(), ['alice']);
        last().receive({type: 'presence', room: 'lobby', user: 'bob', event: 'join'});
        assert.equal(client.memberCount('lobby'), 2);
    });
});
