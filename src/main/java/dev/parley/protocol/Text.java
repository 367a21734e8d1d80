package dev.parley.protocol;

/** Checks on user-supplied text. */
public final class Text {

    private Text() {
    }

    /**
     * True when {@code s} has no unpaired UTF-16 surrogate, i.e. it can be encoded as UTF-8 without loss.
     * JSON allows escapes such as {@code "\ud800"} that decode to such strings.
     */
    public static boolean isWellFormed(CharSequence s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** The number of bytes {@code s} takes in UTF-8; {@code s} must be well-formed. */
    public static int utf8Length(CharSequence s) {
        int n = s.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c)) {
                    bytes += 2; // four bytes for the pair, counted as two chars
                    i++;
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }
}
