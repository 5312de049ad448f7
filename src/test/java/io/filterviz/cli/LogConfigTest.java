package io.filterviz.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quiet console of conf/log4j2.properties still shows what a user must see when a job cannot start. */
class LogConfigTest {
    @Test
    void sparksResourceWarningsReachTheConsoleAndItsInfoDoesNot() {
        Path file = Path.of("conf/log4j2.properties").toAbsolutePath();
        try (LoggerContext context = Configurator.initialize("conf-under-test", null, file.toUri())) {
            for (String logger : new String[]{"org.apache.spark.scheduler.TaskSchedulerImpl",
                    "org.apache.spark.deploy.client.StandaloneAppClient$ClientEndpoint",
                    "org.apache.spark.deploy.yarn.YarnAllocator", "org.apache.spark.scheduler.cluster.YarnScheduler"}) {
                assertTrue(context.getLogger(logger).isEnabled(Level.WARN), logger);
                assertFalse(context.getLogger(logger).isEnabled(Level.INFO), logger);
            }
            assertEquals("console", context.getConfiguration().getRootLogger().getAppenderRefs().get(0).getRef());
        }
    }
}
