package dev.baton.nativetest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Predicate;

/** One scrape of batond's Prometheus endpoint: {@code series{labels} -> value}. */
final class MetricsScrape {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String text;
    private final Map<String, Double> values = new HashMap<>();

    private MetricsScrape(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
    }

    static MetricsScrape of(int port) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /metrics: " + response.statusCode());
        }
        return new MetricsScrape(response.body());
    }

    /** Scrapes until {@code condition} holds; the last scrape. */
    static MetricsScrape awaitUntil(int port, Predicate<MetricsScrape> condition, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            MetricsScrape scrape = of(port);
            if (condition.test(scrape)) {
                return scrape;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("metrics never met the condition within " + timeout + ":\n" + scrape.text);
            }
            Thread.sleep(100); // a polling interval, not a synchronisation: the condition decides
        }
    }

    /** The value of one series, e.g. {@code baton_generation} or {@code baton_reloads_total{outcome="failed"}}. */
    OptionalDouble value(String series) {
        Double v = values.get(series);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    double get(String series) {
        return value(series).orElseThrow(() -> new AssertionError("no series " + series + " in:\n" + text));
    }

    @Override
    public String toString() {
        return text;
    }
}
