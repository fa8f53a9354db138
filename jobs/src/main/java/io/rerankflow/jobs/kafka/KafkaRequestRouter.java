package io.rerankflow.jobs.kafka;

import io.rerankflow.schemas.RawRequest;
import io.rerankflow.schemas.RequestParser;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns Kafka records into requests. Every record goes on as a {@link RawRequest}, so it yields
 * exactly one result or error record; one whose bytes are not a JSON object also goes to the {@link
 * #DEAD_LETTERS} side output and is counted in the {@code deadLetters} metric.
 */
public final class KafkaRequestRouter extends ProcessFunction<KafkaRequest, RawRequest> {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

  /** The name of the counter metric of dead letters. */
  public static final String DEAD_LETTER_METRIC = "deadLetters";

  private final Set<String> correlationHeaders;
  private transient Counter deadLetters;

  public KafkaRequestRouter(Set<String> correlationHeaders) {
    this.correlationHeaders = Set.copyOf(correlationHeaders);
  }

  @Override
  public void open(OpenContext openContext) {
    deadLetters = getRuntimeContext().getMetricGroup().counter(DEAD_LETTER_METRIC);
  }

  @Override
  public void processElement(KafkaRequest record, Context ctx, Collector<RawRequest> out) {
    RawRequest request = record.toRawRequest(correlationHeaders);
    Optional<String> malformed =
        RequestParser.notAJsonObject(request.payload, request.recordOrigin());
    if (malformed.isPresent()) {
      deadLetters.inc();
      ctx.output(DEAD_LETTERS, DeadLetter.of(record, malformed.get()));
    }
    out.collect(request);
  }
}
