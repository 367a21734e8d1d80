package dev.parley.it.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's {@code /metrics} in Prometheus text, parsed: each sample as its name, its labels and its value.
 * The server's own labels (such as MicroProfile's {@code mp_scope}) are kept; lookups match a subset of labels.
 */
public final class Metrics {

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final Map<String, java.util.List<Sample>> byName;
    private final String text;

    private Metrics(Map<String, java.util.List<Sample>> byName, String text) {
        this.byName = byName;
        this.text = text;
    }

    /** Reads {@code http://127.0.0.1:<port>/metrics}; fails unless it answers 200. */
    public static Metrics read(int port) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .header("Accept", "text/plain").timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("/metrics answered " + r.statusCode() + ": " + r.body());
            }
            return parse(r.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Parses Prometheus text exposition; fails on a line it cannot read. */
    public static Metrics parse(String text) {
        Map<String, java.util.List<Sample>> byName = new HashMap<>();
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("not a Prometheus sample line: " + line);
            }
            Map<String, String> labels = new TreeMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            byName.computeIfAbsent(m.group(1), k -> new java.util.ArrayList<>())
                    .add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return new Metrics(byName, text);
    }

    /**
     * The value of the one sample named {@code name} whose labels include {@code labels} (pairs: name, value),
     * 0 when there is none (a labelled counter not yet counted); fails when several match.
     */
    public double value(String name, String... labels) {
        java.util.List<Sample> matching = byName.getOrDefault(name, java.util.List.of()).stream().filter(s -> {
            for (int i = 0; i < labels.length; i += 2) {
                if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                    return false;
                }
            }
            return true;
        }).toList();
        if (matching.size() > 1) {
            throw new AssertionError("several samples of " + name + " match " + java.util.Arrays.toString(labels) + ": " + matching);
        }
        return matching.isEmpty() ? 0 : matching.get(0).value();
    }

    /** Whether a sample of this name exists. */
    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /** The names of every sample starting with {@code prefix}, for messages. */
    public java.util.Set<String> names(String prefix) {
        return byName.keySet().stream().filter(n -> n.startsWith(prefix)).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    @Override
    public String toString() {
        return text;
    }
}
