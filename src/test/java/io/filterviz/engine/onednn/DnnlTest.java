package io.filterviz.engine.onednn;

import org.junit.jupiter.api.Test;

import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A failed oneDNN call says which call and which status, by the status' name. */
class DnnlTest {
    @Test
    void aFailedCallNamesItsStatus() {
        assertNull(Dnnl.load());
        // a 4-D layout tag for a 2-D tensor: oneDNN answers invalid_arguments
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Dnnl.md(dnnl_f32, dnnl_nchw, 1, 2));
        assertEquals("oneDNN memory_desc_init_by_tag failed: invalid_arguments (status 2)", e.getMessage());
    }

    @Test
    void everyStatusOfDnnlTypesHasItsName() {
        String[] names = {"success", "out_of_memory", "invalid_arguments", "unimplemented", "iterator_ends",
                "runtime_error", "not_required"};
        for (int status = 0; status < names.length; status++) assertEquals(names[status], Dnnl.statusName(status));
        assertEquals("unknown status", Dnnl.statusName(99));
    }
}
