package io.rerankflow.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
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
 * request record to result record) and their difference, the edge's overhead. A benchmark, not a
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

  @Option(names = "--api-key", description = "Sent as Authorization: Bearer <key>.")
  String apiKey;

  public static void main(String[] args) {
    System.exit(new CommandLine(new EdgeBench()).execute(args));
  }

  /** One answered request. */
  private record Sample(int status, long totalMicros, long pipelineMillis) {}

  @Override
  public Integer call() throws Exception {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
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
    return 0;
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
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url + "/v1/ranking"))
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .timeout(Duration.ofMinutes(3))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (apiKey != null) {
      request.header("authorization", "Bearer " + apiKey);
    }
    long start = System.nanoTime();
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    long micros = (System.nanoTime() - start) / 1000;
    long pipeline =
        response.headers().firstValue(PIPELINE_TIME_HEADER).map(Long::parseLong).orElse(0L);
    return new Sample(response.statusCode(), micros, pipeline);
  }

  private String body(Random random) {
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
        + "],\"truncate\":\"END\"}";
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
