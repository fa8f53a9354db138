package io.rerankflow.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Several systems over the same queries, in the way of ranx's {@code compare()}: each system's mean
 * on every metric, a paired randomisation test between every pair of systems on every metric (each
 * pair through {@link MetricsReport#compare}), Holm–Bonferroni corrected over the pairs of one
 * metric, and a superscript on a mean naming the systems it is significantly better than. Systems
 * are numbered from 0 (the baseline) rather than lettered as in ranx, so that the marks never read
 * like models a user named {@code a} and {@code b}.
 *
 * <p>Only queries that every system evaluated are compared, so each test stays paired; the others
 * are listed in {@link #leftOut}.
 *
 * @param systems names in table order, the first one the baseline (the first stage)
 * @param evaluations each system's evaluation over the compared queries
 * @param significance the test configuration
 * @param alpha the family-wise significance level of one metric's tests
 * @param tests one per metric and pair (first before second in table order)
 * @param leftOut queries that some system evaluated but not all
 */
public record SystemComparison(
    List<String> systems,
    Map<String, Evaluation> evaluations,
    PairedSignificance significance,
    double alpha,
    List<PairTest> tests,
    SortedSet<String> leftOut) {

  public static final double DEFAULT_ALPHA = 0.05;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹";

  /**
   * One paired test.
   *
   * @param metric the metric compared
   * @param first the system earlier in the table
   * @param second the system later in the table
   * @param firstMean mean of {@code first}
   * @param secondMean mean of {@code second}
   * @param pValue the randomisation test's two-sided p-value
   * @param adjustedPValue {@code pValue} after Holm's correction over this metric's pairs
   */
  public record PairTest(
      Metric metric,
      String first,
      String second,
      double firstMean,
      double secondMean,
      double pValue,
      double adjustedPValue) {

    /** {@code second} minus {@code first}. */
    public double delta() {
      return secondMean - firstMean;
    }

    boolean involves(String system) {
      return first.equals(system) || second.equals(system);
    }

    String other(String system) {
      return first.equals(system) ? second : first;
    }

    /** {@code system}'s mean minus the other's. */
    double deltaFor(String system) {
      return first.equals(system) ? -delta() : delta();
    }
  }

  public SystemComparison {
    systems = List.copyOf(systems);
    evaluations = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(evaluations));
    tests = List.copyOf(tests);
    leftOut = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(leftOut));
  }

  /**
   * Compares {@code systems} (name → evaluation, the baseline first) on the queries all of them
   * evaluated.
   *
   * @throws IllegalArgumentException with fewer than two systems, more than 10 (the superscript
   *     digits), different metrics, or no query in common
   */
  public static SystemComparison compare(
      Map<String, Evaluation> systems, PairedSignificance significance, double alpha) {
    if (systems.size() < 2 || systems.size() > SUPERSCRIPT_DIGITS.length()) {
      throw new IllegalArgumentException(
          "a comparison needs 2 to " + SUPERSCRIPT_DIGITS.length() + " systems");
    }
    List<String> names = List.copyOf(systems.keySet());
    Set<String> common = new TreeSet<>(systems.get(names.get(0)).perQuery().keySet());
    SortedSet<String> all = new TreeSet<>();
    for (Evaluation evaluation : systems.values()) {
      common.retainAll(evaluation.perQuery().keySet());
      all.addAll(evaluation.perQuery().keySet());
    }
    if (common.isEmpty()) {
      throw new IllegalArgumentException("the systems have no evaluated query in common");
    }
    all.removeAll(common);
    Map<String, Evaluation> restricted = new LinkedHashMap<>();
    systems.forEach((name, evaluation) -> restricted.put(name, evaluation.restrictedTo(common)));

    List<Metric> metrics = restricted.get(names.get(0)).metrics();
    Map<Metric, List<PairTest>> byMetric = new LinkedHashMap<>();
    metrics.forEach(metric -> byMetric.put(metric, new ArrayList<>()));
    for (int i = 0; i < names.size(); i++) {
      for (int j = i + 1; j < names.size(); j++) {
        MetricsReport pair =
            MetricsReport.compare(
                restricted.get(names.get(i)), restricted.get(names.get(j)), significance);
        for (MetricComparison row : pair.metrics()) {
          byMetric
              .get(row.metric())
              .add(
                  new PairTest(
                      row.metric(),
                      names.get(i),
                      names.get(j),
                      row.firstStage(),
                      row.reranked(),
                      row.pValue(),
                      Double.NaN));
        }
      }
    }
    List<PairTest> tests = new ArrayList<>();
    byMetric.forEach(
        (metric, raw) -> {
          double[] adjusted =
              HolmBonferroni.adjust(raw.stream().mapToDouble(PairTest::pValue).toArray());
          for (int k = 0; k < raw.size(); k++) {
            PairTest t = raw.get(k);
            tests.add(
                new PairTest(
                    metric, t.first, t.second, t.firstMean, t.secondMean, t.pValue, adjusted[k]));
          }
        });
    return new SystemComparison(names, restricted, significance, alpha, tests, all);
  }

  public List<Metric> metrics() {
    return evaluations.get(systems.get(0)).metrics();
  }

  public int queryCount() {
    return evaluations.get(systems.get(0)).queryCount();
  }

  public double mean(String system, Metric metric) {
    return evaluations.get(system).mean(metric);
  }

  /** The test between two systems on a metric, in either order. */
  public PairTest test(Metric metric, String one, String other) {
    return tests.stream()
        .filter(t -> t.metric.equals(metric) && t.involves(one) && t.other(one).equals(other))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no test " + one + " vs " + other));
  }

  /** The digit that names {@code system} in superscripts: 0 for the baseline, then 1, 2... */
  public char label(String system) {
    return (char) ('0' + systems.indexOf(system));
  }

  /** Systems that {@code system} beats significantly on {@code metric}, in table order. */
  public List<String> beats(String system, Metric metric) {
    List<String> beaten = new ArrayList<>();
    for (String other : systems) {
      if (!other.equals(system)) {
        PairTest t = test(metric, system, other);
        if (t.adjustedPValue < alpha && t.deltaFor(system) > 0) {
          beaten.add(other);
        }
      }
    }
    return beaten;
  }

  /**
   * One line per system after the baseline, on the first metric, e.g. {@code b beats first-stage on
   * NDCG@10 (+0.1200, p = 0.0030 after correction); no significant difference from a (+0.0100, p =
   * 0.4100 after correction)}.
   */
  public List<String> verdicts() {
    Metric metric = metrics().get(0);
    List<String> lines = new ArrayList<>();
    for (String system : systems.subList(1, systems.size())) {
      List<String> parts = new ArrayList<>();
      for (String other : systems) {
        if (other.equals(system)) {
          continue;
        }
        PairTest t = test(metric, system, other);
        // + 0.0 turns the -0.0 of equal means into 0.0, so the line never shows "-0.0000".
        double delta = t.deltaFor(system) + 0.0;
        String relation =
            t.adjustedPValue >= alpha
                ? "does not differ significantly from " + other
                : delta > 0 ? "beats " + other : "loses to " + other;
        parts.add(
            String.format(
                Locale.ROOT,
                "%s on %s (%+.4f, p = %.4f after correction)",
                relation,
                metric.label(),
                delta,
                t.adjustedPValue));
      }
      lines.add(system + " " + String.join("; ", parts));
    }
    return lines;
  }

  /** The legend under every rendering: what the superscripts and p-values mean. */
  public String legend() {
    int pairs = systems.size() * (systems.size() - 1) / 2;
    // With n queries the most extreme of the 2^n sign flips has two-sided p = 2 / 2^n.
    double smallestP = queryCount() < 64 ? Math.pow(2, 1 - queryCount()) : 0;
    String tooFew =
        smallestP * pairs >= alpha
            ? String.format(
                Locale.ROOT,
                " With %d queries no difference can be significant: the smallest possible p is"
                    + " %.4f before correction.",
                queryCount(),
                smallestP)
            : "";
    return String.format(
            Locale.ROOT,
            "%d queries (every system ranked them%s). Superscripts: the mean is significantly better"
                + " than that of the systems with those numbers (two-sided paired randomisation test,"
                + " %d trials, seed %d, Holm-Bonferroni corrected over the %d pairs of each metric,"
                + " alpha = %s).",
            queryCount(),
            leftOut.isEmpty() ? "" : "; " + leftOut.size() + " queries some system failed left out",
            significance.trials(),
            significance.seed(),
            pairs,
            alpha)
        + tooFew;
  }

  /** A fixed-width table for the terminal, then the legend and the verdicts. */
  public String toText() {
    int nameWidth = Math.max(6, systems.stream().mapToInt(String::length).max().orElse(0)) + 2;
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, "%-3s%-" + nameWidth + "s", "#", "system"));
    for (Metric metric : metrics()) {
      text.append(String.format(Locale.ROOT, "%-" + columnWidth() + "s", metric.label()));
    }
    text.append('\n');
    for (String system : systems) {
      text.append(String.format(Locale.ROOT, "%-3s%-" + nameWidth + "s", label(system), system));
      for (Metric metric : metrics()) {
        text.append(
            String.format(
                Locale.ROOT,
                "%-" + columnWidth() + "s",
                cell(system, metric, SystemComparison::superscript)));
      }
      text.append('\n');
    }
    text.append(legend()).append('\n');
    verdicts().forEach(line -> text.append(line).append('\n'));
    return text.toString();
  }

  /** A Markdown table (best mean of each column in bold), the legend and the verdicts. */
  public String toMarkdown() {
    StringBuilder md = new StringBuilder("| # | system |");
    metrics().forEach(metric -> md.append(' ').append(metric.label()).append(" |"));
    md.append("\n|---|---|");
    metrics().forEach(metric -> md.append("---:|"));
    md.append('\n');
    for (String system : systems) {
      md.append("| ").append(label(system)).append(" | ").append(system).append(" |");
      for (Metric metric : metrics()) {
        String cell = cell(system, metric, SystemComparison::superscript);
        md.append(' ').append(isBest(system, metric) ? "**" + cell + "**" : cell).append(" |");
      }
      md.append('\n');
    }
    md.append('\n').append(legend()).append("\n\n");
    verdicts().forEach(line -> md.append("- ").append(line).append('\n'));
    return md.toString();
  }

  /** A LaTeX {@code tabular} (booktabs), superscripts in math mode, best in bold. */
  public String toLatex() {
    StringBuilder tex = new StringBuilder();
    tex.append("% ").append(legend()).append('\n');
    tex.append("\\begin{tabular}{cl").append("r".repeat(metrics().size())).append("}\n");
    tex.append("\\toprule\n\\# & System");
    metrics().forEach(metric -> tex.append(" & ").append(latexEscape(metric.label())));
    tex.append(" \\\\\n\\midrule\n");
    for (String system : systems) {
      tex.append(label(system)).append(" & ").append(latexEscape(system));
      for (Metric metric : metrics()) {
        String mean = String.format(Locale.ROOT, "%.4f", mean(system, metric));
        String value = isBest(system, metric) ? "\\textbf{" + mean + "}" : mean;
        String marks = marks(system, metric);
        tex.append(" & ").append(value);
        if (!marks.isEmpty()) {
          tex.append("$^{").append(marks).append("}$");
        }
      }
      tex.append(" \\\\\n");
    }
    tex.append("\\bottomrule\n\\end{tabular}\n");
    return tex.toString();
  }

  /**
   * Means, superscript numbers, every test with raw and corrected p, verdicts, left-out queries.
   */
  public String toJson() {
    return write(toJsonTree());
  }

  /** {@link #toJson()} as a tree, for reports that add to it. */
  public ObjectNode toJsonTree() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("queries", queryCount());
    ObjectNode test = root.putObject("significanceTest");
    test.put("name", "paired randomisation (sign flip), two-sided");
    test.put("trials", significance.trials());
    test.put("seed", significance.seed());
    test.put("correction", "holm-bonferroni, per metric over all pairs");
    test.put("alpha", alpha);
    ArrayNode rows = root.putArray("systems");
    for (String system : systems) {
      ObjectNode row = rows.addObject();
      row.put("number", label(system) - '0');
      row.put("name", system);
      ObjectNode means = row.putObject("means");
      ObjectNode beats = row.putObject("significantlyBetterThan");
      for (Metric metric : metrics()) {
        means.put(metric.label(), mean(system, metric));
        ArrayNode beaten = beats.putArray(metric.label());
        beats(system, metric).forEach(beaten::add);
      }
    }
    ArrayNode pairs = root.putArray("tests");
    for (PairTest t : tests) {
      ObjectNode row = pairs.addObject();
      row.put("metric", t.metric.label());
      row.put("first", t.first);
      row.put("second", t.second);
      row.put("delta", t.delta());
      row.put("pValue", t.pValue);
      row.put("adjustedPValue", t.adjustedPValue);
      row.put("significant", t.adjustedPValue < alpha);
    }
    ArrayNode verdicts = root.putArray("verdicts");
    verdicts().forEach(verdicts::add);
    ArrayNode left = root.putArray("leftOutQueries");
    leftOut.forEach(left::add);
    return root;
  }

  /**
   * The mean with its superscript numbers, rendered by {@code superscript} (plain text, HTML...).
   */
  public String cell(String system, Metric metric, Function<String, String> superscript) {
    String marks = marks(system, metric);
    return String.format(Locale.ROOT, "%.4f", mean(system, metric))
        + (marks.isEmpty() ? "" : superscript.apply(marks));
  }

  /** Whether {@code system} has the highest mean of the column. */
  public boolean isBest(String system, Metric metric) {
    double best =
        systems.stream()
            .mapToDouble(s -> mean(s, metric))
            .max()
            .orElseThrow(IllegalStateException::new);
    return mean(system, metric) == best;
  }

  private String marks(String system, Metric metric) {
    StringBuilder marks = new StringBuilder();
    beats(system, metric).forEach(other -> marks.append(label(other)));
    return marks.toString();
  }

  private int columnWidth() {
    return Math.max(12, 7 + systems.size());
  }

  /** Unicode superscript digits, which keep a terminal table aligned. */
  static String superscript(String labels) {
    StringBuilder out = new StringBuilder();
    labels.chars().forEach(c -> out.append(SUPERSCRIPT_DIGITS.charAt(c - '0')));
    return out.toString();
  }

  private static String latexEscape(String text) {
    return text.replace("\\", "\\textbackslash{}")
        .replace("_", "\\_")
        .replace("&", "\\&")
        .replace("%", "\\%")
        .replace("#", "\\#");
  }

  static String write(ObjectNode root) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      // Serialising a tree of plain nodes cannot fail; surface it unchecked if it ever does.
      throw new UncheckedIOException(e);
    }
  }
}
