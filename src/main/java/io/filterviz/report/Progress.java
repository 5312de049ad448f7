package io.filterviz.report;

import io.filterviz.result.FilterId;
import io.filterviz.result.FilterRecord;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where a long job stands, fed by Spark as each task's result reaches the driver: the Keras example's line per
 * filter, and the progressbar library's figures (done/total, filters per minute, elapsed and ETA, dead so far):
 * as a live bar on a terminal, at the end of each line when the output goes to a file or a pipe. A run over
 * several layers also says when each layer is complete.
 */
public final class Progress implements AutoCloseable {
    private final PrintStream out;
    private final boolean terminal;
    private final Map<String, Integer> leftPerLayer = new HashMap<>();
    private final Map<String, Integer> deadPerLayer = new HashMap<>();
    private boolean severalLayers;
    private ProgressBar bar;
    private String rendered = "";
    private int dead;

    public Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** A bar only when a person watches: stdout is a terminal. */
    public static Progress forConsole(PrintStream out) {
        return new Progress(out, System.console() != null && out == System.out);
    }

    public void start(List<FilterId> toCompute) {
        Set<String> layers = new HashSet<>();
        for (FilterId id : toCompute) {
            leftPerLayer.merge(id.layer(), 1, Integer::sum);
            layers.add(id.layer());
        }
        severalLayers = layers.size() > 1;
        if (toCompute.isEmpty()) return;
        ProgressBarConsumer consumer = terminal ? new ConsoleProgressBarConsumer(System.err)
                : new DelegatingProgressBarConsumer(line -> rendered = line);
        bar = new ProgressBarBuilder().setTaskName("filters").setInitialMax(toCompute.size())
                .setStyle(ProgressBarStyle.ASCII).setConsumer(consumer).setUnit(" filters", 1)
                .showSpeed().setSpeedUnit(ChronoUnit.MINUTES).setUpdateIntervalMillis(1000).build();
    }

    public synchronized void filterDone(FilterRecord r) {
        if (r.dead()) {
            dead++;
            deadPerLayer.merge(r.layer(), 1, Integer::sum);
        }
        String name = severalLayers ? r.layer() + " filter" : "filter";
        String line = r.dead()
                ? String.format(Locale.ROOT, "Filter %3d%s is dead: its loss stayed at %.3g ( %4.2fs )", r.filter(),
                        severalLayers ? " of " + r.layer() : "", r.loss(), r.seconds())
                : String.format(Locale.ROOT, "Costs of %s %3d: %5.0f ( %4.2fs )", name, r.filter(), r.loss(), r.seconds());
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(" · " + dead + " dead");
        }
        if (terminal) {
            out.print("\r\033[2K"); // the bar's line (no newline of its own) gives way to the filter's line
            out.println(line);
        } else {
            if (bar != null) bar.refresh();
            out.println(line + "  [" + rendered.trim() + "]");
        }
        if (severalLayers && leftPerLayer.merge(r.layer(), -1, Integer::sum) == 0) {
            out.printf("Layer %s complete: %d dead%n", r.layer(), deadPerLayer.getOrDefault(r.layer(), 0));
        }
    }

    /** A duration as a person reads it: 2h05m, 3m07s. */
    static String format(Duration d) {
        return d.toHours() > 0 ? String.format(Locale.ROOT, "%dh%02dm", d.toHours(), d.toMinutesPart())
                : String.format(Locale.ROOT, "%dm%02ds", d.toMinutes(), d.toSecondsPart());
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
