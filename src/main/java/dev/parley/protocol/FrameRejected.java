package dev.parley.protocol;

import jakarta.websocket.DecodeException;

/**
 * A text frame that cannot be turned into a {@link ClientFrame}. Thrown by the decoder so that the
 * endpoint's {@code @OnError} sees it (a decoder returning false from willDecode is dropped silently
 * by Tyrus); carries the error code and the frame's ref when one could be read.
 */
public class FrameRejected extends DecodeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String ref;

    public FrameRejected(String frame, ErrorCode code, String message, String ref) {
        super(abbreviate(frame), message);
        this.code = code;
        this.ref = ref;
    }

    /** Why the frame was refused. */
    public ErrorCode code() {
        return code;
    }

    /** The frame's ref, or null when it had none or it could not be read. */
    public String ref() {
        return ref;
    }

    /** The error frame the client gets for this. */
    public ServerFrame.Error toFrame() {
        return new ServerFrame.Error(code, getMessage(), ref);
    }

    // Keep exception objects small: a rejected frame may be 64 KiB.
    private static String abbreviate(String frame) {
        return frame == null || frame.length() <= 200 ? frame : frame.substring(0, 200) + "...";
    }
}
