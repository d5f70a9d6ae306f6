package io.podnet.core.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimFileSystemTest {

  @Test
  void watch_filesCreatedReplacedAndDeletedInTheFolder_listenerHearsEachPathInOrder() {
    SimFileSystem fs = new SimFileSystem();
    List<String> heard = new ArrayList<>();
    fs.watch("/etc/cni/net.d", heard::add);

    fs.write("/etc/cni/net.d/10-a.conflist", "{}");
    fs.write("/etc/cni/net.d/10-a.conflist", "{ }");
    fs.createExclusive("/etc/cni/net.d/20-b.conf", "{}");
    fs.delete("/etc/cni/net.d/10-a.conflist");

    assertThat(heard)
        .containsExactly(
            "/etc/cni/net.d/10-a.conflist",
            "/etc/cni/net.d/10-a.conflist",
            "/etc/cni/net.d/20-b.conf",
            "/etc/cni/net.d/10-a.conflist");
  }

  @Test
  void watch_changesElsewhereOrWithoutEffect_listenerHearsNothing() {
    SimFileSystem fs = new SimFileSystem();
    fs.write("/etc/cni/net.d/10-a.conflist", "{}");
    List<String> heard = new ArrayList<>();
    fs.watch("/etc/cni/net.d", heard::add);

    fs.write("/etc/cni/net.d.bak/10-a.conflist", "{}");
    fs.write("/etc/cni/net.d/sub/10-a.conflist", "{}");
    fs.write("/etc/cni/other", "{}");
    fs.createExclusive("/etc/cni/net.d/10-a.conflist", "{}");
    fs.delete("/etc/cni/net.d/missing.conf");

    assertThat(heard).isEmpty();
  }

  @Test
  void deleteTree_watchedFolder_listenerHearsEveryFileDirectlyInIt() {
    SimFileSystem fs = new SimFileSystem();
    fs.write("/etc/cni/net.d/10-a.conflist", "{}");
    fs.write("/etc/cni/net.d/20-b.conf", "{}");
    fs.write("/etc/cni/net.d/sub/c.conf", "{}");
    List<String> heard = new ArrayList<>();
    fs.watch("/etc/cni/net.d", heard::add);

    int deleted = fs.deleteTree("/etc/cni/net.d");

    assertThat(deleted).isEqualTo(3);
    assertThat(heard).containsExactly("/etc/cni/net.d/10-a.conflist", "/etc/cni/net.d/20-b.conf");
  }
}
