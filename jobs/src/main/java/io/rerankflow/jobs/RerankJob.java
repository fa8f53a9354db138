package io.rerankflow.jobs;

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
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The reranking job: requests in, one ranking or error record out per request.
 *
 * <p>{@link #build} takes its source and sink from outside; {@link #buildFromOptions} wires the
 * production ones the options name (JSONL files or Kafka in; JSONL, Parquet or Kafka out), tests
 * pass their own or use the production ones against a test broker.
 */
@Command(
    name = "rerank",
    mixinStandardHelpOptions = true,
    description =
        "Rerank NIM /v1/ranking requests from JSONL files or Kafka with Apache Flink; results to"
            + " JSONL, Parquet or Kafka.")
public final class RerankJob implements Callable<Integer> {
  static final String OUTPUT_PREFIX = "rankings";
  static final String OUTPUT_SUFFIX = ".jsonl";
  static final String PARQUET_SUFFIX = ".parquet";

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
    System.exit(CommandLineErrors.execute(new RerankJob(), args));
  }

  /** Wires source, reranking, counters and sink into {@code env}. */
  public void build(
      StreamExecutionEnvironment env, Source<RawRequest, ?, ?> source, Sink<RerankOutput> sink) {
    build(
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "requests").uid("requests"), sink);
  }

  /** Wires reranking, counters and sink behind a stream of requests, whatever its source. */
  public void build(DataStream<RawRequest> requests, Sink<RerankOutput> sink) {
    RerankStage.apply(
            requests,
            options.engineSettings(),
            options.parallelism(),
            options.capacity(),
            options.timeout(),
            options.engine().extensions())
        .map(new OutputCounters())
        .name("count")
        .uid("count")
        // Chained to the reranking tasks, so counts move while they run (batch mode would
        // otherwise count behind a blocking exchange, after the last request).
        .setParallelism(options.parallelism())
        .sinkTo(sink)
        .name("results")
        .uid("results");
  }

  /**
   * Wires the source and sink the options name, with the execution mode they need: file to files
   * runs in BATCH mode; with Kafka on either side the job streams with checkpoints, which commit
   * Kafka offsets and transactions and roll Parquet files.
   */
  public void buildFromOptions(StreamExecutionEnvironment env) {
    KafkaOptions kafka = options.kafka();
    if (streaming()) {
      env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
      env.enableCheckpointing(
          kafka.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
      // A request waits at each exchange until its buffer is flushed: see --buffer-timeout.
      env.setBufferTimeout(kafka.bufferTimeout().toMillis());
    } else {
      env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    }
    DataStream<RawRequest> requests =
        switch (options.source()) {
          case FILE ->
              env.fromSource(
                      fileSource(options.input()), WatermarkStrategy.noWatermarks(), "requests")
                  .uid("requests");
          case KAFKA -> kafkaRequests(env, kafka);
        };
    Path output = options.output() == null ? null : options.output().toAbsolutePath();
    Sink<RerankOutput> sink =
        switch (options.sink()) {
          case FILE -> fileSink(output);
          case PARQUET -> parquetSink(output);
          case KAFKA -> KafkaEndpoints.resultSink(kafka);
        };
    build(requests, sink);
  }

  private static DataStream<RawRequest> kafkaRequests(
      StreamExecutionEnvironment env, KafkaOptions kafka) {
    SingleOutputStreamOperator<RawRequest> requests =
        env.fromSource(
                KafkaEndpoints.requestSource(kafka),
                WatermarkStrategy.noWatermarks(),
                "kafka-requests")
            .uid("kafka-requests")
            .process(new KafkaRequestRouter(kafka.correlationHeaders()))
            .name("route-requests")
            .uid("route-requests");
    if (kafka.deadLetterTopic() != null) {
      requests
          .getSideOutput(KafkaRequestRouter.DEAD_LETTERS)
          .sinkTo(KafkaEndpoints.deadLetterSink(kafka))
          .name("dead-letters")
          .uid("dead-letters");
    }
    return requests;
  }

  private boolean streaming() {
    return options.source() == SourceKind.KAFKA || options.sink() == SinkKind.KAFKA;
  }

  @Override
  public Integer call() throws Exception {
    run(new Configuration());
    return 0;
  }

  /**
   * Runs the job on the environment at hand with {@code flinkConfig} on top (e.g. a metric reporter
   * for the benchmark), printing where the results go; a bounded run is waited for and its numbers
   * returned, a detached or Kafka run returns null.
   */
  public JobSummary run(Configuration flinkConfig) throws Exception {
    options.validate();
    options.engine().servedModels();
    if (options.sink() != SinkKind.KAFKA) {
      prepareOutput(options.output().toAbsolutePath());
    }

    Configuration config = BoundedRun.localConfiguration();
    config.addAll(flinkConfig);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    buildFromOptions(env);

    if (isDetachedSubmission(env)) {
      // `flink run -d`: the job runs on after submission, so there is nothing to count yet.
      console.println("Results: " + describeResults());
      console.println("Submitted job " + env.executeAsync(jobName()).getJobID() + " (detached)");
      return null;
    }
    if (options.source() == SourceKind.KAFKA) {
      KafkaOptions kafka = options.kafka();
      console.println(
          "Reranking topic "
              + kafka.requestsTopic()
              + " at "
              + kafka.bootstrapServers()
              + " into "
              + describeResults()
              + " until cancelled (Ctrl-C)");
      env.execute(jobName());
      return null;
    }
    long start = System.nanoTime();
    JobExecutionResult result =
        BoundedRun.execute(env, jobName(), InputTotals.countAsync(options.input()), console);
    JobSummary summary =
        JobSummary.of(
            result.getAllAccumulatorResults(), Duration.ofNanos(System.nanoTime() - start));

    console.println("Results: " + describeResults());
    console.println("Summary: " + summary.line());
    return summary;
  }

  private String jobName() {
    return options.source() == SourceKind.KAFKA
        ? "rerankflow kafka:" + options.kafka().requestsTopic()
        : "rerankflow " + options.input().getFileName();
  }

  private String describeResults() {
    return switch (options.sink()) {
      case FILE -> options.output().toAbsolutePath() + "/" + OUTPUT_PREFIX + "*" + OUTPUT_SUFFIX;
      case PARQUET ->
          options.output().toAbsolutePath() + "/" + OUTPUT_PREFIX + "*" + PARQUET_SUFFIX;
      case KAFKA ->
          "topic "
              + options.kafka().resultsTopic()
              + " at "
              + options.kafka().bootstrapServers()
              + " ("
              + OptionValues.of(options.kafka().delivery())
              + ")";
    };
  }

  // `flink run -d` sets execution.attached=false; java -jar and attached runs leave it unset/true.
  private static boolean isDetachedSubmission(StreamExecutionEnvironment env) {
    return !env.getConfiguration().getOptional(DeploymentOptions.ATTACHED).orElse(true);
  }

  static FileSource<RawRequest> fileSource(Path input) {
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

  /** Parquet files of {@code rerank-output.avsc} rows; a file rolls on every checkpoint. */
  static FileSink<RerankOutput> parquetSink(Path output) {
    return FileSink.forBulkFormat(
            new org.apache.flink.core.fs.Path(output.toUri()), new ParquetOutputWriters())
        .withBucketAssigner(new BasePathBucketAssigner<>())
        .withOutputFileConfig(
            OutputFileConfig.builder()
                .withPartPrefix(OUTPUT_PREFIX)
                .withPartSuffix(PARQUET_SUFFIX)
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
