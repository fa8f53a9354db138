package io.rerankflow.edge;

import io.rerankflow.schemas.TransportHeaders;
import io.rerankflow.schemas.TransportHeaders.Stage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes validated requests to the job's requests topic, each with its correlation id and its
 * deadline ({@link TransportHeaders#DEADLINE}) and stage timestamps, and answers whether the
 * brokers are reachable.
 */
final class RequestPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RequestPublisher.class);

  private final String requestsTopic;
  private final Producer<byte[], byte[]> producer;
  private final Admin admin;
  private final AtomicLong published = new AtomicLong();

  /** Why a record did not reach the requests topic. */
  enum Failure {
    /** Larger than the brokers take. */
    TOO_LARGE,
    /** Brokers unreachable or slow: worth a retry. */
    UNAVAILABLE
  }

  /** Publishing failed; carries no Kafka text for the client, only the kind. */
  static final class PublishException extends RuntimeException {
    final Failure failure;

    PublishException(Failure failure, Throwable cause) {
      super("cannot publish the request: " + failure, cause);
      this.failure = failure;
    }
  }

  RequestPublisher(String requestsTopic, Producer<byte[], byte[]> producer, Admin admin) {
    this.requestsTopic = requestsTopic;
    this.producer = producer;
    this.admin = admin;
  }

  /** Fails unless every topic exists, with a message saying what to do. */
  void requireTopics(List<String> topics, Duration timeout) {
    Set<String> existing;
    try {
      existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot list topics at the brokers (check --bootstrap-servers): " + e.getMessage(), e);
    }
    for (String topic : topics) {
      if (!existing.contains(topic)) {
        throw new IllegalArgumentException(
            "topic "
                + topic
                + " does not exist, or this client may not describe it; create it (docs/kafka.md)"
                + " and start the job on it first, or grant the ACLs (docs/edge.md, Security)");
      }
    }
    // Fetch the requests topic's metadata now, so the first send does not wait for it.
    producer.partitionsFor(requestsTopic);
  }

  /**
   * Publishes {@code value} under {@code id} with {@code deadlineMillis} and the stage timestamps
   * {@link Stage#RECEIVED} ({@code receivedMicros}) and {@link Stage#PUBLISHED} (now); the future
   * completes when the brokers have it, or exceptionally with a {@link PublishException}.
   */
  CompletableFuture<Void> publish(
      String id, byte[] value, long timestampMillis, long deadlineMillis, long receivedMicros) {
    byte[] key = id.getBytes(StandardCharsets.UTF_8);
    List<Header> headers =
        List.of(
            new RecordHeader(ReplyListener.CORRELATION_HEADER, key),
            new RecordHeader(
                TransportHeaders.DEADLINE, TransportHeaders.deadlineValue(deadlineMillis)),
            new RecordHeader(Stage.RECEIVED.header(), TransportHeaders.microsValue(receivedMicros)),
            new RecordHeader(
                Stage.PUBLISHED.header(),
                TransportHeaders.microsValue(TransportHeaders.nowMicros())));
    CompletableFuture<Void> sent = new CompletableFuture<>();
    try {
      producer.send(
          new ProducerRecord<>(requestsTopic, null, timestampMillis, key, value, headers),
          (metadata, error) -> {
            if (error == null) {
              sent.complete(null);
            } else {
              sent.completeExceptionally(failed(error));
            }
          });
      published.incrementAndGet();
    } catch (KafkaException e) {
      sent.completeExceptionally(failed(e));
    }
    return sent;
  }

  private static PublishException failed(Throwable error) {
    LOG.warn("Publishing a request failed", error);
    return new PublishException(
        error instanceof RecordTooLargeException ? Failure.TOO_LARGE : Failure.UNAVAILABLE, error);
  }

  /** Whether a broker answers within {@code timeout}. */
  CompletableFuture<Boolean> brokerReachable(Duration timeout) {
    CompletableFuture<Boolean> reachable = new CompletableFuture<>();
    admin
        .describeCluster()
        .nodes()
        .whenComplete((nodes, error) -> reachable.complete(error == null && !nodes.isEmpty()));
    return reachable.completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Requests handed to the producer so far. */
  long published() {
    return published.get();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
  }
}
