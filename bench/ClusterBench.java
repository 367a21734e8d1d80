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
 * Cluster benchmark: R receivers and S senders in one room, spread round-robin over the nodes given (one WebSocket
 * URL per node); each sender keeps W messages in flight (the next is sent on each ack). Reports acks/s, deliveries/s,
 * the ack latency (sending to ack) and the delivery latency split by whether the receiver is on the sender's node or
 * on another one: the difference is what the cross-node hop costs. Every client runs in this JVM on loopback, so
 * load generator and servers share the machine's cores. Bounded in time and in count.
 *
 * <pre>java bench/ClusterBench.java --urls ws://127.0.0.1:P1/chat,ws://127.0.0.1:P2/chat --receivers 300 --senders 6 --window 8 --seconds 15</pre>
 */
public class ClusterBench {

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
        List<URI> urls = Arrays.stream(opts.getOrDefault("--urls", "ws://127.0.0.1:8080/chat").split(",")).map(URI::create).toList();
        for (URI url : urls) {
            if (!"127.0.0.1".equals(url.getHost()) && !"localhost".equals(url.getHost())) {
                throw new IllegalArgumentException("load goes to loopback only: " + url);
            }
        }
        int receivers = Integer.parseInt(opts.getOrDefault("--receivers", "300"));
        int senders = Integer.parseInt(opts.getOrDefault("--senders", "6"));
        int inFlight = Integer.parseInt(opts.getOrDefault("--window", "8"));
        int seconds = Integer.parseInt(opts.getOrDefault("--seconds", "15"));
        int warmup = Integer.parseInt(opts.getOrDefault("--warmup", "5"));
        long maxMessages = Long.parseLong(opts.getOrDefault("--max-messages", "500000"));
        boolean header = !"false".equals(opts.get("--header"));
        if (header) {
            System.out.println("| nodes | receivers | senders | in flight per sender | acks/s | deliveries/s | ack p50 (ms) | ack p99 (ms) | same-node delivery p50 / p99 (ms) | cross-node delivery p50 / p99 (ms) |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        }
        run(urls, receivers, senders, inFlight, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), maxMessages);
    }

    static void run(List<URI> urls, int receivers, int senders, int inFlight, Duration warmup, Duration measured,
                    long maxMessages) throws Exception {
        String run = Long.toString(System.nanoTime() % 1_000_000, 36);
        String room = "cb-" + run;
        Stats stats = new Stats();
        Window window = new Window();
        List<HttpClient> http = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            http.add(HttpClient.newHttpClient());
        }
        CountDownLatch joined = new CountDownLatch(receivers + senders);
        List<Client> all = new ArrayList<>();
        for (int i = 0; i < receivers + senders; i++) {
            boolean sender = i >= receivers;
            int node = i % urls.size();
            Client c = new Client(room, node, joined, sender ? inFlight : 0, stats, window, maxMessages);
            URI url = urls.get(node);
            String uri = url + (url.getQuery() == null ? "?" : "&") + "name=" + (sender ? "s" : "r") + run + "-" + i;
            c.socket = http.get(i % http.size()).newWebSocketBuilder().subprotocols("chat")
                    .connectTimeout(Duration.ofSeconds(60)).buildAsync(URI.create(uri), c).get(90, TimeUnit.SECONDS);
            all.add(c);
        }
        if (!joined.await(180, TimeUnit.SECONDS)) {
            throw new IllegalStateException("clients did not join in time");
        }
        window.from = System.nanoTime() + warmup.toNanos();
        window.to = window.from + measured.toNanos();
        List<Client> senderClients = all.subList(receivers, all.size());
        senderClients.forEach(Client::start);
        while (System.nanoTime() < window.to && stats.sent.get() < maxMessages) {
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
        System.out.printf("| %d | %d | %d | %d | %.0f | %.0f | %.1f | %.1f | %.1f / %.1f | %s |%n", urls.size(), receivers, senders,
                inFlight, stats.acked.get() / secs, stats.delivered.get() / secs,
                stats.ack.percentileMillis(0.50), stats.ack.percentileMillis(0.99),
                stats.sameNode.percentileMillis(0.50), stats.sameNode.percentileMillis(0.99),
                urls.size() == 1 ? "-" : String.format("%.1f / %.1f", stats.crossNode.percentileMillis(0.50), stats.crossNode.percentileMillis(0.99)));
    }

    static final class Stats {
        final Histogram ack = new Histogram();
        final Histogram sameNode = new Histogram();
        final Histogram crossNode = new Histogram();
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong acked = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
    }

    /** When the measured window begins and ends (System.nanoTime), set once every client has joined. */
    static final class Window {
        volatile long from = Long.MAX_VALUE;
        volatile long to = Long.MAX_VALUE;
    }

    /** One connection: a receiver counts and times the room's messages; a sender keeps its window full. */
    static final class Client implements WebSocket.Listener {
        final String room;
        final int node;
        final CountDownLatch joined;
        final int window;
        final Stats stats;
        final Window measured;
        final long maxMessages;
        final StringBuilder partial = new StringBuilder();
        WebSocket socket;
        volatile boolean stopping;

        Client(String room, int node, CountDownLatch joined, int window, Stats stats, Window measured, long maxMessages) {
            this.room = room;
            this.node = node;
            this.joined = joined;
            this.window = window;
            this.stats = stats;
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
            if (stopping || System.nanoTime() >= measured.to || stats.sent.incrementAndGet() > maxMessages) {
                return;
            }
            long now = System.nanoTime();
            // The text says when and from which node; the ref says when, for the ack latency.
            socket.sendText("{\"type\":\"message\",\"room\":\"" + room + "\",\"text\":\"" + now + "@" + node
                    + "\",\"ref\":\"" + now + "\"}", true).join();
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
                    String text = frame.substring(at, frame.indexOf('"', at));
                    int sep = text.indexOf('@');
                    long sentAt = Long.parseLong(text.substring(0, sep));
                    int from = Integer.parseInt(text.substring(sep + 1));
                    if (sentAt >= measured.from && sentAt < measured.to) {
                        stats.delivered.incrementAndGet();
                        (from == node ? stats.sameNode : stats.crossNode).record(now - sentAt);
                    }
                }
            } else if (frame.startsWith("{\"type\":\"ack\"")) {
                int at = frame.indexOf("\"ref\":\"") + 7;
                long sentAt = Long.parseLong(frame.substring(at, frame.indexOf('"', at)));
                if (sentAt >= measured.from && sentAt < measured.to) {
                    stats.acked.incrementAndGet();
                    stats.ack.record(now - sentAt);
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
