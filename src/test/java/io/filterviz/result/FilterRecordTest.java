package io.filterviz.result;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The row of results.csv and of the resume state: with the kernels that made it, and as older folders wrote it. */
class FilterRecordTest {
    @Test
    void aRowReadsBackAsWritten() {
        FilterRecord record = new FilterRecord(new FilterId("block5_conv1", 7), 2.5f, 1.25, false,
                "avx512_core_bf16 jit:avx512_core+jit_wino_4x3:avx512_core", null);
        assertEquals("block5_conv1,7,2.5,1.250,avx512_core_bf16 jit:avx512_core+jit_wino_4x3:avx512_core,ok", record.csvRow());
        FilterRecord back = FilterRecord.parseCsvRow(record.csvRow());
        assertEquals(record.id(), back.id());
        assertEquals(record.kernels(), back.kernels());
        assertEquals(record.csvRow(), back.csvRow());
    }

    /** A folder from before kernels were recorded resumes: its rows read as unrecorded. */
    @Test
    void aRowWithoutKernelsIsUnrecorded() {
        FilterRecord old = FilterRecord.parseCsvRow("block5_conv1,3,0.0,0.500,dead");
        assertEquals(FilterRecord.UNRECORDED, old.kernels());
        assertEquals(true, old.dead());
        assertEquals("block5_conv1,3,0.0,0.500,unrecorded,dead", old.csvRow());
    }

    @Test
    void aCutOrWidenedRowIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> FilterRecord.parseCsvRow("block5_conv1,3,0.0,0.500,avx2 jit:avx2,o"));
        assertThrows(IllegalArgumentException.class, () -> FilterRecord.parseCsvRow("block5_conv1,3,0.0,0.500,,ok"));
        assertThrows(IllegalArgumentException.class, () -> FilterRecord.parseCsvRow("block5_conv1,3,0.0,0.500,a,b,ok"));
        assertThrows(IllegalArgumentException.class, () -> new FilterRecord(new FilterId("l", 0), 0, 0, false, "a,b", null));
    }
}
