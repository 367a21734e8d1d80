package dev.parley.web;

import java.util.Locale;

/** Reads an {@code Accept-Encoding} request header (RFC 9110 12.5.3). */
final class AcceptEncoding {

    private AcceptEncoding() {
    }

    /**
     * Whether a response may be gzip-encoded: the header names {@code gzip} (or {@code x-gzip}, or {@code *} without
     * naming gzip) with a weight above 0. No header, or {@code gzip;q=0}, means no.
     */
    static boolean allowsGzip(String header) {
        if (header == null) {
            return false;
        }
        Boolean gzip = null;
        Boolean any = null;
        for (String part : header.split(",")) {
            String[] pieces = part.split(";");
            String coding = pieces[0].trim().toLowerCase(Locale.ROOT);
            boolean accepted = weight(pieces) > 0;
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                gzip = accepted;
            } else if (coding.equals("*")) {
                any = accepted;
            }
        }
        return gzip != null ? gzip : any != null && any;
    }

    /** The q parameter (1 when absent, 0 when unreadable). */
    private static double weight(String[] pieces) {
        for (int i = 1; i < pieces.length; i++) {
            String p = pieces[i].trim();
            if (p.length() > 2 && (p.startsWith("q=") || p.startsWith("Q="))) {
                try {
                    return Double.parseDouble(p.substring(2).trim());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
