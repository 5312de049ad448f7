package io.filterviz.it;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real HDFS (one NameNode, one DataNode) and a real YARN (ResourceManager with the FIFO scheduler, one
 * NodeManager offering 4 GB) on this machine, for {@link YarnIT}. Runs in a JVM of its own, started by
 * {@link YarnHdfsCluster} with target/yarn-minicluster/jars as its class path. Writes the minimal client
 * configuration (core-site.xml, yarn-site.xml) into {@code <dir>/hadoop-conf}, then prints {@link #READY}, then
 * runs until it is killed.
 */
public final class YarnHdfsMiniClusterMain {
    static final String READY = "filterviz-it: minicluster ready";
    static final int NODE_MANAGER_MB = 4096;

    private YarnHdfsMiniClusterMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        YarnConfiguration conf = new YarnConfiguration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
        conf.set(YarnConfiguration.RM_SCHEDULER,
                "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler");
        conf.setInt(YarnConfiguration.YARN_MINICLUSTER_NM_PMEM_MB, NODE_MANAGER_MB);
        conf.setInt(YarnConfiguration.NM_PMEM_MB, NODE_MANAGER_MB);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, NODE_MANAGER_MB);
        // Enforce each container's physical memory as a real NodeManager does (the minicluster turns it off by
        // default), so the test's sizes are proven to fit; virtual memory is not checked (most clusters do not).
        conf.setBoolean(YarnConfiguration.YARN_MINICLUSTER_CONTROL_RESOURCE_MONITORING, true);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, true);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        // A disk that is fuller than YARN's default 90 % must not take the only NodeManager out of service.
        conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 99.5f);

        MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        conf.set("fs.defaultFS", hdfs.getURI().toString());

        MiniYARNCluster yarn = new MiniYARNCluster("filterviz-yarn", 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        Configuration running = yarn.getConfig();

        Path clientConf = Files.createDirectories(dir.resolve("hadoop-conf"));
        write(clientConf.resolve("core-site.xml"), List.of("fs.defaultFS"), running);
        write(clientConf.resolve("yarn-site.xml"), List.of(YarnConfiguration.RM_ADDRESS,
                YarnConfiguration.RM_SCHEDULER_ADDRESS, YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS,
                YarnConfiguration.RM_ADMIN_ADDRESS, YarnConfiguration.RM_WEBAPP_ADDRESS,
                YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB,
                YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB), running);
        System.out.println(READY + " " + running.get("fs.defaultFS"));
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }

    /** Only the named keys: the minicluster's own configuration names test-only classes a client cannot load. */
    private static void write(Path file, List<String> keys, Configuration from) throws IOException {
        Configuration client = new Configuration(false);
        for (String key : keys) client.set(key, from.get(key));
        try (OutputStream out = Files.newOutputStream(file)) {
            client.writeXml(out);
        }
    }
}
