package io.rerankflow.sql;

import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.api.config.MLPredictRuntimeConfigOptions;

/**
 * Flink's own limits on one {@code ML_PREDICT} call, as its planner resolves them: the call's
 * config map ({@code MAP['max-concurrent-operations', '256']}) over the session's {@code
 * table.exec.async-ml-predict.*}.
 *
 * @param timeout how long Flink lets a row wait before it fails the job
 * @param maxConcurrentOperations rows Flink lets be in flight per slot
 */
record FlinkAsyncSettings(Duration timeout, int maxConcurrentOperations) implements Serializable {
  static final String MAX_CONCURRENT_OPERATIONS =
      ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_MAX_CONCURRENT_OPERATIONS.key();

  /** The session's values ({@code SET}, else Flink's defaults). */
  static FlinkAsyncSettings of(ReadableConfig session) {
    return new FlinkAsyncSettings(
        session.get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_TIMEOUT),
        session.get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_MAX_CONCURRENT_OPERATIONS));
  }

  /** These values with those the call's config map sets. */
  FlinkAsyncSettings forCall(ReadableConfig call) {
    return new FlinkAsyncSettings(
        call.getOptional(MLPredictRuntimeConfigOptions.ASYNC_TIMEOUT).orElse(timeout),
        call.getOptional(MLPredictRuntimeConfigOptions.ASYNC_MAX_CONCURRENT_OPERATIONS)
            .orElse(maxConcurrentOperations));
  }
}
