package io.filterviz.model;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Finds Keras' ImageNet VGG16 (or VGG19) notop weights: Keras' own cache first (Keras users already have the file), then
 * ours, else downloads it (the JDK's HTTP client, redirects followed) with the progressbar library's display,
 * checks the MD5 and keeps it in our cache.
 */
public final class ImagenetWeights {
    public static final String FILE_NAME = VggArchitecture.VGG16.weightsFile();
    public static final String MD5 = VggArchitecture.VGG16.md5();
    public static final URI OFFICIAL_URL = VggArchitecture.VGG16.officialUrl();

    private final String fileName;
    private final List<Path> lookIn;
    private final Path cache;
    private final URI url;
    private final String md5;
    private final PrintStream progress;

    /**
     * @param keras    Keras' model cache ($KERAS_HOME/models, else ~/.keras/models), only read
     * @param cache    our cache, where a download lands
     * @param url      where to download from
     * @param md5      the expected checksum
     * @param progress where the download progress goes (stderr)
     */
    public ImagenetWeights(Path keras, Path cache, URI url, String md5, PrintStream progress) {
        this(FILE_NAME, keras, cache, url, md5, progress);
    }

    /** The architecture's notop file from its official URL, checked against its MD5. */
    public ImagenetWeights(VggArchitecture architecture, Path keras, Path cache, PrintStream progress) {
        this(architecture.weightsFile(), keras, cache, architecture.officialUrl(), architecture.md5(), progress);
    }

    /** @param fileName the name Keras caches the file under, and ours */
    public ImagenetWeights(String fileName, Path keras, Path cache, URI url, String md5, PrintStream progress) {
        this.fileName = fileName;
        this.lookIn = List.of(keras.resolve(fileName), cache.resolve(fileName));
        this.cache = cache;
        this.url = url;
        this.md5 = md5;
        this.progress = progress;
    }

    /** A verified local copy of the weights, downloading it if need be. */
    public Path resolve() {
        for (Path candidate : lookIn) {
            if (Files.isRegularFile(candidate) && md5Matches(candidate)) return candidate;
        }
        return download();
    }

    private boolean md5Matches(Path file) {
        try {
            return Md5.of(file).equalsIgnoreCase(md5);
        } catch (IOException e) {
            return false;
        }
    }

    private Path download() {
        Path target = cache.resolve(fileName);
        Path partial = cache.resolve(fileName + ".part");
        try {
            Files.createDirectories(cache);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15))
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(url).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException("HTTP " + response.statusCode());
            }
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            MessageDigest digest = Md5.newDigest();
            ProgressBarBuilder bar = new ProgressBarBuilder().setTaskName("Downloading " + fileName)
                    .setInitialMax(total).setUnit(" MB", 1_000_000).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(progress)).setUpdateIntervalMillis(500);
            try (InputStream in = ProgressBar.wrap(new DigestInputStream(response.body(), digest), bar);
                 OutputStream out = Files.newOutputStream(partial)) {
                in.transferTo(out);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equalsIgnoreCase(md5)) {
                Files.deleteIfExists(partial);
                throw new WeightsException("downloaded " + url + " has MD5 " + actual + ", expected " + md5
                        + "; the download is corrupt or the file changed: pass a local copy with --weights PATH");
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // the partial file is only clutter
            }
            throw new WeightsException("cannot download the ImageNet weights from " + url + " (" + e + "); "
                    + "download " + fileName + " elsewhere and pass it with --weights PATH, "
                    + "or put it in " + lookIn.get(0).getParent() + ", or use --weights random for an offline demo", e);
        }
    }
}
