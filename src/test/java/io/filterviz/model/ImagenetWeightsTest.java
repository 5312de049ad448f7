package io.filterviz.model;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real download code against an HTTP server on 127.0.0.1 (the build machines have no internet). */
class ImagenetWeightsTest {
    @TempDir
    Path dir;

    private final byte[] payload = new byte[300_000];
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer server;
    private URI url;
    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @BeforeEach
    void serve() throws Exception {
        for (int i = 0; i < payload.length; i++) payload[i] = (byte) (i * 31 + 7);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/" + ImagenetWeights.FILE_NAME, exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, payload.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(payload);
            }
        });
        server.start();
        url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + ImagenetWeights.FILE_NAME);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(bytes));
    }

    private ImagenetWeights weights(URI from, String md5) {
        return new ImagenetWeights(dir.resolve("keras"), dir.resolve("cache"), from, md5,
                new PrintStream(progress, true, StandardCharsets.UTF_8));
    }

    @Test
    void downloadsVerifiesAndCachesThenReusesTheCache() throws Exception {
        Path file = weights(url, md5(payload)).resolve();
        assertEquals(dir.resolve("cache").resolve(ImagenetWeights.FILE_NAME), file);
        assertArrayEquals(payload, Files.readAllBytes(file));
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("Downloading " + ImagenetWeights.FILE_NAME));

        assertEquals(file, weights(url, md5(payload)).resolve());
        assertEquals(1, requests.get(), "the second resolve must come from the cache");
    }

    @Test
    void aChecksumMismatchFailsAndLeavesNothingBehind() throws Exception {
        String wrong = "00000000000000000000000000000000";
        WeightsException e = assertThrows(WeightsException.class, () -> weights(url, wrong).resolve());
        assertTrue(e.getMessage().contains("has MD5 " + md5(payload) + ", expected " + wrong), e.getMessage());
        try (var files = Files.list(dir.resolve("cache"))) {
            assertEquals(0, files.count(), "no partial or corrupt file may stay in the cache");
        }
    }

    @Test
    void kerasOwnCacheIsUsedWithoutDownloading() throws Exception {
        Path keras = Files.createDirectories(dir.resolve("keras")).resolve(ImagenetWeights.FILE_NAME);
        Files.write(keras, payload);
        assertEquals(keras, weights(url, md5(payload)).resolve());
        assertEquals(0, requests.get());
    }

    @Test
    void withoutNetworkTheMessageNamesTheUrlAndTheWayOut() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        URI unreachable = URI.create("http://127.0.0.1:" + closedPort + "/" + ImagenetWeights.FILE_NAME);
        WeightsException e = assertThrows(WeightsException.class, () -> weights(unreachable, md5(payload)).resolve());
        assertTrue(e.getMessage().contains(unreachable.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("--weights PATH"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }
}
