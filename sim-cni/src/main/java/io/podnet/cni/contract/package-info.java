/**
 * The CNI contract checker: the four rules every Kubernetes network plugin must honour, checked
 * over a whole cluster, with every violation reported as data, plus AssertJ assertions and an
 * abstract test suite that every plugin and strategy's tests extend.
 */
@NullMarked
package io.podnet.cni.contract;

import org.jspecify.annotations.NullMarked;
