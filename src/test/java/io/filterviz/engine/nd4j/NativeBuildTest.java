package io.filterviz.engine.nd4j;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class NativeBuildTest {
    @Test
    void avx512CpusKeepTheFastBuildOthersGetThePortableOne() {
        Set<String> avx512 = new HashSet<>(NativeBuild.AVX512_FLAGS);
        avx512.add("avx2");
        assertNull(NativeBuild.choose(avx512, null));
        assertEquals("", NativeBuild.choose(Set.of("sse4_2", "avx", "avx2", "fma"), null));
        assertEquals("", NativeBuild.choose(Set.of("avx512f", "avx2"), null), "AVX-512F alone is not enough");
        assertEquals("", NativeBuild.choose(Set.of(), null), "unknown CPU: portable");
    }

    @Test
    void aUsersOwnChoiceWins() {
        assertNull(NativeBuild.choose(Set.of("avx2"), "-onednn-avx512"));
        assertNull(NativeBuild.choose(Set.of("avx2"), ""));
    }
}
