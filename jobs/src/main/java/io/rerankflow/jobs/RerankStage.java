package io.rerankflow.jobs;

import io.rerankflow.inference.EngineSettings;
import io.rerankflow.operators.RerankAsyncFunction;
import io.rerankflow.schemas.RawRequest;
import io.rerankflow.schemas.RerankOutput;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Adds the reranking operator to a stream of raw requests, whatever their source. */
public final class RerankStage {
  private RerankStage() {}

  /**
   * The reranking operator behind {@code requests}, rebalanced over {@code parallelism} slots, each
   * with at most {@code capacity} requests in flight; a request not answered {@code timeout} after
   * the operator took it becomes a {@code timeout} error record.
   *
   * @param extensions whether requests may use {@code top_n} and {@code return_text}
   */
  public static DataStream<RerankOutput> apply(
      DataStream<RawRequest> requests,
      EngineSettings engine,
      int parallelism,
      int capacity,
      Duration timeout,
      boolean extensions) {
    return AsyncDataStream.unorderedWait(
            requests.rebalance(),
            new RerankAsyncFunction(engine, extensions),
            timeout.toMillis(),
            TimeUnit.MILLISECONDS,
            capacity)
        .name("rerank")
        .uid("rerank")
        .setParallelism(parallelism);
  }
}
