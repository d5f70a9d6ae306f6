package io.podnet.cni.cluster;

import io.podnet.core.engine.SimTime;
import io.podnet.core.trace.TraceRecord;

/**
 * A trace record for a pod's status change or event. Canonical form: {@code 0.105000000 pod
 * default/web-1 Running node-1 10.244.1.2}.
 *
 * @param time simulated time in nanoseconds
 * @param pod {@code namespace/name}
 * @param detail the new status with node and IP, or the event
 */
public record PodChange(long time, String pod, String detail) implements TraceRecord {

  @Override
  public void appendCanonical(StringBuilder out) {
    SimTime.appendTo(out, time).append(" pod ").append(pod).append(' ').append(detail);
  }
}
