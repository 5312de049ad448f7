package io.filterviz.app;

import io.filterviz.config.BadInputException;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.nd4j.Nd4jBackend;

import java.util.List;

/** The composition root's choice of compute backend: the one place outside engine/ that names a backend class. */
public final class ComputeBackends {
    public static final String DEFAULT = "nd4j";
    public static final List<String> NAMES = List.of("nd4j");

    private ComputeBackends() {}

    public static ComputeBackend named(String name) {
        return switch (name) {
            case "nd4j" -> new Nd4jBackend();
            default -> throw new BadInputException("--engine " + name + " is not one of " + String.join(", ", NAMES));
        };
    }
}
