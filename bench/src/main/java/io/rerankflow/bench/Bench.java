package io.rerankflow.bench;

import io.rerankflow.inference.ModelLocator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The throughput benchmark behind {@code scripts/bench}: on one model, one request file and one
 * thread count, measures pairs/s of ONNX Runtime alone (the limit), of the common peer batching, of
 * DJL's CrossEncoderTranslator (cross-encoders), and of the whole job; prints the ratios. Each mode
 * runs in a child JVM of its own.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Throughput of the rerankflow pipeline against ONNX Runtime alone and a peer.")
public final class Bench implements Callable<Integer> {

  @Option(
      names = "--model",
      defaultValue = "default",
      description =
          "One --model value as the job takes it: a model directory, 'default',"
              + " 'all-minilm-l6-v2' or hf:ORG/NAME[@REVISION]. Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(
      names = "--workload",
      defaultValue = "mixed",
      description = "mixed, uniform, or a JSONL file of requests. Default: ${DEFAULT-VALUE}.")
  String workload;

  @Option(
      names = "--pairs",
      defaultValue = "1000",
      description = "Pairs to generate (mixed/uniform). Default: ${DEFAULT-VALUE}.")
  int pairs;

  @Option(
      names = "--passages-per-request",
      defaultValue = "100",
      description = "Default: ${DEFAULT-VALUE}.")
  int perRequest;

  @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "ONNX Runtime intra-op threads in every mode; 0 = all cores.")
  int threads;

  @Option(
      names = "--modes",
      defaultValue = "limit,peer,djl,pipeline",
      split = ",",
      description = "Which to run. Default: ${DEFAULT-VALUE}.")
  List<String> modes;

  @Option(
      names = "--pipeline-arg",
      description =
          "Extra job option for the pipeline run, repeatable (e.g. --pipeline-arg=--capacity=256).")
  List<String> pipelineArgs = new ArrayList<>();

  @Option(
      names = "--work-dir",
      defaultValue = "${java.io.tmpdir}/rerankflow-bench",
      description = "Where the request file and the pipeline's output go.")
  Path work;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Bench()).addSubcommand(new FeedBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    int threadCount = threads > 0 ? threads : cores;
    Files.createDirectories(work);
    String served = ModelLocator.resolve(model).spec().name();
    Path requests;
    String workloadName;
    if (workload.equals("mixed") || workload.equals("uniform")) {
      Workload.Shape shape = Workload.Shape.valueOf(workload.toUpperCase(Locale.ROOT));
      requests = work.resolve(workload + "-" + pairs + "-" + seed + ".jsonl");
      Workload.write(requests, shape, pairs, perRequest, seed, served);
      workloadName =
          workload + " (" + pairs + " pairs, " + perRequest + "/request, seed " + seed + ")";
    } else {
      requests = Path.of(workload);
      workloadName = requests.toString();
    }
    System.out.printf(
        Locale.ROOT,
        "model %s (%s), workload %s, %d intra-op threads, %d cores; load %s%n",
        model,
        served,
        workloadName,
        threadCount,
        cores,
        loadAverage());

    Map<String, Measurement> results = new LinkedHashMap<>();
    for (String mode : modes) {
      Measurement m = runChild(mode, requests, threadCount);
      results.put(mode, m);
      System.out.printf(
          Locale.ROOT, "  %-8s done: %.1f pairs/s (%s)%n", mode, m.pairsPerSecond(), m.note());
    }
    System.out.println();
    System.out.println(
        "| mode | pairs | seconds | pairs/s | padding waste | mean rows/batch | peak RSS MiB |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (Measurement m : results.values()) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %.1f | %.1f | %s | %s | %d |%n",
          m.mode(),
          m.pairs(),
          m.seconds(),
          m.pairsPerSecond(),
          Double.isNaN(m.paddingWaste())
              ? "-"
              : String.format(Locale.ROOT, "%.3f", m.paddingWaste()),
          Double.isNaN(m.meanRows()) ? "-" : String.format(Locale.ROOT, "%.1f", m.meanRows()),
          m.peakRssKb() / 1024);
    }
    Measurement pipeline = results.get("pipeline");
    if (pipeline != null) {
      for (String base : List.of("limit", "peer", "djl")) {
        Measurement other = results.get(base);
        if (other != null && other.pairsPerSecond() > 0) {
          System.out.printf(
              Locale.ROOT,
              "pipeline / %s = %.3f%n",
              base,
              pipeline.pairsPerSecond() / other.pairsPerSecond());
        }
      }
      System.out.println("pipeline: " + pipeline.note());
    }
    System.out.println("load after: " + loadAverage());
    return 0;
  }

  private Measurement runChild(String mode, Path requests, int threadCount) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions());
    command.add(BenchChild.class.getName());
    command.add(mode);
    command.add(requests.toString());
    command.add(model);
    command.add(Integer.toString(threadCount));
    command.add(work.toString());
    command.addAll(pipelineArgs);
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
      throw new IllegalStateException(mode + " run failed (exit " + exit + "), see its log above");
    }
    return result;
  }

  private static List<String> jvmOptions() {
    List<String> options = new ArrayList<>();
    for (String arg :
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("-X") || arg.startsWith("-D") || arg.startsWith("--add-")) {
        options.add(arg);
      }
    }
    return options;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
