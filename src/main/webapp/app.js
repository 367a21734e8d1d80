// The Parley chat page: a thin view over the client library. Everything users typed is put into the page
// with textContent (never innerHTML), so it always shows as text.
import {ParleyClient, POLICY_VIOLATION_CODE, protocolUrl, socketUrl} from './parley.js';
import {showWhen, textLength, withLinks} from './page-text.js';
import {DesktopNotifications, UnreadIndicator} from './attention.js';

const PAGE = 50;
const TYPING_SHOWN_MS = 3000;
/** The counter under the message box shows from this share of the limit on. */
const COUNTER_FROM = 0.9;
/** How close to the end of the list (px) still counts as reading the newest message. */
const AT_BOTTOM_PX = 40;

const $ = (id) => document.getElementById(id);

/**
 * The server's rules for names, as its protocol.json states them; until that arrived (or if it cannot be had)
 * the page checks only that a name is not empty, and the server still refuses what breaks its rules.
 */
const rules = {
    name: /./,
    room: /./,
    /** The longest message text in code points ({@link textLength}); the server's default until protocol.json came. */
    textMax: 4000,
};

/** Takes the name syntax and the text limit from the server, so the page keeps no copy of them. */
const protocolLoaded = fetch(protocolUrl(location.href))
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error('HTTP ' + response.status))))
    .then((protocol) => {
        rules.name = new RegExp('^(?:' + protocol.names.user + ')$');
        rules.room = new RegExp('^(?:' + protocol.names.room + ')$');
        $('login-name').pattern = protocol.names.user;
        $('join-room').pattern = protocol.names.room;
        // No maxLength: it would cut a long paste silently (and counts UTF-16 units); the counter shows it instead.
        rules.textMax = protocol.limits.textMaxChars;
        $('composer-count').dataset.limit = String(rules.textMax);
    })
    .catch(() => {
        // No description (an old server, a network hiccup): the server's own checks still apply.
    });

/** What this tab remembers across reloads (sessionStorage: per tab, like the connection). */
const saved = {
    get(key) {
        try {
            return JSON.parse(sessionStorage.getItem('parley.' + key));
        } catch {
            return null;
        }
    },
    set(key, value) {
        try {
            sessionStorage.setItem('parley.' + key, JSON.stringify(value));
        } catch {
            // storage full or disabled: the page still works, it only forgets on reload
        }
    },
    clear(keys) {
        for (const key of keys) {
            sessionStorage.removeItem('parley.' + key);
        }
    },
};

/** One conversation the page shows: a room or direct messages with one user. */
class Conversation {
    constructor(kind, name) {
        this.kind = kind;
        this.name = name;
        this.key = kind + ':' + name;
        this.members = [];
        this.unread = 0;
        /** The newest seq seen in this conversation. */
        this.lastSeq = 0;
        /** The user's read seq as the server keeps it (all tabs and devices); null while unknown (then unread is counted here). */
        this.readSeq = null;
        /** For direct messages: whether the other person was connected, as the server last said (null: not said). */
        this.online = null;
        this.readTimer = null;
        this.quiet = false;
        this.olderDone = kind === 'dm';
        /** @type {Map<number, HTMLLIElement>} messages by seq (rooms) or id (direct) */
        this.items = new Map();
        /** @type {Map<string, HTMLLIElement>} the user's own messages not yet confirmed, by ref */
        this.pending = new Map();
        /** @type {Map<string, number>} who is typing, with the timer that hides it */
        this.typing = new Map();

        // A plain list; its container #logs is the live region (role log), so list items keep their meaning.
        this.log = document.createElement('ol');
        this.log.className = 'log';
        this.log.dataset.key = this.key;
        this.log.setAttribute('aria-label', (kind === 'room' ? 'Messages in ' : 'Direct messages with ') + name);
        this.log.hidden = true;
        /** @type {HTMLLIElement|null} the "new messages" line, before the first message that came while scrolled up */
        this.marker = null;
        $('logs').append(this.log);

        this.button = document.createElement('button');
        this.button.type = 'button';
        this.button.className = 'conversation-button';
        this.button.dataset.key = this.key;
        this.label = document.createElement('span');
        this.label.dir = 'auto';
        this.label.textContent = (kind === 'room' ? '# ' : '@ ') + name;
        this.badge = document.createElement('span');
        this.badge.className = 'badge';
        this.badge.hidden = true;
        this.button.append(this.label, this.badge);
        this.button.addEventListener('click', () => activate(this.key, true));
        this.entry = document.createElement('li');
        this.entry.append(this.button);
        (kind === 'room' ? $('room-list') : $('dm-list')).append(this.entry);
        $('dm-empty').hidden = $('dm-list').children.length > 0;
    }

    /** The smallest seq shown, or undefined. */
    get oldest() {
        let min;
        for (const seq of this.items.keys()) {
            if (min === undefined || seq < min) {
                min = seq;
            }
        }
        return min;
    }

    remove() {
        this.log.remove();
        this.entry.remove();
        for (const timer of this.typing.values()) {
            clearTimeout(timer);
        }
        $('dm-empty').hidden = $('dm-list').children.length > 0;
    }

    /** Forgets what is shown (history was reset, or a gap opened): the user's unconfirmed messages stay. */
    clear() {
        for (const li of this.items.values()) {
            li.remove();
        }
        this.items.clear();
        this.olderDone = this.kind === 'dm';
    }

    markUnread() {
        this.unread = this.readSeq === null ? this.unread + 1 : Math.max(0, this.lastSeq - this.readSeq);
        this.showBadge();
        showUnreadTotal();
    }

    /** Takes the server's read state (from `conversations`, or a `read` from this or another tab): never backwards. */
    readUpTo(seq) {
        this.readSeq = Math.max(this.readSeq ?? 0, seq);
        this.unread = Math.max(0, this.lastSeq - this.readSeq);
        this.showBadge();
        showUnreadTotal();
    }

    /** Puts the "new messages" line before `li`, unless one is shown already. */
    markNew(li) {
        if (this.marker === null) {
            this.marker = document.createElement('li');
            this.marker.className = 'new-marker';
            this.marker.textContent = 'New messages';
            this.log.insertBefore(this.marker, li);
        }
    }

    clearMarker() {
        this.marker?.remove();
        this.marker = null;
    }

    showBadge() {
        this.badge.hidden = this.unread === 0;
        this.badge.textContent = '';
        if (this.unread > 0) {
            const hidden = document.createElement('span');
            hidden.className = 'visually-hidden';
            hidden.textContent = ' unread';
            this.badge.append(String(this.unread), hidden);
        }
    }
}

const view = {
    /** @type {ParleyClient|null} */
    client: null,
    /** @type {Map<string, Conversation>} */
    conversations: new Map(),
    /** @type {string|null} */
    active: null,
    /** The rooms to be in, as remembered; null until the user has chosen (a first visit takes the server's). */
    wanted: null,
    /** Whether the rooms came from storage (a reload): then a room the server adds by itself is left again. */
    restored: false,
    /** The conversation to show again after a reload, until the user picks one (direct ones come with `conversations`). */
    reopen: null,
    /** Whether the server keeps read state (it sent `conversations`). */
    readState: false,
};

const unreadIndicator = new UnreadIndicator();
const notifications = new DesktopNotifications((enabled, note) => {
    $('notify').setAttribute('aria-pressed', String(enabled));
    $('notify').disabled = typeof Notification !== 'function';
    $('notify-hint').textContent = note;
});

/** The tab title and the favicon show the unread total of every conversation. */
function showUnreadTotal() {
    let total = 0;
    for (const c of view.conversations.values()) {
        total += c.unread;
    }
    unreadIndicator.show(total);
}

// ---------------------------------------------------------------- rendering

/** What a message shows: its text, or a note for one that carries only application data (the drawing board's strokes). */
function shownText(m) {
    return m.text === '' && m.data !== undefined ? '(application data)' : m.text;
}

/** A message list item; every user-supplied string goes in through textContent. */
function messageItem(from, text, ts) {
    const li = document.createElement('li');
    li.className = 'msg';
    const meta = document.createElement('div');
    meta.className = 'meta';
    const who = document.createElement('span');
    who.className = 'from';
    who.dir = 'auto';
    who.textContent = from;
    meta.append(who);
    if (ts) {
        const time = document.createElement('time');
        showWhen(time, ts);
        meta.append(' ', time);
    }
    const body = document.createElement('p');
    body.className = 'text';
    body.dir = 'auto';
    body.append(...withLinks(text));
    li.append(meta, body);
    if (from === view.client?.user) {
        li.classList.add('mine');
    }
    return li;
}

function atBottom() {
    const logs = $('logs');
    return logs.scrollHeight - logs.scrollTop - logs.clientHeight < AT_BOTTOM_PX;
}

function scrollToBottom() {
    const logs = $('logs');
    logs.scrollTop = logs.scrollHeight;
    $('new-messages').hidden = true;
}

/**
 * Adds a message someone sent (or history) to a conversation. The newest message stays in sight if the reader
 * was at the bottom; if they had scrolled up, a "new messages" line and button say that more came below. A
 * message not seen at once (another conversation, the page hidden, scrolled up) counts as unread.
 *
 * @param {Conversation} conv
 * @param {number} key seq or id
 * @param {HTMLLIElement} li
 * @param {boolean} news whether it is news (false for history and the user's own messages)
 * @param {{title: string, body: string}} [notice] for the desktop notification
 */
function showMessage(conv, key, li, news, notice) {
    const shown = view.active === conv.key;
    const bottom = shown && atBottom();
    if (!place(conv, key, li)) {
        return;
    }
    conv.lastSeq = Math.max(conv.lastSeq, key);
    if (shown && bottom) {
        scrollToBottom();
    }
    if (!news) {
        if (conv.readSeq !== null && li.classList.contains('mine')) {
            conv.readUpTo(key); // the server moved the sender's read state to their own message
        }
        return;
    }
    if (shown && bottom && !document.hidden) {
        seen();
        return;
    }
    if (shown && !bottom) {
        conv.markNew(li);
        $('new-messages').hidden = false;
    }
    if (!shown || document.hidden || !bottom) {
        conv.markUnread();
        if (notice) {
            notifications.show(notice.title, notice.body, conv.key, () => activate(conv.key, true));
        }
    }
}

/** The active conversation's messages have been seen: the page is visible and its end is in sight. */
function seen() {
    const conv = view.conversations.get(view.active);
    if (!conv || document.hidden || !atBottom()) {
        return;
    }
    $('new-messages').hidden = true;
    if (conv.readSeq !== null && conv.lastSeq > conv.readSeq) {
        conv.readUpTo(conv.lastSeq);
        sendRead(conv);
    }
    if (conv.unread > 0) {
        conv.unread = 0;
        conv.showBadge();
        showUnreadTotal();
    }
}

/** Tells the server (so every tab and device) how far the user has read; at most one frame per conversation per 300 ms. */
function sendRead(conv) {
    if (conv.readTimer !== null) {
        return;
    }
    conv.readTimer = setTimeout(() => {
        conv.readTimer = null;
        const client = view.client;
        if (!client || view.conversations.get(conv.key) !== conv || conv.readSeq === null || conv.readSeq < 1) {
            return;
        }
        const target = conv.kind === 'room' ? {room: conv.name} : {with: conv.name};
        client.read({...target, seq: conv.readSeq}).catch(() => {
            // not joined yet, or the database is down: the next time the user reads, the page says it again
        });
    }, 300);
}

/** Puts a confirmed message in its place by seq (or id); the user's unconfirmed ones stay last. Once only. */
function place(conv, key, li) {
    if (conv.items.has(key)) {
        return false;
    }
    li.dataset.seq = String(key);
    conv.items.set(key, li);
    let before = conv.log.querySelector('li.pending');
    let node = before ? before.previousElementSibling : conv.log.lastElementChild;
    while (node && (node === conv.marker || Number(node.dataset.seq) > key)) {
        before = node;
        node = node.previousElementSibling;
    }
    conv.log.insertBefore(li, before);
    return true;
}

function confirmPending(conv, ref) {
    const li = ref === undefined ? undefined : conv.pending.get(ref);
    if (li) {
        conv.pending.delete(ref);
        li.remove();
    }
}

function renderMembers() {
    const list = $('member-list');
    list.replaceChildren();
    const conv = view.conversations.get(view.active);
    const members = conv?.kind === 'room' ? conv.members : conv ? [view.client.user, conv.name] : [];
    for (const user of members) {
        const li = document.createElement('li');
        li.dataset.user = user;
        // In a room everyone listed is connected. In direct messages the other person is shown online only when
        // known to be: in one of this user's rooms now, or connected when the server last listed the conversations.
        const online = conv.kind === 'room' || user === view.client.user || inSharedRoom(user) || conv.online === true;
        const presence = online ? 'online' : conv.online === false ? 'offline' : 'unknown';
        li.dataset.presence = presence;
        const dot = document.createElement('span');
        dot.className = 'presence ' + presence;
        dot.setAttribute('aria-hidden', 'true');
        const name = document.createElement('span');
        name.className = 'member-name';
        name.dir = 'auto';
        name.textContent = user;
        const state = document.createElement('span');
        state.className = online ? 'visually-hidden' : 'presence-note';
        state.textContent = online ? ' (online)' : presence === 'offline' ? ' (offline)' : ' (not in your rooms now)';
        li.append(dot, name, state);
        if (user === view.client.user) {
            li.append(' (you)');
        } else if (conv.kind === 'room') {
            const write = document.createElement('button');
            write.type = 'button';
            write.className = 'link-button';
            // The visible word starts the accessible name, as speech input users say what they see.
            const whom = document.createElement('span');
            whom.className = 'visually-hidden';
            whom.textContent = ' ' + user;
            write.append('Message', whom);
            write.addEventListener('click', () => {
                conversation('dm', user);
                activate('dm:' + user, false);
                $('composer-text').focus();
            });
            li.append(' ', write);
        }
        list.append(li);
    }
}

/** Whether `user` is a member of one of the rooms this page is in. */
function inSharedRoom(user) {
    for (const c of view.conversations.values()) {
        if (c.kind === 'room' && c.members.includes(user)) {
            return true;
        }
    }
    return false;
}

function renderTyping() {
    const conv = view.conversations.get(view.active);
    const who = conv ? [...conv.typing.keys()] : [];
    $('typing').textContent = who.length === 0 ? ''
        : who.length === 1 ? who[0] + ' is typing…'
            : who.slice(0, -1).join(', ') + ' and ' + who.at(-1) + ' are typing…';
}

function conversation(kind, name) {
    const key = kind + ':' + name;
    let conv = view.conversations.get(key);
    if (!conv) {
        conv = new Conversation(kind, name);
        if (view.readState && kind === 'dm') {
            conv.readSeq = 0; // new to this page after the server's list: nothing read yet (as the server counts)
        }
        view.conversations.set(key, conv);
        if (view.active === null) {
            activate(key, false, true);
        }
    }
    return conv;
}

/**
 * Shows a conversation. `restoring` when the page, not the user, picks it (the first one, or the one shown before
 * a reload); once the user picked one, the page no longer switches to the remembered one.
 */
function activate(key, focusComposer, restoring = false) {
    const conv = view.conversations.get(key);
    if (!conv) {
        return;
    }
    if (!restoring) {
        view.reopen = null;
    }
    const previous = view.conversations.get(view.active);
    if (previous && previous !== conv) {
        previous.clearMarker();
    }
    view.active = key;
    if (!restoring || key === view.reopen) {
        saved.set('active', key);
    }
    for (const c of view.conversations.values()) {
        c.log.hidden = c !== conv;
        c.button.setAttribute('aria-current', c === conv ? 'true' : 'false');
    }
    $('conversation-title').textContent = (conv.kind === 'room' ? '# ' : '@ ') + conv.name;
    $('composer-label').textContent = conv.kind === 'room' ? 'Message # ' + conv.name : 'Message @ ' + conv.name;
    $('leave-room').hidden = conv.kind !== 'room';
    $('leave-room').setAttribute('aria-label', conv.kind === 'room' ? 'Leave room ' + conv.name : '');
    $('load-older').hidden = conv.olderDone;
    $('composer-text').disabled = false;
    renderMembers();
    renderTyping();
    scrollToBottom();
    seen();
    // Also when nothing had the focus yet (the first room after signing in): typing should just work.
    if (focusComposer || document.activeElement === document.body || document.activeElement === null) {
        $('composer-text').focus();
    }
}

function showNothing() {
    view.active = null;
    $('conversation-title').textContent = 'No conversation';
    $('composer-label').textContent = 'Message';
    $('composer-text').disabled = true;
    $('leave-room').hidden = true;
    $('load-older').hidden = true;
    renderMembers();
    renderTyping();
}

function rememberRooms() {
    view.wanted = [...view.conversations.values()].filter((c) => c.kind === 'room').map((c) => c.name);
    saved.set('rooms', view.wanted);
}

const STATUS_TEXT = {
    idle: () => 'Not connected',
    connecting: () => 'Connecting…',
    open: () => 'Connected',
    reconnecting: (s) => s.left > 0 ? 'Connection lost. Reconnecting in ' + Math.ceil(s.left / 1000) + ' s…'
        : 'Connection lost. Reconnecting…',
    closed: (s) => 'Disconnected' + (s.reason ? ': ' + s.reason : '') + '.',
};

/** The countdown to the next reconnect attempt, updated every second while waiting. */
let countdown = null;

function showState(s) {
    const status = $('status');
    status.dataset.state = s.state;
    if (s.state === 'open') {
        status.dataset.session = s.session;
    }
    clearInterval(countdown);
    countdown = null;
    if (s.state === 'reconnecting') {
        const due = Date.now() + (s.delay ?? 0);
        const tick = () => {
            status.textContent = STATUS_TEXT.reconnecting({left: due - Date.now()});
        };
        tick();
        countdown = setInterval(tick, 250);
    } else {
        status.textContent = STATUS_TEXT[s.state](s);
    }
    // Waiting to reconnect: try now. Closed for good (the server refused): the user may still ask to try again.
    $('reconnect').hidden = s.state !== 'reconnecting' && s.state !== 'closed';
    document.body.classList.toggle('offline', s.state !== 'open');
    for (const li of document.querySelectorAll('li.pending:not(.failed) .delivery')) {
        li.textContent = s.state === 'open' ? 'Sending…' : 'Waiting for the connection…';
    }
    if (s.user) {
        $('me').textContent = s.user;
        $('whoami').hidden = false;
    }
    if (s.state === 'closed' && s.code === POLICY_VIOLATION_CODE) {
        signOut('The server refused that name' + (s.reason ? ' (' + s.reason + ')' : '') + '.');
    }
}

// ---------------------------------------------------------------- client events

function onJoined(info) {
    if (view.restored && !view.wanted.includes(info.room)) {
        // The server put this tab back into a room (its default room) that the user had left.
        view.client.leave(info.room).catch(() => {});
        return;
    }
    const conv = conversation('room', info.room);
    if (info.reset || info.truncated) {
        conv.clear();
        if (view.active === conv.key) {
            $('load-older').hidden = false;
        }
    }
    conv.members = info.members;
    // The history that follows this event synchronously is not news; recovered messages after a reconnect are.
    conv.quiet = !info.rejoin;
    queueMicrotask(() => {
        conv.quiet = false;
        if (view.readState && conv.readSeq === null) {
            conv.readUpTo(conv.lastSeq); // a room joined now starts read (the server does the same)
        }
        // Rooms count from seq 1: a room shown from its first message (or empty) has nothing older.
        const oldest = conv.oldest;
        conv.olderDone = !info.truncated && (oldest === undefined || oldest <= 1);
        if (view.active === conv.key) {
            $('load-older').hidden = conv.olderDone;
        }
    });
    rememberRooms();
    if (view.active === conv.key) {
        renderMembers();
    }
}

function onMessage(m) {
    const conv = view.conversations.get('room:' + m.room);
    if (!conv) {
        return;
    }
    if (m.from === view.client.user) {
        confirmPending(conv, m.ref);
    }
    stopTyping(conv, m.from);
    const text = shownText(m);
    showMessage(conv, m.seq, messageItem(m.from, text, m.ts), !conv.quiet && m.from !== view.client.user,
        {title: m.from + ' in # ' + m.room, body: text});
    if (view.active === conv.key && presentInDm()) {
        renderMembers();
    }
}

/** Whether the conversation shown is direct messages (whose presence dot follows the rooms' members). */
function presentInDm() {
    return view.active?.startsWith('dm:') ?? false;
}

function onDirect(d) {
    const me = view.client.user;
    const other = d.from === me ? d.to : d.from;
    const conv = conversation('dm', other);
    if (d.from === me) {
        confirmPending(conv, d.ref);
    }
    const text = shownText(d);
    // A server with conversations numbers each pair's messages (seq); an older one gives only the global id.
    showMessage(conv, d.seq ?? d.id, messageItem(d.from, text, d.ts), d.from !== me,
        {title: d.from + ' (direct)', body: text});
}

/**
 * The server's list of this user's conversations with their read state (on every connect, and on request): direct
 * conversations come back with their newest messages, unread counts follow the server (the same on every tab and
 * device), and after a reload the conversation shown before is shown again. A tab with no rooms of its own (a
 * new tab, another device) joins the user's rooms.
 */
function onConversations(c) {
    view.readState = true;
    for (const r of c.rooms ?? []) {
        let conv = view.conversations.get('room:' + r.room);
        if (!conv && !view.restored) {
            conv = conversation('room', r.room);
            view.client.join(r.room).catch(() => {});
            rememberRooms();
        }
        if (conv) {
            conv.lastSeq = Math.max(conv.lastSeq, r.seq ?? 0);
            conv.readUpTo(r.read ?? 0);
        }
    }
    for (const d of c.direct ?? []) {
        const conv = conversation('dm', d.with);
        conv.online = d.online === true;
        conv.lastSeq = Math.max(conv.lastSeq, d.seq ?? 0);
        conv.readUpTo(d.read ?? 0);
        if (conv.items.size === 0 && (d.seq ?? 0) > 0) {
            loadDirect(conv).catch(() => {});
        }
    }
    if (view.reopen && view.reopen !== view.active && view.conversations.has(view.reopen)) {
        activate(view.reopen, false, true);
    } else if (presentInDm()) {
        renderMembers();
    }
    seen();
}

/** A read state from the server: this tab's own, or another tab's or device's. */
function onRead(r) {
    const conv = view.conversations.get(r.room !== undefined ? 'room:' + r.room : 'dm:' + r.with);
    conv?.readUpTo(r.seq);
}

/** Loads a page of a direct conversation's history: the newest, or those before `before`. */
async function loadDirect(conv, before) {
    const messages = await view.client.directHistory(conv.name, before === undefined ? {limit: PAGE} : {before, limit: PAGE});
    for (const d of messages) {
        showMessage(conv, d.seq, messageItem(d.from, shownText(d), d.ts), false);
    }
    conv.olderDone = messages.length < PAGE || messages[0].seq <= 1;
    if (view.active === conv.key) {
        $('load-older').hidden = conv.olderDone;
        if (before === undefined) {
            scrollToBottom();
        }
    }
    return messages;
}

function onPresence(p) {
    const conv = view.conversations.get('room:' + p.room);
    if (!conv) {
        return;
    }
    conv.members = p.members;
    if (p.event === 'leave') {
        stopTyping(conv, p.user);
    }
    if (view.active === conv.key || presentInDm()) {
        renderMembers();
    }
}

function onTyping(t) {
    const conv = view.conversations.get('room:' + t.room);
    if (!conv) {
        return;
    }
    clearTimeout(conv.typing.get(t.from));
    conv.typing.set(t.from, setTimeout(() => stopTyping(conv, t.from), TYPING_SHOWN_MS));
    if (view.active === conv.key) {
        renderTyping();
    }
}

function stopTyping(conv, user) {
    if (conv.typing.has(user)) {
        clearTimeout(conv.typing.get(user));
        conv.typing.delete(user);
        if (view.active === conv.key) {
            renderTyping();
        }
    }
}

// ---------------------------------------------------------------- user actions

function sendMessage(conv, text) {
    const promise = conv.kind === 'room' ? view.client.send(conv.name, text) : view.client.direct(conv.name, text);
    const li = messageItem(view.client.user, text, null);
    li.classList.add('pending');
    li.dataset.ref = promise.ref;
    const delivery = document.createElement('span');
    delivery.className = 'delivery';
    delivery.textContent = view.client.state === 'open' ? 'Sending…' : 'Waiting for the connection…';
    li.querySelector('.meta').append(' ', delivery);
    conv.pending.set(promise.ref, li);
    conv.log.append(li);
    // The user's own message is always brought into view, wherever they had scrolled to.
    conv.clearMarker();
    scrollToBottom();
    seen();
    promise.then((ack) => {
        // Normally the message itself arrived first and replaced this item; if not, it becomes the message.
        if (conv.pending.get(promise.ref) === li) {
            conv.pending.delete(promise.ref);
            li.classList.remove('pending');
            delivery.remove();
            if (ack.seq !== undefined) {
                li.remove();
                place(conv, ack.seq, li);
                conv.lastSeq = Math.max(conv.lastSeq, ack.seq);
                if (conv.readSeq !== null) {
                    conv.readUpTo(ack.seq);
                }
            }
        }
    }, (error) => {
        li.classList.add('failed');
        delivery.textContent = 'Not sent: ' + error.message;
        delivery.setAttribute('role', 'alert');
        const again = document.createElement('button');
        again.type = 'button';
        again.className = 'link-button';
        again.textContent = 'Try again';
        again.addEventListener('click', () => {
            conv.pending.delete(promise.ref);
            li.remove();
            sendMessage(conv, text);
        });
        const discard = document.createElement('button');
        discard.type = 'button';
        discard.className = 'link-button';
        discard.textContent = 'Discard';
        discard.addEventListener('click', () => {
            conv.pending.delete(promise.ref);
            li.remove();
            $('composer-text').focus();
        });
        li.querySelector('.meta').append(' ', again, ' ', discard);
    });
}

async function loadOlder() {
    const conv = view.conversations.get(view.active);
    if (!conv) {
        return;
    }
    const button = $('load-older');
    button.disabled = true;
    try {
        const before = conv.oldest;
        const logs = $('logs');
        const fromBottom = logs.scrollHeight - logs.scrollTop;
        if (conv.kind === 'dm') {
            await loadDirect(conv, before);
        } else {
            const page = await view.client.history(conv.name, before === undefined ? {limit: PAGE} : {before, limit: PAGE});
            for (const m of page) {
                place(conv, m.seq, messageItem(m.from, shownText(m), m.ts));
            }
            if (page.length < PAGE || page[0].seq <= 1) {
                conv.olderDone = true;
            }
        }
        logs.scrollTop = logs.scrollHeight - fromBottom;
    } catch (e) {
        $('typing').textContent = 'Could not load older messages: ' + e.message;
    } finally {
        button.disabled = false;
        button.hidden = conv.olderDone || view.active !== conv.key;
        if (button.hidden) {
            $('composer-text').focus();
        }
    }
}

function start(name) {
    saved.set('name', name);
    view.wanted = saved.get('rooms');
    view.restored = Array.isArray(view.wanted);
    const client = new ParleyClient({url: socketUrl(location.href), name});
    view.client = client;
    client.on('state', showState);
    client.on('joined', onJoined);
    client.on('message', onMessage);
    client.on('direct', onDirect);
    client.on('presence', onPresence);
    client.on('typing', onTyping);
    client.on('conversations', onConversations);
    client.on('read', onRead);
    client.on('error', (e) => {
        $('typing').textContent = 'Server: ' + e.message;
    });
    $('login-view').hidden = true;
    $('chat-view').hidden = false;
    document.body.classList.add('in-chat');
    showNothing();
    client.connect();
    view.reopen = saved.get('active');
    view.readState = false;
    for (const room of view.wanted ?? []) {
        conversation('room', room);
        client.join(room).catch((e) => {
            $('join-error').textContent = 'Could not rejoin ' + room + ': ' + e.message;
        });
    }
    if (view.reopen && view.conversations.has(view.reopen)) {
        activate(view.reopen, false, true);
    }
    $('composer-text').focus();
}

/** Signs out of this tab; the rooms stay remembered unless `forget` (the server refused the name). */
function signOut(message, forget = true) {
    view.client?.close();
    view.client = null;
    for (const conv of view.conversations.values()) {
        conv.remove();
    }
    view.conversations.clear();
    view.active = null;
    showUnreadTotal();
    saved.clear(forget ? ['name', 'rooms', 'active'] : ['name', 'active']);
    $('chat-view').hidden = true;
    document.body.classList.remove('in-chat');
    $('whoami').hidden = true;
    $('login-view').hidden = false;
    $('login-error').textContent = message ?? '';
    $('status').dataset.state = 'idle';
    $('status').textContent = 'Not connected';
    $('reconnect').hidden = true;
    $('login-name').focus();
}

// ---------------------------------------------------------------- wiring

$('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = $('login-name').value.trim();
    await protocolLoaded;
    if (!rules.name.test(name)) {
        $('login-error').textContent = 'Use 1 to 32 letters, digits, dots, dashes or underscores.';
        $('login-name').setAttribute('aria-invalid', 'true');
        $('login-name').focus();
        return;
    }
    $('login-name').removeAttribute('aria-invalid');
    $('login-error').textContent = '';
    start(name);
});

$('join-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('join-room');
    const room = input.value.trim();
    if (!rules.room.test(room)) {
        $('join-error').textContent = 'Room names are 1 to 64 letters, digits or _ . : - and start with a letter or digit.';
        input.setAttribute('aria-invalid', 'true');
        return;
    }
    input.removeAttribute('aria-invalid');
    $('join-error').textContent = '';
    input.value = '';
    conversation('room', room);
    rememberRooms();
    activate('room:' + room, true);
    view.client.join(room).catch((e) => {
        $('join-error').textContent = 'Could not join ' + room + ': ' + e.message;
        view.conversations.get('room:' + room)?.remove();
        view.conversations.delete('room:' + room);
        rememberRooms();
        showNothing();
    });
});

$('leave-room').addEventListener('click', () => {
    const conv = view.conversations.get(view.active);
    if (!conv || conv.kind !== 'room') {
        return;
    }
    view.client.leave(conv.name).catch(() => {});
    conv.remove();
    view.conversations.delete(conv.key);
    rememberRooms();
    const next = view.conversations.keys().next();
    if (next.done) {
        showNothing();
    } else {
        activate(next.value, false);
    }
    $('join-room').focus();
});

$('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('composer-text');
    const conv = view.conversations.get(view.active);
    const text = input.value;
    if (!conv || text.trim() === '') {
        return;
    }
    const over = textLength(text) - rules.textMax;
    if (over > 0) {
        // Never cut what the user wrote: say by how much it is too long and leave it to them.
        $('composer-error').textContent = 'Too long by ' + over.toLocaleString() + ' characters (the limit is '
            + rules.textMax.toLocaleString() + '). Shorten it or send it in parts.';
        input.setAttribute('aria-invalid', 'true');
        return;
    }
    input.value = '';
    showCount();
    sendMessage(conv, text);
});

/** Near the limit, shows how many characters are left (or how many too many), counted as the server counts. */
function showCount() {
    const input = $('composer-text');
    const length = textLength(input.value);
    const counter = $('composer-count');
    counter.hidden = length < rules.textMax * COUNTER_FROM;
    const left = rules.textMax - length;
    counter.textContent = left >= 0 ? left.toLocaleString() + ' characters left'
        : (-left).toLocaleString() + ' characters too many';
    counter.classList.toggle('over', left < 0);
    counter.dataset.length = String(length);
    if (left >= 0) {
        $('composer-error').textContent = '';
        input.removeAttribute('aria-invalid');
    }
}

$('composer-text').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $('composer').requestSubmit();
    }
});

$('composer-text').addEventListener('input', () => {
    showCount();
    const conv = view.conversations.get(view.active);
    if (conv?.kind === 'room' && $('composer-text').value !== '') {
        view.client.typing(conv.name);
    }
});

$('load-older').addEventListener('click', loadOlder);
$('reconnect').addEventListener('click', () => {
    if (view.client?.state === 'closed') {
        view.client.connect();
    } else {
        view.client?.reconnectNow();
    }
});
$('sign-out').addEventListener('click', () => $('change-name').showModal());
$('change-name-no').addEventListener('click', () => $('change-name').close());
$('change-name-yes').addEventListener('click', () => {
    $('change-name').close();
    const name = view.client?.user ?? '';
    signOut(undefined, false);
    $('login-name').value = name;
    $('login-name').select();
});
$('notify').addEventListener('click', () => notifications.toggle());
$('new-messages').addEventListener('click', () => {
    const conv = view.conversations.get(view.active);
    if (conv?.marker) {
        conv.marker.scrollIntoView({block: 'start'});
    } else {
        scrollToBottom();
    }
    seen();
    $('composer-text').focus();
});
$('logs').addEventListener('scroll', seen, {passive: true});
document.addEventListener('visibilitychange', seen);
for (const [button, panel] of [['tools-toggle', 'tools'], ['members-toggle', 'members']]) {
    $(button).addEventListener('click', () => {
        const open = $(button).getAttribute('aria-expanded') !== 'true';
        $(button).setAttribute('aria-expanded', String(open));
        $(panel).classList.toggle('open', open);
    });
}
// Past midnight "Today" becomes "Yesterday": relabel every time once the date changes.
let today = new Date().toDateString();
setInterval(() => {
    if (new Date().toDateString() !== today) {
        today = new Date().toDateString();
        for (const time of document.querySelectorAll('#logs time[datetime]')) {
            showWhen(time, time.dateTime);
        }
    }
}, 60_000);
showUnreadTotal();
window.addEventListener('online', () => view.client?.reconnectNow());

$('browse').addEventListener('toggle', async () => {
    if (!$('browse').open || !view.client) {
        return;
    }
    const list = $('all-rooms');
    try {
        const rooms = await view.client.listRooms();
        list.replaceChildren();
        for (const room of rooms) {
            const li = document.createElement('li');
            const join = document.createElement('button');
            join.type = 'button';
            join.className = 'link-button';
            join.textContent = room.name + ' (' + room.members + ')';
            join.setAttribute('aria-label', 'Join ' + room.name + ', ' + room.members + ' members');
            join.addEventListener('click', () => {
                $('join-room').value = room.name;
                $('join-form').requestSubmit();
            });
            li.append(join);
            list.append(li);
        }
    } catch (e) {
        list.replaceChildren(document.createTextNode('Could not list rooms: ' + e.message));
    }
});

// A reload keeps the name (this tab only); a link may suggest one with ?name=.
protocolLoaded.then(() => {
    const remembered = saved.get('name');
    if (typeof remembered === 'string' && rules.name.test(remembered)) {
        start(remembered);
    } else {
        const suggested = new URLSearchParams(location.search).get('name');
        if (suggested) {
            $('login-name').value = suggested;
        }
        $('login-name').focus();
    }
});
