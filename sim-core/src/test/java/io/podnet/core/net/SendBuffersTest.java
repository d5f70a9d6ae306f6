package io.podnet.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.engine.Simulation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link SendBuffers}: buffers of one size, reused last in first out, a bounded few. */
class SendBuffersTest {

  private final SendBuffers buffers = SendBuffers.of(Network.create(Simulation.create(1)));

  @Test
  void take_noneFree_newBufferOfTheSize() {
    byte[] b = buffers.take();

    assertThat(b).hasSize(SendBuffers.SIZE);
    assertThat(buffers.free()).isZero();
  }

  @Test
  void take_afterTwoGiven_lastGivenFirst() {
    byte[] first = buffers.take();
    byte[] second = buffers.take();
    buffers.give(first);
    buffers.give(second);

    assertThat(buffers.take()).isSameAs(second);
    assertThat(buffers.take()).isSameAs(first);
    assertThat(buffers.take()).isNotSameAs(first).isNotSameAs(second);
  }

  @Test
  void give_bufferOfAnotherSize_notKept() {
    buffers.give(new byte[SendBuffers.SIZE * 2]);

    assertThat(buffers.free()).isZero();
  }

  @Test
  void give_moreThanTheLimit_keepsTheLimit() {
    List<byte[]> taken = new ArrayList<>();
    for (int i = 0; i < SendBuffers.MAX_FREE + 10; i++) {
      taken.add(buffers.take());
    }

    taken.forEach(buffers::give);

    assertThat(buffers.free()).isEqualTo(SendBuffers.MAX_FREE);
  }

  @Test
  void of_sameNetwork_sameBuffers() {
    Network net = Network.create(Simulation.create(1));

    assertThat(SendBuffers.of(net)).isSameAs(SendBuffers.of(net)).isNotSameAs(buffers);
  }
}
