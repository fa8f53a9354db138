package io.rerankflow.eval.job;

import io.rerankflow.eval.Evaluation;
import io.rerankflow.eval.Metric;
import io.rerankflow.eval.SystemComparison;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;
import org.jfree.svg.SVGGraphics2D;

/**
 * The evaluation report's plots, drawn by JFreeChart into SVG with JFreeSVG: per-query deltas of a
 * model against the first stage (one bar per query, sorted), and the distribution of every system's
 * per-query values (box plots).
 *
 * <p>Element hinting is on, so every bar is an SVG group whose {@code jfreesvg:ref} names its
 * series and query: a reader (or a test) can tell the bars apart from the axes.
 */
final class ComparisonCharts {
  private static final int WIDTH = 720;
  private static final int HEIGHT = 300;
  private static final Color BETTER = new Color(0x2e7d32);
  private static final Color WORSE = new Color(0xc62828);
  private static final Color UNCHANGED = new Color(0x9e9e9e);
  // Above this many queries the bar labels would overlap; the bars alone still show the shape.
  private static final int MOST_LABELLED_QUERIES = 40;

  private ComparisonCharts() {}

  /**
   * Bars of {@code model}'s {@code metric} minus the first stage's, one per compared query, sorted
   * from the largest gain to the largest loss, as IR papers show them.
   */
  static String deltaBars(SystemComparison comparison, String model, Metric metric) {
    Evaluation first = comparison.evaluations().get(comparison.systems().get(0));
    Evaluation reranked = comparison.evaluations().get(model);
    List<Map.Entry<String, Double>> deltas = new ArrayList<>();
    reranked
        .perQuery()
        .forEach(
            (query, values) ->
                deltas.add(
                    Map.entry(
                        query, values.get(metric) - first.perQuery().get(query).get(metric))));
    deltas.sort(
        Comparator.comparing((Map.Entry<String, Double> e) -> -e.getValue())
            .thenComparing(Map.Entry::getKey));

    DefaultCategoryDataset dataset = new DefaultCategoryDataset();
    for (Map.Entry<String, Double> delta : deltas) {
      dataset.addValue(delta.getValue(), model, delta.getKey());
    }
    CategoryAxis queries = new CategoryAxis("queries, sorted by " + metric.label() + " delta");
    queries.setTickLabelsVisible(deltas.size() <= MOST_LABELLED_QUERIES);
    queries.setCategoryMargin(0.1);
    NumberAxis values = new NumberAxis(model + " − " + comparison.systems().get(0));
    BarRenderer bars = new DeltaBarRenderer(deltas.stream().map(Map.Entry::getValue).toList());
    bars.setBarPainter(new StandardBarPainter());
    bars.setShadowVisible(false);
    CategoryPlot plot = new CategoryPlot(dataset, queries, values, bars);
    plot.setOrientation(PlotOrientation.VERTICAL);
    styled(plot);
    JFreeChart chart =
        new JFreeChart(
            model + ": per-query " + metric.label() + " change against the first stage",
            titleFont(),
            plot,
            false);
    return svg(chart);
  }

  /** Box plots of every system's per-query {@code metric} over the compared queries. */
  static String distribution(SystemComparison comparison, Metric metric) {
    DefaultBoxAndWhiskerCategoryDataset dataset = new DefaultBoxAndWhiskerCategoryDataset();
    for (String system : comparison.systems()) {
      List<Double> values = new ArrayList<>();
      for (double value : comparison.evaluations().get(system).values(metric)) {
        values.add(value);
      }
      dataset.add(values, metric.label(), system);
    }
    BoxAndWhiskerRenderer boxes = new BoxAndWhiskerRenderer();
    // The table gives the means; JFreeChart's mean marker is as wide as the box and hides it.
    boxes.setMeanVisible(false);
    boxes.setMaximumBarWidth(0.12);
    boxes.setSeriesPaint(0, new Color(0x90caf9));
    boxes.setUseOutlinePaintForWhiskers(true);
    boxes.setDefaultOutlinePaint(Color.DARK_GRAY);
    NumberAxis values = new NumberAxis("per-query " + metric.label());
    values.setRange(0, 1.05);
    CategoryPlot plot = new CategoryPlot(dataset, new CategoryAxis("system"), values, boxes);
    styled(plot);
    JFreeChart chart =
        new JFreeChart(
            "Per-query " + metric.label() + " of each system (box: quartiles and median)",
            titleFont(),
            plot,
            false);
    return svg(chart);
  }

  private static void styled(CategoryPlot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(new Color(0xdddddd));
    plot.setRangeGridlineStroke(new BasicStroke(1f));
    plot.setOutlineVisible(false);
  }

  private static Font titleFont() {
    return new Font(Font.SANS_SERIF, Font.BOLD, 14);
  }

  private static String svg(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.setElementHinting(true);
    SVGGraphics2D g2 = new SVGGraphics2D(WIDTH, HEIGHT);
    chart.draw(g2, new Rectangle(WIDTH, HEIGHT));
    return g2.getSVGElement();
  }

  /** Colours a delta bar by its sign: gains green, losses red, no change grey. */
  private static final class DeltaBarRenderer extends BarRenderer {
    private static final long serialVersionUID = 1L;
    private final List<Double> deltas;

    DeltaBarRenderer(List<Double> deltas) {
      this.deltas = List.copyOf(deltas);
    }

    @Override
    public Paint getItemPaint(int row, int column) {
      double delta = deltas.get(column);
      return delta > 0 ? BETTER : delta < 0 ? WORSE : UNCHANGED;
    }
  }
}
