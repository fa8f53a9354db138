package io.rerankflow.jobs;

import io.rerankflow.inference.ModelLocator;
import io.rerankflow.schemas.RawRequest;
import io.rerankflow.schemas.RerankOutput;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The reranking job: requests in, one ranking or error record out per request.
 *
 * <p>{@link #build} takes its source and sink from outside; {@link #main} wires the production ones
 * (JSONL files in, JSONL files out), tests pass their own.
 */
@Command(
    name = "rerank",
    mixinStandardHelpOptions = true,
    description = "Rerank NIM /v1/ranking requests from JSONL files with Apache Flink.")
public final class RerankJob implements Callable<Integer> {
  static final String OUTPUT_PREFIX = "rankings";
  static final String OUTPUT_SUFFIX = ".jsonl";

  @Mixin private RerankOptions options = new RerankOptions();

  private final PrintStream console;

  public RerankJob() {
    this(new RerankOptions(), System.out);
  }

  public RerankJob(RerankOptions options, PrintStream console) {
    this.options = options;
    this.console = console;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new RerankJob()).execute(args));
  }

  /** Wires source, reranking, counters and sink into {@code env}. */
  public void build(
      StreamExecutionEnvironment env, Source<RawRequest, ?, ?> source, Sink<RerankOutput> sink) {
    DataStream<RawRequest> requests =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "requests").uid("requests");
    RerankStage.apply(
            requests,
            options.engineSettings(),
            options.parallelism(),
            options.capacity(),
            options.timeout())
        .map(new OutputCounters())
        .name("count")
        .uid("count")
        .sinkTo(sink)
        .name("results")
        .uid("results");
  }

  @Override
  public Integer call() throws Exception {
    JobSummary summary = run(new Configuration());
    console.println(
        "Results: "
            + options.output().toAbsolutePath()
            + "/"
            + OUTPUT_PREFIX
            + "*"
            + OUTPUT_SUFFIX);
    console.println("Summary: " + summary.line());
    return 0;
  }

  /**
   * Runs the file job to the end on the environment at hand, with {@code flinkConfig} on top (e.g.
   * a metric reporter), and returns its numbers.
   */
  public JobSummary run(Configuration flinkConfig) throws Exception {
    options.validate();
    options.models.forEach(ModelLocator::resolve);
    Path output = options.output().toAbsolutePath();
    prepareOutput(output);

    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(flinkConfig);
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    build(env, fileSource(options.input()), fileSink(output));

    long start = System.nanoTime();
    JobExecutionResult result = env.execute("rerankflow " + options.input().getFileName());
    return JobSummary.of(result, Duration.ofNanos(System.nanoTime() - start));
  }

  static FileSource<RawRequest> fileSource(Path input) {
    if (!Files.exists(input)) {
      throw new IllegalArgumentException("--input " + input + " does not exist");
    }
    boolean directory = Files.isDirectory(input);
    return FileSource.forBulkFileFormat(
            new JsonLinesFormat(directory),
            new org.apache.flink.core.fs.Path(input.toAbsolutePath().toUri()))
        .build();
  }

  static FileSink<RerankOutput> fileSink(Path output) {
    return FileSink.forRowFormat(
            new org.apache.flink.core.fs.Path(output.toUri()), new PipelineJsonEncoder())
        .withBucketAssigner(new BasePathBucketAssigner<>())
        .withOutputFileConfig(
            OutputFileConfig.builder()
                .withPartPrefix(OUTPUT_PREFIX)
                .withPartSuffix(OUTPUT_SUFFIX)
                .build())
        .build();
  }

  private void prepareOutput(Path output) throws IOException {
    Files.createDirectories(output);
    List<Path> previous;
    try (Stream<Path> files = Files.list(output)) {
      previous =
          files
              .filter(
                  f ->
                      f.getFileName().toString().startsWith(OUTPUT_PREFIX)
                          || f.getFileName().toString().startsWith("." + OUTPUT_PREFIX))
              .toList();
    }
    if (previous.isEmpty()) {
      return;
    }
    if (!options.overwrite()) {
      throw new IllegalArgumentException(
          "--output "
              + output
              + " already holds results ("
              + previous.size()
              + " files); pass --overwrite to replace them or choose another directory");
    }
    for (Path file : previous) {
      Files.delete(file);
    }
  }
}
