package io.podnet.cni.contract;

/** The rules of the CNI contract, plus the CNI spec's own promises about DEL and CHECK. */
public enum Rule {
  /** Rule 1: every pod gets a cluster-unique IP. */
  UNIQUE_IP("rule 1", "every pod gets a cluster-unique IP"),
  /** Rule 2: every pod reaches every other pod without NAT. */
  NO_NAT("rule 2", "every pod reaches every other pod without NAT"),
  /** Rule 3: routes let traffic leave the pod and reach the rest of the network. */
  ROUTES("rule 3", "routes let traffic leave the pod and reach the rest of the network"),
  /** Rule 4: deleting a pod frees its IP and network resources. */
  CLEANUP("rule 4", "deleting a pod frees its IP and network resources"),
  /** The spec's promises: DEL succeeds again and again, CHECK succeeds after ADD. */
  SPEC("spec", "DEL is idempotent and CHECK passes after ADD");

  private final String id;
  private final String text;

  Rule(String id, String text) {
    this.id = id;
    this.text = text;
  }

  /** A short id ({@code rule 1} ... {@code rule 4}, {@code spec}). */
  public String id() {
    return id;
  }

  /** The rule in words. */
  public String text() {
    return text;
  }
}
