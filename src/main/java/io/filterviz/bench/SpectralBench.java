package io.filterviz.bench;

import io.filterviz.image.Png;
import io.filterviz.image.RgbImage;
import io.filterviz.image.SpectralEnergy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code ./submit.sh bench spectral DIR|FILE...}: the share of each picture's spectral energy above half the Nyquist
 * frequency ({@link SpectralEnergy}, defined there), one line per picture, then the mean and median over them all.
 * Give it the pictures one filter each ({@code filters/*.png}); with {@code --grid n}, each file is a grid of n × n
 * cells with {@code --margin} px between them (the stitched {@code <model>_<layer>_<n>x<n>.png}), each non-flat cell
 * measured as a picture of its own, so that the margins and empty cells do not count.
 */
@Command(name = "spectral", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Prints each PNG's share of spectral energy above half the Nyquist frequency (0.25 cycles/px).")
final class SpectralBench implements java.util.concurrent.Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR|FILE", description = "PNG files, or folders of them (not recursive).")
    List<Path> inputs;

    @Option(names = "--grid", description = "Each file is a grid of n × n cells: measure the cells.")
    int grid = 1;

    @Option(names = "--margin", description = "With --grid: px between cells.")
    int margin = 5;

    @Override
    public Integer call() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> list = Files.list(input)) {
                    list.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")).sorted()
                            .forEach(files::add);
                }
            } else if (Files.isRegularFile(input)) {
                files.add(input);
            } else {
                System.err.println("bench spectral: " + input + " is neither a file nor a folder");
                return 2;
            }
        }
        if (files.isEmpty()) {
            System.err.println("bench spectral: no PNG in " + inputs);
            return 2;
        }
        double[] shares = new double[0];
        for (Path file : files) {
            RgbImage picture = Png.decode(Files.readAllBytes(file));
            for (RgbImage cell : cells(picture)) {
                if (flat(cell)) continue;
                double share = SpectralEnergy.highFrequencyShare(cell);
                shares = Arrays.copyOf(shares, shares.length + 1);
                shares[shares.length - 1] = share;
                System.out.printf(Locale.ROOT, "spectral: file=%s%s width=%d height=%d high_share=%.4f%n", file,
                        grid > 1 ? " cell=" + (shares.length - 1) : "", cell.width(), cell.height(), share);
            }
        }
        if (shares.length == 0) {
            System.err.println("bench spectral: every picture is flat");
            return 2;
        }
        System.out.printf(Locale.ROOT, "spectral: pictures=%d cutoff=%.2f mean_high_share=%.4f median_high_share=%.4f%n",
                shares.length, SpectralEnergy.CUTOFF, Arrays.stream(shares).average().orElse(0), median(shares));
        return 0;
    }

    private List<RgbImage> cells(RgbImage picture) {
        if (grid <= 1) return List.of(picture);
        int cw = (picture.width() - (grid - 1) * margin) / grid, ch = (picture.height() - (grid - 1) * margin) / grid;
        if (cw < 1 || ch < 1) throw new IllegalArgumentException("a " + picture.width() + "x" + picture.height()
                + " picture has no room for " + grid + "x" + grid + " cells with " + margin + " px margins");
        List<RgbImage> cells = new ArrayList<>();
        int c = picture.channels();
        for (int gy = 0; gy < grid; gy++) {
            for (int gx = 0; gx < grid; gx++) {
                byte[] pixels = new byte[cw * ch * c];
                for (int y = 0; y < ch; y++) {
                    int from = ((gy * (ch + margin) + y) * picture.width() + gx * (cw + margin)) * c;
                    System.arraycopy(picture.buffer(), from, pixels, y * cw * c, cw * c);
                }
                cells.add(new RgbImage(cw, ch, c, pixels));
            }
        }
        return cells;
    }

    private static boolean flat(RgbImage image) {
        byte[] b = image.buffer();
        for (int i = 1; i < b.length; i++) if (b[i] != b[0]) return false;
        return true;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
