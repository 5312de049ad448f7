package io.filterviz.examples;

import io.filterviz.image.Png;
import io.filterviz.model.graph.Graph;

import java.util.ArrayList;
import java.util.List;

/**
 * The crops of one image: decoded and resized as the scan fed it to the network, then for each request the receptive
 * field of the maximum's position, cut out and enlarged.
 */
public final class CropCutter {
    private final Graph network;
    private final InputSize size;

    public CropCutter(Graph network, InputSize size) {
        this.network = network;
        this.size = size;
    }

    public List<CropResult> cut(byte[] file, List<CropRequest> requests) {
        ScanImage image = size.apply(ScanImage.decode(file));
        List<CropResult> crops = new ArrayList<>(requests.size());
        for (CropRequest r : requests) {
            ReceptiveField.Box box = ReceptiveField.of(network, r.layer(), image.height(), image.width(), r.x(), r.y());
            crops.add(new CropResult(r, box, Png.encode(Crops.crop(image.pixels(), box))));
        }
        return crops;
    }
}
