package io.filterviz.job;

import org.apache.commons.text.similarity.LevenshteinDistance;

import java.util.Comparator;
import java.util.List;

/** "Did you mean": the names nearest to a mistyped one, by commons-text's Levenshtein distance, for the ascent and the scan. */
public final class NearestNames {
    private NearestNames() {}

    /** The {@code count} candidates nearest to {@code name}, nearest first. */
    public static List<String> of(String name, List<String> candidates, int count) {
        LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
        return candidates.stream().distinct().sorted(Comparator.comparingInt((String c) -> distance.apply(name, c)))
                .limit(count).toList();
    }
}
