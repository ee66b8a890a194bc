package dev.baton.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/**
 * latency.png: one panel per mode, every answered request as a dot (when it started, how long it
 * took, on a log scale), failed requests as red marks along the top, reload windows shaded from
 * the signal (an orange line) to the new generation ready (a green line) and the old one gone.
 * Headless AWT, no library.
 */
final class LatencyChart {
    static final int WIDTH = 1200;
    static final int PANEL_HEIGHT = 260;
    static final int LEFT = 70;
    static final int RIGHT = 20;
    static final int TOP = 30;
    static final int BOTTOM = 40;
    /** The y axis: 0.1 ms to the client's read timeout. */
    static final double MIN_MS = 0.1;
    static final double MAX_MS = LoadGenerator.READ_TIMEOUT.toMillis();

    private static final Color WINDOW = new Color(255, 200, 120, 110);
    private static final Color SIGNAL = new Color(230, 120, 0);
    private static final Color READY = new Color(0, 150, 60);
    private static final Color DOT = new Color(30, 90, 180, 70);
    private static final Color FAILED = new Color(220, 0, 0);
    private static final Color GRID = new Color(225, 225, 225);

    private LatencyChart() {}

    static void write(List<RunResult> runs, Path file) throws IOException {
        int height = runs.size() * (PANEL_HEIGHT + TOP + BOTTOM) + 10;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            // Each panel starts with its load: the start-up and idle window before it carry no requests.
            double seconds = runs.stream().mapToLong(r -> r.durationNanos() - loadStart(r)).max().orElse(1) / 1e9;
            for (int i = 0; i < runs.size(); i++) {
                panel(g, runs.get(i), i * (PANEL_HEIGHT + TOP + BOTTOM) + TOP, seconds);
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    private static void panel(Graphics2D g, RunResult run, int top, double seconds) {
        int plotWidth = WIDTH - LEFT - RIGHT;
        Axis x = new Axis(LEFT, plotWidth, seconds, loadStart(run));
        int bottom = top + PANEL_HEIGHT;
        RunSummary summary = RunSummary.of(run);

        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.setColor(Color.BLACK);
        g.drawString(run.variant().label() + ": " + summary.reloadCount() + " reloads, " + summary.requests()
                + " requests, " + summary.failed() + " failed", LEFT, top - 10);

        for (Reload reload : run.reloads()) {
            int from = x.pixel(reload.signal());
            int to = Math.max(from + 1, x.pixel(reload.end()));
            g.setColor(WINDOW);
            g.fillRect(from, top, to - from, PANEL_HEIGHT);
            g.setColor(SIGNAL);
            g.drawLine(from, top, from, bottom);
            int ready = x.pixel(reload.ready());
            g.setColor(READY);
            g.drawLine(ready, top, ready, bottom);
        }

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (double ms = MIN_MS; ms <= MAX_MS * 1.0001; ms *= 10) {
            int y = y(ms, top);
            g.setColor(GRID);
            g.drawLine(LEFT, y, LEFT + plotWidth, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(ms < 1 ? String.format(Locale.ROOT, "%.1f ms", ms) : String.format(Locale.ROOT, "%.0f ms", ms),
                    4, y + 4);
        }
        int step = seconds > 60 ? 10 : seconds > 20 ? 5 : 1;
        for (int s = 0; s <= seconds; s += step) {
            int px = x.left + (int) Math.round(s / seconds * (plotWidth - 2));
            g.setColor(Color.DARK_GRAY);
            g.drawLine(px, bottom, px, bottom + 4);
            g.drawString(s + " s", px - 8, bottom + 16);
        }
        if (seconds > 0) {
            g.drawString("seconds since the load started; shaded: reload windows (signal, orange, to new ready, green, "
                    + "and old gone); red: failed requests", LEFT + 200, bottom + 28);
        }

        RequestLog log = run.requests();
        for (int i = 0; i < log.size(); i++) {
            int px = x.pixel(log.start(i));
            if (log.outcome(i) == Outcome.OK) {
                g.setColor(DOT);
                g.fillRect(px, y(log.duration(i) / 1e6, top) - 1, 2, 2);
            } else {
                g.setColor(FAILED);
                g.fillRect(px, top, 2, 8);
            }
        }

        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawRect(LEFT, top, plotWidth, PANEL_HEIGHT);
    }

    /** Log-scale pixel row of a latency in milliseconds within a panel starting at {@code top}. */
    private static int y(double ms, int top) {
        double clamped = Math.max(MIN_MS, Math.min(MAX_MS, ms));
        double fraction = Math.log(clamped / MIN_MS) / Math.log(MAX_MS / MIN_MS);
        return top + PANEL_HEIGHT - (int) Math.round(fraction * PANEL_HEIGHT);
    }

    /** When the first request of a run started, on the run's clock. */
    private static long loadStart(RunResult run) {
        RequestLog log = run.requests();
        long first = Long.MAX_VALUE;
        for (int i = 0; i < log.size(); i++) {
            first = Math.min(first, log.start(i));
        }
        return first == Long.MAX_VALUE ? 0 : first;
    }

    /** Pixel columns of the time axis: seconds since the load started. */
    private record Axis(int left, int width, double seconds, long originNanos) {
        int pixel(long nanos) {
            double at = (nanos - originNanos) / 1e9;
            return left + (int) Math.round(Math.min(1, Math.max(0, at / seconds)) * (width - 2));
        }
    }
}
