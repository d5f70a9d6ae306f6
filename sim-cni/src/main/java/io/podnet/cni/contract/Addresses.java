package io.podnet.cni.contract;

/**
 * Some addresses a class check asks about at once: the members of a pod class, or a part of them,
 * or one address. They all lie in the unsigned range [{@code lo}, {@code hi}]; {@code ips} holds
 * them (and maybe others outside the range), xor the sign bit, ascending.
 *
 * @param lo the lowest address
 * @param hi the highest address
 * @param ips the addresses xor {@link Integer#MIN_VALUE}, ascending
 */
record Addresses(int lo, int hi, int[] ips) {

  /** One address. */
  static Addresses of(int address) {
    return new Addresses(address, address, new int[] {address ^ Integer.MIN_VALUE});
  }

  /** The addresses of {@code ips} (xor the sign bit, ascending) in [{@code lo}, {@code hi}]. */
  Addresses within(int from, int to) {
    return new Addresses(from, to, ips);
  }
}
