// What tells a user outside the page that messages arrived: the tab title, a badge on the favicon, and desktop
// notifications, which stay off until the user turns them on with a click (the browser asks only then).

const TITLE = 'Parley';
const NOTIFY_KEY = 'parley.notify';

/** The favicon: a speech bubble, with the unread count in a red circle when there is one. */
export function faviconUrl(unread) {
    const label = unread > 99 ? '99+' : String(unread);
    const size = label.length > 2 ? 13 : 16;
    const badge = unread > 0
        ? '<circle cx="22" cy="10" r="10" fill="#b42318"/>'
        + '<text x="22" y="15" font-family="Arial,sans-serif" font-weight="700" font-size="' + size
        + '" text-anchor="middle" fill="#fff">' + label + '</text>'
        : '';
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
        + '<path d="M4 6h20a3 3 0 0 1 3 3v12a3 3 0 0 1-3 3H13l-6 5v-5H4a3 3 0 0 1-3-3V9a3 3 0 0 1 3-3z" fill="#0a58ca"/>'
        + badge + '</svg>';
    return 'data:image/svg+xml,' + encodeURIComponent(svg);
}

/**
 * Shows the unread total in the tab's title ("(3) Parley") and on the favicon; the same total twice changes nothing.
 */
export class UnreadIndicator {
    #shown = -1;

    /** @param {number} total unread messages over every conversation */
    show(total) {
        if (total === this.#shown) {
            return;
        }
        this.#shown = total;
        document.title = total > 0 ? '(' + total + ') ' + TITLE : TITLE;
        document.getElementById('favicon')?.setAttribute('href', faviconUrl(total));
    }
}

/**
 * Desktop notifications, off by default. The user turns them on with a click (only then does the browser ask for
 * permission); the choice is remembered in this browser. Shown only while the page is hidden.
 */
export class DesktopNotifications {
    #enabled = false;
    #onChange;

    /** @param {(enabled: boolean, note: string) => void} onChange told whenever the setting (or its reason) changes */
    constructor(onChange) {
        this.#onChange = onChange;
        this.#enabled = this.supported && Notification.permission === 'granted' && remembered() === true;
        this.#onChange(this.#enabled, this.#note());
    }

    /** Whether this browser has desktop notifications at all. */
    get supported() {
        return typeof Notification === 'function';
    }

    get enabled() {
        return this.#enabled;
    }

    /** Turns them on (asking the browser's permission if needed) or off; call from a click only. */
    async toggle() {
        if (!this.supported) {
            return;
        }
        if (this.#enabled) {
            this.#enabled = false;
        } else {
            const permission = Notification.permission === 'default'
                ? await Notification.requestPermission()
                : Notification.permission;
            this.#enabled = permission === 'granted';
        }
        remember(this.#enabled);
        this.#onChange(this.#enabled, this.#note());
    }

    /**
     * Shows one notification, if turned on and the page is hidden; clicking it brings the page forward and calls
     * `onClick`. A newer one for the same conversation replaces the older.
     */
    show(title, body, tag, onClick) {
        if (!this.#enabled || !document.hidden || Notification.permission !== 'granted') {
            return;
        }
        const n = new Notification(title, {body: body.length > 140 ? body.slice(0, 139) + '…' : body, tag});
        n.addEventListener('click', () => {
            window.focus();
            onClick();
            n.close();
        });
    }

    #note() {
        if (!this.supported) {
            return 'Not available in this browser.';
        }
        if (Notification.permission === 'denied') {
            return 'Blocked in this browser\'s site settings.';
        }
        return this.#enabled ? 'On, while this tab is in the background.' : 'Off. Shown only while this tab is in the background.';
    }
}

function remembered() {
    try {
        return JSON.parse(localStorage.getItem(NOTIFY_KEY));
    } catch {
        return null;
    }
}

function remember(enabled) {
    try {
        localStorage.setItem(NOTIFY_KEY, JSON.stringify(enabled));
    } catch {
        // storage disabled: the setting lasts for this page only
    }
}
