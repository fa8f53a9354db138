package io.rerankflow.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The reply listener's supervision and matching, over Kafka's own {@link MockConsumer}. */
class ReplyListenerTest {
  private static final String TOPIC = "results";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

  @Test
  void aFailedLoopIsRestartedFromWhereItStoppedAndIsNotLiveMeanwhile() throws Exception {
    MockConsumer<byte[], byte[]> first = consumer(5);
    MockConsumer<byte[], byte[]> second = consumer(5);
    CountDownLatch reopen = new CountDownLatch(1);
    Queue<Consumer<byte[], byte[]>> consumers = new ConcurrentLinkedQueue<>(List.of(first));
    try (ReplyListener listener =
        new ReplyListener(
            TOPIC,
            "edge-t",
            () -> {
              Consumer<byte[], byte[]> next = consumers.poll();
              if (next != null) {
                return next;
              }
              await(reopen);
              return second;
            })) {
      listener.start(Duration.ofSeconds(5));
      assertThat(listener.live()).isTrue();

      String a = listener.newId("a");
      CompletableFuture<PipelineReply> replyA = listener.expect(a, 0);
      first.addRecord(result(5, a, a));
      assertThat(replyA.get(10, TimeUnit.SECONDS).output().id).isEqualTo(a);

      first.setPollException(new KafkaException("broker said no"));
      eventually(() -> listener.restarts() == 1);
      assertThat(listener.live()).as("down while it cannot reopen").isFalse();

      String b = listener.newId("b");
      CompletableFuture<PipelineReply> replyB = listener.expect(b, 0);
      second.schedulePollTask(() -> second.addRecord(result(6, b, b)));
      reopen.countDown();

      assertThat(replyB.get(10, TimeUnit.SECONDS).output().id).isEqualTo(b);
      assertThat(second.position(P0)).as("resumed after the last record read").isEqualTo(7);
      eventually(listener::live);
    }
  }

  @Test
  void aReplyCountsOnlyWhenHeaderAndOutputIdAgree() throws Exception {
    MockConsumer<byte[], byte[]> consumer = consumer(0);
    try (ReplyListener listener = new ReplyListener(TOPIC, "edge-t", () -> consumer)) {
      listener.start(Duration.ofSeconds(5));
      String a = listener.newId("a");
      String other = listener.newId("other");
      CompletableFuture<PipelineReply> reply = listener.expect(a, 0);

      consumer.addRecord(result(0, a, other));
      consumer.addRecord(result(1, listener.newId("gone"), listener.newId("gone")));
      consumer.addRecord(result(2, a, a));

      assertThat(reply.get(10, TimeUnit.SECONDS).output().id).isEqualTo(a);
      assertThat(listener.mismatchedReplies()).isEqualTo(1);
      assertThat(listener.lateReplies()).isEqualTo(1);
      assertThat(listener.waiting()).isZero();
    }
  }

  private static MockConsumer<byte[], byte[]> consumer(long endOffset) {
    MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("latest");
    consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, null, null, null)));
    consumer.updateEndOffsets(Map.of(P0, endOffset));
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    return consumer;
  }

  private static ConsumerRecord<byte[], byte[]> result(long offset, String header, String id) {
    byte[] value =
        OutputJson.toPipelineJson(RerankOutput.ranked(id, "tiny", new float[] {0.5f}, 3))
            .getBytes(StandardCharsets.UTF_8);
    RecordHeaders headers = new RecordHeaders();
    headers.add(
        new RecordHeader(
            ReplyListener.CORRELATION_HEADER, header.getBytes(StandardCharsets.UTF_8)));
    return new ConsumerRecord<>(
        TOPIC,
        0,
        offset,
        0L,
        TimestampType.CREATE_TIME,
        0,
        value.length,
        id.getBytes(StandardCharsets.UTF_8),
        value,
        headers,
        java.util.Optional.empty());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(condition.getAsBoolean()).isTrue();
  }
}
