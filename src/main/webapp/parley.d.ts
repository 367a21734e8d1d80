/**
 * What the client does after the connection closed with `code` ({@link CLOSE_CODES}); `'stop'` for a code
 * not listed there.
 *
 * @param {number} code the close code
 * @returns {'retry'|'slow'|'reauth'|'stop'}
 */
export function closePolicy(code: number): "retry" | "slow" | "reauth" | "stop";
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
export function backoffDelay(attempt: number, backoff?: Partial<Backoff>, random?: () => number): number;
/**
 * The chat socket's URL for a page at `base`: `wss:` for an `https:` page and `ws:` otherwise, the page's
 * host, and the page's directory as the context path (`https://h/parley/index.html` gives
 * `wss://h/parley/chat`). Never a fixed host.
 *
 * @param {string|URL} [base] the page's URL; defaults to `location.href` in a browser
 * @param {string} [path] the socket's path relative to the page's directory
 * @returns {string}
 */
export function socketUrl(base?: string | URL, path?: string): string;
/**
 * The address of the server's protocol description (`protocol.json`: limits, name syntax, close codes) for a
 * page at `base`: next to the page, like {@link socketUrl}.
 *
 * @param {string|URL} [base] the page's URL; defaults to `location.href` in a browser
 * @returns {string}
 */
export function protocolUrl(base?: string | URL): string;
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
export const PROTOCOL: "chat";
/**
 * What the client does after each close code the server documents: `'retry'` reconnect with backoff;
 * `'slow'` reconnect after a longer backoff; `'reauth'` reconnect only if fresh credentials can be had (see the
 * `params` option); `'stop'` never reconnect. The server serves the same table (`closeCodes` in
 * `protocol.json`, from its `CloseCodes`), and a server-side test fails when the two disagree.
 */
export const CLOSE_CODES: Readonly<{
    1000: "stop";
    1001: "retry";
    1002: "stop";
    1003: "stop";
    1006: "retry";
    1007: "stop";
    1008: "stop";
    1009: "stop";
    1011: "retry";
    1012: "retry";
    1013: "retry";
    4000: "stop";
    4008: "retry";
    4401: "reauth";
    4403: "stop";
    4408: "retry";
    4429: "slow";
}>;
/** Close codes after which the client reconnects with the normal backoff. */
export const RETRY_CODES: readonly number[];
/**
 * Close codes of a server (or the path to it) going away and coming back: going away (1001, a server stopping),
 * no close frame (1006, also every failed attempt while it is down) and service restart (1012). After these the
 * client retries soon and often at first ({@link RESTART_BACKOFF}), so that pages are back within seconds of the
 * server being ready again; other retryable codes use {@link DEFAULT_BACKOFF}.
 */
export const RESTART_CODES: readonly number[];
/** Close code that asks clients to slow down (too many connections or messages): reconnect after a longer delay. */
export const SLOW_DOWN_CODE: 4429;
/** Close code for a missing, invalid or expired token: reconnect only with new credentials. */
export const UNAUTHORIZED_CODE: 4401;
/** Close code for a connection the server refused as it was asked for (in open mode: an invalid name). */
export const POLICY_VIOLATION_CODE: 1008;
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
export const DEFAULT_BACKOFF: Readonly<{
    initial: 500;
    max: 30000;
    factor: 2;
    jitter: 0.5;
}>;
/**
 * The backoff after the server went away ({@link RESTART_CODES}): 0.5-1 s between attempts for attempts 0 to 30
 * (about 25-35 s), then 0.75-1.5 s and 1-2 s, where it stays however long the restart takes. A page is thus
 * back within 2 s of a restarted server being ready (plus the handshake), and the jitter still spreads the clients
 * out. Other retryable closes back off further ({@link DEFAULT_BACKOFF}).
 */
export const RESTART_BACKOFF: Readonly<{
    initial: 1000;
    max: 2000;
    factor: 1.5;
    jitter: 0.5;
    steady: 30;
}>;
/** The backoff after close code 4429 (slow down). */
export const SLOW_BACKOFF: Readonly<{
    initial: 5000;
    max: 120000;
    factor: 2;
    jitter: 0.5;
}>;
/** An error the server answered a request with (its `code` is the protocol's error code), or the client's own. */
export class ParleyError extends Error {
    /**
     * @param {string} code the protocol's error code (`not_member`, `too_long`, ...) or `closed` when the
     *                      client stopped before an answer came
     * @param {string} message a human-readable explanation
     */
    constructor(code: string, message: string);
    /** @type {string} */
    code: string;
}
/**
 * One logical connection to Parley, which survives dropped sockets. Create it, add listeners with
 * {@link ParleyClient#on}, then call {@link ParleyClient#connect}. Requests made while disconnected wait
 * for the connection. Events: `state`, `joined`, `message`, `presence`, `typing`, `direct`, `signal`, `error`,
 * `conversations`, `read`.
 */
export class ParleyClient {
    /** @param {ClientOptions} [options] */
    constructor(options?: ClientOptions);
    /** The connection state: `idle`, `connecting`, `open`, `reconnecting` or `closed`. */
    get state(): string;
    /** The user name the server gave this client, or null before the first welcome. */
    get user(): string | null;
    /** The current connection's id, or null when not open. */
    get session(): string | null;
    /** The rooms this client is in (or is joining), by name. */
    get rooms(): string[];
    /**
     * The members of a room as last heard, sorted; empty when not in it.
     * @param {string} room
     * @returns {string[]}
     */
    members(room: string): string[];
    /**
     * The number of users in a room as last heard (kept current in large rooms too, where `members()` lists only
     * the first page); 0 when not in it.
     * @param {string} room
     * @returns {number}
     */
    memberCount(room: string): number;
    /**
     * The last seq this client has of a room (0 for none).
     * @param {string} room
     */
    lastSeq(room: string): number;
    /**
     * The members' states in a room as last heard (see {@link ParleyClient#setMemberState}), by user; a copy,
     * empty when not in the room. This user's own state is included once set.
     * @param {string} room
     * @returns {Record<string, Object>}
     */
    memberStates(room: string): Record<string, any>;
    /** Requests waiting for an answer, oldest first: messages not yet acknowledged among them. */
    get unacknowledged(): any[];
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
    on(type: "state" | "joined" | "message" | "presence" | "typing" | "direct" | "signal" | "error" | "conversations" | "read", listener: (detail: any) => void): () => void;
    /** Opens the connection (again, after `closed`). Does nothing while connecting or connected. */
    connect(): void;
    /** While waiting to reconnect, tries at once (for example when the browser reports it is online again). */
    reconnectNow(): void;
    /**
     * Closes the connection for good (until `connect()` is called again). Requests still waiting are
     * rejected with a {@link ParleyError} of code `closed`.
     */
    close(): void;
    /**
     * Joins a room. Resolves when the server answered `joined` (after the `joined` event and the `message`
     * events for its history); rejects with the server's error. The client stays in the room across reconnects.
     *
     * @param {string} room
     * @returns {Promise<JoinInfo>}
     */
    join(room: string): Promise<JoinInfo>;
    /**
     * Leaves a room: no more of its messages, and no rejoin after a reconnect. Resolves once the server
     * confirmed, or at once when not connected.
     *
     * @param {string} room
     * @returns {Promise<void>}
     */
    leave(room: string): Promise<void>;
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
    send(room: string, text: string | null, data?: any): Promise<{
        ref: string;
        room: string;
        seq: number;
    }> & {
        ref: string;
    };
    /**
     * Sends a direct message to a user. Resolves with the ack ({ref, to}); rejects like `send()`
     * (`offline` when the server cannot deliver it). The promise's `ref` property is the message's ref.
     *
     * @param {string} to
     * @param {string|null} text
     * @param {Object} [data] the application's JSON object, as in `send()`
     * @returns {Promise<{ref: string, to: string}> & {ref: string}}
     */
    direct(to: string, text: string | null, data?: any): Promise<{
        ref: string;
        to: string;
    }> & {
        ref: string;
    };
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
    signal(room: string, data: any): boolean;
    /**
     * Sets this user's small state in a room (a colour, a status such as "away"; at most
     * `limits.stateMaxBytes` of compact JSON). The others see it in `joined` ({@link JoinInfo}'s `state`)
     * and get presence `update`s; it is sent again after every reconnect, and the server forgets it when
     * this user's last connection leaves the room. Takes effect once in the room.
     *
     * @param {string} room
     * @param {Object} data
     */
    setMemberState(room: string, data: any): void;
    /**
     * Tells the room's other members this user is typing. Sent only while connected and in the room, at
     * most once per `typingInterval`; returns whether it was sent.
     *
     * @param {string} room
     * @returns {boolean}
     */
    typing(room: string): boolean;
    /**
     * Older messages of a room, for scrollback: up to `limit` (at most 100) with seq below `before`,
     * oldest first. They are not passed to `message` listeners.
     *
     * @param {string} room
     * @param {{before?: number, limit?: number}} [page]
     * @returns {Promise<Message[]>}
     */
    history(room: string, page?: {
        before?: number;
        limit?: number;
    }): Promise<Message[]>;
    /**
     * A page of a room's members from the server (for large rooms, whose `joined` lists only the first page): users
     * sorted by name after `after`, at most `limit` (the server's page size, 200, when not given). Pass the answer's
     * `next` as `after` for the following page; it is absent on the last.
     * @param {string} room
     * @param {{after?: string, limit?: number}} [page]
     * @returns {Promise<{members: string[], count: number, next?: string, state: Record<string, Object>}>}
     */
    fetchMembers(room: string, page?: {
        after?: string;
        limit?: number;
    }): Promise<{
        members: string[];
        count: number;
        next?: string;
        state: Record<string, any>;
    }>;
    /**
     * The rooms that have members.
     * @returns {Promise<{name: string, members: number}[]>}
     */
    listRooms(): Promise<{
        name: string;
        members: number;
    }[]>;
    /**
     * Measures a round trip.
     * @returns {Promise<number>} milliseconds
     */
    ping(): Promise<number>;
    /**
     * The user's conversations (rooms and direct partners with their newest and read seqs), asked again; the
     * server sends them by itself on every connect too. Also emitted as a `conversations` event.
     * @returns {Promise<Conversations>}
     */
    conversations(): Promise<Conversations>;
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
    read(target: {
        room?: string;
        with?: string;
        seq: number;
    }): Promise<ReadState>;
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
    directHistory(user: string, page?: {
        before?: number;
        since?: number;
        limit?: number;
    }): Promise<DirectMessage[]>;
    /**
     * The newest seq this client has of the direct conversation with `user` (0 for none).
     * @param {string} user
     */
    lastDirectSeq(user: string): number;
    #private;
}
/**
 * Backoff settings, in milliseconds.
 */
export type Backoff = {
    /**
     * the cap of the first delay
     */
    initial: number;
    /**
     * the largest cap
     */
    max: number;
    /**
     * how much the cap grows per attempt
     */
    factor: number;
    /**
     * the random share of each delay, 0 (none) to 1 (anything from 0 to the cap)
     */
    jitter: number;
    /**
     * the cap stays `initial` up to this attempt (from 0), and grows after it (default 0)
     */
    steady?: number | undefined;
};
/**
 * A room message.
 */
export type Message = {
    type: "message";
    room: string;
    /**
     * strictly increasing per room
     */
    seq: number;
    from: string;
    /**
     * empty for a message that carries only `data`
     */
    text: string;
    /**
     * ISO-8601 UTC with milliseconds
     */
    ts: string;
    /**
     * the sender's ref
     */
    ref?: string | undefined;
    /**
     * the application's JSON object, as sent
     */
    data?: any;
};
/**
 * Another member's signal (the `signal` event's detail).
 */
export type Signal = {
    room: string;
    /**
     * the sender's user name
     */
    from: string;
    /**
     * the application's JSON object, as sent
     */
    data: any;
};
/**
 * A direct message (sent to every connection of the recipient and of the sender).
 */
export type DirectMessage = {
    type: "direct";
    id: number;
    /**
     * its seq in the conversation of the two users (1, 2, 3, ...); absent from old servers
     */
    seq?: number | undefined;
    from: string;
    to: string;
    /**
     * empty for a message that carries only `data`
     */
    text: string;
    ts: string;
    ref?: string | undefined;
    /**
     * the application's JSON object, as sent
     */
    data?: any;
};
/**
 * The `joined` event's detail, also what `join()` resolves with.
 */
export type JoinInfo = {
    room: string;
    /**
     * user names, sorted; in a large room only the first page of them (see `count`)
     */
    members: string[];
    /**
     * the number of users in the room (more than `members` lists in a large room: page them with
     * `fetchMembers()`)
     */
    count: number;
    /**
     * the members' states (see `setMemberState()`), by user; only users who set one
     */
    state: Record<string, any>;
    /**
     * identifies the room's history; a change means history was reset
     */
    epoch?: string | undefined;
    /**
     * true when this is a rejoin after a reconnect (or a repeated join)
     */
    rejoin: boolean;
    /**
     * true when the history the client had is void (new epoch): drop what is shown
     */
    reset: boolean;
    /**
     * true when more messages were missed than the server sends at once:
     * the messages that follow are the newest, and older ones can be paged with `history()`
     */
    truncated: boolean;
};
/**
 * One of the user's conversations in {@link Conversations}: a room (`room`) or another user (`with`).
 * Unread messages: `seq - read`.
 */
export type ConversationEntry = {
    /**
     * the room, for a room
     */
    room?: string | undefined;
    /**
     * the other user, for a direct conversation
     */
    with?: string | undefined;
    /**
     * the conversation's newest seq (0: no messages)
     */
    seq: number;
    /**
     * the seq up to which the user has read it (0: nothing); own messages count as read
     */
    read: number;
    /**
     * whether the other user has an open connection now (direct conversations only)
     */
    online?: boolean | undefined;
};
/**
 * The `conversations` event's detail, also what `conversations()` resolves with: the user's rooms (joined on
 * any connection or device, and not left) and direct conversations, each sorted by name.
 */
export type Conversations = {
    /**
     * identifies the history the seqs belong to (as in `joined`)
     */
    epoch?: string | undefined;
    rooms: ConversationEntry[];
    direct: ConversationEntry[];
};
/**
 * How far the user has read a conversation: the `read` event's detail, also what `read()` resolves with.
 */
export type ReadState = {
    /**
     * the room, for a room
     */
    room?: string | undefined;
    /**
     * the other user, for a direct conversation
     */
    with?: string | undefined;
    seq: number;
};
/**
 * The `state` event's detail.
 */
export type StateChange = {
    state: "idle" | "connecting" | "open" | "reconnecting" | "closed";
    /**
     * the user name, once welcomed
     */
    user?: string | undefined;
    /**
     * the connection's id (open only)
     */
    session?: string | undefined;
    /**
     * the close code (reconnecting, closed)
     */
    code?: number | undefined;
    /**
     * the close reason (reconnecting, closed)
     */
    reason?: string | undefined;
    /**
     * milliseconds until the next attempt (reconnecting)
     */
    delay?: number | undefined;
    /**
     * the number of that attempt (reconnecting)
     */
    attempt?: number | undefined;
};
/**
 * Timer functions, replaceable in tests.
 */
export type Clock = {
    setTimeout: (fn: () => void, ms: number) => any;
    clearTimeout: (handle: any) => void;
    /**
     * milliseconds
     */
    now: () => number;
};
export type ClientOptions = {
    /**
     * the socket URL; default {@link socketUrl}() of the current page
     */
    url?: string | undefined;
    /**
     * the user name to ask for; without it the server assigns a guest name, which
     *  the client then keeps across reconnects
     */
    name?: string | undefined;
    /**
     * more query parameters (such as a token); a function is called before every connection attempt,
     * and makes the client retry once after close code 4401
     */
    params?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>) | undefined;
    /**
     * the WebSocket class; default the global one
     */
    WebSocket?: {
        new (url: string | URL, protocols?: string | string[]): WebSocket;
        prototype: WebSocket;
        readonly CONNECTING: 0;
        readonly OPEN: 1;
        readonly CLOSING: 2;
        readonly CLOSED: 3;
    } | undefined;
    /**
     * after retryable closes other than {@link RESTART_CODES}
     */
    backoff?: Partial<Backoff> | undefined;
    /**
     * after {@link RESTART_CODES} (and failed attempts)
     */
    restartBackoff?: Partial<Backoff> | undefined;
    /**
     * after 4429
     */
    slowBackoff?: Partial<Backoff> | undefined;
    /**
     * send a ping after this many ms without hearing from the server (10000)
     */
    pingInterval?: number | undefined;
    /**
     * give the connection up when nothing arrives this long after a ping (10000)
     */
    pongTimeout?: number | undefined;
    /**
     * give an attempt up when no welcome arrives this long after it started (15000)
     */
    connectTimeout?: number | undefined;
    /**
     * a connection open this long resets the backoff (5000)
     */
    stableAfter?: number | undefined;
    /**
     * send at most one typing notice per room per this many ms (2000)
     */
    typingInterval?: number | undefined;
    /**
     * timers (for tests)
     */
    clock?: Clock | undefined;
    /**
     * numbers in [0, 1) for jitter and refs (for tests)
     */
    random?: (() => number) | undefined;
    /**
     * where exceptions thrown by listeners go (console.error)
     */
    onListenerError?: ((error: unknown) => void) | undefined;
};
