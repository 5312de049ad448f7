package io.filterviz.config;

import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.Convolutions;
import io.filterviz.engine.Precision;
import io.filterviz.engine.lucid.LucidSettings;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything the user asked for, as typed values; not yet checked against the model (that is the planner's job).
 *
 * @param layers     layer names as the user gave them ({@code all} stands for every convolution)
 * @param ascent     the ascent's numbers; an output size of 0×0: not given (412, or a fixed-size network's size)
 * @param model      vgg16, vgg19, or a model file's path or URI (--model)
 * @param preprocess --preprocess as given; null: not given
 * @param listLayers print the model's layers and stop (--list-layers)
 * @param partitions null: one Spark task per filter
 * @param grid       null: the Keras example's floor(sqrt(live filters))
 * @param out        a local folder or a Hadoop URI (hdfs://, s3a://, file://)
 * @param overwrite  start over in an --out that holds another run, instead of resuming
 * @param startTimeoutMinutes how long the driver waits for a first task before it says why none started
 * @param engine     the compute engine (--engine); null: the default
 * @param precision  fp32 or bf16 (--precision)
 * @param convolutions direct, or Winograd where faster (--convolutions); what ran is the backend's to say
 * @param preset     the recipe (--preset): keras, the default, or lucid
 * @param lucid      under {@code --preset lucid}, its numbers as given (their range checked); the output size and the
 *                   input channels in it are placeholders the planner settles from the model and {@code ascent}'s
 *                   output size (0×0: not given). Null under keras.
 */
public record JobConfig(List<String> layers, FilterRange filterRange, AscentSettings ascent, String model,
                        String preprocess, boolean listLayers, String weights, Path weightsCache, String weightsUrl,
                        String out, String master, Integer partitions, Integer grid, boolean verbose,
                        boolean overwrite, double startTimeoutMinutes, String engine, Precision precision,
                        Convolutions convolutions, Preset preset, LucidSettings lucid)
        implements Serializable {

    public JobConfig {
        if (convolutions == null) throw new IllegalArgumentException("convolutions: direct or winograd-where-faster");
        if ((preset == Preset.LUCID) != (lucid != null)) {
            throw new IllegalArgumentException("the lucid numbers go with --preset lucid, and only with it");
        }
    }

    /** The same config with the compute engine the driver settled on (the default may fall back). */
    public JobConfig withEngine(String chosen) {
        return new JobConfig(layers, filterRange, ascent, model, preprocess, listLayers, weights, weightsCache,
                weightsUrl, out, master, partitions, grid, verbose, overwrite, startTimeoutMinutes, chosen, precision,
                convolutions, preset, lucid);
    }
}
