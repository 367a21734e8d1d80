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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load generator for Parley's durable history: N concurrent senders, each on its own WebSocket and in its
 * own room, each sending its next message as soon as the previous one is acknowledged (one in flight per
 * sender, as a chat client does). Reports acknowledged messages per second and ack latency (send to ack)
 * p50/p99 over a measured window after a warm-up. Bounded in time and in count; loopback only.
 *
 * <pre>java bench/HistoryBench.java --url ws://127.0.0.1:PORT/chat --senders 1,10,100 --seconds 15</pre>
 */
public class HistoryBench {

    private static final Pattern TYPE = Pattern.compile("\"type\":\"([a-z_]+)\"");
    private static final Pattern REF = Pattern.compile("\"ref\":\"([^\"]+)\"");

    record Result(int senders, long acked, double seconds, long errors, long p50Micros, long p99Micros, long maxMicros) {
        double rate() {
            return acked / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        URI url = URI.create(opts.getOrDefault("--url", "ws://127.0.0.1:8080/chat"));
        if (!"127.0.0.1".equals(url.getHost()) && !"localhost".equals(url.getHost())) {
            throw new IllegalArgumentException("load goes to loopback only: " + url);
        }
        int[] senders = Arrays.stream(opts.getOrDefault("--senders", "1,10,100").split(",")).mapToInt(Integer::parseInt).toArray();
        int seconds = Integer.parseInt(opts.getOrDefault("--seconds", "15"));
        int warmup = Integer.parseInt(opts.getOrDefault("--warmup", "3"));
        long maxMessages = Long.parseLong(opts.getOrDefault("--max-messages", "1000000"));
        String label = opts.getOrDefault("--label", "");

        System.out.println("| store | senders | acked msgs/s | ack p50 (ms) | ack p99 (ms) | max (ms) | acked in window | errors |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (int n : senders) {
            Result r = run(url, n, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), maxMessages);
            System.out.printf("| %s | %d | %.0f | %.2f | %.2f | %.1f | %d | %d |%n", label, r.senders(), r.rate(),
                    r.p50Micros() / 1000.0, r.p99Micros() / 1000.0, r.maxMicros() / 1000.0, r.acked(), r.errors());
        }
    }

    static Result run(URI url, int n, Duration warmup, Duration window, long maxMessages) throws Exception {
        String run = Long.toString(System.nanoTime() % 1_000_000, 36);
        HttpClient http = HttpClient.newHttpClient();
        AtomicLong sent = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long measureTo = measureFrom + window.toNanos();
        List<Sender> all = new ArrayList<>();
        CountDownLatch joined = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            Sender s = new Sender("b" + run + "-" + i, "bench-" + run + "-" + i, joined, sent, errors, measureFrom, measureTo, maxMessages);
            String uri = url + (url.getQuery() == null ? "?" : "&") + "name=" + s.user;
            s.socket = http.newWebSocketBuilder().subprotocols("chat").connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create(uri), s).get(30, TimeUnit.SECONDS);
            all.add(s);
        }
        if (!joined.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("senders did not join in time");
        }
        all.forEach(Sender::sendNext);
        long deadline = measureTo + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < measureTo && sent.get() < maxMessages) {
            Thread.sleep(100);
        }
        for (Sender s : all) {
            s.stopping = true;
        }
        while (System.nanoTime() < deadline && all.stream().anyMatch(s -> s.inFlight != null)) {
            Thread.sleep(50);
        }
        List<CompletableFuture<WebSocket>> closes = new ArrayList<>();
        for (Sender s : all) {
            closes.add(s.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
        }
        CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        long[] latencies = all.stream().flatMapToLong(s -> s.latencies.stream().mapToLong(Long::longValue)).sorted().toArray();
        double measured = Math.min(System.nanoTime(), measureTo) - measureFrom;
        return new Result(n, latencies.length, measured / 1e9, errors.get(),
                percentile(latencies, 0.50) / 1000, percentile(latencies, 0.99) / 1000,
                latencies.length == 0 ? 0 : latencies[latencies.length - 1] / 1000);
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** One sender: joins its room, then keeps exactly one message in flight. */
    static final class Sender implements WebSocket.Listener {
        final String user;
        final String room;
        final CountDownLatch joined;
        final AtomicLong sent;
        final AtomicLong errors;
        final long measureFrom;
        final long measureTo;
        final long maxMessages;
        final List<Long> latencies = new ArrayList<>();
        final StringBuilder partial = new StringBuilder();
        WebSocket socket;
        volatile String inFlight;
        volatile long sentAt;
        volatile boolean stopping;
        long counter;

        Sender(String user, String room, CountDownLatch joined, AtomicLong sent, AtomicLong errors,
               long measureFrom, long measureTo, long maxMessages) {
            this.user = user;
            this.room = room;
            this.joined = joined;
            this.sent = sent;
            this.errors = errors;
            this.measureFrom = measureFrom;
            this.measureTo = measureTo;
            this.maxMessages = maxMessages;
        }

        @Override
        public void onOpen(WebSocket ws) {
            ws.sendText("{\"type\":\"join\",\"room\":\"" + room + "\"}", true);
            ws.request(1);
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
            Matcher t = TYPE.matcher(frame);
            String type = t.find() ? t.group(1) : "";
            switch (type) {
                case "joined" -> joined.countDown();
                case "ack", "error" -> {
                    Matcher r = REF.matcher(frame);
                    String ref = r.find() ? r.group(1) : null;
                    if (ref == null || !ref.equals(inFlight)) {
                        return;
                    }
                    long now = System.nanoTime();
                    if ("error".equals(type)) {
                        errors.incrementAndGet();
                    } else if (sentAt >= measureFrom && now <= measureTo) {
                        latencies.add(now - sentAt);
                    }
                    inFlight = null;
                    sendNext();
                }
                default -> {
                }
            }
        }

        void sendNext() {
            if (stopping || System.nanoTime() >= measureTo || sent.incrementAndGet() > maxMessages) {
                return;
            }
            String ref = user + "-" + (++counter);
            inFlight = ref;
            sentAt = System.nanoTime();
            socket.sendText("{\"type\":\"message\",\"room\":\"" + room + "\",\"text\":\"bench message " + counter
                    + "\",\"ref\":\"" + ref + "\"}", true);
        }
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> m = new ConcurrentHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            m.put(args[i], args[i + 1]);
        }
        return m;
    }
}
