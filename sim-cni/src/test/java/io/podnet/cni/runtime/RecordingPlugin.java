package io.podnet.cni.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.cni.spec.CniVersions;
import io.podnet.core.addr.IfAddress;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A fake plugin that records every call (command and the stdin it got) in a log shared by several
 * fakes, so tests can see the order and what each plugin was given. ADD returns the previous result
 * with one more interface named after the fake, or a fresh result with {@code 10.9.0.2/24} when it
 * is first in the chain.
 */
final class RecordingPlugin implements CniPlugin {

  /** One call: which fake, which command, the stdin and the request. */
  record Call(String plugin, String command, ObjectNode stdin, CniRequest request) {
    @Override
    public String toString() {
      return plugin + " " + command;
    }
  }

  private final String name;
  private final List<Call> log;
  private final List<String> versions;
  private @Nullable CniException failWith;

  RecordingPlugin(String name, List<Call> log) {
    this(name, log, CniVersions.SUPPORTED);
  }

  RecordingPlugin(String name, List<Call> log, List<String> versions) {
    this.name = name;
    this.log = log;
    this.versions = List.copyOf(versions);
  }

  /** Makes every later call fail with {@code e}. */
  void failWith(@Nullable CniException e) {
    this.failWith = e;
  }

  /** The calls to this fake only. */
  List<Call> calls() {
    List<Call> mine = new ArrayList<>();
    for (Call c : log) {
      if (c.plugin().equals(name)) {
        mine.add(c);
      }
    }
    return mine;
  }

  @Override
  public List<String> supportedVersions() {
    return versions;
  }

  @Override
  public CniResult add(CniRequest request) {
    record("ADD", request);
    CniResult.Builder b = CniResult.builder(request.cniVersion());
    request
        .prevResult()
        .ifPresentOrElse(
            prev -> {
              prev.interfaces().forEach(b::addInterface);
              prev.ips().forEach(b::addIp);
              prev.routes().forEach(b::addRoute);
            },
            () -> b.addIp(new CniResult.IpConfig(IfAddress.parse("10.9.0.2/24"), null, -1)));
    b.addInterface(new CniResult.Interface(name, null, 0, ""));
    return b.build();
  }

  @Override
  public void del(CniRequest request) {
    record("DEL", request);
  }

  @Override
  public void check(CniRequest request) {
    record("CHECK", request);
  }

  @Override
  public void gc(CniRequest request) {
    record("GC", request);
  }

  private void record(String command, CniRequest request) {
    log.add(new Call(name, command, request.config().deepCopy(), request));
    if (failWith != null) {
      throw failWith;
    }
  }
}
