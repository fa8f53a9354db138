package io.rerankflow.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Drives a running edge with concurrent clients and prints end-to-end latency percentiles, the
 * pipeline's own time for the same requests (the edge's {@code X-Rerankflow-Pipeline-Ms} header:
 * request record to result record) and their difference, the edge's overhead; with {@code --mode
 * overload}, what the edge does under ten times the load the pipeline scores. A benchmark, not a
 * test: it asserts nothing.
 */
@Command(
    name = "edge-bench",
    mixinStandardHelpOptions = true,
    description = "Load a running HTTP edge and report latency, pipeline time and edge overhead.")
public final class EdgeBench implements Callable<Integer> {
  /** The edge's header with the job's share of a ranking (request record to result record). */
  static final String PIPELINE_TIME_HEADER = "X-Rerankflow-Pipeline-Ms";

  private static final String[] WORDS = {
    "the",
    "road",
    "wood",
    "two",
    "roads",
    "diverged",
    "yellow",
    "travel",
    "long",
    "down",
    "morning",
    "leaves",
    "step",
    "black",
    "sigh",
    "ages",
    "hence",
    "difference",
    "grassy",
    "wear"
  };

  @Option(names = "--url", defaultValue = "http://127.0.0.1:8000", description = "The edge.")
  String url;

  @Option(names = "--model", defaultValue = "default", description = "Model name to request.")
  String model;

  @Option(names = "--clients", defaultValue = "8", description = "Concurrent clients.")
  int clients;

  @Option(names = "--requests", defaultValue = "400", description = "Requests in all.")
  int requests;

  @Option(names = "--warmup", defaultValue = "20", description = "Requests first, not counted.")
  int warmup;

  @Option(names = "--passages", defaultValue = "8", description = "Passages per request.")
  int passages;

  @Option(names = "--words", defaultValue = "30", description = "Words per passage.")
  int words;

  @Option(
      names = "--body-file",
      description =
          "Send this file's bytes as every request's body (e.g. the NIM's example) instead of"
              + " generated passages (--passages and --words then only label the output).")
  Path bodyFile;

  @Option(names = "--api-key", description = "Sent as Authorization: Bearer <key>.")
  String apiKey;

  @Option(
      names = "--mode",
      defaultValue = "latency",
      description =
          "latency: closed loop, latency percentiles, overall and per stage (the edge's"
              + " Server-Timing header); overload: measure what the pipeline scores, then offer"
              + " --load-factor times that for --duration; burst: send --requests all at once and"
              + " report accepted and rejected answers. Default: ${DEFAULT-VALUE}.")
  String mode;

  @Option(
      names = "--load-factor",
      defaultValue = "10",
      description = "Overload: offered pairs per second over the measured rate.")
  double loadFactor;

  @Option(
      names = "--duration",
      defaultValue = "60",
      description = "Overload: seconds of offered load.")
  int durationSeconds;

  @Option(
      names = "--calibration",
      defaultValue = "20",
      description = "Overload: seconds of closed-loop load (--clients) measuring the rate.")
  int calibrationSeconds;

  @Option(
      names = "--settle",
      defaultValue = "30",
      description = "Overload: seconds to wait afterwards for late results of the job.")
  int settleSeconds;

  @Option(
      names = "--edge-pid",
      description = "Overload: the edge's process id, to report its peak RSS (/proc VmHWM).")
  Long edgePid;

  @Option(
      names = "--truncate",
      defaultValue = "END",
      description = "truncate of the generated requests. Default: ${DEFAULT-VALUE}.")
  String truncate;

  public static void main(String[] args) {
    System.exit(new CommandLine(new EdgeBench()).execute(args));
  }

  /**
   * One answered request.
   *
   * @param stages the edge's Server-Timing segments in path order, milliseconds; empty when none
   */
  private record Sample(
      int status, long totalMicros, long pipelineMillis, Map<String, Double> stages) {
    Sample(int status, long totalMicros) {
      this(status, totalMicros, 0, Map.of());
    }
  }

  private String fixedBody;

  @Override
  public Integer call() throws Exception {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    if (bodyFile != null) {
      fixedBody = Files.readString(bodyFile);
    }
    if (mode.equals("overload")) {
      return overload(http);
    }
    if (mode.equals("burst")) {
      return burst(http);
    }
    if (!mode.equals("latency")) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--mode must be latency, overload or burst, not " + mode);
    }
    run(http, warmup, Math.min(clients, Math.max(1, warmup)), 1);
    long start = System.nanoTime();
    List<Sample> samples = run(http, requests, clients, 2);
    double seconds = (System.nanoTime() - start) / 1e9;

    Map<Integer, Long> statuses =
        samples.stream()
            .collect(Collectors.groupingBy(Sample::status, TreeMap::new, Collectors.counting()));
    List<Sample> ok = samples.stream().filter(s -> s.status() == 200).toList();
    System.out.printf(
        "%d requests (%d passages x %d words) by %d clients in %.1f s: %.1f req/s; statuses %s%n",
        samples.size(), passages, words, clients, seconds, samples.size() / seconds, statuses);
    if (ok.isEmpty()) {
      return 1;
    }
    long[] total = ok.stream().mapToLong(Sample::totalMicros).sorted().toArray();
    long[] pipeline = ok.stream().mapToLong(s -> s.pipelineMillis() * 1000).sorted().toArray();
    long[] overhead =
        ok.stream().mapToLong(s -> s.totalMicros() - s.pipelineMillis() * 1000).sorted().toArray();
    System.out.println("                        p50        p95        p99  (ms, 200s only)");
    print("end to end", total);
    print("pipeline (Kafka+job)", pipeline);
    print("edge overhead", overhead);
    printStages(ok);
    return 0;
  }

  /** Per-stage percentiles from the edge's Server-Timing header, in path order. */
  private static void printStages(List<Sample> ok) {
    Map<String, List<Double>> byStage = new LinkedHashMap<>();
    for (Sample sample : ok) {
      sample.stages().forEach((k, v) -> byStage.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }
    if (byStage.isEmpty()) {
      return;
    }
    System.out.println("per stage (Server-Timing)");
    byStage.forEach(
        (stage, millis) ->
            print(
                "  " + stage,
                millis.stream().mapToLong(m -> Math.round(m * 1000)).sorted().toArray()));
  }

  /**
   * Burst: {@code --requests} sent at once after the warm-up; prints the statuses and the latencies
   * of accepted and rejected answers as this client saw them.
   */
  private int burst(HttpClient http) throws Exception {
    run(http, warmup, Math.min(clients, Math.max(1, warmup)), 1);
    Random random = new Random(3);
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      bodies.add(body(random));
    }
    List<CompletableFuture<Sample>> answers = new ArrayList<>();
    for (String body : bodies) {
      answers.add(sendAsync(http, body));
    }
    List<Sample> samples = new ArrayList<>();
    for (CompletableFuture<Sample> answer : answers) {
      samples.add(answer.get());
    }
    Map<Integer, Long> statuses =
        samples.stream()
            .collect(Collectors.groupingBy(Sample::status, TreeMap::new, Collectors.counting()));
    System.out.printf(
        "burst of %d requests (%d passages x %d words); statuses %s%n",
        samples.size(), passages, words, statuses);
    System.out.println("              count      p50 ms      p95 ms      p99 ms      max ms");
    printRow("accepted", samples.stream().filter(s -> s.status() == 200).toList());
    printRow("rejected", samples.stream().filter(s -> s.status() == 503).toList());
    printRow(
        "other", samples.stream().filter(s -> s.status() != 200 && s.status() != 503).toList());
    return 0;
  }

  /**
   * Overload: measures the pairs per second the pipeline answers with 200 under closed-loop load,
   * offers {@code --load-factor} times that open loop (arrivals on a fixed schedule, whatever the
   * answers), then reports accepted and rejected requests, their latencies, the edge's peak RSS and
   * the pairs the job ranked for requests nobody waited for (the edge's late results).
   */
  private int overload(HttpClient http) throws Exception {
    run(http, warmup, Math.min(clients, Math.max(1, warmup)), 1);
    long calibrationEnd = System.nanoTime() + calibrationSeconds * 1_000_000_000L;
    long start = System.nanoTime();
    List<Sample> calibration = runUntil(http, calibrationEnd, clients, 2);
    double seconds = (System.nanoTime() - start) / 1e9;
    long ranked = calibration.stream().filter(s -> s.status() == 200).count();
    double pairsPerSecond = ranked * passages / seconds;
    if (ranked == 0) {
      System.out.println("calibration: no request was ranked; is the job running?");
      return 1;
    }
    double offeredPerSecond = loadFactor * pairsPerSecond / passages;
    System.out.printf(
        "calibration: %d clients, %.1f s: %.1f pairs/s ranked (%d x %d passages)%n",
        clients, seconds, pairsPerSecond, ranked, passages);
    System.out.printf(
        "offering %.1f x that: %.2f requests/s of %d passages (%.0f pairs/s) for %d s%n",
        loadFactor, offeredPerSecond, passages, offeredPerSecond * passages, durationSeconds);

    Map<String, Double> before = edgeMetrics(http);
    Random random = new Random(3);
    List<CompletableFuture<Sample>> answers = new ArrayList<>();
    long interval = (long) (1e9 / offeredPerSecond);
    long begin = System.nanoTime();
    for (long next = begin; next < begin + durationSeconds * 1_000_000_000L; next += interval) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      answers.add(sendAsync(http, body(random)));
    }
    List<Sample> samples = new ArrayList<>();
    for (CompletableFuture<Sample> answer : answers) {
      samples.add(answer.get());
    }
    Thread.sleep(settleSeconds * 1000L);
    Map<String, Double> after = edgeMetrics(http);

    Map<Integer, Long> statuses =
        samples.stream()
            .collect(Collectors.groupingBy(Sample::status, TreeMap::new, Collectors.counting()));
    System.out.printf("%d requests offered; statuses %s%n", samples.size(), statuses);
    System.out.println("              count      p50 ms      p95 ms      p99 ms      max ms");
    printRow("accepted", samples.stream().filter(s -> s.status() == 200).toList());
    printRow("rejected", samples.stream().filter(s -> s.status() == 503).toList());
    printRow(
        "other", samples.stream().filter(s -> s.status() != 200 && s.status() != 503).toList());
    if (edgePid != null) {
      System.out.println("edge peak RSS: " + peakRss(edgePid));
    }
    System.out.printf(
        "pairs the job ranked for requests nobody waited for: %.0f (late results: %.0f)%n",
        delta(before, after, "rerankflow_edge_late_scored_pairs"),
        delta(before, after, "rerankflow_edge_late_replies"));
    System.out.printf(
        "edge's planned rate at the end: %.1f pairs/s; peak pairs in flight: %.0f%n",
        after.getOrDefault("rerankflow_edge_pairs_per_second", Double.NaN),
        after.getOrDefault("rerankflow_edge_in_flight_pairs_peak", Double.NaN));
    return 0;
  }

  private static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
    return after.getOrDefault(name, Double.NaN) - before.getOrDefault(name, 0.0);
  }

  private void printRow(String label, List<Sample> rows) {
    long[] sorted = rows.stream().mapToLong(Sample::totalMicros).sorted().toArray();
    if (sorted.length == 0) {
      System.out.printf("%-10s %9d%n", label, 0);
      return;
    }
    System.out.printf(
        "%-10s %9d  %10.1f  %10.1f  %10.1f  %10.1f%n",
        label,
        sorted.length,
        percentile(sorted, 50) / 1000.0,
        percentile(sorted, 95) / 1000.0,
        percentile(sorted, 99) / 1000.0,
        sorted[sorted.length - 1] / 1000.0);
  }

  /** The edge's gauges and counters without labels, from its Prometheus text. */
  private Map<String, Double> edgeMetrics(HttpClient http) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/v1/metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    Map<String, Double> metrics = new TreeMap<>();
    for (String line : response.body().split("\n")) {
      String[] parts = line.split(" ");
      if (parts.length == 2 && !line.startsWith("#") && !parts[0].contains("{")) {
        metrics.put(parts[0], Double.parseDouble(parts[1]));
      }
    }
    return metrics;
  }

  private static String peakRss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmHWM:")) {
          long kib = Long.parseLong(line.replaceAll("\\D", ""));
          return String.format("%.0f MiB", kib / 1024.0);
        }
      }
    } catch (IOException | RuntimeException e) {
      return "unknown (" + e.getMessage() + ")";
    }
    return "unknown";
  }

  private List<Sample> runUntil(HttpClient http, long endNanos, int concurrency, long seed)
      throws Exception {
    List<Sample> samples = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < concurrency; c++) {
        int client = c;
        running.add(
            pool.submit(
                () -> {
                  Random random = new Random(seed * 1_000_003 + client);
                  while (System.nanoTime() < endNanos) {
                    Sample sample = send(http, body(random));
                    samples.add(sample);
                    if (sample.status() == 503) {
                      Thread.sleep(100);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    return new ArrayList<>(samples);
  }

  private CompletableFuture<Sample> sendAsync(HttpClient http, String body) {
    long start = System.nanoTime();
    return http.sendAsync(request(body), HttpResponse.BodyHandlers.ofString())
        .handle(
            (response, error) ->
                error != null
                    ? new Sample(-1, (System.nanoTime() - start) / 1000)
                    : sample(response, (System.nanoTime() - start) / 1000));
  }

  private HttpRequest request(String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url + "/v1/ranking"))
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .timeout(Duration.ofMinutes(3))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (apiKey != null) {
      request.header("authorization", "Bearer " + apiKey);
    }
    return request.build();
  }

  private static long pipelineMillis(HttpResponse<String> response) {
    return response.headers().firstValue(PIPELINE_TIME_HEADER).map(Long::parseLong).orElse(0L);
  }

  private static Sample sample(HttpResponse<String> response, long totalMicros) {
    return new Sample(
        response.statusCode(), totalMicros, pipelineMillis(response), stages(response));
  }

  /** {@code name;dur=ms, ...} from the Server-Timing header, in its order. */
  static Map<String, Double> stages(HttpResponse<String> response) {
    Map<String, Double> stages = new LinkedHashMap<>();
    response
        .headers()
        .firstValue("server-timing")
        .ifPresent(
            value -> {
              for (String metric : value.split(",")) {
                String[] parts = metric.trim().split(";");
                for (int i = 1; i < parts.length; i++) {
                  if (parts[i].trim().startsWith("dur=")) {
                    stages.put(parts[0].trim(), Double.parseDouble(parts[i].trim().substring(4)));
                  }
                }
              }
            });
    return stages;
  }

  private List<Sample> run(HttpClient http, int count, int concurrency, long seed)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    List<Sample> samples = new ArrayList<>(count);
    Map<Integer, List<Sample>> byClient = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < concurrency; c++) {
        int client = c;
        running.add(
            pool.submit(
                () -> {
                  Random random = new Random(seed * 1_000_003 + client);
                  List<Sample> mine = byClient.computeIfAbsent(client, k -> new ArrayList<>());
                  while (next.getAndIncrement() < count) {
                    mine.add(send(http, body(random)));
                  }
                  return null;
                }));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    byClient.values().forEach(samples::addAll);
    return samples;
  }

  private Sample send(HttpClient http, String body) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> response = http.send(request(body), HttpResponse.BodyHandlers.ofString());
    return sample(response, (System.nanoTime() - start) / 1000);
  }

  private String body(Random random) {
    if (fixedBody != null) {
      return fixedBody;
    }
    String passageList =
        IntStream.range(0, passages)
            .mapToObj(p -> "{\"text\":\"" + text(random, words) + "\"}")
            .collect(Collectors.joining(","));
    return "{\"model\":\""
        + model
        + "\",\"query\":{\"text\":\""
        + text(random, 6)
        + "\"},\"passages\":["
        + passageList
        + "],\"truncate\":\""
        + truncate
        + "\"}";
  }

  private static String text(Random random, int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> WORDS[random.nextInt(WORDS.length)])
        .collect(Collectors.joining(" "));
  }

  private static void print(String label, long[] sortedMicros) {
    System.out.printf(
        "%-20s %9.1f  %9.1f  %9.1f%n",
        label,
        percentile(sortedMicros, 50) / 1000.0,
        percentile(sortedMicros, 95) / 1000.0,
        percentile(sortedMicros, 99) / 1000.0);
  }

  // Nearest-rank percentile.
  private static long percentile(long[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
