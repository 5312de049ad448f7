package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.config.JobConfig;
import io.filterviz.model.ImagenetWeights;
import io.filterviz.model.ResolvedWeights;
import io.filterviz.model.VggArchitecture;
import io.filterviz.model.WeightsException;
import io.filterviz.storage.HadoopFiles;
import org.apache.hadoop.conf.Configuration;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;

/** --weights (random, imagenet or a Keras H5 file, local or a Hadoop URI) as a file on this machine and its identity. */
final class WeightsResolver {
    private final PrintStream progress;
    private final Path kerasModels;
    private final Configuration hadoop;

    /**
     * @param progress    where a weights download shows its progress
     * @param kerasModels Keras' own model cache, looked in for the ImageNet file before ours
     * @param hadoop      the job's Hadoop configuration: remote weights files
     */
    WeightsResolver(PrintStream progress, Path kerasModels, Configuration hadoop) {
        this.progress = progress;
        this.kerasModels = kerasModels;
        this.hadoop = hadoop;
    }

    /** @param deepest the deepest VGG layer the job targets: weights are read up to it */
    ResolvedWeights resolve(JobConfig config, VggArchitecture architecture, String deepest) {
        String weights = config.weights();
        try {
            if (weights.equals("random")) return ResolvedWeights.random(deepest, config.ascent().seed());
            if (weights.equals("imagenet")) {
                URI url = config.weightsUrl() == null ? architecture.officialUrl() : URI.create(config.weightsUrl());
                Path file = new ImagenetWeights(architecture.weightsFile(), kerasModels, config.weightsCache(), url,
                        architecture.md5(), progress).resolve();
                // resolve() verified the file against this checksum: no second read of the file
                return ResolvedWeights.kerasFile(architecture, deepest, file, "imagenet", architecture.md5());
            }
            return ResolvedWeights.kerasFile(architecture, deepest, HadoopFiles.local(weights, hadoop), weights, null);
        } catch (WeightsException e) {
            throw new BadInputException(e.getMessage());
        }
    }
}
