/**
 * Parley's JavaScript client: one WebSocket to a Parley server, with rooms, messages that are neither lost
 * nor doubled across reconnects, direct messages, presence and typing. An ES module without dependencies;
 * it runs in browsers and in Node (give it a WebSocket class there).
 *
 * Guarantees, given the server's per-room `seq` and its idempotent `ref`s:
 * - every room message reaches the `message` listeners once, in `seq` order, also across reconnects
 *   (the client rejoins each room with `since` = the last seq it saw, and drops what it already has);
 * - `send()` resolves once the server stored the message (`ack`); a message not yet acknowledged when the
 *   connection drops is sent again after the reconnect with the same `ref`, so the server stores it once;
 * - every direct message reaches the `direct` listeners once, in `seq` order per conversation, also across
 *   reconnects (the client asks each direct conversation it has seen for what came after its last seq).
 *
 * Conversations that follow the user: the server sends the user's rooms and direct partners with their newest
 * and read seqs on every connect (`conversations` event; `conversations()` asks again), and `read()` stores how far
 * the user has read, which every tab and device of the user hears of (`read` event).
 *
 * Beyond chat (games, whiteboards, editors): messages may carry an application JSON object (`data`), stored
 * and recovered like text; `signal()` passes an object to the room's other members at once, never stored and
 * dropped (older ones first) for a member that cannot keep up; `setMemberState()` sets a small state of this
 * user per room, which the others see in `joined` and in presence `update`s.
 *
 * @module parley
 */

/** The WebSocket subprotocol Parley speaks. */
export const PROTOCOL = 'chat';

/**
 * What the client does after each close code the server documents: `'retry'` reconnect with backoff;
 * `'slow'` reconnect after a longer backoff; `'reauth'` reconnect only if fresh credentials can be had (see the
 * `params` option); `'stop'` never reconnect. The server serves the same table (`closeCodes` in
 * `protocol.json`, from its `CloseCodes`), and a server-side test fails when the two disagree.
 */
export const CLOSE_CODES = Object.freeze({
    1000: 'stop', // normal closure
    1001: 'retry', // going away: the server stops
    1002: 'stop', // protocol error, such as an unmasked frame
    1003: 'stop', // a binary frame was sent
    1006: 'retry', // the connection broke without a close frame
    1007: 'stop', // a text frame was not valid UTF-8
    1008: 'stop', // policy violation, such as an invalid name
    1009: 'stop', // a frame was too big
    1011: 'retry', // unexpected server error
    1012: 'retry', // service restart
    1013: 'retry', // try again later
    4000: 'stop', // disconnected by the server's operator or backend
    4008: 'retry', // slow consumer
    4401: 'reauth', // token missing, invalid or expired
    4403: 'stop', // forbidden
    4408: 'retry', // idle timeout
    4429: 'slow', // too many connections or messages
});
/** Close codes after which the client reconnects with the normal backoff. */
export const RETRY_CODES = Object.freeze(Object.keys(CLOSE_CODES).map(Number).filter((c) => CLOSE_CODES[c] === 'retry'));
/**
 * Close codes of a server (or the path to it) going away and coming back: going away (1001, a server stopping),
 * no close frame (1006, also every failed attempt while it is down) and service restart (1012). After these the
 * client retries soon and often at first ({@link RESTART_BACKOFF}), so that pages are back within seconds of the
 * server being ready again; other retryable codes use {@link DEFAULT_BACKOFF}.
 */
export const RESTART_CODES = Object.freeze([1001, 1006, 1012]);
/** Close code that asks clients to slow down (too many connections or messages): reconnect after a longer delay. */
export const SLOW_DOWN_CODE = 4429;
/** Close code for a missing, invalid or expired token: reconnect only with new credentials. */
export const UNAUTHORIZED_CODE = 4401;
/** Close code for a connection the server refused as it was asked for (in open mode: an invalid name). */
export const POLICY_VIOLATION_CODE = 1008;

/**
 * What the client does after the connection closed with `code` ({@link CLOSE_CODES}); `'stop'` for a code
 * not listed there.
 *
 * @param {number} code the close code
 * @returns {'retry'|'slow'|'reauth'|'stop'}
 */
export function closePolicy(code) {
    return Object.hasOwn(CLOSE_CODES, code) ? CLOSE_CODES[code] : 'stop';
}

/**
 * Backoff settings, in milliseconds.
 * @typedef {Object} Backoff
 * @property {number} initial the cap of the first delay
 * @property {number} max the largest cap
 * @property {number} factor how much the cap grows per attempt
 * @property {number} jitter the random share of each delay, 0 (none) to 1 (anything from 0 to the cap)
 * @property {number} [steady] the cap stays `initial` up to this attempt (from 0), and grows after it (default 0)
 */

/** The backoff after a retryable close. */
export const DEFAULT_BACKOFF = Object.freeze({initial: 500, max: 30_000, factor: 2, jitter: 0.5});
/**
 * The backoff after the server went away ({@link RESTART_CODES}): 0.5-1 s between attempts for attempts 0 to 30
 * (about 25-35 s), then 0.75-1.5 s and 1-2 s, where it stays however long the restart takes. A page is thus
 * back within 2 s of a restarted server being ready (plus the handshake), and the jitter still spreads the clients
 * out. Other retryable closes back off further ({@link DEFAULT_BACKOFF}).
 */
export const RESTART_BACKOFF = Object.freeze({initial: 1_000, max: 2_000, factor: 1.5, jitter: 0.5, steady: 30});
/** The backoff after close code 4429 (slow down). */
export const SLOW_BACKOFF = Object.freeze({initial: 5_000, max: 120_000, factor: 2, jitter: 0.5});

/**
 * The delay before reconnect attempt `attempt` (0 for the first): exponential growth up to a cap, with
 * jitter so that clients dropped together do not come back together. The result always lies in
 * `[cap * (1 - jitter), cap]`, where `cap = min(max, initial * factor ** max(0, attempt - steady))`.
 *
 * @param {number} attempt how many attempts failed before this one
 * @param {Partial<Backoff>} [backoff] settings (defaults: {@link DEFAULT_BACKOFF})
 * @param {() => number} [random] a source of numbers in [0, 1)
 * @returns {number} milliseconds
 */
export function backoffDelay(attempt, backoff = DEFAULT_BACKOFF, random = Math.random) {
    const {initial, max, factor, jitter, steady} = {steady: 0, ...DEFAULT_BACKOFF, ...backoff};
    const cap = Math.min(max, initial * Math.pow(factor, Math.max(0, attempt - Math.max(0, steady))));
    const share = Math.min(1, Math.max(0, jitter));
    return Math.round(cap * (1 - share) + cap * share * random());
}

/**
 * The chat socket's URL for a page at `base`: `wss:` for an `https:` page and `ws:` otherwise, the page's
 * host, and the page's directory as the context path (`https://h/parley/index.html` gives
 * `wss://h/parley/chat`). Never a fixed host.
 *
 * @param {string|URL} [base] the page's URL; defaults to `location.href` in a browser
 * @param {string} [path] the socket's path relative to the page's directory
 * @returns {string}
 */
export function socketUrl(base = globalThis.location?.href, path = 'chat') {
    if (!base) {
        throw new TypeError('socketUrl needs the page URL outside a browser');
    }
    const url = new URL(path, base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = '';
    url.hash = '';
    return url.href;
}

/**
 * The address of the server's protocol description (`protocol.json`: limits, name syntax, close codes) for a
 * page at `base`: next to the page, like {@link socketUrl}.
 *
 * @param {string|URL} [base] the page's URL; defaults to `location.href` in a browser
 * @returns {string}
 */
export function protocolUrl(base = globalThis.location?.href) {
    if (!base) {
        throw new TypeError('protocolUrl needs the page URL outside a browser');
    }
    const url = new URL('protocol.json', base);
    url.search = '';
    url.hash = '';
    return url.href;
}

/** An error the server answered a request with (its `code` is the protocol's error code), or the client's own. */
export class ParleyError extends Error {
    /**
     * @param {string} code the protocol's error code (`not_member`, `too_long`, ...) or `closed` when the
     *                      client stopped before an answer came
     * @param {string} message a human-readable explanation
     */
    constructor(code, message) {
        super(message);
        this.name = 'ParleyError';
        /** @type {string} */
        this.code = code;
    }
}

/**
 * A room message.
 * @typedef {Object} Message
 * @property {'message'} type
 * @property {string} room
 * @property {number} seq strictly increasing per room
 * @property {string} from
 * @property {string} text empty for a message that carries only `data`
 * @property {string} ts ISO-8601 UTC with milliseconds
 * @property {string} [ref] the sender's ref
 * @property {Object} [data] the application's JSON object, as sent
 */

/**
 * Another member's signal (the `signal` event's detail).
 * @typedef {Object} Signal
 * @property {string} room
 * @property {string} from the sender's user name
 * @property {Object} data the application's JSON object, as sent
 */

/**
 * A direct message (sent to every connection of the recipient and of the sender).
 * @typedef {Object} DirectMessage
 * @property {'direct'} type
 * @property {number} id
 * @property {number} [seq] its seq in the conversation of the two users (1, 2, 3, ...); absent from old servers
 * @property {string} from
 * @property {string} to
 * @property {string} text empty for a message that carries only `data`
 * @property {string} ts
 * @property {string} [ref]
 * @property {Object} [data] the application's JSON object, as sent
 */

/**
 * The `joined` event's detail, also what `join()` resolves with.
 * @typedef {Object} JoinInfo
 * @property {string} room
 * @property {string[]} members user names, sorted; in a large room only the first page of them (see `count`)
 * @property {number} count the number of users in the room (more than `members` lists in a large room: page them with
 *                    `fetchMembers()`)
 * @property {Record<string, Object>} state the members' states (see `setMemberState()`), by user; only users who set one
 * @property {string} [epoch] identifies the room's history; a change means history was reset
 * @property {boolean} rejoin true when this is a rejoin after a reconnect (or a repeated join)
 * @property {boolean} reset true when the history the client had is void (new epoch): drop what is shown
 * @property {boolean} truncated true when more messages were missed than the server sends at once:
 *                     the messages that follow are the newest, and older ones can be paged with `history()`
 */

/**
 * One of the user's conversations in {@link Conversations}: a room (`room`) or another user (`with`).
 * Unread messages: `seq - read`.
 * @typedef {Object} ConversationEntry
 * @property {string} [room] the room, for a room
 * @property {string} [with] the other user, for a direct conversation
 * @property {number} seq the conversation's newest seq (0: no messages)
 * @property {number} read the seq up to which the user has read it (0: nothing); own messages count as read
 * @property {boolean} [online] whether the other user has an open connection now (direct conversations only)
 */

/**
 * The `conversations` event's detail, also what `conversations()` resolves with: the user's rooms (joined on
 * any connection or device, and not left) and direct conversations, each sorted by name.
 * @typedef {Object} Conversations
 * @property {string} [epoch] identifies the history the seqs belong to (as in `joined`)
 * @property {ConversationEntry[]} rooms
 * @property {ConversationEntry[]} direct
 */

/**
 * How far the user has read a conversation: the `read` event's detail, also what `read()` resolves with.
 * @typedef {Object} ReadState
 * @property {string} [room] the room, for a room
 * @property {string} [with] the other user, for a direct conversation
 * @property {number} seq
 */

/**
 * The `state` event's detail.
 * @typedef {Object} StateChange
 * @property {'idle'|'connecting'|'open'|'reconnecting'|'closed'} state
 * @property {string} [user] the user name, once welcomed
 * @property {string} [session] the connection's id (open only)
 * @property {number} [code] the close code (reconnecting, closed)
 * @property {string} [reason] the close reason (reconnecting, closed)
 * @property {number} [delay] milliseconds until the next attempt (reconnecting)
 * @property {number} [attempt] the number of that attempt (reconnecting)
 */

/**
 * Timer functions, replaceable in tests.
 * @typedef {Object} Clock
 * @property {(fn: () => void, ms: number) => any} setTimeout
 * @property {(handle: any) => void} clearTimeout
 * @property {() => number} now milliseconds
 */

/**
 * @typedef {Object} ClientOptions
 * @property {string} [url] the socket URL; default {@link socketUrl}() of the current page
 * @property {string} [name] the user name to ask for; without it the server assigns a guest name, which
 *                           the client then keeps across reconnects
 * @property {Record<string,string>|(() => Record<string,string>|Promise<Record<string,string>>)} [params]
 *           more query parameters (such as a token); a function is called before every connection attempt,
 *           and makes the client retry once after close code 4401
 * @property {typeof WebSocket} [WebSocket] the WebSocket class; default the global one
 * @property {Partial<Backoff>} [backoff] after retryable closes other than {@link RESTART_CODES}
 * @property {Partial<Backoff>} [restartBackoff] after {@link RESTART_CODES} (and failed attempts)
 * @property {Partial<Backoff>} [slowBackoff] after 4429
 * @property {number} [pingInterval] send a ping after this many ms without hearing from the server (10000)
 * @property {number} [pongTimeout] give the connection up when nothing arrives this long after a ping (10000)
 * @property {number} [connectTimeout] give an attempt up when no welcome arrives this long after it started (15000)
 * @property {number} [stableAfter] a connection open this long resets the backoff (5000)
 * @property {number} [typingInterval] send at most one typing notice per room per this many ms (2000)
 * @property {Clock} [clock] timers (for tests)
 * @property {() => number} [random] numbers in [0, 1) for jitter and refs (for tests)
 * @property {(error: unknown) => void} [onListenerError] where exceptions thrown by listeners go (console.error)
 */

const OPEN = 1;
const DIRECT_IDS_KEPT = 2000;

/**
 * One logical connection to Parley, which survives dropped sockets. Create it, add listeners with
 * {@link ParleyClient#on}, then call {@link ParleyClient#connect}. Requests made while disconnected wait
 * for the connection. Events: `state`, `joined`, `message`, `presence`, `typing`, `direct`, `signal`, `error`,
 * `conversations`, `read`.
 */
export class ParleyClient {
    /** @type {Required<Omit<ClientOptions,'name'|'params'|'clock'>> & ClientOptions} */
    #options;
    /** @type {Clock} */
    #clock;
    /** @type {WebSocket|null} */
    #ws = null;
    #state = 'idle';
    #welcomed = false;
    #stopped = false;
    /** @type {string|null} */
    #user = null;
    /** @type {string|null} */
    #session = null;
    #attempt = 0;
    #reauthTried = false;
    #timers = {retry: null, connect: null, stable: null, ping: null, pong: null};
    #lastHeard = 0;
    #pingSentAt = 0;
    /** @type {Map<string, RoomState>} */
    #rooms = new Map();
    /** @type {Set<string>} rooms the server put this connection in that the user had left */
    #unwanted = new Set();
    /** @type {Map<string, {frame: object, resolve: (v: any) => void, reject: (e: Error) => void}>} */
    #pending = new Map();
    /** @type {Map<string, number>} */
    #typingSent = new Map();
    /** @type {Map<string, any>} typing notices due when the interval ends */
    #typingLater = new Map();
    /** @type {Set<number>} */
    #directIds = new Set();
    /** @type {Map<string, DirectState>} what the client has of each direct conversation, by the other user */
    #directs = new Map();
    /** @type {Map<string, Set<Function>>} */
    #listeners = new Map();
    #refPrefix;
    #refCount = 0;

    /** @param {ClientOptions} [options] */
    constructor(options = {}) {
        const WebSocketClass = options.WebSocket ?? globalThis.WebSocket;
        if (!WebSocketClass) {
            throw new TypeError('no WebSocket class: pass one as options.WebSocket');
        }
        this.#options = {
            pingInterval: 10_000,
            pongTimeout: 10_000,
            connectTimeout: 15_000,
            stableAfter: 5_000,
            typingInterval: 2_500,
            random: Math.random,
            onListenerError: (e) => console.error('a Parley listener failed', e),
            ...options,
            url: options.url ?? socketUrl(),
            WebSocket: WebSocketClass,
            backoff: {...DEFAULT_BACKOFF, ...options.backoff},
            restartBackoff: {...RESTART_BACKOFF, ...options.restartBackoff},
            slowBackoff: {...SLOW_BACKOFF, ...options.slowBackoff},
        };
        this.#clock = options.clock ?? {
            setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
            clearTimeout: (h) => globalThis.clearTimeout(h),
            now: () => Date.now(),
        };
        // Refs must differ between tabs of one user: the server treats a repeated (user, ref) as a retry.
        this.#refPrefix = Math.floor(this.#options.random() * 36 ** 8).toString(36).padStart(8, '0');
    }

    /** The connection state: `idle`, `connecting`, `open`, `reconnecting` or `closed`. */
    get state() {
        return this.#state;
    }

    /** The user name the server gave this client, or null before the first welcome. */
    get user() {
        return this.#user;
    }

    /** The current connection's id, or null when not open. */
    get session() {
        return this.#welcomed ? this.#session : null;
    }

    /** The rooms this client is in (or is joining), by name. */
    get rooms() {
        return [...this.#rooms.keys()];
    }

    /**
     * The members of a room as last heard, sorted; empty when not in it.
     * @param {string} room
     * @returns {string[]}
     */
    members(room) {
        const r = this.#rooms.get(room);
        return r ? [...r.members].sort() : [];
    }

    /**
     * The number of users in a room as last heard (kept current in large rooms too, where `members()` lists only
     * the first page); 0 when not in it.
     * @param {string} room
     * @returns {number}
     */
    memberCount(room) {
        return this.#rooms.get(room)?.count ?? 0;
    }

    /**
     * The last seq this client has of a room (0 for none).
     * @param {string} room
     */
    lastSeq(room) {
        return this.#rooms.get(room)?.lastSeq ?? 0;
    }

    /**
     * The members' states in a room as last heard (see {@link ParleyClient#setMemberState}), by user; a copy,
     * empty when not in the room. This user's own state is included once set.
     * @param {string} room
     * @returns {Record<string, Object>}
     */
    memberStates(room) {
        const r = this.#rooms.get(room);
        return r ? Object.fromEntries(r.states) : {};
    }

    /** Requests waiting for an answer, oldest first: messages not yet acknowledged among them. */
    get unacknowledged() {
        return [...this.#pending.values()].map((p) => ({...p.frame}));
    }

    /**
     * Adds a listener; returns a function that removes it. Listeners get the event's detail:
     * `state` {@link StateChange}; `joined` {@link JoinInfo} (before that join's messages);
     * `message` {@link Message}, each room message once, in seq order, whether live, from a join's history
     * or recovered after a reconnect; `presence` {room, user, event: 'join'|'leave'|'update', members, data}
     * (`data` the user's new state, for `update` only); `typing` {room, from}; `direct` {@link DirectMessage},
     * each once; `signal` {@link Signal}, at most once, in the order each sender sent them, older ones possibly
     * skipped; `error` a {@link ParleyError} the server sent that answers no request of this client;
     * `conversations` {@link Conversations}, on every connect and for each `conversations()`; `read`
     * {@link ReadState}, each time the user's read state is stored, by this client or another tab or device.
     *
     * @param {'state'|'joined'|'message'|'presence'|'typing'|'direct'|'signal'|'error'|'conversations'|'read'} type
     * @param {(detail: any) => void} listener
     * @returns {() => void}
     */
    on(type, listener) {
        let set = this.#listeners.get(type);
        if (!set) {
            set = new Set();
            this.#listeners.set(type, set);
        }
        set.add(listener);
        return () => set.delete(listener);
    }

    /** Opens the connection (again, after `closed`). Does nothing while connecting or connected. */
    connect() {
        if (this.#state !== 'idle' && this.#state !== 'closed') {
            return;
        }
        this.#stopped = false;
        this.#attempt = 0;
        this.#open();
    }

    /** While waiting to reconnect, tries at once (for example when the browser reports it is online again). */
    reconnectNow() {
        if (this.#state === 'reconnecting') {
            this.#open();
        }
    }

    /**
     * Closes the connection for good (until `connect()` is called again). Requests still waiting are
     * rejected with a {@link ParleyError} of code `closed`.
     */
    close() {
        this.#stopped = true;
        const ws = this.#ws;
        this.#ws = null;
        if (ws) {
            detach(ws);
            try {
                ws.close(1000, 'bye');
            } catch {
                // already closing
            }
        }
        this.#finish(1000, 'closed by the client');
    }

    /**
     * Joins a room. Resolves when the server answered `joined` (after the `joined` event and the `message`
     * events for its history); rejects with the server's error. The client stays in the room across reconnects.
     *
     * @param {string} room
     * @returns {Promise<JoinInfo>}
     */
    join(room) {
        if (this.#state === 'closed') {
            return Promise.reject(new ParleyError('closed', 'the client is closed'));
        }
        this.#unwanted.delete(room);
        let r = this.#rooms.get(room);
        if (!r) {
            r = new RoomState(room);
            this.#rooms.set(room, r);
        }
        const answer = new Promise((resolve, reject) => r.waiters.push({resolve, reject}));
        if (this.#welcomed) {
            this.#sendJoin(r);
        }
        return answer;
    }

    /**
     * Leaves a room: no more of its messages, and no rejoin after a reconnect. Resolves once the server
     * confirmed, or at once when not connected.
     *
     * @param {string} room
     * @returns {Promise<void>}
     */
    leave(room) {
        const r = this.#rooms.get(room);
        this.#rooms.delete(room);
        this.#cancelTyping(room);
        if (r) {
            r.waiters.splice(0).forEach((w) => w.reject(new ParleyError('left', 'left ' + room + ' before joining it')));
        }
        if (!this.#welcomed) {
            return Promise.resolve();
        }
        return this.#request({type: 'leave', room}, 'l').then(() => undefined, (e) => {
            if (e.code !== 'not_member') {
                throw e;
            }
        });
    }

    /**
     * Sends a message to a room. Resolves with the ack once the server stored it; rejects with the
     * server's error (`not_member`, `too_long`, `rate_limited`, `unavailable`, ...) or `closed`. Across a
     * reconnect the message is sent again with the same ref, so it is stored once. The promise's `ref`
     * property is the message's ref, which the `message` event carries too: a page can show the message as
     * "sending" and match it when it arrives.
     *
     * With `data`, the message carries that JSON object (at most `limits.dataMaxBytes` of compact JSON,
     * else `too_long`), stored, recovered and delivered like the text; `text` may then be null.
     *
     * @param {string} room
     * @param {string|null} text
     * @param {Object} [data] the application's JSON object
     * @returns {Promise<{ref: string, room: string, seq: number}> & {ref: string}}
     */
    send(room, text, data) {
        this.#cancelTyping(room);
        return this.#request(withData({type: 'message', room}, text, data), 'm');
    }

    /**
     * Sends a direct message to a user. Resolves with the ack ({ref, to}); rejects like `send()`
     * (`offline` when the server cannot deliver it). The promise's `ref` property is the message's ref.
     *
     * @param {string} to
     * @param {string|null} text
     * @param {Object} [data] the application's JSON object, as in `send()`
     * @returns {Promise<{ref: string, to: string}> & {ref: string}}
     */
    direct(to, text, data) {
        return this.#request(withData({type: 'direct', to}, text, data), 'd');
    }

    /**
     * Passes a JSON object to the room's other members at once (a cursor, a pointer, a game move): not stored,
     * not acknowledged, never resent. Sent only while connected and in the room; returns whether it was sent.
     * The others get each sender's signals in order, but a member that falls behind gets only the newest of
     * each sender (older ones are dropped), and signals sent while a member is disconnected are lost: send
     * state that must survive as a message with `data` or as member state.
     *
     * @param {string} room
     * @param {Object} data at most `limits.dataMaxBytes` of compact JSON
     * @returns {boolean}
     */
    signal(room, data) {
        const r = this.#rooms.get(room);
        if (!this.#welcomed || !r || r.status !== 'live') {
            return false;
        }
        return this.#transmit({type: 'signal', room, data});
    }

    /**
     * Sets this user's small state in a room (a colour, a status such as "away"; at most
     * `limits.stateMaxBytes` of compact JSON). The others see it in `joined` ({@link JoinInfo}'s `state`)
     * and get presence `update`s; it is sent again after every reconnect, and the server forgets it when
     * this user's last connection leaves the room. Takes effect once in the room.
     *
     * @param {string} room
     * @param {Object} data
     */
    setMemberState(room, data) {
        const r = this.#rooms.get(room);
        if (!r) {
            return;
        }
        r.ownState = data;
        if (this.#user !== null) {
            r.states.set(this.#user, data);
        }
        if (this.#welcomed && r.status === 'live') {
            this.#transmit({type: 'state', room, data});
        }
    }

    /**
     * Tells the room's other members this user is typing. Sent only while connected and in the room, at
     * most once per `typingInterval`; returns whether it was sent.
     *
     * @param {string} room
     * @returns {boolean}
     */
    typing(room) {
        const r = this.#rooms.get(room);
        if (!this.#welcomed || !r || r.status !== 'live') {
            return false;
        }
        const now = this.#clock.now();
        const last = this.#typingSent.get(room);
        if (last !== undefined && now - last < this.#options.typingInterval) {
            // Still typing when the interval ends: say so then (once), or the others' indicator would lapse.
            if (!this.#typingLater.has(room)) {
                this.#typingLater.set(room, this.#clock.setTimeout(() => {
                    this.#typingLater.delete(room);
                    this.typing(room);
                }, last + this.#options.typingInterval - now));
            }
            return false;
        }
        this.#typingSent.set(room, now);
        this.#transmit({type: 'typing', room});
        return true;
    }

    /**
     * Older messages of a room, for scrollback: up to `limit` (at most 100) with seq below `before`,
     * oldest first. They are not passed to `message` listeners.
     *
     * @param {string} room
     * @param {{before?: number, limit?: number}} [page]
     * @returns {Promise<Message[]>}
     */
    history(room, page = {}) {
        const frame = {type: 'history', room};
        if (page.before !== undefined) {
            frame.before = page.before;
        }
        if (page.limit !== undefined) {
            frame.limit = page.limit;
        }
        return this.#request(frame, 'h').then((f) => f.messages ?? []);
    }

    /**
     * A page of a room's members from the server (for large rooms, whose `joined` lists only the first page): users
     * sorted by name after `after`, at most `limit` (the server's page size, 200, when not given). Pass the answer's
     * `next` as `after` for the following page; it is absent on the last.
     * @param {string} room
     * @param {{after?: string, limit?: number}} [page]
     * @returns {Promise<{members: string[], count: number, next?: string, state: Record<string, Object>}>}
     */
    fetchMembers(room, page = {}) {
        /** @type {{type: string, room: string, after?: string, limit?: number}} */
        const frame = {type: 'members', room};
        if (page.after !== undefined) {
            frame.after = page.after;
        }
        if (page.limit !== undefined) {
            frame.limit = page.limit;
        }
        return this.#request(frame, 'm').then((f) => ({members: f.members ?? [], count: f.count ?? 0,
            next: f.next ?? undefined, state: f.state ?? {}}));
    }

    /**
     * The rooms that have members.
     * @returns {Promise<{name: string, members: number}[]>}
     */
    listRooms() {
        return this.#request({type: 'rooms'}, 'r').then((f) => f.rooms ?? []);
    }

    /**
     * Measures a round trip.
     * @returns {Promise<number>} milliseconds
     */
    ping() {
        const started = this.#clock.now();
        return this.#request({type: 'ping'}, 'p').then(() => this.#clock.now() - started);
    }

    // ------------------------------------------------------------------ conversations

    /**
     * The user's conversations (rooms and direct partners with their newest and read seqs), asked again; the
     * server sends them by itself on every connect too. Also emitted as a `conversations` event.
     * @returns {Promise<Conversations>}
     */
    conversations() {
        return this.#request({type: 'conversations'}, 'c').then(conversationsOf);
    }

    /**
     * Stores that the user has read a room (`{room, seq}`) or a direct conversation (`{with, seq}`) up to `seq`.
     * Every tab and device of the user gets a `read` event once it is stored; it never moves backwards (a lower
     * seq resolves with the stored one). Rejects with the server's error: `not_member` (a room this connection is
     * not in), `invalid` (a seq beyond the newest message), `unavailable`. Send it when the user has seen new
     * messages, not for every message.
     *
     * @param {{room?: string, with?: string, seq: number}} target
     * @returns {Promise<ReadState>}
     */
    read(target) {
        const frame = {type: 'read'};
        if (target.room !== undefined) {
            frame.room = target.room;
        } else {
            frame.with = target.with;
        }
        frame.seq = target.seq;
        return this.#request(frame, 'r').then(readStateOf);
    }

    /**
     * Messages of the direct conversation with `user`: up to `limit` (at most 100) with seq below `before` (the
     * newest without it), or with `since` every one after that seq (up to 1,000), oldest first. They are not
     * passed to `direct` listeners; the client counts them as seen, so after a reconnect it recovers what came
     * after them.
     *
     * @param {string} user
     * @param {{before?: number, since?: number, limit?: number}} [page]
     * @returns {Promise<DirectMessage[]>}
     */
    directHistory(user, page = {}) {
        const frame = {type: 'history', with: user};
        for (const key of ['before', 'since', 'limit']) {
            if (page[key] !== undefined) {
                frame[key] = page[key];
            }
        }
        return this.#request(frame, 'h').then((f) => {
            const messages = f.messages ?? [];
            const d = this.#directOf(user);
            for (const m of messages) {
                d.lastSeq = Math.max(d.lastSeq, m.seq ?? 0);
            }
            return messages;
        });
    }

    /**
     * The newest seq this client has of the direct conversation with `user` (0 for none).
     * @param {string} user
     */
    lastDirectSeq(user) {
        return this.#directs.get(user)?.lastSeq ?? 0;
    }

    #directOf(user) {
        let d = this.#directs.get(user);
        if (!d) {
            d = new DirectState();
            this.#directs.set(user, d);
        }
        return d;
    }

    /** After a reconnect: asks every direct conversation this client has seen for what came after it. */
    #recoverDirects() {
        for (const user of this.#directs.keys()) {
            this.#recoverDirect(user);
        }
    }

    /**
     * Asks for the messages of a direct conversation after the last one this client has; live ones of that
     * conversation wait meanwhile, so each is delivered once, in seq order.
     */
    #recoverDirect(user) {
        const d = this.#directOf(user);
        if (d.recovering || d.lastSeq === 0) {
            return;
        }
        d.recovering = true;
        const done = (messages) => {
            d.recovering = false;
            const all = [...messages, ...d.buffer].sort((a, b) => a.seq - b.seq);
            d.buffer = [];
            for (const m of all) {
                this.#deliverDirect(d, m);
            }
        };
        this.#request({type: 'history', with: user, since: d.lastSeq}, 'h')
            .then((f) => done(f.messages ?? []), () => done([]));
    }

    #deliverDirect(d, m) {
        if (m.seq <= d.lastSeq) {
            return; // already delivered
        }
        d.lastSeq = m.seq;
        this.#emit('direct', m);
    }

    #onConversations(f) {
        this.#settle(f);
        const detail = conversationsOf(f);
        this.#emit('conversations', detail);
        // A conversation this client has seen that went on without it (a message to a closing connection).
        for (const c of detail.direct) {
            const user = c.with ?? '';
            const d = this.#directs.get(user);
            if (d && d.lastSeq > 0 && c.seq > d.lastSeq) {
                this.#recoverDirect(user);
            }
        }
    }

    #onRead(f) {
        this.#settle(f);
        this.#emit('read', readStateOf(f));
    }

    // ------------------------------------------------------------------ connection

    #open() {
        this.#clear('retry');
        this.#setState('connecting', {attempt: this.#attempt});
        let params;
        try {
            const p = this.#options.params;
            params = typeof p === 'function' ? p() : p;
        } catch (e) {
            this.#lost(1006, 'params failed: ' + e);
            return;
        }
        if (params && typeof params.then === 'function') {
            params.then((value) => this.#openSocket(value), (e) => this.#lost(1006, 'params failed: ' + e));
        } else {
            this.#openSocket(params);
        }
    }

    #openSocket(params) {
        if (this.#stopped || this.#state !== 'connecting') {
            return;
        }
        const url = new URL(this.#options.url);
        const name = this.#user ?? this.#options.name;
        if (name) {
            url.searchParams.set('name', name);
        }
        // Presence as one diff per room per interval: what keeps large rooms and reconnect storms affordable.
        url.searchParams.set('features', 'presence-diff');
        for (const [key, value] of Object.entries(params ?? {})) {
            if (value !== undefined && value !== null) {
                url.searchParams.set(key, String(value));
            }
        }
        let ws;
        try {
            ws = new this.#options.WebSocket(url.href, PROTOCOL);
        } catch (e) {
            this.#lost(1006, String(e));
            return;
        }
        this.#ws = ws;
        this.#welcomed = false;
        this.#lastHeard = this.#clock.now();
        ws.onopen = () => {
            if (this.#ws === ws) {
                this.#lastHeard = this.#clock.now();
            }
        };
        ws.onmessage = (event) => {
            if (this.#ws === ws) {
                this.#receive(event.data);
            }
        };
        ws.onclose = (event) => {
            if (this.#ws === ws) {
                this.#ws = null;
                this.#lost(event.code, event.reason);
            }
        };
        ws.onerror = () => {
            // A close event always follows and carries the code.
        };
        this.#timers.connect = this.#clock.setTimeout(() => this.#abandon(ws, 4408, 'no welcome in time'),
            this.#options.connectTimeout);
    }

    /** Gives up a socket that is open on paper but dead (no welcome, no pong): close it without waiting. */
    #abandon(ws, code, reason) {
        if (!ws || this.#ws !== ws) {
            return;
        }
        this.#ws = null;
        detach(ws);
        try {
            ws.close(code, reason);
        } catch {
            // the browser may refuse while still connecting
        }
        this.#lost(code, reason);
    }

    #lost(code, reason) {
        this.#welcomed = false;
        for (const name of ['connect', 'stable', 'ping', 'pong']) {
            this.#clear(name);
        }
        if (this.#stopped) {
            return;
        }
        const policy = closePolicy(code);
        const reauth = policy === 'reauth' && typeof this.#options.params === 'function' && !this.#reauthTried;
        if (policy === 'stop' || (policy === 'reauth' && !reauth)) {
            this.#stopped = true;
            this.#finish(code, reason);
            return;
        }
        if (reauth) {
            this.#reauthTried = true;
        }
        const backoff = policy === 'slow' ? this.#options.slowBackoff
            : RESTART_CODES.includes(code) ? this.#options.restartBackoff : this.#options.backoff;
        const delay = backoffDelay(this.#attempt, backoff, this.#options.random);
        this.#attempt++;
        this.#setState('reconnecting', {code, reason, delay, attempt: this.#attempt});
        this.#timers.retry = this.#clock.setTimeout(() => this.#open(), delay);
    }

    #finish(code, reason) {
        for (const name of Object.keys(this.#timers)) {
            this.#clear(name);
        }
        this.#welcomed = false;
        const error = new ParleyError('closed', 'connection closed (' + code + (reason ? ' ' + reason : '') + ')');
        const pending = [...this.#pending.values()];
        this.#pending.clear();
        pending.forEach((p) => p.reject(error));
        for (const r of this.#rooms.values()) {
            r.waiters.splice(0).forEach((w) => w.reject(error));
        }
        if (this.#state !== 'closed') {
            this.#setState('closed', {code, reason});
        }
    }

    #setState(state, detail = {}) {
        this.#state = state;
        this.#emit('state', {state, user: this.#user ?? undefined, ...detail});
    }

    #clear(name) {
        if (this.#timers[name] !== null) {
            this.#clock.clearTimeout(this.#timers[name]);
            this.#timers[name] = null;
        }
    }

    #cancelTyping(room) {
        if (this.#typingLater.has(room)) {
            this.#clock.clearTimeout(this.#typingLater.get(room));
            this.#typingLater.delete(room);
        }
    }

    // ------------------------------------------------------------------ heartbeat

    #schedulePing(delay) {
        this.#timers.ping = this.#clock.setTimeout(() => this.#checkIdle(), Math.max(0, delay));
    }

    #checkIdle() {
        this.#timers.ping = null;
        const idle = this.#clock.now() - this.#lastHeard;
        if (idle < this.#options.pingInterval) {
            this.#schedulePing(this.#options.pingInterval - idle);
            return;
        }
        this.#pingSentAt = this.#clock.now();
        this.#transmit({type: 'ping'});
        this.#timers.pong = this.#clock.setTimeout(() => this.#checkPong(), this.#options.pongTimeout);
    }

    #checkPong() {
        this.#timers.pong = null;
        if (this.#lastHeard >= this.#pingSentAt) {
            this.#schedulePing(this.#options.pingInterval - (this.#clock.now() - this.#lastHeard));
            return;
        }
        this.#abandon(this.#ws, 4408, 'no answer to ping');
    }

    // ------------------------------------------------------------------ frames in

    #receive(data) {
        this.#lastHeard = this.#clock.now();
        let f;
        try {
            f = JSON.parse(data);
        } catch {
            this.#emit('error', new ParleyError('bad_frame', 'the server sent a frame that is not JSON'));
            return;
        }
        if (f === null || typeof f !== 'object') {
            return;
        }
        switch (f.type) {
            case 'welcome':
                this.#onWelcome(f);
                break;
            case 'joined':
                this.#onJoined(f);
                break;
            case 'message':
                this.#onMessage(f);
                break;
            case 'ack':
            case 'left':
            case 'history':
            case 'rooms':
            case 'members':
            case 'pong':
                this.#settle(f);
                break;
            case 'presence':
                this.#onPresence(f);
                break;
            case 'presence_diff':
                this.#onPresenceDiff(f);
                break;
            case 'typing':
                if (this.#rooms.has(f.room)) {
                    this.#emit('typing', {room: f.room, from: f.from});
                }
                break;
            case 'signal':
                if (this.#rooms.get(f.room)?.status === 'live') {
                    this.#emit('signal', {room: f.room, from: f.from, data: f.data});
                }
                break;
            case 'direct':
                this.#onDirect(f);
                break;
            case 'conversations':
                this.#onConversations(f);
                break;
            case 'read':
                this.#onRead(f);
                break;
            case 'error':
                this.#onError(f);
                break;
            default:
                // A frame type of a newer protocol: ignore it.
                break;
        }
    }

    #onWelcome(f) {
        this.#clear('connect');
        const first = this.#user === null;
        this.#user = f.user;
        this.#session = f.session;
        this.#welcomed = true;
        this.#reauthTried = false;
        this.#timers.stable = this.#clock.setTimeout(() => {
            this.#timers.stable = null;
            this.#attempt = 0;
        }, this.#options.stableAfter);
        this.#schedulePing(this.#options.pingInterval);
        // The server joins every connection to its default rooms; a user who had left one leaves it again.
        this.#unwanted.clear();
        if (!first) {
            for (const room of f.rooms ?? []) {
                if (!this.#rooms.has(room)) {
                    this.#unwanted.add(room);
                    this.#transmit({type: 'leave', room});
                }
            }
        }
        // Rejoin every room, asking for what was missed; then resend what was never answered, in order.
        for (const r of this.#rooms.values()) {
            this.#sendJoin(r);
        }
        for (const p of this.#pending.values()) {
            this.#transmit(p.frame);
        }
        if (!first) {
            this.#recoverDirects();
        }
        this.#setState('open', {session: f.session});
    }

    #sendJoin(r) {
        r.joinRef = this.#nextRef('j');
        r.status = 'pending';
        r.buffer = [];
        const frame = {type: 'join', room: r.name, ref: r.joinRef};
        if (r.joinedBefore) {
            frame.since = r.lastSeq;
            r.sinceSent = r.lastSeq;
            if (r.epoch) {
                frame.epoch = r.epoch;
            }
        } else {
            r.sinceSent = null;
        }
        this.#transmit(frame);
    }

    #onJoined(f) {
        let r = this.#rooms.get(f.room);
        if (f.ref !== undefined) {
            if (!r || f.ref !== r.joinRef) {
                return; // the answer to an earlier join of ours, overtaken by a later one
            }
        } else {
            // The server joined this connection by itself (its default room, on open).
            if (this.#unwanted.has(f.room)) {
                return;
            }
            if (r && r.status === 'pending') {
                return; // the answer to our own join, with what we missed, follows
            }
            if (!r) {
                r = new RoomState(f.room);
                this.#rooms.set(f.room, r);
            }
        }
        const history = Array.isArray(f.history) ? f.history : [];
        const epochChanged = r.epoch !== null && f.epoch !== undefined && f.epoch !== r.epoch;
        const sinceIgnored = r.sinceSent !== null && history.length > 0 && history[0].seq <= r.sinceSent;
        const reset = epochChanged || sinceIgnored;
        if (reset) {
            r.lastSeq = 0;
        }
        const rejoin = r.joinedBefore;
        r.epoch = f.epoch ?? r.epoch;
        r.members = new Set(f.members ?? []);
        r.count = typeof f.count === 'number' ? f.count : r.members.size;
        r.states = new Map(Object.entries(f.state ?? {}));
        if (r.ownState !== undefined) {
            // The server forgets a state when the user's last connection leaves: say it again on every join.
            this.#transmit({type: 'state', room: r.name, data: r.ownState});
            if (this.#user !== null) { // always set by welcome, which comes before any joined
                r.states.set(this.#user, r.ownState);
            }
        }
        r.status = 'live';
        r.joinedBefore = true;
        r.joinRef = null;
        r.sinceSent = null;
        /** @type {JoinInfo} */
        const info = {room: r.name, members: [...r.members].sort(), count: r.count, state: Object.fromEntries(r.states),
            epoch: r.epoch ?? undefined, rejoin, reset,
            truncated: f.truncated === true};
        this.#emit('joined', info);
        for (const m of history) {
            this.#deliver(r, m);
        }
        const held = r.buffer.sort((a, b) => a.seq - b.seq);
        r.buffer = [];
        for (const m of held) {
            this.#deliver(r, m);
        }
        r.waiters.splice(0).forEach((w) => w.resolve(info));
    }

    #onMessage(f) {
        const r = this.#rooms.get(f.room);
        if (!r) {
            return;
        }
        if (r.status === 'pending') {
            r.buffer.push(f);
        } else {
            this.#deliver(r, f);
        }
    }

    #deliver(r, m) {
        if (typeof m.seq !== 'number' || m.seq <= r.lastSeq) {
            return; // already delivered
        }
        r.lastSeq = m.seq;
        this.#emit('message', m);
    }

    #onPresence(f) {
        const r = this.#rooms.get(f.room);
        if (!r) {
            return;
        }
        if (f.event === 'join') {
            r.members.add(f.user);
        } else if (f.event === 'leave') {
            r.members.delete(f.user);
            r.states.delete(f.user);
        } else if (f.event === 'update') {
            r.states.set(f.user, f.data);
        }
        r.count = r.members.size;
        const detail = {room: f.room, user: f.user, event: f.event, members: [...r.members].sort()};
        if (f.event === 'update') {
            detail.data = f.data;
        }
        this.#emit('presence', detail);
    }

    /**
     * A room's presence changes of one interval (the `presence-diff` feature): applied to the members, and told to
     * listeners as the same `presence` events one frame per change would have given (none about this user).
     */
    #onPresenceDiff(f) {
        const r = this.#rooms.get(f.room);
        if (!r) {
            return;
        }
        if (typeof f.count === 'number') {
            r.count = f.count;
        }
        /** @type {[string, string, Object?][]} */
        const changes = [];
        if (Array.isArray(f.members)) {
            // The whole list, after the room was large: tell what differs from the list we had.
            const next = new Set(f.members);
            for (const u of next) {
                if (!r.members.has(u)) {
                    changes.push([u, 'join']);
                }
            }
            for (const u of r.members) {
                if (!next.has(u)) {
                    changes.push([u, 'leave']);
                }
            }
            r.members = next;
            r.states = new Map(Object.entries(f.state ?? {}));
            if (r.ownState !== undefined && this.#user !== null) {
                r.states.set(this.#user, r.ownState);
            }
        } else {
            for (const u of f.joins ?? []) {
                if (!r.members.has(u)) {
                    r.members.add(u);
                    changes.push([u, 'join']);
                }
            }
            for (const u of f.leaves ?? []) {
                r.states.delete(u);
                if (r.members.delete(u)) {
                    changes.push([u, 'leave']);
                }
            }
            for (const [u, data] of Object.entries(f.state ?? {})) {
                r.states.set(u, data);
                changes.push([u, 'update', data]);
            }
        }
        for (const [user, event, data] of changes) {
            if (user === this.#user) {
                continue;
            }
            const detail = {room: f.room, user, event, members: [...r.members].sort()};
            if (event === 'update') {
                detail.data = data;
            }
            this.#emit('presence', detail);
        }
    }

    #onDirect(f) {
        if (typeof f.id === 'number') {
            if (this.#directIds.has(f.id)) {
                return;
            }
            this.#directIds.add(f.id);
            if (this.#directIds.size > DIRECT_IDS_KEPT) {
                this.#directIds.delete(this.#directIds.values().next().value);
            }
        }
        if (typeof f.seq === 'number' && this.#user !== null) {
            const d = this.#directOf(f.from === this.#user ? f.to : f.from);
            if (d.recovering) {
                d.buffer.push(f);
            } else {
                this.#deliverDirect(d, f);
            }
            return;
        }
        this.#emit('direct', f);
    }

    #onError(f) {
        const error = new ParleyError(f.code, f.message);
        const p = f.ref === undefined ? undefined : this.#pending.get(f.ref);
        if (p) {
            this.#pending.delete(f.ref);
            p.reject(error);
            return;
        }
        if (f.ref !== undefined) {
            for (const r of this.#rooms.values()) {
                if (r.joinRef === f.ref) {
                    this.#rooms.delete(r.name);
                    r.waiters.splice(0).forEach((w) => w.reject(error));
                    if (!r.joinedBefore) {
                        return; // join() reported it
                    }
                }
            }
        }
        this.#emit('error', error);
    }

    #settle(f) {
        const p = f.ref === undefined ? undefined : this.#pending.get(f.ref);
        if (p) {
            this.#pending.delete(f.ref);
            const {type, ...rest} = f;
            p.resolve(type === 'ack' ? rest : f);
        }
    }

    // ------------------------------------------------------------------ frames out

    /**
     * Sends a frame with a new ref and waits for the answer carrying it; sent again after each reconnect until
     * answered. The promise carries the ref as its `ref` property.
     */
    #request(frame, kind) {
        const ref = this.#nextRef(kind);
        if (this.#state === 'closed') {
            return Object.assign(Promise.reject(new ParleyError('closed', 'the client is closed')), {ref});
        }
        const withRef = {...frame, ref};
        const answer = new Promise((resolve, reject) => {
            this.#pending.set(ref, {frame: withRef, resolve, reject});
            if (this.#welcomed) {
                this.#transmit(withRef);
            }
        });
        return Object.assign(answer, {ref});
    }

    #transmit(frame) {
        const ws = this.#ws;
        if (!ws || ws.readyState !== OPEN) {
            return false; // what matters is sent again once the connection is back
        }
        try {
            ws.send(JSON.stringify(frame));
            return true;
        } catch {
            return false;
        }
    }

    #nextRef(kind) {
        this.#refCount++;
        return kind + this.#refPrefix + '-' + this.#refCount;
    }

    #emit(type, detail) {
        const set = this.#listeners.get(type);
        if (!set) {
            return;
        }
        for (const listener of [...set]) {
            try {
                listener(detail);
            } catch (e) {
                this.#options.onListenerError(e);
            }
        }
    }
}

/** What the client knows about one room. */
class RoomState {
    /** @param {string} name */
    constructor(name) {
        this.name = name;
        /** 'pending' while a join is unanswered (live messages are held), then 'live'. */
        this.status = 'pending';
        this.lastSeq = 0;
        /** @type {string|null} */
        this.epoch = null;
        this.joinedBefore = false;
        /** @type {string|null} */
        this.joinRef = null;
        /** @type {number|null} */
        this.sinceSent = null;
        /** @type {Set<string>} */
        this.members = new Set();
        /** the number of users in the room, as the server last said */
        this.count = 0;
        /** @type {Map<string, Object>} the members' states, by user */
        this.states = new Map();
        /** @type {Object|undefined} this user's state, sent again on every join */
        this.ownState = undefined;
        /** @type {Message[]} */
        this.buffer = [];
        /** @type {{resolve: (v: JoinInfo) => void, reject: (e: Error) => void}[]} */
        this.waiters = [];
    }
}

/** What the client has of one direct conversation. */
class DirectState {
    constructor() {
        /** The newest seq delivered or fetched. */
        this.lastSeq = 0;
        /** True while a recovery with since is unanswered (live messages wait in the buffer). */
        this.recovering = false;
        /** @type {DirectMessage[]} */
        this.buffer = [];
    }
}

/** @returns {Conversations} */
function conversationsOf(f) {
    return {epoch: f.epoch, rooms: f.rooms ?? [], direct: f.direct ?? []};
}

/** @returns {ReadState} */
function readStateOf(f) {
    return f.room !== undefined ? {room: f.room, seq: f.seq} : {with: f.with, seq: f.seq};
}

/** A message frame with its text (left out when null or undefined) and data (when given). */
function withData(frame, text, data) {
    if (text !== null && text !== undefined) {
        frame.text = text;
    }
    if (data !== undefined && data !== null) {
        frame.data = data;
    }
    return frame;
}

function detach(ws) {
    ws.onopen = null;
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = null;
}
