package io.podnet.core.net;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link TcProgram} decided for a frame: {@code TC_ACT_OK} (continue up the stack), {@code
 * TC_ACT_SHOT} (drop, with the reason the trace records) or {@code TC_ACT_REDIRECT} (transmit it on
 * another device).
 */
public final class TcVerdict {

  /** The three outcomes. */
  public enum Action {
    /** The frame continues to the bridge or the IP layer. */
    OK,
    /** The frame is dropped. */
    SHOT,
    /** The frame leaves by another device. */
    REDIRECT
  }

  private static final TcVerdict OK = new TcVerdict(Action.OK, null, null);

  private final Action action;
  private final @Nullable Drop drop;
  private final @Nullable Device target;

  private TcVerdict(Action action, @Nullable Drop drop, @Nullable Device target) {
    this.action = action;
    this.drop = drop;
    this.target = target;
  }

  /** Lets the frame continue. */
  public static TcVerdict ok() {
    return OK;
  }

  /** Drops the frame with {@code drop}. */
  public static TcVerdict shot(Drop drop) {
    return new TcVerdict(Action.SHOT, Objects.requireNonNull(drop), null);
  }

  /** Transmits the frame, unchanged, on {@code target}. */
  public static TcVerdict redirect(Device target) {
    return new TcVerdict(Action.REDIRECT, null, Objects.requireNonNull(target));
  }

  /** The outcome. */
  public Action action() {
    return action;
  }

  /** The drop of a {@link Action#SHOT} verdict; {@link IllegalStateException} otherwise. */
  public Drop drop() {
    if (drop == null) {
      throw new IllegalStateException(action + " verdict has no drop");
    }
    return drop;
  }

  /** The device of a {@link Action#REDIRECT} verdict; {@link IllegalStateException} otherwise. */
  public Device target() {
    if (target == null) {
      throw new IllegalStateException(action + " verdict has no target");
    }
    return target;
  }

  @Override
  public String toString() {
    return switch (action) {
      case OK -> "ok";
      case SHOT -> "shot " + drop;
      case REDIRECT -> "redirect " + Objects.requireNonNull(target).name();
    };
  }
}
