package io.rerankflow.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.translator.CrossEncoderTranslator;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.util.StringPair;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rerankflow.inference.BatchLimits;
import io.rerankflow.inference.BatchModel;
import io.rerankflow.inference.BatchingSettings;
import io.rerankflow.inference.Device;
import io.rerankflow.inference.EncodedSequence;
import io.rerankflow.inference.LoadedModel;
import io.rerankflow.inference.ModelDirectory;
import io.rerankflow.inference.ModelKind;
import io.rerankflow.inference.ModelLocator;
import io.rerankflow.inference.SessionSettings;
import io.rerankflow.jobs.RerankJob;
import io.rerankflow.jobs.RerankOptions;
import io.rerankflow.jobs.run.JobSummary;
import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.Truncate;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;

/**
 * Measures one mode in its own JVM, so each mode has its own peak RSS and none warms the JIT or the
 * allocator for another; prints one {@link Measurement} line. Started by {@link Bench}.
 *
 * <p>Arguments: {@code MODE REQUESTS.jsonl MODEL THREADS WORK_DIR [pipeline options...]}.
 */
public final class BenchChild {
  private static final int PEER_BATCH = 32;
  private static final List<BatchingSettings> LIMIT_SHAPES =
      List.of(
          new BatchingSettings(Integer.MAX_VALUE, 4),
          new BatchingSettings(Integer.MAX_VALUE, 8),
          new BatchingSettings(Integer.MAX_VALUE, 16),
          new BatchingSettings(Integer.MAX_VALUE, 32),
          new BatchingSettings(512, 64),
          new BatchingSettings(768, 8),
          new BatchingSettings(1024, 64),
          new BatchingSettings(2048, 64),
          new BatchingSettings(8192, 64));
  private static final int CALIBRATION_ROWS = 256;

  private BenchChild() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path requests = Path.of(args[1]);
    String model = args[2];
    int threads = Integer.parseInt(args[3]);
    Path work = Path.of(args[4]);
    List<String> extra = List.of(args).subList(5, args.length);
    Measurement m =
        switch (mode) {
          case "limit" -> limit(requests, model, threads);
          case "peer" -> peer(requests, model, threads);
          case "djl" -> djl(requests, model, threads);
          case "pipeline" -> pipeline(requests, model, threads, work, extra);
          case "sql" -> SqlBench.run(requests, model, work, Map.of(), new Configuration());
          default -> throw new IllegalArgumentException("unknown mode " + mode);
        };
    System.out.println(m.line());
    System.exit(0);
  }

  /**
   * ORT alone over every row, sorted by length, in the best of a few batch shapes: fixed row counts
   * and padded-token budgets (the pipeline's own packing among them), chosen on a sample spread
   * over the lengths.
   */
  private static Measurement limit(Path requests, String model, int threads) throws Exception {
    try (LoadedModel loaded = load(model, threads)) {
      List<EncodedSequence> rows = new ArrayList<>();
      long pairs = 0;
      for (RankingRequest request : read(requests, loaded.spec().name())) {
        rows.addAll(loaded.encoder().encode(request).sequences());
        pairs += request.passages().size();
      }
      rows.sort(Comparator.comparingInt(EncodedSequence::length));
      List<EncodedSequence> sample = new ArrayList<>();
      int step = Math.max(1, rows.size() / CALIBRATION_ROWS);
      for (int i = 0; i < rows.size(); i += step) {
        sample.add(rows.get(i));
      }
      run(loaded.model(), sample.subList(0, Math.min(sample.size(), 16)), 8);
      BatchingSettings best = LIMIT_SHAPES.get(0);
      double bestSeconds = Double.MAX_VALUE;
      StringBuilder calibration = new StringBuilder();
      for (BatchingSettings shape : LIMIT_SHAPES) {
        List<List<EncodedSequence>> packed = new BatchLimits(shape).packAll(sample);
        // the better of two passes: one noisy pass on a shared machine must not pick the shape
        double seconds = Double.MAX_VALUE;
        for (int pass = 0; pass < 2; pass++) {
          long start = System.nanoTime();
          runBatches(loaded.model(), packed);
          seconds = Math.min(seconds, (System.nanoTime() - start) / 1e9);
        }
        calibration.append(String.format(Locale.ROOT, " %s=%.1fs", shapeName(shape), seconds));
        if (seconds < bestSeconds) {
          bestSeconds = seconds;
          best = shape;
        }
      }
      // The engine's own packer, as if every row waited at once (identical rows run once).
      List<List<EncodedSequence>> batches = new BatchLimits(best).packAll(rows);
      long start = System.nanoTime();
      long[] tokens = runBatches(loaded.model(), batches);
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Measurement(
          "limit",
          pairs,
          seconds,
          batches.size(),
          batches.stream().mapToLong(List::size).sum(),
          tokens[0],
          tokens[1],
          Measurement.readPeakRssKb(),
          "sorted, "
              + shapeName(best)
              + " (calibration on "
              + sample.size()
              + " rows:"
              + calibration
              + ")");
    }
  }

  private static String shapeName(BatchingSettings shape) {
    return shape.maxBatchTokens() == Integer.MAX_VALUE
        ? "rows" + shape.maxBatchSize()
        : "tokens" + shape.maxBatchTokens() + "/rows" + shape.maxBatchSize();
  }

  private static long[] runBatches(BatchModel model, List<List<EncodedSequence>> batches)
      throws Exception {
    long real = 0;
    long padded = 0;
    for (List<EncodedSequence> batch : batches) {
      long[] tokens = run(model, batch, batch.size());
      real += tokens[0];
      padded += tokens[1];
    }
    return new long[] {real, padded};
  }

  /** Each request's rows in arrival order, 32 at a time, padded to the longest of the 32. */
  private static Measurement peer(Path requests, String model, int threads) throws Exception {
    try (LoadedModel loaded = load(model, threads)) {
      List<List<EncodedSequence>> perRequest = new ArrayList<>();
      long pairs = 0;
      for (RankingRequest request : read(requests, loaded.spec().name())) {
        perRequest.add(loaded.encoder().encode(request).sequences());
        pairs += request.passages().size();
      }
      run(loaded.model(), perRequest.get(0).subList(0, Math.min(8, perRequest.get(0).size())), 8);
      long rows = 0;
      long batches = 0;
      long real = 0;
      long padded = 0;
      long start = System.nanoTime();
      for (List<EncodedSequence> request : perRequest) {
        long[] tokens = run(loaded.model(), request, PEER_BATCH);
        rows += request.size();
        batches += (request.size() + PEER_BATCH - 1) / PEER_BATCH;
        real += tokens[0];
        padded += tokens[1];
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Measurement(
          "peer",
          pairs,
          seconds,
          batches,
          rows,
          real,
          padded,
          Measurement.readPeakRssKb(),
          "arrival order, batch 32, pre-tokenised (tokenisation not timed)");
    }
  }

  /** DJL's CrossEncoderTranslator on DJL's ONNX Runtime engine, 32 pairs per call. */
  private static Measurement djl(Path requests, String model, int threads) throws Exception {
    ModelDirectory dir = ModelLocator.resolve(model);
    if (dir.spec().kind() != ModelKind.CROSS_ENCODER) {
      return new Measurement(
          "djl", 0, 0, 0, 0, 0, 0, Measurement.readPeakRssKb(), "n/a: bi-encoder");
    }
    List<RankingRequest> all = read(requests, dir.spec().name());
    // The bench models describe their graph inputs there; other BERT-style models take type ids.
    Path info = dir.root().resolve("model_info.json");
    boolean typeIds = !Files.exists(info) || Files.readString(info).contains("token_type_ids");
    HuggingFaceTokenizer tokenizer =
        HuggingFaceTokenizer.newInstance(
            dir.tokenizerFile(),
            Map.of(
                "padding", "true",
                "truncation", "true",
                "maxLength", Integer.toString(dir.spec().maxLength())));
    CrossEncoderTranslator translator =
        CrossEncoderTranslator.builder(tokenizer)
            .optIncludeTokenTypes(typeIds)
            .optSigmoid(false)
            .build();
    Criteria<StringPair, float[]> criteria =
        Criteria.builder()
            .setTypes(StringPair.class, float[].class)
            .optModelPath(dir.root())
            .optModelName("model")
            .optEngine("OnnxRuntime")
            .optTranslator(translator)
            .optOption("interOpNumThreads", "1")
            .optOption("intraOpNumThreads", Integer.toString(threads))
            .optOption("optLevel", "ALL_OPT")
            .build();
    long pairs = 0;
    try (ZooModel<StringPair, float[]> zoo = criteria.loadModel();
        Predictor<StringPair, float[]> predictor = zoo.newPredictor()) {
      RankingRequest first = all.get(0);
      predictor.batchPredict(List.of(new StringPair(first.query(), first.passages().get(0))));
      long start = System.nanoTime();
      for (RankingRequest request : all) {
        List<StringPair> batch = new ArrayList<>(PEER_BATCH);
        for (String passage : request.passages()) {
          batch.add(new StringPair(request.query(), passage));
          if (batch.size() == PEER_BATCH) {
            predictor.batchPredict(batch);
            batch.clear();
          }
        }
        if (!batch.isEmpty()) {
          predictor.batchPredict(batch);
        }
        pairs += request.passages().size();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Measurement(
          "djl",
          pairs,
          seconds,
          0,
          0,
          0,
          0,
          Measurement.readPeakRssKb(),
          "DJL "
              + ai.djl.engine.Engine.getEngine("OnnxRuntime").getVersion()
              + " CrossEncoderTranslator, batch 32, tokenisation timed");
    }
  }

  /** The whole job, file to file, on the embedded Flink. */
  private static Measurement pipeline(
      Path requests, String model, int threads, Path work, List<String> extra) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--input",
                requests.toString(),
                "--output",
                work.resolve("pipeline-out").toString(),
                "--overwrite",
                "--model",
                model,
                "--parallelism",
                "1",
                "--intra-op-threads",
                Integer.toString(threads)));
    args.addAll(extra);
    RerankOptions options = new RerankOptions();
    new CommandLine(options).parseArgs(args.toArray(String[]::new));
    PrintStream quiet =
        new PrintStream(PrintStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    Configuration config = new Configuration();
    config.setString("metrics.reporter.totals.factory.class", TotalsReporter.class.getName());
    JobSummary summary = new RerankJob(options, quiet).run(config);
    return new Measurement(
        "pipeline",
        summary.pairs(),
        summary.wall().toNanos() / 1e9,
        TotalsReporter.total("batches"),
        TotalsReporter.total("rows_scored"),
        TotalsReporter.total("tokens_real"),
        TotalsReporter.total("tokens_padded"),
        Measurement.readPeakRssKb(),
        String.format(
                Locale.ROOT,
                "file to file, embedded Flink, parallelism 1, start-up timed; model busy %.1f s"
                    + " of %.1f s; ",
                TotalsReporter.total("inference_ms_total") / 1e3,
                summary.wall().toNanos() / 1e9)
            + summary.requests()
            + " requests, "
            + summary.errors()
            + " errors; "
            + String.join(" ", extra));
  }

  /** Runs {@code rows} in consecutive batches of {@code size}; returns real and padded tokens. */
  private static long[] run(BatchModel model, List<EncodedSequence> rows, int size)
      throws Exception {
    long real = 0;
    long padded = 0;
    for (int from = 0; from < rows.size(); from += size) {
      List<EncodedSequence> batch = rows.subList(from, Math.min(rows.size(), from + size));
      int longest = 0;
      for (EncodedSequence row : batch) {
        longest = Math.max(longest, row.length());
        real += row.length();
      }
      padded += (long) longest * batch.size();
      model.forward(batch);
    }
    return new long[] {real, padded};
  }

  private static LoadedModel load(String model, int threads) {
    return LoadedModel.load(ModelLocator.resolve(model), new SessionSettings(Device.CPU, threads));
  }

  static List<RankingRequest> read(Path file, String model) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    List<RankingRequest> requests = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode node = mapper.readTree(line);
      List<String> passages = new ArrayList<>();
      node.get("passages").forEach(p -> passages.add(p.get("text").asText()));
      requests.add(
          new RankingRequest(
              node.path("id").asText(Integer.toString(requests.size() + 1)),
              model,
              node.get("query").get("text").asText(),
              passages,
              Truncate.END));
    }
    return requests;
  }
}
