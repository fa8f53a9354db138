package io.rerankflow.sql;

import io.rerankflow.inference.EngineSettings;
import java.time.Duration;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;

/**
 * A checked rerankflow model, ready to run: the planner asks it for the async predict function of
 * each {@code ML_PREDICT} (the async path keeps in-flight rows in Flink's checkpoints).
 */
public final class RerankModelProvider implements AsyncPredictRuntimeProvider {
  private final EngineSettings settings;
  private final NimRows rows;
  private final boolean extensions;
  private final Duration timeout;
  private final FlinkAsyncSettings session;

  /**
   * @param timeout the model's {@code timeout} option, or null for 90% of Flink's async timeout
   * @param session Flink's async limits as the session sets them
   */
  RerankModelProvider(
      EngineSettings settings,
      NimRows rows,
      boolean extensions,
      Duration timeout,
      FlinkAsyncSettings session) {
    this.settings = settings;
    this.rows = rows;
    this.extensions = extensions;
    this.timeout = timeout;
    this.session = session;
  }

  @Override
  public AsyncPredictFunction createAsyncPredictFunction(Context context) {
    // The context's runtime config holds the call's config map only; the session's SET values
    // come from the factory.
    FlinkAsyncSettings flink = session.forCall(context.runtimeConfig());
    Duration flinkTimeout = flink.timeout();
    if (timeout != null && timeout.compareTo(flinkTimeout) >= 0) {
      // Flink's timeout fails the job; the model's must fire first so a slow row is an answer.
      throw new ValidationException(
          "rerankflow model: 'timeout' ("
              + timeout
              + ") must be below table.exec.async-ml-predict.timeout ("
              + flinkTimeout
              + "); lower it or raise Flink's, e.g. SET"
              + " 'table.exec.async-ml-predict.timeout' = '1 h'");
    }
    Duration effective = timeout != null ? timeout : flinkTimeout.multipliedBy(9).dividedBy(10);
    return new RerankPredictFunction(
        settings, rows, extensions, effective, flink.maxConcurrentOperations());
  }

  @Override
  public ModelProvider copy() {
    return new RerankModelProvider(settings, rows, extensions, timeout, session);
  }
}
