package io.filterviz.examples;

import java.io.Serializable;

/** A cut crop as PNG bytes, with the receptive field it shows (in the pixels the network saw). */
public record CropResult(CropRequest request, ReceptiveField.Box box, byte[] png) implements Serializable {}
