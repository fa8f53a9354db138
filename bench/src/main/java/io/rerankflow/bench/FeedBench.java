package io.rerankflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rerankflow.inference.DefaultModel;
import io.rerankflow.testing.TinyCrossEncoder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/bench feed}: how fast the pipeline feeds a model that costs nothing, so the figure
 * is the pipeline's own ceiling (what a GPU would wait on). The model has a BERT cross-encoder's
 * inputs and output (an embedding lookup and a masked mean; its logit depends on every token), with
 * the default model's real WordPiece tokenizer. Beside the whole file job, and the same requests
 * through the SQL door ({@code ML_PREDICT}, same batch shape), it measures tokenising alone on the
 * same pairs: DJL's per-pair encode on one thread (what the job did) and the project's encoder. Two
 * workloads: passages reused from a corpus, and all distinct.
 */
@Command(
    name = "feed",
    mixinStandardHelpOptions = true,
    description = "The pipeline's ceiling on a zero-cost cross-encoder, against tokenising alone.")
public final class FeedBench implements Callable<Integer> {
  /** Batch shape for an accelerator (see BatchingSettings.GPU_DEFAULTS): what a GPU would get. */
  private static final List<String> GPU_BATCHING =
      List.of("--max-batch-tokens=16384", "--max-batch-size=128");

  @Option(
      names = "--pairs",
      defaultValue = "120000",
      description = "Pairs per workload. Default: ${DEFAULT-VALUE}.")
  int pairs;

  @Option(
      names = "--passages-per-request",
      defaultValue = "100",
      description = "Default: ${DEFAULT-VALUE}.")
  int perRequest;

  @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--workloads",
      defaultValue = "reuse,distinct",
      split = ",",
      description =
          "reuse (1,400 passages per 20,000 pairs) and/or distinct. Default: ${DEFAULT-VALUE}.")
  List<String> workloads;

  @Option(
      names = "--modes",
      defaultValue = "pipeline,sql,djl,encoder",
      split = ",",
      description =
          "pipeline (the DataStream file job), sql (the same through ML_PREDICT), djl, encoder."
              + " Default: ${DEFAULT-VALUE}.")
  List<String> modes;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "Threads of the encoder-only mode; 0 = all cores.")
  int threads;

  @Option(
      names = "--pipeline-arg",
      description =
          "Job option for the pipeline run, repeatable; replaces the default GPU batch shape"
              + " (--max-batch-tokens=16384 --max-batch-size=128).")
  List<String> pipelineArgs = new ArrayList<>();

  @Option(
      names = "--work-dir",
      defaultValue = "${java.io.tmpdir}/rerankflow-bench",
      description = "Where the model, the request files and the job's output go.")
  Path work;

  @Option(
      names = "--start-up-runs",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Also time one request through pipeline and sql, to compare the doors after start-up."
              + " Default: ${DEFAULT-VALUE}.")
  boolean startUpRuns;

  /** Pairs per second once the door has started: the run less its one-request run. */
  private static double afterStartUp(Measurement run, Measurement startUp) {
    return (run.pairs() - startUp.pairs()) / (run.seconds() - startUp.seconds());
  }

  @Override
  public Integer call() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    int threadCount = threads > 0 ? threads : cores;
    Files.createDirectories(work);
    Path model = zeroCostModel(work.resolve("feed-zero-cost"));
    Path tokenizer = model.resolve("tokenizer.json");
    List<String> words = FeedWorkload.words(tokenizer);
    List<String> jobArgs = pipelineArgs.isEmpty() ? GPU_BATCHING : pipelineArgs;
    System.out.printf(
        Locale.ROOT,
        "feed: zero-cost cross-encoder with bge-small's WordPiece tokenizer, %d pairs per"
            + " workload, %d/request, %d cores, job options %s; load %s%n",
        pairs,
        perRequest,
        cores,
        jobArgs,
        loadAverage());
    // The SQL door plans and compiles its job before the first row: one request through each
    // job door measures that fixed cost, so that the doors can also be compared without it.
    Map<String, Measurement> startUp = new LinkedHashMap<>();
    if (startUpRuns) {
      Path one = work.resolve("feed-start-up-" + perRequest + "-" + seed + ".jsonl");
      FeedWorkload.write(one, words, perRequest, perRequest, false, seed, "feed-zero-cost");
      for (String mode : modes) {
        if (mode.equals("pipeline") || mode.equals("sql")) {
          Measurement m = child(mode, one, model, threadCount, jobArgs);
          startUp.put(m.mode(), m);
          System.out.printf(
              Locale.ROOT, "  start-up %-10s %.2f s for one request%n", m.mode(), m.seconds());
        }
      }
    }
    for (String workload : workloads) {
      boolean reuse =
          switch (workload) {
            case "reuse" -> true;
            case "distinct" -> false;
            default ->
                throw new IllegalArgumentException(
                    "--workloads: reuse or distinct, was " + workload);
          };
      Path requests = work.resolve("feed-" + workload + "-" + pairs + "-" + seed + ".jsonl");
      FeedWorkload.write(requests, words, pairs, perRequest, reuse, seed, "feed-zero-cost");
      Map<String, Measurement> results = new LinkedHashMap<>();
      for (String mode : modes) {
        Measurement m = child(mode, requests, model, threadCount, jobArgs);
        results.put(m.mode(), m);
        System.out.printf(
            Locale.ROOT,
            "  %s %-10s %.1f pairs/s (%s)%n",
            workload,
            m.mode(),
            m.pairsPerSecond(),
            m.note());
      }
      System.out.println();
      System.out.println("| " + workload + " | pairs | seconds | pairs/s | peak RSS MiB |");
      System.out.println("|---|---|---|---|---|");
      for (Measurement m : results.values()) {
        System.out.printf(
            Locale.ROOT,
            "| %s | %d | %.2f | %.0f | %d |%n",
            m.mode(),
            m.pairs(),
            m.seconds(),
            m.pairsPerSecond(),
            m.peakRssKb() / 1024);
      }
      Measurement djl = results.get("djl-encode");
      if (djl != null && djl.pairsPerSecond() > 0) {
        for (Measurement m : results.values()) {
          if (m != djl) {
            System.out.printf(
                Locale.ROOT,
                "%s: %s / djl-encode = %.2f%n",
                workload,
                m.mode(),
                m.pairsPerSecond() / djl.pairsPerSecond());
          }
        }
      }
      Measurement pipeline = results.get("pipeline");
      Measurement sql = results.get("sql");
      if (pipeline != null && sql != null && pipeline.pairsPerSecond() > 0) {
        System.out.printf(
            Locale.ROOT,
            "%s: sql / pipeline = %.2f (start-up timed)%n",
            workload,
            sql.pairsPerSecond() / pipeline.pairsPerSecond());
        Measurement pipelineStart = startUp.get("pipeline");
        Measurement sqlStart = startUp.get("sql");
        if (pipelineStart != null && sqlStart != null) {
          double pipelineRate = afterStartUp(pipeline, pipelineStart);
          double sqlRate = afterStartUp(sql, sqlStart);
          System.out.printf(
              Locale.ROOT,
              "%s: after start-up (%.2f s pipeline, %.2f s sql, one request each): pipeline %.0f,"
                  + " sql %.0f pairs/s; sql / pipeline = %.2f%n",
              workload,
              pipelineStart.seconds(),
              sqlStart.seconds(),
              pipelineRate,
              sqlRate,
              sqlRate / pipelineRate);
        }
      }
      System.out.println();
    }
    System.out.println("load after: " + loadAverage());
    return 0;
  }

  /** The zero-cost model directory: tiny ONNX graph over bge-small's vocabulary and tokenizer. */
  static Path zeroCostModel(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path tokenizer = dir.resolve("tokenizer.json");
    Files.copy(
        DefaultModel.directory().tokenizerFile(), tokenizer, StandardCopyOption.REPLACE_EXISTING);
    int vocab = 0;
    for (var ids =
            new ObjectMapper().readTree(tokenizer.toFile()).path("model").path("vocab").elements();
        ids.hasNext(); ) {
      vocab = Math.max(vocab, ids.next().asInt() + 1);
    }
    TinyCrossEncoder.builder()
        .vocabSize(vocab)
        .hidden(8)
        .tokenTypes(true)
        .head(TinyCrossEncoder.Head.ONE)
        .build()
        .write(dir.resolve("model.onnx"));
    Files.writeString(
        dir.resolve("rerank.json"),
        "{\"name\": \"feed-zero-cost\", \"kind\": \"cross-encoder\", \"family\": \"bert\","
            + " \"max_length\": 512}");
    return dir;
  }

  private Measurement child(
      String mode, Path requests, Path model, int threadCount, List<String> jobArgs)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg :
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("-X") || arg.startsWith("-D") || arg.startsWith("--add-")) {
        command.add(arg);
      }
    }
    command.add(FeedChild.class.getName());
    command.add(mode);
    command.add(requests.toString());
    command.add(model.toString());
    command.add(Integer.toString(threadCount));
    command.add(work.toString());
    command.addAll(jobArgs);
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Measurement result = null;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(Measurement.PREFIX)) {
          result = Measurement.parse(line);
        }
      }
    }
    int exit = process.waitFor();
    if (result == null) {
      throw new IllegalStateException(
          "feed " + mode + " run failed (exit " + exit + "), see its log above");
    }
    return result;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
