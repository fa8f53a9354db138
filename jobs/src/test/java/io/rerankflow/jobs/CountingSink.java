package io.rerankflow.jobs;

import io.rerankflow.schemas.RerankOutput;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** A test sink that counts what reaches it, so a test can act while a job is mid-run. */
final class CountingSink implements Sink<RerankOutput> {
  private static final long serialVersionUID = 1L;

  // The MiniCluster runs in the test's JVM, so a static counter is visible to the test.
  static final AtomicInteger RECEIVED = new AtomicInteger();

  @Override
  public SinkWriter<RerankOutput> createWriter(WriterInitContext context) {
    return new SinkWriter<>() {
      @Override
      public void write(RerankOutput element, Context context) {
        RECEIVED.incrementAndGet();
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
