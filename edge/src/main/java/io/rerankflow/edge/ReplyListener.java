package io.rerankflow.edge;

import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.schemas.TransportHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads this instance's replies from the results topic and completes the request waiting for each,
 * under supervision: when the loop fails it reopens its consumer where it stopped and goes on, and
 * while it is down {@link #live()} says so.
 *
 * <p>Replies are routed by filtering: every instance reads the whole results topic (assigned, no
 * consumer group, from its end at start-up) and keeps the records whose {@code correlation-id}
 * header carries a request it is still waiting for, and whose output carries the same id. The job
 * needs no routing of its own, and nothing a request carries can make the job write elsewhere.
 */
final class ReplyListener implements AutoCloseable {
  /** The header the job copies from request to result (one of its default correlation headers). */
  static final String CORRELATION_HEADER = "correlation-id";

  private static final Logger LOG = LoggerFactory.getLogger(ReplyListener.class);
  private static final Duration POLL = Duration.ofMillis(100);

  /** A poll loop that has not come round for this long is stuck: not live. */
  private static final long STALL_NANOS = Duration.ofSeconds(30).toNanos();

  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final String resultsTopic;
  private final String instancePrefix;
  private final Supplier<Consumer<byte[], byte[]>> consumers;
  private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  private final AtomicLong lateReplies = new AtomicLong();
  private final AtomicLong lateScoredPairs = new AtomicLong();
  private final AtomicLong mismatchedReplies = new AtomicLong();
  private final AtomicLong restarts = new AtomicLong();
  private final Thread thread;
  private volatile Consumer<byte[], byte[]> consumer;
  private volatile boolean polling;
  private volatile long lastPollNanos = System.nanoTime();
  private volatile boolean running = true;

  /** A published request: when it was published, and who waits for its result. */
  private record Waiting(long publishedAtMillis, CompletableFuture<PipelineReply> reply) {}

  ReplyListener(
      String resultsTopic, String instanceId, Supplier<Consumer<byte[], byte[]>> consumers) {
    this.resultsTopic = resultsTopic;
    this.instancePrefix = instanceId + "/";
    this.consumers = consumers;
    this.thread = new Thread(this::supervise, "edge-replies-" + instanceId);
    this.thread.setDaemon(true);
  }

  /**
   * Assigns the consumer to the end of the results topic before returning, so no result of a
   * request published afterwards is skipped, then starts reading.
   */
  void start(Duration timeout) {
    Consumer<byte[], byte[]> first = consumers.get();
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      first
          .partitionsFor(resultsTopic, timeout)
          .forEach(p -> partitions.add(new TopicPartition(resultsTopic, p.partition())));
      first.assign(partitions);
      first.seekToEnd(partitions);
      // seekToEnd is lazy: resolve it now, before any request can be published.
      partitions.forEach(p -> positions.put(p, first.position(p, timeout)));
    } catch (RuntimeException e) {
      first.close(Duration.ZERO);
      throw e;
    }
    consumer = first;
    polling = true;
    thread.start();
  }

  /** The prefix of the ids (and correlation headers) of this instance's requests. */
  String newId(String unique) {
    return instancePrefix + unique;
  }

  /** Registers {@code id} as published at {@code publishedAtMillis}; the future gets its reply. */
  CompletableFuture<PipelineReply> expect(String id, long publishedAtMillis) {
    CompletableFuture<PipelineReply> reply = new CompletableFuture<>();
    waiting.put(id, new Waiting(publishedAtMillis, reply));
    reply.whenComplete((r, e) -> waiting.remove(id));
    return reply;
  }

  private void supervise() {
    long backoffMillis = 100;
    while (running) {
      try {
        if (consumer == null) {
          consumer = reopen();
        }
        polling = true;
        readReplies(consumer);
      } catch (WakeupException e) {
        // close() stops the loop
      } catch (Throwable t) {
        if (!running) {
          break;
        }
        // Any failure of the loop: report it, start over from the last position, never end.
        polling = false;
        restarts.incrementAndGet();
        LOG.error("The reply listener failed; restarting it in {} ms", backoffMillis, t);
        closeQuietly(consumer);
        consumer = null;
        sleep(backoffMillis);
        backoffMillis = Math.min(MAX_BACKOFF.toMillis(), backoffMillis * 2);
        continue;
      }
      backoffMillis = 100;
    }
    polling = false;
    closeQuietly(consumer);
  }

  private Consumer<byte[], byte[]> reopen() {
    Consumer<byte[], byte[]> fresh = consumers.get();
    try {
      fresh.assign(positions.keySet());
      positions.forEach(fresh::seek);
      return fresh;
    } catch (RuntimeException e) {
      closeQuietly(fresh);
      throw e;
    }
  }

  private void readReplies(Consumer<byte[], byte[]> from) {
    while (running) {
      lastPollNanos = System.nanoTime();
      for (ConsumerRecord<byte[], byte[]> record : from.poll(POLL)) {
        positions.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
        accept(record);
      }
    }
  }

  private void accept(ConsumerRecord<byte[], byte[]> record) {
    long repliedMicros = TransportHeaders.nowMicros();
    Header header = record.headers().lastHeader(CORRELATION_HEADER);
    if (header == null || header.value() == null) {
      return;
    }
    String id = new String(header.value(), StandardCharsets.UTF_8);
    if (!id.startsWith(instancePrefix)) {
      return; // another instance's, or not the edge's at all
    }
    Waiting w = waiting.get(id);
    if (w == null) {
      // Timed out or abandoned already, or a repeat after the job's restore.
      lateReplies.incrementAndGet();
      countLateScoredPairs(record.value());
      return;
    }
    RerankOutput output;
    try {
      output = OutputJson.fromPipelineJson(new String(record.value(), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      // One unreadable result fails its own request, never the listener.
      answered(id, w).completeExceptionally(e);
      return;
    }
    if (!id.equals(output.id)) {
      // The header says it is ours but the record is about another request: not its answer.
      mismatchedReplies.incrementAndGet();
      LOG.warn("Result {} carries correlation id {}; ignored", output.id, id);
      return;
    }
    answered(id, w)
        .complete(
            new PipelineReply(
                output,
                record.timestamp() - w.publishedAtMillis(),
                StageTimes.of(headers(record), repliedMicros)));
  }

  /**
   * Stops waiting for {@code id} before its future completes, so whoever wakes on the reply already
   * sees it gone from {@link #waiting()} (the future's own clean-up runs only after its waiters).
   */
  private CompletableFuture<PipelineReply> answered(String id, Waiting w) {
    waiting.remove(id, w);
    return w.reply();
  }

  private static Map<String, byte[]> headers(ConsumerRecord<byte[], byte[]> record) {
    Map<String, byte[]> headers = new HashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), header.value());
    }
    return headers;
  }

  /** The job's work for a request nobody waits for any more: what deadlines should save. */
  private void countLateScoredPairs(byte[] value) {
    try {
      RerankOutput late = OutputJson.fromPipelineJson(new String(value, StandardCharsets.UTF_8));
      if (!late.isError()) {
        lateScoredPairs.addAndGet(late.indices.length);
      }
    } catch (RuntimeException e) {
      // unreadable: nothing to count
    }
  }

  /** Whether the loop runs and has polled recently: false while it restarts or is stuck. */
  boolean live() {
    return running
        && thread.isAlive()
        && polling
        && System.nanoTime() - lastPollNanos < STALL_NANOS;
  }

  /** Results that arrived for no waiting request (timed out, abandoned or repeated): dropped. */
  long lateReplies() {
    return lateReplies.get();
  }

  /** Pairs the job ranked in results that arrived for no waiting request. */
  long lateScoredPairs() {
    return lateScoredPairs.get();
  }

  /** Results whose correlation header and output id disagree: dropped. */
  long mismatchedReplies() {
    return mismatchedReplies.get();
  }

  /** How often the loop failed and was started over. */
  long restarts() {
    return restarts.get();
  }

  /** Requests waiting for their result now. */
  int waiting() {
    return waiting.size();
  }

  @Override
  public void close() {
    running = false;
    Consumer<byte[], byte[]> current = consumer;
    if (current != null) {
      current.wakeup();
    }
    if (thread.isAlive()) {
      try {
        thread.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else {
      closeQuietly(consumer);
    }
  }

  private static void closeQuietly(Consumer<byte[], byte[]> c) {
    if (c != null) {
      try {
        c.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.debug("Closing the reply consumer failed", e);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
