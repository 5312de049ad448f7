package io.filterviz.report;

import io.filterviz.image.GridStitcher;
import io.filterviz.image.Png;
import io.filterviz.image.RgbImage;
import io.filterviz.result.FilterRecord;
import io.filterviz.storage.OutputStore;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The Keras example's grid for one layer: its n² best live filters by loss, row-major, 5 px black margins. */
final class LayerGrid {
    private LayerGrid() {}

    /**
     * Writes the grid; returns its name, or null when no filter of the layer is alive. A grid of another side left
     * by an earlier run (the folder held fewer filters then) goes: the folder shows one grid per layer.
     */
    static String write(OutputStore store, String model, String layer, List<FilterRecord> records, Integer requested,
                        PrintStream console) {
        String grid = draw(store, model, layer, records, requested, console);
        for (String file : store.list("")) {
            if (OutputLayout.isGrid(file, model, layer) && !file.equals(grid)) store.delete(file);
        }
        return grid;
    }

    private static String draw(OutputStore store, String model, String layer, List<FilterRecord> records,
                               Integer requested, PrintStream console) {
        List<FilterRecord> alive = records.stream().filter(r -> !r.dead())
                .sorted(Comparator.comparingDouble(FilterRecord::loss).reversed()).toList();
        int n = GridStitcher.defaultSide(alive.size());
        if (requested != null && requested <= n) {
            n = requested;
        } else if (requested != null) {
            console.printf("--grid %d needs %d live filters, %s has %d: its grid is %dx%d%n",
                    requested, requested * requested, layer, alive.size(), n, n);
        }
        if (n == 0) {
            console.println("No live filter in " + layer + ": no grid written");
            return null;
        }
        List<RgbImage> tiles = new ArrayList<>();
        for (FilterRecord r : alive.subList(0, n * n)) tiles.add(Png.decode(store.read(OutputLayout.picture(r.id()))));
        String grid = OutputLayout.grid(model, layer, n);
        try (OutputStream out = store.create(grid)) {
            Png.write(GridStitcher.stitch(tiles, n, GridStitcher.DEFAULT_MARGIN), out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + store.uri(grid), e);
        }
        console.println("Grid: " + store.uri(grid));
        return grid;
    }
}
