package io.podnet.cni.plugins;

/** Error codes plugins use beyond the spec's well-known ones. */
final class CniRuntimeCodes {

  /**
   * The code the plugin skeleton gives an error that is not a CNI error ({@code types.ErrInternal}
   * in the reference plugins).
   */
  static final int INTERNAL = 999;

  private CniRuntimeCodes() {}
}
