package io.rerankflow.sql;

import io.rerankflow.inference.EngineSettings;
import java.time.Duration;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
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

  /**
   * @param timeout the model's {@code timeout} option, or null for 90% of Flink's async timeout
   */
  RerankModelProvider(EngineSettings settings, NimRows rows, boolean extensions, Duration timeout) {
    this.settings = settings;
    this.rows = rows;
    this.extensions = extensions;
    this.timeout = timeout;
  }

  @Override
  public AsyncPredictFunction createAsyncPredictFunction(Context context) {
    Duration flinkTimeout =
        context.runtimeConfig().get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_TIMEOUT);
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
    return new RerankPredictFunction(settings, rows, extensions, effective);
  }

  @Override
  public ModelProvider copy() {
    return new RerankModelProvider(settings, rows, extensions, timeout);
  }
}
