/** Independent, named random streams derived from a simulation's master seed. */
@NullMarked
package io.podnet.core.random;

import org.jspecify.annotations.NullMarked;
