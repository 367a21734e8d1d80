// How the chat page shows what users wrote: links, dates and the length that counts against the server's limit.
// Nothing here uses innerHTML: text goes in as text nodes, and only http(s) addresses ever become links.

/**
 * The length of a message text as the server counts it: Unicode code points (docs/protocol.md, `message`, is
 * the one place the rule is written). An emoji such as 👍 is one, although it takes two UTF-16 units.
 *
 * @param {string} text
 * @returns {number}
 */
export function textLength(text) {
    let n = 0;
    for (const ignored of text) {
        n++;
    }
    return n;
}

// A candidate link: http:// or https:// and everything up to white space or a character that cannot end it.
const URL_CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/giu;
// Punctuation that usually belongs to the sentence, not the address.
const TRAILING = /[.,;:!?)\]}*_~]+$/u;

/**
 * The text as nodes: plain text nodes, with each http(s) address made into a link that opens in a new tab
 * without giving the new page a handle on this one. Any other scheme (`javascript:`, `data:`, ...) stays text.
 *
 * @param {string} text
 * @returns {Node[]}
 */
export function withLinks(text) {
    const nodes = [];
    let last = 0;
    for (const match of text.matchAll(URL_CANDIDATE)) {
        let candidate = match[0];
        const trailing = candidate.match(TRAILING);
        if (trailing) {
            // Keep a closing parenthesis that closes one opened inside the address (Wikipedia's style).
            let cut = trailing[0];
            if (cut.startsWith(')') && candidate.slice(0, -cut.length).includes('(')) {
                cut = cut.slice(1);
            }
            candidate = candidate.slice(0, candidate.length - cut.length);
        }
        const href = safeHref(candidate);
        if (href === null) {
            continue;
        }
        if (match.index > last) {
            nodes.push(document.createTextNode(text.slice(last, match.index)));
        }
        const a = document.createElement('a');
        a.href = href;
        a.textContent = candidate;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        a.dir = 'auto';
        nodes.push(a);
        last = match.index + candidate.length;
    }
    if (last < text.length) {
        nodes.push(document.createTextNode(text.slice(last)));
    }
    return nodes;
}

/** The address to link to, or null unless it parses as an http: or https: URL with a host. */
function safeHref(candidate) {
    try {
        const url = new URL(candidate);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url.href : null;
    } catch {
        return null;
    }
}

function startOfDay(date) {
    return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

/**
 * When a message was sent, as shown next to it: "Today 14:05", "Yesterday 19:32", or the date and time
 * ("28 Nov 14:05", with the year when it is not this year's); `full` is the full date and time for the hover.
 *
 * @param {string} ts ISO-8601
 * @param {Date} [now]
 * @returns {{short: string, full: string}|null} null for an unreadable time
 */
export function when(ts, now = new Date()) {
    const date = new Date(ts);
    if (Number.isNaN(date.getTime())) {
        return null;
    }
    const time = date.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});
    const days = Math.round((startOfDay(now) - startOfDay(date)) / 86_400_000);
    const day = days === 0 ? 'Today'
        : days === 1 ? 'Yesterday'
            : date.toLocaleDateString([], date.getFullYear() === now.getFullYear()
                ? {day: 'numeric', month: 'short'}
                : {day: 'numeric', month: 'short', year: 'numeric'});
    return {
        short: day + ' ' + time,
        full: date.toLocaleString([], {weekday: 'long', year: 'numeric', month: 'long', day: 'numeric',
            hour: '2-digit', minute: '2-digit', second: '2-digit'}),
    };
}

/**
 * Fills a `<time>` element for `ts`.
 *
 * @param {HTMLTimeElement} element
 * @param {string} ts
 * @param {Date} [now]
 */
export function showWhen(element, ts, now) {
    const shown = when(ts, now);
    element.dateTime = ts;
    element.textContent = shown ? shown.short : '';
    element.title = shown ? shown.full : '';
}
