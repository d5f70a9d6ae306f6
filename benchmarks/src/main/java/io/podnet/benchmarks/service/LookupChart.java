package io.podnet.benchmarks.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws {@link ServiceLookupBenchmark} results (JMH's {@code -rf json} output) as lookup cost
 * against the number of Services, both axes logarithmic, one line per benchmark method, into a PNG;
 * and prints the figures, with nanoseconds per rule evaluated for the iptables walk.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.podnet.benchmarks.service.LookupChart
 * results.json service-lookup.png}
 */
public final class LookupChart {

  static final int WIDTH = 900;
  static final int HEIGHT = 600;

  private LookupChart() {}

  /** Reads {@code args[0]} (JMH JSON) and writes the chart to {@code args[1]}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: LookupChart <results.json> <chart.png>");
      System.exit(2);
    }
    Map<String, TreeMap<Integer, Double>> results = read(Path.of(args[0]));
    write(results, Path.of(args[1]));
    System.out.print(table(results));
  }

  /** Returns score (ns/op) by Service count, by benchmark method, from JMH's JSON results. */
  static Map<String, TreeMap<Integer, Double>> read(Path json) throws IOException {
    Map<String, TreeMap<Integer, Double>> out = new TreeMap<>();
    for (JsonNode run : new ObjectMapper().readTree(Files.readString(json))) {
      String benchmark = run.path("benchmark").asText();
      if (!benchmark.contains("ServiceLookupBenchmark.")) {
        continue;
      }
      String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
      int services = Integer.parseInt(run.path("params").path("services").asText());
      double score = run.path("primaryMetric").path("score").asDouble();
      out.computeIfAbsent(method, m -> new TreeMap<>()).put(services, score);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no ServiceLookupBenchmark results in " + json);
    }
    return out;
  }

  /** Renders the log-log chart of {@code results} into a PNG at {@code png}. */
  static void write(Map<String, TreeMap<Integer, Double>> results, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection data = new XYSeriesCollection();
    results.forEach(
        (method, points) -> {
          XYSeries series = new XYSeries(method);
          points.forEach(series::add);
          data.addSeries(series);
        });
    LogAxis x = decadeAxis("Services on the node");
    LogAxis y = decadeAxis("ns per first-packet lookup");
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    Color[] colors = {
      new Color(0x7F7F7F),
      new Color(0x17BECF),
      new Color(0xBCBD22),
      new Color(0x1F77B4),
      new Color(0xD62728)
    };
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesPaint(i, colors[i % colors.length]);
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    XYPlot plot = new XYPlot(data, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart =
        new JFreeChart(
            "Service lookup: kube-proxy iptables walk vs hash map + Maglev",
            JFreeChart.DEFAULT_TITLE_FONT,
            plot,
            true);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
  }

  private static LogAxis decadeAxis(String label) {
    LogAxis axis = new LogAxis(label);
    axis.setBase(10);
    axis.setTickUnit(new NumberTickUnit(1.0));
    axis.setMinorTickMarksVisible(true);
    axis.setNumberFormatOverride(
        new DecimalFormat("#,##0.#", DecimalFormatSymbols.getInstance(Locale.ROOT)));
    return axis;
  }

  /** Returns the figures as a text table, with ns per rule for the iptables walk. */
  static String table(Map<String, TreeMap<Integer, Double>> results) {
    StringBuilder sb = new StringBuilder();
    TreeMap<Integer, Double> iptables = results.getOrDefault("iptables", new TreeMap<>());
    sb.append(String.format(Locale.ROOT, "%-10s", "services"));
    results.keySet().forEach(m -> sb.append(String.format(Locale.ROOT, "%20s", m + " ns")));
    sb.append(String.format(Locale.ROOT, "%14s%14s%n", "rules/lookup", "ns/rule"));
    for (int n : results.values().iterator().next().keySet()) {
      sb.append(String.format(Locale.ROOT, "%-10d", n));
      results
          .values()
          .forEach(
              p -> sb.append(String.format(Locale.ROOT, "%20.1f", p.getOrDefault(n, Double.NaN))));
      if (iptables.containsKey(n)) {
        double rules = new ServiceFixture(n, 42).meanIptablesRules();
        sb.append(String.format(Locale.ROOT, "%14.1f%14.3f", rules, iptables.get(n) / rules));
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
