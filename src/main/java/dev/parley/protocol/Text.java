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

    /**
     * True when {@code s} shows nothing: it is empty or every code point in it is white space (ASCII or Unicode,
     * such as the no-break space or the line separator), a control or format character (such as the zero-width
     * space, the byte-order mark or the word joiner), or one of the fillers that render as blank.
     */
    public static boolean isBlank(CharSequence s) {
        return s.codePoints().allMatch(Text::isInvisible);
    }

    private static boolean isInvisible(int cp) {
        if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        if (type == Character.CONTROL || type == Character.FORMAT) {
            return true;
        }
        return switch (cp) {
            // Zero-width space (Cf in recent Unicode, Zs in old data), combining grapheme joiner, Hangul fillers,
            // the Mongolian vowel separator and the blank braille pattern: they render as nothing or as a space.
            case 0x200B, 0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x180E, 0x2800 -> true;
            default -> false;
        };
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
