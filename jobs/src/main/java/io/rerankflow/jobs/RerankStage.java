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

  public static DataStream<RerankOutput> apply(
      DataStream<RawRequest> requests,
      EngineSettings engine,
      int parallelism,
      int capacity,
      Duration timeout) {
    return AsyncDataStream.unorderedWait(
            requests.rebalance(),
            new RerankAsyncFunction(engine),
            timeout.toMillis(),
            TimeUnit.MILLISECONDS,
            capacity)
        .name("rerank")
        .uid("rerank")
        .setParallelism(parallelism);
  }
}
