package io.rerankflow.jobs;

import io.rerankflow.cli.CommandLineErrors;
import io.rerankflow.cli.KafkaCredentials;
import io.rerankflow.jobs.files.BacklogReportingSource;
import io.rerankflow.jobs.files.InputTotals;
import io.rerankflow.jobs.files.JsonLinesFormat;
import io.rerankflow.jobs.files.ParquetOutputWriters;
import io.rerankflow.jobs.files.PipelineJsonEncoder;
import io.rerankflow.jobs.kafka.KafkaEndpoints;
import io.rerankflow.jobs.kafka.KafkaRequestRouter;
import io.rerankflow.jobs.run.BoundedRun;
import io.rerankflow.jobs.run.JobSummary;
import io.rerankflow.jobs.run.OutputCounters;
import io.rerankflow.jobs.run.RunFingerprint;
import io.rerankflow.jobs.run.RunState;
import io.rerankflow.schemas.RawRequest;
import io.rerankflow.schemas.RerankOutput;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
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
  public static final String OUTPUT_PREFIX = "rankings";
  static final String OUTPUT_SUFFIX = ".jsonl";
  static final String PARQUET_SUFFIX = ".parquet";

  /** Checkpoint interval once the input is all read: the last files are committed this soon. */
  static final Duration TAIL_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

  @Mixin private RerankOptions options = new RerankOptions();

  private final PrintStream console;

  private boolean alreadyComplete;

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
        .map(new OutputCounters(countsFolder()))
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
   * Wires the source and sink the options name. Every job streams with exactly-once checkpoints:
   * they commit Kafka offsets and transactions and roll the result files. A file run keeps its
   * checkpoints in {@code --output}'s state folder ({@link RunState}) when it fails or is
   * cancelled, so that running it again resumes it.
   */
  public void buildFromOptions(StreamExecutionEnvironment env) {
    KafkaOptions kafka = options.kafka();
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    if (options.source() == SourceKind.KAFKA || options.sink() == SinkKind.KAFKA) {
      KafkaCredentials.check(kafka.bootstrapServers(), kafka.clientProperties());
    }
    if (options.source() == SourceKind.FILE) {
      env.configure(fileCheckpointing(env.getConfiguration()));
    } else {
      env.enableCheckpointing(
          kafka.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
      // A request waits at each exchange until its buffer is flushed: see --buffer-timeout.
      env.setBufferTimeout(kafka.bufferTimeout().toMillis());
    }
    DataStream<RawRequest> requests =
        switch (options.source()) {
          case FILE ->
              env.fromSource(
                      new BacklogReportingSource<>(fileSource(options.input())),
                      WatermarkStrategy.noWatermarks(),
                      "requests")
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

  /**
   * Checkpoints of a file run: every {@code --checkpoint-interval} while the input is read, every
   * {@link #TAIL_CHECKPOINT_INTERVAL} once it is all read ({@link BacklogReportingSource}), so the
   * checkpoint that commits the last files follows the end at once. With files out they are
   * retained in the state folder on failure and cancellation; a cluster's own restart strategy is
   * kept, else {@link #restartStrategy}.
   */
  private Configuration fileCheckpointing(ReadableConfig current) {
    Duration interval = options.kafka().fileCheckpointInterval();
    Configuration conf = new Configuration();
    conf.set(
        CheckpointingOptions.CHECKPOINTING_INTERVAL,
        interval.compareTo(TAIL_CHECKPOINT_INTERVAL) < 0 ? interval : TAIL_CHECKPOINT_INTERVAL);
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL_DURING_BACKLOG, interval);
    conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    if (options.resumable()) {
      conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
      conf.set(
          CheckpointingOptions.CHECKPOINTS_DIRECTORY,
          RunState.in(options.output()).checkpoints().toUri().toString());
      conf.set(
          CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
          ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }
    if (!current.getOptional(RestartStrategyOptions.RESTART_STRATEGY).isPresent()) {
      restartStrategy(conf);
    }
    return conf;
  }

  /**
   * Exponential delay from 1 s up to 30 s, 10 attempts: it outlasts the 12-17 s a cluster takes to
   * drop a lost TaskManager (restarts fail until then) without using up its attempts, and still
   * ends a job whose failure repeats on every restart in about 3 minutes rather than never.
   */
  static void restartStrategy(Configuration conf) {
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
    conf.set(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
        Duration.ofSeconds(1));
    conf.set(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
        Duration.ofSeconds(30));
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, 10);
  }

  /** Where {@link OutputCounters} leaves the counts at each checkpoint; null without state. */
  private String countsFolder() {
    return options.resumable() && options.output() != null
        ? RunState.in(options.output()).counts().toUri().toString()
        : null;
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

    Configuration config = BoundedRun.localConfiguration();
    config.addAll(flinkConfig);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    RunState.Done resumed = new RunState.Done(0, 0);
    Optional<String> restoring =
        env.getConfiguration().getOptional(StateRecoveryOptions.SAVEPOINT_PATH);
    if (restoring.isPresent()) {
      // `flink run -s`: the checkpoint or savepoint named holds the run's progress and its
      // results so far, so nothing in --output may go.
      console.println("Resuming: from " + restoring.get() + " (flink run -s)");
    } else if (options.resumable()) {
      Optional<JobSummary> complete = completedRun();
      if (complete.isPresent()) {
        alreadyComplete = true;
        return complete.get();
      }
      Optional<RunState.Checkpoint> from = startOrResume();
      if (from.isPresent()) {
        resumed = state().doneAt(from.get());
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, from.get().folder().toString());
        env.configure(restore);
        console.println(
            "Resuming: "
                + resumed.requests()
                + " requests ("
                + resumed.pairs()
                + " pairs) already done, from checkpoint "
                + from.get().name()
                + " in "
                + from.get().folder());
      }
    } else if (options.sink() != SinkKind.KAFKA) {
      prepareOutput(options.output().toAbsolutePath());
    }
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
        BoundedRun.execute(
            env, jobName(), InputTotals.countAsync(options.input()), resumed, console);
    JobSummary summary =
        JobSummary.of(
                result.getAllAccumulatorResults(), Duration.ofNanos(System.nanoTime() - start))
            .resuming(resumed.requests());
    if (options.resumable() && restoring.isEmpty()) {
      state().complete(summary);
      removeUncommittedFiles(options.output().toAbsolutePath());
    }

    console.println("Results: " + describeResults());
    console.println("Summary: " + summary.line());
    return summary;
  }

  /** Whether the last {@link #run} found its output complete from an earlier run. */
  public boolean foundComplete() {
    return alreadyComplete;
  }

  private RunState state() {
    return RunState.in(options.output());
  }

  /**
   * The summary of the completed run on {@code --output} when this command re-runs it (same
   * fingerprint, neither --fresh nor --overwrite), after saying so; empty otherwise.
   */
  private Optional<JobSummary> completedRun() throws IOException {
    RunState state = state();
    if (options.fresh() || options.overwrite() || !state.exists()) {
      return Optional.empty();
    }
    Optional<JobSummary> complete = state.completed();
    if (complete.isEmpty()
        || !RunState.differences(state.fingerprint(), RunFingerprint.of(options)).isEmpty()) {
      return Optional.empty();
    }
    console.println(
        "Output complete: "
            + describeResults()
            + " holds every request of this run ("
            + complete.get().line()
            + "); nothing to do. Add --fresh to run it again.");
    return complete;
  }

  /**
   * Starts a fresh run on {@code --output} or finds the checkpoint to resume the interrupted one
   * from; refuses (exit code 2) a re-run whose inputs, models or options differ from it.
   */
  private Optional<RunState.Checkpoint> startOrResume() throws IOException {
    Path output = options.output().toAbsolutePath();
    RunState state = state();
    Map<String, String> fingerprint = RunFingerprint.of(options);
    boolean interrupted = state.exists() && state.completed().isEmpty();
    if (interrupted && !options.fresh()) {
      List<String> changed = RunState.differences(state.fingerprint(), fingerprint);
      if (!changed.isEmpty()) {
        throw new IllegalArgumentException(
            "--output "
                + output
                + " holds an interrupted run of another command ("
                + String.join(", ", changed)
                + " changed); run that command again to resume it, or add --fresh to discard it"
                + " and start over");
      }
      Optional<RunState.Checkpoint> latest = state.latestCheckpoint();
      if (latest.isPresent()) {
        return latest;
      }
      // Killed before its first checkpoint: nothing was committed, so there is nothing to keep.
      removeResults(output);
    } else if (options.fresh()) {
      removeResults(output);
    } else {
      prepareOutput(output);
    }
    state.begin(fingerprint);
    return Optional.empty();
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
        // Rolled on every checkpoint, so what a checkpoint covers is committed, visible output.
        .withRollingPolicy(OnCheckpointRollingPolicy.build())
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

  /** Result files of an earlier run in {@code output}, committed or not (hidden). */
  private static List<Path> results(Path output) throws IOException {
    if (!Files.isDirectory(output)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(output)) {
      return files
          .filter(
              f ->
                  f.getFileName().toString().startsWith(OUTPUT_PREFIX)
                      || f.getFileName().toString().startsWith("." + OUTPUT_PREFIX))
          .toList();
    }
  }

  private static void removeResults(Path output) throws IOException {
    for (Path file : results(output)) {
      Files.delete(file);
    }
    RunState.in(output).discard();
  }

  /**
   * Removes the hidden part files that attempts killed after their last checkpoint left behind:
   * their content was written again after the restore, into committed files.
   */
  private static void removeUncommittedFiles(Path output) throws IOException {
    for (Path file : results(output)) {
      if (file.getFileName().toString().startsWith(".")) {
        Files.delete(file);
      }
    }
  }

  private void prepareOutput(Path output) throws IOException {
    Files.createDirectories(output);
    List<Path> previous = results(output);
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
    removeResults(output);
  }
}
