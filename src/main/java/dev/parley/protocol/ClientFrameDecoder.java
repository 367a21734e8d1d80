package dev.parley.protocol;

import jakarta.websocket.DecodeException;
import jakarta.websocket.Decoder;

/**
 * The endpoint's decoder. It accepts every text frame in {@link #willDecode} and throws
 * {@link FrameRejected} from {@link #decode} instead, because Tyrus drops frames refused by willDecode
 * silently, and every bad frame must be answered.
 */
public class ClientFrameDecoder implements Decoder.Text<ClientFrame> {

    @Override
    public ClientFrame decode(String frame) throws DecodeException {
        return FrameCodec.shared().decode(frame);
    }

    @Override
    public boolean willDecode(String frame) {
        return true;
    }
}
