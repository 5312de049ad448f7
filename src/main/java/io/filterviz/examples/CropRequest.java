package io.filterviz.examples;

import java.io.Serializable;

/** A crop to cut from one image: the example at {@code rank} of (layer, filter), whose maximum is at (x, y). */
public record CropRequest(String layer, int filter, int rank, int x, int y) implements Serializable {}
