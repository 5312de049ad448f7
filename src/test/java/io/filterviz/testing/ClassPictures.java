package io.filterviz.testing;

import io.filterviz.engine.reference.ReferenceGraph;
import io.filterviz.image.Png;
import io.filterviz.image.RgbImage;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.onnx.OnnxLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The trained Fashion-MNIST network's own verdict on the class pictures a run wrote. */
public final class ClassPictures {
    private ClassPictures() {}

    /**
     * The class the network (double precision, the reference engine, {@code unit} preprocessing) gives each of the
     * 10 pictures {@code out/filters/logits_000k.png}, read back as the 8-bit grey 28×28 PNGs they must be.
     */
    public static List<Integer> predicted(Path model, Path out) throws Exception {
        ReferenceGraph reference = new ReferenceGraph(Preprocessing.UNIT.prepend(OnnxLoader.load(model)));
        List<Integer> predicted = new ArrayList<>();
        for (int unit = 0; unit < 10; unit++) {
            byte[] png = Files.readAllBytes(out.resolve("filters").resolve(String.format("logits_%04d.png", unit)));
            assertEquals(0, png[25], "colour type 0: an 8-bit grey PNG");
            RgbImage picture = Png.decode(png);
            assertEquals(1, picture.channels());
            assertEquals(28, picture.width());
            assertEquals(28, picture.height());
            double[] pixels = new double[28 * 28];
            for (int i = 0; i < pixels.length; i++) pixels[i] = picture.buffer()[i] & 0xFF;
            double[] logits = reference.forward(pixels, 28, 28).get("logits");
            int best = 0;
            for (int c = 1; c < logits.length; c++) if (logits[c] > logits[best]) best = c;
            predicted.add(best);
        }
        return predicted;
    }

    /** How many of the 10 pictures the network puts into their own class. */
    public static long ownClass(List<Integer> predicted) {
        return java.util.stream.IntStream.range(0, predicted.size()).filter(c -> predicted.get(c) == c).count();
    }
}
