package io.podnet.cni.cluster;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * How many endpoints each of many generated Services has: a power law truncated to [{@code min},
 * {@code max}], P(n) proportional to n<sup>-exponent</sup>, as Service sizes in real clusters are
 * (most Services have a few pods, a few have hundreds). {@link #THRESHOLDS} is the distribution the
 * scale tests use: 1 to 250 endpoints (the Kubernetes threshold per Service) with exponent 1.5,
 * whose mean is about 12.1, so 10,000 Services take about 121,000 of the 150,000 pods of the
 * thresholds cluster and every pod can back at most one Service, as a pod of a Deployment behind
 * one Service does.
 *
 * <p>{@link #sample} is deterministic and exact rather than drawn: the {@code k}-th of {@code n}
 * counts is the distribution's quantile at {@code (k + 0.5) / n}, so any {@code n} Services follow
 * the distribution as closely as {@code n} integers can (10,000 of them include both 1 and 250),
 * and only their order is shuffled by the given random stream.
 *
 * <pre>{@code
 * int[] sizes = EndpointCounts.THRESHOLDS.sample(10_000, sim.random().stream("bulk-pods"));
 * }</pre>
 */
public final class EndpointCounts {

  /** 1 to 250 endpoints, exponent 1.5. */
  public static final EndpointCounts THRESHOLDS = powerLaw(1, 250, 1.5);

  private final int min;
  private final int max;
  private final double exponent;
  private final double[] cumulative;

  private EndpointCounts(int min, int max, double exponent) {
    this.min = min;
    this.max = max;
    this.exponent = exponent;
    this.cumulative = new double[max - min + 1];
    double sum = 0;
    for (int n = min; n <= max; n++) {
      sum += Math.pow(n, -exponent);
      cumulative[n - min] = sum;
    }
    for (int i = 0; i < cumulative.length; i++) {
      cumulative[i] /= sum;
    }
  }

  /**
   * A power law over [{@code min}, {@code max}] with {@code exponent}.
   *
   * @throws IllegalArgumentException unless 1 &lt;= min &lt;= max &lt;= 5000 (the hard limit of
   *     endpoints per Service) and 0 &lt;= exponent &lt;= 10
   */
  public static EndpointCounts powerLaw(int min, int max, double exponent) {
    if (min < 1 || max < min || max > 5000) {
      throw new IllegalArgumentException(
          "endpoint counts must satisfy 1 <= min <= max <= 5000: min " + min + ", max " + max);
    }
    if (!(exponent >= 0 && exponent <= 10)) {
      throw new IllegalArgumentException("exponent must be in [0, 10]: " + exponent);
    }
    return new EndpointCounts(min, max, exponent);
  }

  /** The smallest count. */
  public int min() {
    return min;
  }

  /** The largest count. */
  public int max() {
    return max;
  }

  /** The exponent of the power law. */
  public double exponent() {
    return exponent;
  }

  /** The distribution's mean count. */
  public double mean() {
    double mean = 0;
    double below = 0;
    for (int i = 0; i < cumulative.length; i++) {
      mean += (min + i) * (cumulative[i] - below);
      below = cumulative[i];
    }
    return mean;
  }

  /**
   * {@code services} counts following the distribution (the quantiles at {@code (k + 0.5) /
   * services}), in an order shuffled by {@code random}.
   */
  public int[] sample(int services, RandomGenerator random) {
    if (services < 0) {
      throw new IllegalArgumentException("services must be at least 0: " + services);
    }
    int[] out = new int[services];
    int n = 0;
    for (int k = 0; k < services; k++) {
      double q = (k + 0.5) / services;
      while (cumulative[n] < q && n < cumulative.length - 1) {
        n++;
      }
      out[k] = min + n;
    }
    for (int i = services - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /**
   * Lays {@code services} Services with counts of this distribution out over {@code pods} pods in
   * apps: app {@code a} is the next {@code counts[a]} pods (a Deployment, say), and Service {@code
   * s} selects app {@code s % apps}. With pods enough (150,000 for 10,000 Services of {@link
   * #THRESHOLDS}) every Service has its own app and the pods left over back none; with fewer, the
   * apps run out, the last one short, and Services share them round-robin (as several Services can
   * front one Deployment), so the endpoint counts still follow the distribution and the Services
   * have as many endpoints in all as at full size.
   */
  public Layout layout(int services, int pods, RandomGenerator random) {
    if (pods < 0) {
      throw new IllegalArgumentException("pods must be at least 0: " + pods);
    }
    int[] counts = sample(services, random);
    int[] appOfPod = new int[pods];
    java.util.Arrays.fill(appOfPod, -1);
    int at = 0;
    int apps = 0;
    while (apps < counts.length && at < pods) {
      for (int i = 0; i < counts[apps] && at < pods; i++) {
        appOfPod[at++] = apps;
      }
      apps++;
    }
    return new Layout(appOfPod, apps);
  }

  /**
   * Generated Services laid out over pods (see {@link #layout}).
   *
   * @param appOfPod the app each pod belongs to, by pod index, or -1
   * @param apps how many apps there are
   */
  public record Layout(int[] appOfPod, int apps) {

    /** The app pod {@code pod} belongs to, or -1 if none. */
    public int appOfPod(int pod) {
      return appOfPod[pod];
    }

    /** The app Service {@code service} selects, or -1 when there are no pods. */
    public int appOfService(int service) {
      return apps == 0 ? -1 : service % apps;
    }
  }

  /** The distribution as one line: {@code power law 1..250, exponent 1.5 (mean 12.1)}. */
  @Override
  public String toString() {
    return String.format(
        Locale.ROOT, "power law %d..%d, exponent %s (mean %.1f)", min, max, exponent, mean());
  }
}
