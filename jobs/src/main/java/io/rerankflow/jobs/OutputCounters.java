package io.rerankflow.jobs;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RerankOutput;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Counts outputs on their way to the sink (Flink accumulators): the end-of-run summary reads them
 * from the job's result, and the progress line polls them from the running job.
 */
public final class OutputCounters extends RichMapFunction<RerankOutput, RerankOutput> {
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
    if (out.isError()) {
      errors.add(1);
      errorsByKind.get(out.failure().kind()).add(1);
    } else {
      pairs.add(out.scoredPairs);
    }
    return out;
  }
}
