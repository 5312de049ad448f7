package io.filterviz.report;

import java.io.Serializable;

/** One filter's row as it comes back from an executor: the picture travels PNG-encoded (null when dead). */
public record FilterRecord(int filter, float loss, double seconds, boolean dead, byte[] png) implements Serializable {
    public String status() { return dead ? "dead" : "ok"; }

    /** The same row without its picture: the driver keeps these once the PNG is on disk. */
    public FilterRecord withoutPicture() { return new FilterRecord(filter, loss, seconds, dead, null); }
}
