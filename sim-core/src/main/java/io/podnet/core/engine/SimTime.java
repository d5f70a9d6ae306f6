package io.podnet.core.engine;

/**
 * Units and text forms of simulated time, which is a {@code long} count of nanoseconds. {@link
 * #parse(String)} reads durations such as {@code "1.5s"} or {@code "250ms"}; {@link #format(long)}
 * writes the fixed nine-decimal seconds form used in transcripts, in exact integer arithmetic.
 */
public final class SimTime {

  /** One nanosecond, the unit of the simulation clock. */
  public static final long NANOSECOND = 1L;

  /** One microsecond in nanoseconds. */
  public static final long MICROSECOND = 1_000L;

  /** One millisecond in nanoseconds. */
  public static final long MILLISECOND = 1_000_000L;

  /** One second in nanoseconds. */
  public static final long SECOND = 1_000_000_000L;

  private static final String EXPECTED =
      "expected a non-negative duration such as \"2s\", \"1.5s\", \"250ms\", \"10us\" or \"100ns\"";

  private SimTime() {}

  /**
   * Parses a non-negative duration: decimal digits, an optional fraction, and one of the units
   * {@code s}, {@code ms}, {@code us}, {@code ns}. The fraction may not be finer than a nanosecond
   * ({@code "1.5ns"} is rejected).
   *
   * @return the duration in nanoseconds
   * @throws IllegalArgumentException if the text is not of that form, or does not fit in a {@code
   *     long}
   */
  public static long parse(String text) {
    int unitStart = text.length();
    while (unitStart > 0 && Character.isLetter(text.charAt(unitStart - 1))) {
      unitStart--;
    }
    String unit = text.substring(unitStart);
    long scale;
    int maxFractionDigits;
    switch (unit) {
      case "s" -> {
        scale = SECOND;
        maxFractionDigits = 9;
      }
      case "ms" -> {
        scale = MILLISECOND;
        maxFractionDigits = 6;
      }
      case "us" -> {
        scale = MICROSECOND;
        maxFractionDigits = 3;
      }
      case "ns" -> {
        scale = NANOSECOND;
        maxFractionDigits = 0;
      }
      default -> throw new IllegalArgumentException(EXPECTED + ": \"" + text + "\"");
    }
    String number = text.substring(0, unitStart);
    int dot = number.indexOf('.');
    String whole = dot < 0 ? number : number.substring(0, dot);
    String fraction = dot < 0 ? "" : number.substring(dot + 1);
    if (!isDigits(whole) || (dot >= 0 && !isDigits(fraction))) {
      throw new IllegalArgumentException(EXPECTED + ": \"" + text + "\"");
    }
    if (fraction.length() > maxFractionDigits) {
      throw new IllegalArgumentException(
          "duration must not be finer than 1ns (at most "
              + maxFractionDigits
              + " decimals for unit "
              + unit
              + "): \""
              + text
              + "\"");
    }
    try {
      long nanos = Math.multiplyExact(Long.parseLong(whole), scale);
      long fractionNanos = 0;
      if (!fraction.isEmpty()) {
        long fractionScale = scale;
        for (int i = 0; i < fraction.length(); i++) {
          fractionScale /= 10;
          fractionNanos += (fraction.charAt(i) - '0') * fractionScale;
        }
      }
      return Math.addExact(nanos, fractionNanos);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException(
          "duration must fit in a long of nanoseconds: \"" + text + "\"", e);
    }
  }

  /**
   * Formats nanoseconds as seconds with exactly nine decimals, for example {@code 1000250000} as
   * {@code "1.000250000"} and {@code 5} as {@code "0.000000005"}. Negative values get a leading
   * minus sign.
   */
  public static String format(long nanos) {
    return appendTo(new StringBuilder(21), nanos).toString();
  }

  /**
   * Appends {@code nanos} in the form of {@link #format} to {@code out} without allocating (every
   * trace line starts with it); returns {@code out}.
   */
  public static StringBuilder appendTo(StringBuilder out, long nanos) {
    if (nanos < 0) {
      out.append('-');
    }
    long seconds = Math.abs(nanos / SECOND);
    if (seconds <= Integer.MAX_VALUE) {
      out.append((int) seconds);
    } else {
      out.append(seconds);
    }
    // The fraction's nine digits with their zeros: those of 1_000_000_000 + fraction, after a
    // leading 1 that becomes the point.
    int point = out.length();
    out.append((int) SECOND + (int) Math.abs(nanos % SECOND));
    out.setCharAt(point, '.');
    return out;
  }

  private static boolean isDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
