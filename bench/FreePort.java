import java.net.InetAddress;
import java.net.ServerSocket;

/** Prints a free TCP port on loopback, for the benchmark scripts. */
public class FreePort {
    public static void main(String[] args) throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            System.out.println(s.getLocalPort());
        }
    }
}
