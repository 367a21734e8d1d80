import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Fan-out benchmark: R receivers and S senders in one room; each sender keeps W messages in flight (sends
 * the next when one is acknowledged). Reports messages/s stored, deliveries/s to the receivers, and the
 * delivery latency (from sending to a receiver getting it) p50/p99/max over a measured window after a
 * warm-up. Every client runs in this JVM on loopback, so the load generator and the server share the
 * machine's cores. Bounded in time and in count.
 *
 * <pre>java bench/FanoutBench.java --url ws://127.0.0.1:PORT/chat --receivers 100,1000 --senders 1,10 --window 8 --seconds 10</pre>
 */
public class FanoutBench {

    /** Latency histogram: bucket i holds latencies around 1.02^i microseconds (2 % resolution). */
    static final class Histogram {
        private static final double BASE = Math.log(1.02);
        private final AtomicLongArray buckets = new AtomicLongArray(1200);
        private final AtomicLong count = new AtomicLong();
        private final AtomicLong max = new AtomicLong();

        void record(long nanos) {
            long micros = Math.max(1, nanos / 1000);
            int i = (int) Math.min(buckets.length() - 1, Math.round(Math.log(micros) / BASE));
            buckets.incrementAndGet(i);
            count.incrementAndGet();
            max.accumulateAndGet(micros, Math::max);
        }

        double percentileMillis(double p) {
            long n = count.get();
            long wanted = (long) Math.ceil(p * n);
            long seen = 0;
            for (int i = 0; i < buckets.length(); i++) {
                seen += buckets.get(i);
                if (seen >= wanted && n > 0) {
                    return Math.pow(1.02, i) / 1000.0;
                }
            }
            return 0;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new ConcurrentHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i], args[i + 1]);
        }
        URI url = URI.create(opts.getOrDefault("--url", "ws://127.0.0.1:8080/chat"));
        if (!"127.0.0.1".equals(url.getHost()) && !"localhost".equals(url.getHost())) {
            throw new IllegalArgumentException("load goes to loopback only: " + url);
        }
        int[] receivers = ints(opts.getOrDefault("--receivers", "100,1000"));
        int[] senders = ints(opts.getOrDefault("--senders", "1,10"));
        int inFlight = Integer.parseInt(opts.getOrDefault("--window", "8"));
        int seconds = Integer.parseInt(opts.getOrDefault("--seconds", "10"));
        int warmup = Integer.parseInt(opts.getOrDefault("--warmup", "3"));
        long maxMessages = Long.parseLong(opts.getOrDefault("--max-messages", "500000"));
        String label = opts.getOrDefault("--label", "");

        System.out.println("| store | receivers | senders | in flight per sender | msgs/s | deliveries/s | p50 (ms) | p99 (ms) | max (ms) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int r : receivers) {
            for (int s : senders) {
                run(url, label, r, s, inFlight, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), maxMessages);
            }
        }
    }

    static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    static void run(URI url, String label, int receivers, int senders, int inFlight, Duration warmup, Duration measured,
                    long maxMessages) throws Exception {
        String run = Long.toString(System.nanoTime() % 1_000_000, 36);
        String room = "fan-" + run;
        Histogram latency = new Histogram();
        AtomicLong delivered = new AtomicLong();
        AtomicLong stored = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        Window window = new Window();
        List<HttpClient> http = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            http.add(HttpClient.newHttpClient()); // a few selector threads for the clients, not one per socket
        }
        CountDownLatch joined = new CountDownLatch(receivers + senders);
        List<Client> all = new ArrayList<>();
        for (int i = 0; i < receivers + senders; i++) {
            boolean sender = i >= receivers;
            Client c = new Client(room, joined, sender ? inFlight : 0, latency, delivered, stored, sent, window, maxMessages);
            String uri = url + (url.getQuery() == null ? "?" : "&") + "name=" + (sender ? "s" : "r") + run + "-" + i;
            c.socket = http.get(i % http.size()).newWebSocketBuilder().subprotocols("chat")
                    .connectTimeout(Duration.ofSeconds(60)).buildAsync(URI.create(uri), c).get(90, TimeUnit.SECONDS);
            all.add(c);
        }
        if (!joined.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("clients did not join in time");
        }
        // The clock starts once everyone is in: warm-up, then the measured window.
        window.from = System.nanoTime() + warmup.toNanos();
        window.to = window.from + measured.toNanos();
        List<Client> senderClients = all.subList(receivers, all.size());
        senderClients.forEach(Client::start);
        while (System.nanoTime() < window.to && sent.get() < maxMessages) {
            Thread.sleep(100);
        }
        senderClients.forEach(c -> c.stopping = true);
        Thread.sleep(2000); // let the last messages arrive before closing (the bench, not a test)
        List<CompletableFuture<WebSocket>> closes = new ArrayList<>();
        for (Client c : all) {
            closes.add(c.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
        }
        CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        double secs = (window.to - window.from) / 1e9;
        System.out.printf("| %s | %d | %d | %d | %.0f | %.0f | %.1f | %.1f | %.1f |%n", label, receivers, senders, inFlight,
                stored.get() / secs, delivered.get() / secs, latency.percentileMillis(0.50),
                latency.percentileMillis(0.99), latency.max.get() / 1000.0);
    }

    /** When the measured window begins and ends (System.nanoTime), set once every client has joined. */
    static final class Window {
        volatile long from = Long.MAX_VALUE;
        volatile long to = Long.MAX_VALUE;
    }

    /** One connection: a receiver counts and times the room's messages; a sender keeps its window full. */
    static final class Client implements WebSocket.Listener {
        final String room;
        final CountDownLatch joined;
        final int window;
        final Histogram latency;
        final AtomicLong delivered;
        final AtomicLong stored;
        final AtomicLong sent;
        final Window measured;
        final long maxMessages;
        final StringBuilder partial = new StringBuilder();
        WebSocket socket;
        volatile boolean stopping;

        Client(String room, CountDownLatch joined, int window, Histogram latency, AtomicLong delivered,
               AtomicLong stored, AtomicLong sent, Window measured, long maxMessages) {
            this.room = room;
            this.joined = joined;
            this.window = window;
            this.latency = latency;
            this.delivered = delivered;
            this.stored = stored;
            this.sent = sent;
            this.measured = measured;
            this.maxMessages = maxMessages;
        }

        @Override
        public void onOpen(WebSocket ws) {
            ws.sendText("{\"type\":\"join\",\"room\":\"" + room + "\"}", true);
            ws.request(1);
        }

        void start() {
            for (int i = 0; i < window; i++) {
                sendNext();
            }
        }

        synchronized void sendNext() {
            if (stopping || System.nanoTime() >= measured.to || sent.incrementAndGet() > maxMessages) {
                return;
            }
            socket.sendText("{\"type\":\"message\",\"room\":\"" + room + "\",\"text\":\"" + System.nanoTime() + "\"}", true).join();
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                handle(frame);
            }
            ws.request(1);
            return null;
        }

        private void handle(String frame) {
            long now = System.nanoTime();
            if (frame.startsWith("{\"type\":\"message\"")) {
                if (window == 0) {
                    int at = frame.indexOf("\"text\":\"") + 8;
                    long sentAt = Long.parseLong(frame.substring(at, frame.indexOf('"', at)));
                    if (sentAt >= measured.from && sentAt < measured.to) {
                        delivered.incrementAndGet();
                        latency.record(now - sentAt);
                    }
                }
            } else if (frame.startsWith("{\"type\":\"ack\"")) {
                if (now >= measured.from && now < measured.to) {
                    stored.incrementAndGet();
                }
                sendNext();
            } else if (frame.startsWith("{\"type\":\"joined\"")) {
                joined.countDown();
            } else if (frame.startsWith("{\"type\":\"error\"")) {
                System.err.println("error frame: " + frame);
                sendNext();
            }
        }
    }
}
