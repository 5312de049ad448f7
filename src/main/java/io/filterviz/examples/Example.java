package io.filterviz.examples;

import java.io.Serializable;
import java.util.Comparator;

/**
 * One image's score for one filter: the channel's maximum over positions, at (x, y) in the target tensor
 * (−1, −1 for a vector's unit).
 */
public record Example(String image, double score, int x, int y) implements Serializable {
    /**
     * Best first: the higher score, then the image path in {@link String#compareTo} order, so that equal scores rank
     * the same however the images were partitioned.
     */
    public static final Comparator<Example> BEST_FIRST = (Comparator<Example> & Serializable) (a, b) -> {
        int byScore = Double.compare(b.score, a.score);
        return byScore != 0 ? byScore : a.image.compareTo(b.image);
    };
}
