package io.rerankflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.TinyCrossEncoder;
import io.rerankflow.testing.TinyModelCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The file job on a real MiniCluster (2 slots) with real ONNX Runtime and real tokenizers. */
class RerankJobITCase {
  private static final int MAX_LENGTH = 24;
  private static final TinyCrossEncoder TINY =
      TinyCrossEncoder.builder().tokenTypes(true).seed(11).build();

  @RegisterExtension static final TinyModelCluster CLUSTER = TinyModelCluster.withSlots(2);

  private static Path tinyModel;

  @BeforeAll
  static void writeModel() {
    tinyModel = CLUSTER.crossEncoder("tiny", TINY, MAX_LENGTH);
  }

  @Test
  void everyInputLineYieldsExactlyOneSortedRankingOrErrorRecord(@TempDir Path dir)
      throws Exception {
    Map<String, Request> good = new HashMap<>();
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 40; r++) {
      Request request = Request.generated(r);
      good.put(request.id, request);
      lines.add(request.json());
    }
    String longQuery = "the long road ".repeat(20);
    Map<String, Integer> badStatus = new HashMap<>();
    lines.add("{\"id\":\"malformed\",\"model\":\"tiny\",");
    badStatus.put(Integer.toString(lines.size()), 400);
    lines.add("");
    lines.add("[1,2,3]");
    badStatus.put(Integer.toString(lines.size()), 400);
    lines.add(
        "{\"id\":\"unknown-field\",\"model\":\"tiny\",\"query\":{\"text\":\"a\"},"
            + "\"passages\":[{\"text\":\"b\"}],\"top_k\":1}");
    badStatus.put("unknown-field", 400);
    lines.add(
        "{\"id\":\"too-many\",\"model\":\"tiny\",\"query\":{\"text\":\"a\"},\"passages\":["
            + IntStream.range(0, 513)
                .mapToObj(i -> "{\"text\":\"p\"}")
                .collect(Collectors.joining(","))
            + "]}");
    badStatus.put("too-many", 400);
    lines.add(
        "{\"id\":\"unknown-model\",\"model\":\"nope\",\"query\":{\"text\":\"a\"},"
            + "\"passages\":[{\"text\":\"b\"}]}");
    badStatus.put("unknown-model", 404);
    lines.add(
        "{\"id\":\"too-long\",\"model\":\"tiny\",\"query\":{\"text\":\""
            + longQuery
            + "\"},\"passages\":[{\"text\":\"b\"}],\"truncate\":\"NONE\"}");
    badStatus.put("too-long", 422);
    lines.add(
        "{\"id\":\"truncated\",\"model\":\"tiny\",\"query\":{\"text\":\""
            + longQuery
            + "\"},\"passages\":[{\"text\":\"b\"},{\"text\":\"c\"}],\"truncate\":\"END\"}");
    Path input = dir.resolve("requests.jsonl");
    Files.write(input, lines);

    ByteArrayOutputStream console = new ByteArrayOutputStream();
    int exit =
        new CommandLine(new RerankJob(new RerankOptions(), new PrintStream(console, true)))
            .execute(
                "--input",
                input.toString(),
                "--output",
                dir.resolve("out").toString(),
                "--model",
                tinyModel.toString(),
                "--parallelism",
                "2",
                "--max-batch-tokens",
                "200",
                "--max-batch-size",
                "8");
    assertThat(exit).isZero();

    Map<String, RerankOutput> outputs = readOutputs(dir.resolve("out"));
    int nonBlankLines = (int) lines.stream().filter(l -> !l.isBlank()).count();
    assertThat(outputs).hasSize(nonBlankLines);
    assertThat(console.toString(StandardCharsets.UTF_8))
        .contains("Summary: " + nonBlankLines + " requests")
        .contains(badStatus.size() + " errors");

    try (HuggingFaceTokenizer tokenizer =
        HuggingFaceTokenizer.newInstance(
            tinyModel.resolve("tokenizer.json"),
            Map.of("padding", "false", "truncation", "false"))) {
      for (Request request : good.values()) {
        RerankOutput out = outputs.get(request.id);
        assertThat(out.isError()).as(request.id).isFalse();
        assertThat(out.model).isEqualTo("tiny");
        assertThat(out.indices)
            .as("indices are a permutation")
            .containsExactlyInAnyOrder(IntStream.range(0, request.passages.size()).toArray());
        for (int i = 1; i < out.logits.length; i++) {
          assertThat(out.logits[i]).isLessThanOrEqualTo(out.logits[i - 1]);
        }
        int tokens = 0;
        for (int rank = 0; rank < out.indices.length; rank++) {
          Encoding pair = tokenizer.encode(request.query, request.passages.get(out.indices[rank]));
          long[] ids = pair.getIds();
          long[] mask = new long[ids.length];
          java.util.Arrays.fill(mask, 1L);
          float expected =
              TINY.expectedOutputs(
                      new long[][] {ids}, new long[][] {mask}, new long[][] {pair.getTypeIds()})[0][
                  0];
          assertThat(out.logits[rank]).isCloseTo(expected, within(1e-5f));
          tokens += ids.length;
        }
        assertThat(out.promptTokens).isEqualTo(tokens);
      }
    }
    badStatus.forEach(
        (id, status) -> {
          RerankOutput out = outputs.get(id);
          assertThat(out).as(id).isNotNull();
          assertThat(out.isError()).as(id).isTrue();
          assertThat(out.errorStatus).as(id).isEqualTo(status);
        });
    assertThat(outputs.get("too-long").errorMessage)
        .matches("Input length \\d+ exceeds maximum allowed token size " + MAX_LENGTH);
    RerankOutput truncated = outputs.get("truncated");
    assertThat(truncated.isError()).isFalse();
    assertThat(truncated.promptTokens).isEqualTo(2 * MAX_LENGTH);
  }

  @Test
  void lineWithInvalidUtf8IsOneMalformedJsonRecordAndTheOtherLinesAreRanked(@TempDir Path dir)
      throws Exception {
    Request first = Request.generated(1);
    Request third = Request.generated(3);
    String latin1 =
        "{\"id\":\"latin1\",\"model\":\"tiny\",\"query\":{\"text\":\"caf\u00e9\"},"
            + "\"passages\":[{\"text\":\"b\"}]}";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write((first.json() + "\n").getBytes(StandardCharsets.UTF_8));
    // Latin-1, as an editor on another platform writes it: 0xe9 alone is not UTF-8.
    bytes.write((latin1 + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    bytes.write(third.json().getBytes(StandardCharsets.UTF_8));
    Path input = dir.resolve("requests.jsonl");
    Files.write(input, bytes.toByteArray());

    ByteArrayOutputStream console = new ByteArrayOutputStream();
    int exit =
        new CommandLine(new RerankJob(new RerankOptions(), new PrintStream(console, true)))
            .execute(
                "--input", input.toString(),
                "--output", dir.resolve("out").toString(),
                "--model", tinyModel.toString());

    assertThat(exit).isZero();
    Map<String, RerankOutput> outputs = readOutputs(dir.resolve("out"));
    assertThat(outputs).containsOnlyKeys(first.id, "2", third.id);
    assertThat(outputs.get(first.id).isError()).isFalse();
    assertThat(outputs.get(third.id).isError()).isFalse();
    RerankOutput bad = outputs.get("2");
    assertThat(bad.errorType).isEqualTo("malformed_json");
    assertThat(bad.errorStatus).isEqualTo(400);
    assertThat(bad.errorMessage)
        .isEqualTo(
            "Malformed JSON (line 2 of requests.jsonl): invalid UTF-8 at byte "
                + latin1.indexOf('\u00e9')
                + " (JSON text must be UTF-8)");
    assertThat(console.toString(StandardCharsets.UTF_8))
        .contains("Summary: 3 requests")
        .contains("1 errors (1 malformed_json)");
  }

  @Test
  void twoJobsInOneClusterBothLoadTheNativeLibraries(@TempDir Path dir) throws Exception {
    Path input = dir.resolve("requests.jsonl");
    Files.write(input, List.of(Request.generated(1).json(), Request.generated(2).json()));
    for (int run = 0; run < 2; run++) {
      Path out = dir.resolve("out" + run);
      int exit =
          new CommandLine(
                  new RerankJob(new RerankOptions(), new PrintStream(OutputStreamSink.NULL)))
              .execute(
                  "--input", input.toString(),
                  "--output", out.toString(),
                  "--model", tinyModel.toString(),
                  "--parallelism", "2");
      assertThat(exit).as("run %d", run).isZero();
      assertThat(readOutputs(out).values()).hasSize(2).noneMatch(RerankOutput::isError);
    }
  }

  @Test
  void cancellingDuringInferenceStopsCleanlyAndTheNextJobRuns(@TempDir Path dir) throws Exception {
    Path input = dir.resolve("many.jsonl");
    List<String> lines = new ArrayList<>();
    String passage = "the long road ".repeat(30);
    for (int r = 0; r < 400; r++) {
      StringBuilder json =
          new StringBuilder(
              "{\"id\":\"r"
                  + r
                  + "\",\"model\":\"default\",\"query\":{\"text\":\"a road\"},"
                  + "\"passages\":[");
      for (int p = 0; p < 32; p++) {
        json.append(p == 0 ? "" : ",")
            .append("{\"text\":\"")
            .append(passage)
            .append(p)
            .append("\"}");
      }
      lines.add(json.append("]}").toString());
    }
    Files.write(input, lines);
    RerankOptions options =
        CommandLine.populateCommand(
            new RerankOptions(),
            "--input",
            input.toString(),
            "--output",
            dir.resolve("unused").toString(),
            "--parallelism",
            "2",
            "--capacity",
            "16");
    // The sink lets two results through and holds the rest: the job cannot end by itself, so the
    // cancel meets it mid-run however fast the machine is.
    try (SharedWithJob<CountingSink.Tally> shared =
        SharedWithJob.register(new CountingSink.Tally(2))) {
      CountingSink.Tally tally = shared.value();
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
      new RerankJob(options, System.out)
          .build(env, RerankJob.fileSource(input), new CountingSink(shared.key()));
      JobClient job = env.executeAsync("cancel mid-inference");
      try {
        assertThat(tally.awaitPassed(Duration.ofMinutes(3))).as("results before cancel").isTrue();
        assertThat(job.getJobStatus().get())
            .as("status before cancel")
            .isEqualTo(JobStatus.RUNNING);
        job.cancel().get();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        JobStatus status = job.getJobStatus().get();
        while (!status.isGloballyTerminalState() && System.nanoTime() < deadline) {
          Thread.sleep(50);
          status = job.getJobStatus().get();
        }
        assertThat(status).isEqualTo(JobStatus.CANCELED);
        assertThat(tally.received()).isLessThan(lines.size());
      } finally {
        tally.release();
      }
    }

    // The JVM survived closing the sessions; native libraries still serve a fresh job.
    everyRunAfterCancelStillScores(dir);
  }

  private void everyRunAfterCancelStillScores(Path dir) throws IOException {
    Path input = dir.resolve("after.jsonl");
    Files.write(input, List.of(Request.generated(3).json()));
    int exit =
        new CommandLine(new RerankJob(new RerankOptions(), new PrintStream(OutputStreamSink.NULL)))
            .execute(
                "--input", input.toString(),
                "--output", dir.resolve("after").toString(),
                "--model", tinyModel.toString());
    assertThat(exit).isZero();
    assertThat(readOutputs(dir.resolve("after")).values())
        .singleElement()
        .matches(out -> !out.isError());
  }

  static Map<String, RerankOutput> readOutputs(Path dir) throws IOException {
    Map<String, RerankOutput> outputs = new HashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file :
          files.filter(f -> f.getFileName().toString().startsWith("rankings")).toList()) {
        for (String line : Files.readAllLines(file)) {
          RerankOutput out = OutputJson.fromPipelineJson(line);
          assertThat(outputs.put(out.id, out)).as("duplicate output for %s", out.id).isNull();
        }
      }
    }
    return outputs;
  }

  /** A generated request whose words are all in the tiny WordPiece vocabulary. */
  private record Request(String id, String query, List<String> passages) {
    private static final String[] WORDS = {
      "the", "road", "wood", "two", "roads", "diverged", "yellow", "travel", "long", "down"
    };

    static Request generated(int seed) {
      java.util.Random random = new java.util.Random(seed);
      String query = words(random, 2 + random.nextInt(3));
      List<String> passages = new ArrayList<>();
      int count = 1 + random.nextInt(7);
      for (int p = 0; p < count; p++) {
        passages.add(words(random, 1 + random.nextInt(12)));
      }
      return new Request("req-" + seed, query, passages);
    }

    private static String words(java.util.Random random, int count) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < count; i++) {
        text.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
      }
      return text.toString();
    }

    String json() {
      return "{\"id\":\""
          + id
          + "\",\"model\":\"tiny\",\"query\":{\"text\":\""
          + query
          + "\"},\"passages\":["
          + passages.stream().map(p -> "{\"text\":\"" + p + "\"}").collect(Collectors.joining(","))
          + "]}";
    }
  }

  /** Discards console output of runs whose summary is not under test. */
  private static final class OutputStreamSink {
    static final java.io.OutputStream NULL = java.io.OutputStream.nullOutputStream();
  }
}
