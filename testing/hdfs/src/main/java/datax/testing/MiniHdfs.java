package datax.testing;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * Test-only HDFS: one namenode and one datanode on 127.0.0.1, permissions off.
 *
 * <p>Usage: MiniHdfs ADDR_FILE BASE_DIR [NAMENODE_PORT]. Port 0 (the default) picks a free one.
 * BASE_DIR is wiped and formatted. Once a probe file can be written and read back, "127.0.0.1:PORT"
 * is written to ADDR_FILE (atomically); then it runs until killed, and removes ADDR_FILE on exit.
 */
public final class MiniHdfs {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: MiniHdfs ADDR_FILE BASE_DIR [NAMENODE_PORT]");
      System.exit(2);
    }
    java.nio.file.Path addrFile = Paths.get(args[0]);
    File baseDir = new File(args[1]);
    int port = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    Files.deleteIfExists(addrFile);

    Configuration conf = new HdfsConfiguration();
    conf.set("hadoop.security.authentication", "simple");
    conf.setBoolean("dfs.permissions.enabled", false); // any user name may write anywhere
    conf.setInt("dfs.replication", 1);
    conf.setBoolean("dfs.namenode.datanode.registration.ip-hostname-check", false);
    conf.set("dfs.datanode.hostname", "127.0.0.1"); // what the datanode advertises as its host name
    conf.setLong("dfs.heartbeat.interval", 1);

    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, baseDir)
        .numDataNodes(1)
        .nameNodePort(port)
        .nameNodeHttpPort(0)
        .format(true)
        .build();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        Files.deleteIfExists(addrFile);
      } catch (Exception ignored) {
        // best effort
      }
      cluster.shutdown();
    }));
    cluster.waitActive();

    // Probe: a write and a read must work before we announce the address.
    FileSystem fs = cluster.getFileSystem();
    Path probe = new Path("/tmp/.minihdfs-probe");
    byte[] want = "minihdfs probe".getBytes(StandardCharsets.UTF_8);
    try (FSDataOutputStream out = fs.create(probe, true)) {
      out.write(want);
    }
    byte[] got = new byte[want.length];
    try (FSDataInputStream in = fs.open(probe)) {
      in.readFully(got);
    }
    if (!Arrays.equals(want, got)) {
      throw new IllegalStateException("HDFS probe read back wrong bytes");
    }
    fs.delete(probe, false);
    for (String dir : new String[] {"/tmp", "/user"}) {
      fs.mkdirs(new Path(dir));
      fs.setPermission(new Path(dir), new FsPermission((short) 01777));
    }

    String addr = "127.0.0.1:" + cluster.getNameNodePort();
    java.nio.file.Path tmp = Paths.get(addrFile + ".tmp");
    Files.write(tmp, (addr + "\n").getBytes(StandardCharsets.UTF_8));
    Files.move(tmp, addrFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    System.err.println("minihdfs: ready at " + addr + " (datanode xfer port "
        + cluster.getDataNodes().get(0).getXferPort() + ")");

    Thread.currentThread().join(); // run until killed
  }
}
