package io.filterviz.result;

import java.io.Serializable;
import java.util.Locale;

/**
 * One filter's result as it travels from an executor to the driver and into --out: its loss, the time it took,
 * whether it is dead, the kernels that computed it and, while in flight, its picture PNG-encoded (null when dead or
 * once written).
 *
 * @param kernels what decided its bits (the engine's {@code FilterObjective.takeKernels()}: on oneDNN the CPU's
 *                instruction set and the primitives' implementations); {@value #UNRECORDED} in rows written
 *                before it was recorded
 */
public record FilterRecord(FilterId id, float loss, double seconds, boolean dead, String kernels, byte[] png)
        implements Serializable {
    public static final String CSV_HEADER = "layer,filter,loss,seconds,kernels,status";
    public static final String UNRECORDED = "unrecorded";
    /** The columns before kernels were recorded: layer, filter, loss, seconds, status. */
    private static final int OLD_COLUMNS = 5;

    public FilterRecord {
        if (kernels == null || kernels.isEmpty() || kernels.contains(",") || kernels.contains("\n")) {
            throw new IllegalArgumentException("kernels must be one CSV cell: " + kernels);
        }
    }

    public String status() { return dead ? "dead" : "ok"; }

    public String layer() { return id.layer(); }

    public int filter() { return id.filter(); }

    /** {@value #CSV_HEADER}: the row of results.csv and of the resume state. */
    public String csvRow() {
        return String.format(Locale.ROOT, "%s,%d,%s,%.3f,%s,%s", layer(), filter(), Float.toString(loss), seconds,
                kernels, status());
    }

    /** A row of {@value #CSV_HEADER}, or of the five columns before kernels were recorded (no kernels cell). */
    public static FilterRecord parseCsvRow(String row) {
        String[] cells = row.trim().split(",", -1);
        boolean withKernels = cells.length == OLD_COLUMNS + 1 && !cells[4].isBlank();
        String status = cells[cells.length - 1];
        if ((cells.length != OLD_COLUMNS && !withKernels) || !(status.equals("ok") || status.equals("dead"))) {
            throw new IllegalArgumentException("not a " + CSV_HEADER + " row: " + row); // a cut "ok" is not "ok"
        }
        return new FilterRecord(new FilterId(cells[0], Integer.parseInt(cells[1])), Float.parseFloat(cells[2]),
                Double.parseDouble(cells[3]), status.equals("dead"), withKernels ? cells[4] : UNRECORDED, null);
    }

    /** The same row without its picture: the driver keeps these once the PNG is on disk. */
    public FilterRecord withoutPicture() { return new FilterRecord(id, loss, seconds, dead, kernels, null); }
}
