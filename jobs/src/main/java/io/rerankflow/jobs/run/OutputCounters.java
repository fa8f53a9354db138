package io.rerankflow.jobs.run;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RerankOutput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem.WriteMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

/**
 * Counts outputs on their way to the sink (Flink accumulators): the end-of-run summary reads them
 * from the job's result, and the progress line polls them from the running job.
 *
 * <p>A resumable run also keeps the requests and pairs done since its start in operator state and,
 * at each checkpoint, writes them to {@code COUNTS/chk-N/subtask-I} (see {@link RunState}): that is
 * how a re-run knows how much its checkpoint had already done before any task runs.
 */
public final class OutputCounters extends RichMapFunction<RerankOutput, RerankOutput>
    implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;

  public static final String REQUESTS = "rerankflow.requests";
  public static final String PAIRS = "rerankflow.pairs";
  public static final String ERRORS = "rerankflow.errors";

  /** Prefix of the per-kind error counters: {@code rerankflow.errors.<error type>}. */
  public static final String ERRORS_OF_KIND = "rerankflow.errors.";

  private transient LongCounter requests;
  private transient LongCounter pairs;
  private transient LongCounter errors;
  private transient Map<ErrorKind, LongCounter> errorsByKind;

  /** Where the counts at each checkpoint go; null when nobody reads them. */
  private final String countsFolder;

  private transient ListState<Long> doneState;
  private transient long requestsDone;
  private transient long pairsDone;

  public OutputCounters() {
    this(null);
  }

  /**
   * @param countsFolder a Flink file system URI for the counts at each checkpoint, or null
   */
  public OutputCounters(String countsFolder) {
    this.countsFolder = countsFolder;
  }

  @Override
  public void open(OpenContext openContext) {
    requests = getRuntimeContext().getLongCounter(REQUESTS);
    pairs = getRuntimeContext().getLongCounter(PAIRS);
    errors = getRuntimeContext().getLongCounter(ERRORS);
    errorsByKind = new EnumMap<>(ErrorKind.class);
    for (ErrorKind kind : ErrorKind.values()) {
      errorsByKind.put(kind, getRuntimeContext().getLongCounter(ERRORS_OF_KIND + kind.type()));
    }
  }

  @Override
  public RerankOutput map(RerankOutput out) {
    requests.add(1);
    requestsDone++;
    if (out.isError()) {
      errors.add(1);
      errorsByKind.get(out.failure().kind()).add(1);
    } else {
      pairs.add(out.scoredPairs);
      pairsDone += out.scoredPairs;
    }
    return out;
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    doneState =
        context
            .getOperatorStateStore()
            .getListState(new ListStateDescriptor<>("requests-and-pairs-done", Long.class));
    // Pairs of entries (requests, pairs); a rescaled restore may hand one subtask several.
    List<Long> entries = new ArrayList<>();
    doneState.get().forEach(entries::add);
    for (int i = 0; i + 1 < entries.size(); i += 2) {
      requestsDone += entries.get(i);
      pairsDone += entries.get(i + 1);
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    doneState.update(List.of(requestsDone, pairsDone));
    if (countsFolder != null) {
      Path file =
          new Path(
              countsFolder,
              "chk-"
                  + context.getCheckpointId()
                  + "/subtask-"
                  + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
      try (FSDataOutputStream out = file.getFileSystem().create(file, WriteMode.OVERWRITE)) {
        out.write((requestsDone + " " + pairsDone + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
