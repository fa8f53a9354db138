package io.rerankflow.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.rerankflow.inference.LoadedModel;
import io.rerankflow.inference.ModelDirectory;
import io.rerankflow.inference.RequestEncoder;
import io.rerankflow.jobs.RerankJob;
import io.rerankflow.jobs.RerankOptions;
import io.rerankflow.jobs.run.JobSummary;
import io.rerankflow.schemas.RankingRequest;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;

/**
 * Measures one feed mode in its own JVM and prints one {@link Measurement} line; started by {@link
 * FeedBench}. Arguments: {@code MODE REQUESTS.jsonl MODEL_DIR THREADS WORK_DIR [job options...]}.
 *
 * <p>Modes: {@code pipeline} (the whole file job, start-up timed, with GC and allocation figures
 * and the passage cache's hits), {@code sql} (the same requests through {@code ML_PREDICT}, the job
 * options that set batching given as the model's options), {@code djl} (DJL's per-pair {@code
 * encode(query, passage)} on one thread, as the job did before), {@code encoder} (the project's
 * request encoder on THREADS threads, passage cache included).
 */
public final class FeedChild {
  private FeedChild() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path requests = Path.of(args[1]);
    ModelDirectory dir = ModelDirectory.open(Path.of(args[2]));
    int threads = Integer.parseInt(args[3]);
    Path work = Path.of(args[4]);
    List<String> extra = List.of(args).subList(5, args.length);
    Measurement m =
        switch (mode) {
          case "pipeline" -> pipeline(requests, dir, work, extra);
          case "sql" -> sql(requests, dir, work, extra);
          case "djl" -> djl(requests, dir);
          case "encoder" -> encoder(requests, dir, threads);
          default -> throw new IllegalArgumentException("unknown feed mode " + mode);
        };
    System.out.println(m.line());
    System.exit(0);
  }

  private static Measurement pipeline(
      Path requests, ModelDirectory dir, Path work, List<String> extra) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--input",
                requests.toString(),
                "--output",
                work.resolve("feed-out").toString(),
                "--overwrite",
                "--model",
                dir.root().toString(),
                "--parallelism",
                "1"));
    args.addAll(extra);
    RerankOptions options = new RerankOptions();
    new CommandLine(options).parseArgs(args.toArray(String[]::new));
    PrintStream quiet =
        new PrintStream(PrintStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    Configuration config = flinkConfig();
    AllocationSampler allocation = new AllocationSampler();
    allocation.start();
    long cpuBefore = cpuNanos();
    long gcCountBefore = gcCount();
    long gcMillisBefore = gcMillis();
    JobSummary summary = new RerankJob(options, quiet).run(config);
    long allocated = allocation.stop();
    double cpuSeconds = (cpuNanos() - cpuBefore) / 1e9;
    double seconds = summary.wall().toNanos() / 1e9;
    long hits = TotalsReporter.total("passage_cache_hits");
    long misses = TotalsReporter.total("passage_cache_misses");
    long rows = TotalsReporter.total("rows_scored");
    return new Measurement(
        "pipeline",
        summary.pairs(),
        seconds,
        TotalsReporter.total("batches"),
        rows,
        TotalsReporter.total("tokens_real"),
        TotalsReporter.total("tokens_padded"),
        Measurement.readPeakRssKb(),
        String.format(
            Locale.ROOT,
            "start-up timed; %.1f CPU-s (%.0f pairs per CPU-s); %d requests, %d errors; passage cache hit rate %.3f (%d hits, %d"
                + " misses); %.1f tokens/row; GC %d collections, %.2f s; ~%.1f KiB allocated/pair;"
                + " model busy %.1f s; %s",
            cpuSeconds,
            summary.pairs() / cpuSeconds,
            summary.requests(),
            summary.errors(),
            hits + misses > 0 ? (double) hits / (hits + misses) : Double.NaN,
            hits,
            misses,
            rows > 0 ? (double) TotalsReporter.total("tokens_real") / rows : Double.NaN,
            gcCount() - gcCountBefore,
            (gcMillis() - gcMillisBefore) / 1e3,
            allocated / 1024.0 / Math.max(1, summary.pairs()),
            TotalsReporter.total("inference_ms_total") / 1e3,
            String.join(" ", extra)));
  }

  /** The embedded Flink's configuration: {@code -Drerankflow.bench.flink}, and the totals. */
  private static Configuration flinkConfig() {
    Configuration config = new Configuration();
    for (String option : System.getProperty("rerankflow.bench.flink", "").split(";")) {
      if (!option.isBlank()) {
        config.setString(
            option.substring(0, option.indexOf('=')), option.substring(option.indexOf('=') + 1));
      }
    }
    config.setString("metrics.reporter.totals.factory.class", TotalsReporter.class.getName());
    return config;
  }

  /**
   * The SQL door on the same requests: the job options {@code --max-batch-tokens=N}, {@code
   * --max-batch-size=N} and {@code --device=D} become the model's options of the same names.
   */
  private static Measurement sql(Path requests, ModelDirectory dir, Path work, List<String> extra)
      throws Exception {
    Map<String, String> modelOptions = new LinkedHashMap<>();
    for (String arg : extra) {
      int eq = arg.indexOf('=');
      String name = eq > 2 && arg.startsWith("--") ? arg.substring(2, eq) : "";
      if (!List.of("max-batch-tokens", "max-batch-size", "device").contains(name)) {
        throw new IllegalArgumentException(
            "the sql mode takes --max-batch-tokens=N, --max-batch-size=N and --device=D, not "
                + arg);
      }
      modelOptions.put(name, arg.substring(eq + 1));
    }
    Measurement sql =
        SqlBench.run(requests, dir.root().toString(), work, modelOptions, flinkConfig());
    long rows = TotalsReporter.total("rows_scored");
    long hits = TotalsReporter.total("passage_cache_hits");
    long misses = TotalsReporter.total("passage_cache_misses");
    return new Measurement(
        sql.mode(),
        sql.pairs(),
        sql.seconds(),
        TotalsReporter.total("batches"),
        rows,
        TotalsReporter.total("tokens_real"),
        TotalsReporter.total("tokens_padded"),
        sql.peakRssKb(),
        String.format(
            Locale.ROOT,
            "%s; passage cache hit rate %.3f; %.1f rows/batch; model busy %.1f s",
            sql.note(),
            hits + misses > 0 ? (double) hits / (hits + misses) : Double.NaN,
            TotalsReporter.total("batches") > 0
                ? (double) rows / TotalsReporter.total("batches")
                : Double.NaN,
            TotalsReporter.total("inference_ms_total") / 1e3));
  }

  /** DJL's own pair call, one pair at a time on one thread: what the job did before. */
  private static Measurement djl(Path requests, ModelDirectory dir) throws Exception {
    List<RankingRequest> all = BenchChild.read(requests, dir.spec().name());
    try (HuggingFaceTokenizer tokenizer =
        HuggingFaceTokenizer.newInstance(
            dir.tokenizerFile(),
            Map.of("padding", "false", "truncation", "false", "addSpecialTokens", "true"))) {
      tokenizer.encode(all.get(0).query(), all.get(0).passages().get(0));
      long pairs = 0;
      long tokens = 0;
      long start = System.nanoTime();
      for (RankingRequest request : all) {
        for (String passage : request.passages()) {
          tokens += tokenizer.encode(request.query(), passage).getIds().length;
          pairs++;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Measurement(
          "djl-encode",
          pairs,
          seconds,
          0,
          pairs,
          tokens,
          tokens,
          Measurement.readPeakRssKb(),
          String.format(
              Locale.ROOT,
              "HuggingFaceTokenizer.encode(query, passage) per pair, 1 thread, load not timed;"
                  + " %.1f tokens/pair (untruncated)",
              (double) tokens / pairs));
    }
  }

  /** The project's encoder (splicing, passage cache) on {@code threads} threads. */
  private static Measurement encoder(Path requests, ModelDirectory dir, int threads)
      throws Exception {
    List<RankingRequest> all = BenchChild.read(requests, dir.spec().name());
    try (RequestEncoder encoder = LoadedModel.encoder(dir)) {
      long cpuBefore = cpuNanos();
      long start = System.nanoTime();
      AtomicLong pairs = new AtomicLong();
      AtomicLong tokens = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (RankingRequest request : all) {
          done.add(
              pool.submit(
                  () -> {
                    tokens.addAndGet(encoder.encode(request).promptTokens());
                    pairs.addAndGet(request.passages().size());
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Measurement(
          "encoder-" + threads,
          pairs.get(),
          seconds,
          0,
          pairs.get(),
          tokens.get(),
          tokens.get(),
          Measurement.readPeakRssKb(),
          String.format(
              Locale.ROOT,
              "rerankflow's request encoder on %d threads (spliced pairs, passage cache), load not"
                  + " timed; %.0f pairs per CPU-s; %.1f tokens/pair after truncation",
              threads,
              pairs.get() / ((cpuNanos() - cpuBefore) / 1e9),
              (double) tokens.get() / pairs.get()));
    }
  }

  /** CPU time of this whole process (all threads, native code included). */
  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long gcCount() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionCount)
        .sum();
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionTime)
        .sum();
  }
}
