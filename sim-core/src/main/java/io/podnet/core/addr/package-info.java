/**
 * Address value types: IPv4 and IPv6 addresses and prefixes, interface addresses and MAC addresses.
 */
@NullMarked
package io.podnet.core.addr;

import org.jspecify.annotations.NullMarked;
