package dev.baton.supervisor.metrics;

import dev.baton.supervisor.lifecycle.GenerationSnapshot;
import dev.baton.supervisor.lifecycle.Listener;
import dev.baton.supervisor.lifecycle.ReloadSnapshot;
import dev.baton.supervisor.os.KernelSockets;

import dev.baton.supervisor.lifecycle.Monitor;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * batond's Prometheus metrics ({@code --metrics HOST:PORT}, path /metrics). The lifecycle
 * updates them on the loop thread; kernel counters and accept queues are read at scrape time.
 * Per-generation in-flight and served are labelled by generation, so a graph shows the old
 * generation's traffic falling to zero while the new one's rises. The series live here; the
 * HTTP bytes are {@link MetricsServer}'s, which renders them with {@link #render} once per scrape.
 */
public final class PrometheusMonitor implements Monitor, AutoCloseable {
    private static final double[] SECONDS = {0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120};
    // withoutExemplars(): exemplars only show in OpenMetrics, which batond does not serve, and their
    // sampler would start a scheduler thread ("prometheus-metrics-scheduler") that batond would keep.

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter reloads = Counter.builder().name("baton_reloads_total")
            .help("Reloads by outcome: succeeded, failed (rolled back), refused, aborted")
            .labelNames("outcome").withoutExemplars().register(registry);
    private final Histogram reloadDuration = Histogram.builder().name("baton_reload_duration_seconds")
            .help("Reload request to the old generation's exit (successful reloads)")
            .classicOnly().classicUpperBounds(SECONDS).withoutExemplars().register(registry);
    private final Histogram timeToReady = Histogram.builder().name("baton_time_to_ready_seconds")
            .help("Spawn to READY of each generation")
            .classicOnly().classicUpperBounds(SECONDS).withoutExemplars().register(registry);
    private final Histogram drainDuration = Histogram.builder().name("baton_drain_duration_seconds")
            .help("Drain signal to exit of each old generation")
            .classicOnly().classicUpperBounds(SECONDS).withoutExemplars().register(registry);
    private final Counter restarts = Counter.builder().name("baton_child_restarts_total")
            .help("New generations started because the serving child died or failed to start")
            .withoutExemplars().register(registry);
    private final Gauge lastReadyStart = Gauge.builder().name("baton_last_ready_start_seconds")
            .help("Spawn to READY of the generation that became ready last, without its warm-up")
            .withoutExemplars().register(registry);
    private final Gauge lastReadyWarmup = Gauge.builder().name("baton_last_ready_warmup_seconds")
            .help("The warm-up before READY of the generation that became ready last (its WARMUP_MS)")
            .withoutExemplars().register(registry);
    private final Gauge generation = Gauge.builder().name("baton_generation")
            .help("The generation serving now").withoutExemplars().register(registry);
    private final Gauge inflight = Gauge.builder().name("baton_generation_inflight")
            .help("Requests in flight, as each live generation last reported").labelNames("generation").withoutExemplars().register(registry);
    private final Gauge served = Gauge.builder().name("baton_generation_served")
            .help("Requests served, as each live generation last reported").labelNames("generation").withoutExemplars().register(registry);
    /** The Prometheus text format 0.0.4, what every Prometheus server reads. */
    private final PrometheusTextFormatWriter format = PrometheusTextFormatWriter.create();
    private final MetricsServer server;

    /** {@code droppedLogLines} is read at each scrape. */
    public PrometheusMonitor(InetSocketAddress address, List<Listener> listeners, KernelSockets kernel,
                      LongSupplier droppedLogLines) throws IOException {
        CounterWithCallback.builder().name("baton_kernel_listen_overflows_total")
                .help("TcpExt ListenOverflows of batond's network namespace: connections dropped because an accept queue was full")
                .callback(cb -> cb.call(Math.max(0, kernel.listenCounters().overflows()))).register(registry);
        CounterWithCallback.builder().name("baton_kernel_listen_drops_total")
                .help("TcpExt ListenDrops of batond's network namespace: connections dropped at listen")
                .callback(cb -> cb.call(Math.max(0, kernel.listenCounters().drops()))).register(registry);
        GaugeWithCallback.builder().name("baton_listener_accept_queue")
                .help("Connections waiting in each listener's accept queue")
                .labelNames("listener")
                .callback(cb -> kernel.acceptQueues(listeners).forEach((name, depth) -> cb.call(depth, name)))
                .register(registry);
        CounterWithCallback.builder().name("baton_log_lines_dropped_total")
                .help("Log lines batond dropped because its output was stalled")
                .callback(cb -> cb.call(droppedLogLines.getAsLong())).register(registry);
        for (String outcome : List.of("succeeded", "failed", "refused", "aborted")) {
            reloads.labelValues(outcome); // present at 0 from the start, so rate() and alerts work
        }
        server = MetricsServer.start(address, format.getContentType(), this::render);
    }

    public int port() {
        return server.port();
    }

    /** One scrape: every series, in the text format. */
    void render(OutputStream out) throws IOException {
        format.write(out, registry.scrape());
    }

    @Override
    public void reloadEnded(ReloadSnapshot reload) {
        // Duration first: a scrape (on the metrics thread) that sees the reload counted sees its duration too.
        if (reload.succeeded() && reload.duration() != null) {
            reloadDuration.observe(seconds(reload.duration()));
        }
        reloads.labelValues(reload.outcome().label()).inc();
    }

    @Override
    public void serving(GenerationSnapshot g) {
        generation.set(g.number());
        if (g.readyAt() != null) {
            timeToReady.observe(seconds(g.timeToReady()));
        }
        if (g.warmUp() != null) {
            lastReadyStart.set(seconds(g.start()));
            lastReadyWarmup.set(seconds(g.warmUp()));
        }
    }

    @Override
    public void stats(GenerationSnapshot g) {
        String label = Integer.toString(g.number());
        if (g.inflight() >= 0) {
            inflight.labelValues(label).set(g.inflight());
        }
        if (g.served() >= 0) {
            served.labelValues(label).set(g.served());
        }
    }

    @Override
    public void exited(GenerationSnapshot g) {
        if (g.drainStartedAt() != null && g.exitedAt() != null) {
            drainDuration.observe(seconds(Duration.between(g.drainStartedAt(), g.exitedAt())));
        }
        String label = Integer.toString(g.number());
        inflight.remove(label);
        served.remove(label);
    }

    @Override
    public void childRestarted() {
        restarts.inc();
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    @Override
    public void close() {
        server.close();
    }
}
