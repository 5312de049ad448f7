package io.filterviz.report;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * Where a long job stands, fed by Spark as each task's result reaches the driver: the seed's line per filter,
 * and either a live bar (done/total, dead so far, filters per minute, ETA) on a terminal, or the same figures
 * at the end of each line when the output goes to a file or a pipe.
 */
public final class Progress implements AutoCloseable {
    private final PrintStream out;
    private final boolean terminal;
    private ProgressBar bar;
    private int total;
    private int done;
    private int dead;
    private long startNanos;

    public Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** A bar only when a person watches: stdout is a terminal. */
    public static Progress forConsole(PrintStream out) {
        return new Progress(out, System.console() != null && out == System.out);
    }

    public void start(int toCompute) {
        total = toCompute;
        startNanos = System.nanoTime();
        if (terminal && total > 0) {
            bar = new ProgressBarBuilder().setTaskName("filters").setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUnit(" filters", 1)
                    .showSpeed().setSpeedUnit(ChronoUnit.MINUTES).setUpdateIntervalMillis(1000).build();
        }
    }

    public synchronized void filterDone(FilterRecord r) {
        done++;
        if (r.dead()) dead++;
        String line = r.dead()
                ? String.format(Locale.ROOT, "Filter %3d is dead: its loss stayed at %.3g ( %4.2fs )", r.filter(), r.loss(), r.seconds())
                : String.format(Locale.ROOT, "Costs of filter %3d: %5.0f ( %4.2fs )", r.filter(), r.loss(), r.seconds());
        if (bar != null) {
            out.print("\r\033[2K"); // the bar's line (no newline of its own) gives way to the filter's line
            out.println(line);
            bar.step();
            bar.setExtraMessage(" · " + dead + " dead");
        } else {
            out.println(line + "  " + status());
        }
    }

    /** [done/total, dead, filters per minute, ETA] for plain logs. */
    String status() {
        double minutes = (System.nanoTime() - startNanos) / 60e9;
        double perMinute = minutes > 0 ? done / minutes : 0;
        String eta = perMinute > 0 ? format(Duration.ofSeconds((long) ((total - done) / perMinute * 60))) : "?";
        return String.format(Locale.ROOT, "[%d/%d, %d dead, %.1f filters/min, ETA %s]", done, total, dead, perMinute, eta);
    }

    static String format(Duration d) {
        return d.toHours() > 0 ? String.format(Locale.ROOT, "%dh%02dm", d.toHours(), d.toMinutesPart())
                : String.format(Locale.ROOT, "%dm%02ds", d.toMinutes(), d.toSecondsPart());
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
