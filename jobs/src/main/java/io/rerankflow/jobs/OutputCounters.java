package io.rerankflow.jobs;

import io.rerankflow.schemas.RerankOutput;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** Counts outputs on their way to the sink, for the end-of-run summary (Flink accumulators). */
public final class OutputCounters extends RichMapFunction<RerankOutput, RerankOutput> {
  private static final long serialVersionUID = 1L;

  public static final String REQUESTS = "rerankflow.requests";
  public static final String PAIRS = "rerankflow.pairs";
  public static final String ERRORS = "rerankflow.errors";

  private transient LongCounter requests;
  private transient LongCounter pairs;
  private transient LongCounter errors;

  @Override
  public void open(OpenContext openContext) {
    requests = getRuntimeContext().getLongCounter(REQUESTS);
    pairs = getRuntimeContext().getLongCounter(PAIRS);
    errors = getRuntimeContext().getLongCounter(ERRORS);
  }

  @Override
  public RerankOutput map(RerankOutput out) {
    requests.add(1);
    if (out.isError()) {
      errors.add(1);
    } else {
      pairs.add(out.indices.length);
    }
    return out;
  }
}
