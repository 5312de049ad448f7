package io.filterviz.result;

import java.io.Serializable;
import java.util.Locale;

/**
 * One filter's result as it travels from an executor to the driver and into --out: its loss, the time it took,
 * whether it is dead and, while in flight, its picture PNG-encoded (null when dead or once written).
 */
public record FilterRecord(FilterId id, float loss, double seconds, boolean dead, byte[] png) implements Serializable {
    public static final String CSV_HEADER = "layer,filter,loss,seconds,status";

    public String status() { return dead ? "dead" : "ok"; }

    public String layer() { return id.layer(); }

    public int filter() { return id.filter(); }

    /** {@value #CSV_HEADER}: the row of results.csv and of the resume state. */
    public String csvRow() {
        return String.format(Locale.ROOT, "%s,%d,%s,%.3f,%s", layer(), filter(), Float.toString(loss), seconds, status());
    }

    public static FilterRecord parseCsvRow(String row) {
        String[] cells = row.trim().split(",");
        if (cells.length != 5 || !(cells[4].equals("ok") || cells[4].equals("dead"))) {
            throw new IllegalArgumentException("not a " + CSV_HEADER + " row: " + row); // a cut "ok" is not "ok"
        }
        return new FilterRecord(new FilterId(cells[0], Integer.parseInt(cells[1])), Float.parseFloat(cells[2]),
                Double.parseDouble(cells[3]), cells[4].equals("dead"), null);
    }

    /** The same row without its picture: the driver keeps these once the PNG is on disk. */
    public FilterRecord withoutPicture() { return new FilterRecord(id, loss, seconds, dead, null); }
}
