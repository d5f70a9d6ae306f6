package io.podnet.benchmarks.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LookupChartTest {

  private static Path fixture() throws URISyntaxException {
    return Path.of(LookupChartTest.class.getResource("fixture-results.json").toURI());
  }

  @Test
  void read_jmhJson_keepsOnlyLookupResultsByMethodAndServices() throws Exception {
    Map<String, TreeMap<Integer, Double>> results = LookupChart.read(fixture());

    assertThat(results).containsOnlyKeys("hashMap", "iptables");
    assertThat(results.get("iptables")).containsEntry(100, 90.0).hasSize(2);
  }

  @Test
  void write_fixtureResults_decodablePngOfChartSizeWithContent(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("chart.png");

    LookupChart.write(LookupChart.read(fixture()), png);

    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).isNotNull();
    assertThat(image.getWidth()).isEqualTo(LookupChart.WIDTH);
    assertThat(image.getHeight()).isEqualTo(LookupChart.HEIGHT);
    int background = image.getRGB(0, 0);
    long differing = 0;
    for (int y = 0; y < image.getHeight(); y += 3) {
      for (int x = 0; x < image.getWidth(); x += 3) {
        differing += image.getRGB(x, y) != background ? 1 : 0;
      }
    }
    assertThat(differing).isGreaterThan(1000);
  }

  @Test
  void table_fixtureResults_reportsNsPerRuleForIptables() throws Exception {
    String table = LookupChart.table(LookupChart.read(fixture()));

    assertThat(table).contains("ns/rule").contains("rules/lookup");
    assertThat(table.lines().count()).isEqualTo(3);
  }
}
