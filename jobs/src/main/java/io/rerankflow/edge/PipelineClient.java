package io.rerankflow.edge;

import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RequestJson;
import io.rerankflow.schemas.RerankOutput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The edge's side of the pipeline: publishes a request with a fresh id and waits for its result.
 *
 * <p>Replies are routed by filtering: every instance reads the whole results topic (assigned, no
 * consumer group, from its end at start-up) and keeps the records whose {@code correlation-id}
 * header carries its own instance prefix and a request it is still waiting for. The job needs no
 * routing of its own, and nothing a request carries can make the job write elsewhere.
 */
final class PipelineClient implements AutoCloseable {
  /** The header the job copies from request to result (one of its default correlation headers). */
  static final String CORRELATION_HEADER = "correlation-id";

  private static final Duration POLL = Duration.ofMillis(100);

  private final String requestsTopic;
  private final String resultsTopic;
  private final String instancePrefix;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Admin admin;
  private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong lateReplies = new AtomicLong();
  private final Thread replyThread;
  private volatile boolean assigned;
  private volatile boolean running = true;

  /** A published request: when it was published, and who waits for its result. */
  private record Waiting(long publishedAtMillis, CompletableFuture<PipelineReply> reply) {}

  private PipelineClient(
      String requestsTopic, String resultsTopic, String instanceId, Properties client) {
    this.requestsTopic = requestsTopic;
    this.resultsTopic = resultsTopic;
    this.instancePrefix = instanceId + "/";
    this.admin =
        Admin.create(with(client, AdminClientConfig.CLIENT_ID_CONFIG, "edge-" + instanceId));
    this.producer =
        new KafkaProducer<>(
            producerProperties(client), new ByteArraySerializer(), new ByteArraySerializer());
    this.consumer =
        new KafkaConsumer<>(
            consumerProperties(client), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.replyThread = new Thread(this::readReplies, "edge-replies-" + instanceId);
    this.replyThread.setDaemon(true);
  }

  /**
   * Connects, checks that both topics exist, and assigns the reply consumer to the end of the
   * results topic before returning, so no result of a request published afterwards is skipped.
   */
  static PipelineClient start(
      String bootstrapServers,
      String requestsTopic,
      String resultsTopic,
      String instanceId,
      Map<String, String> properties,
      Duration startTimeout) {
    Properties client = new Properties();
    client.putAll(properties);
    client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    PipelineClient pipeline = new PipelineClient(requestsTopic, resultsTopic, instanceId, client);
    try {
      pipeline.requireTopics(startTimeout);
      pipeline.assignToEnd(startTimeout);
      // Fetch the requests topic's metadata now, so the first send does not wait for it.
      pipeline.producer.partitionsFor(requestsTopic);
    } catch (RuntimeException e) {
      pipeline.close();
      throw e;
    }
    pipeline.replyThread.start();
    return pipeline;
  }

  private void requireTopics(Duration timeout) {
    Set<String> existing;
    try {
      existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot list topics at the brokers (check --bootstrap-servers): " + e, e);
    }
    for (String topic : List.of(requestsTopic, resultsTopic)) {
      if (!existing.contains(topic)) {
        throw new IllegalArgumentException(
            "topic "
                + topic
                + " does not exist; create it (see README, Kafka) and start the job on it first");
      }
    }
  }

  private void assignToEnd(Duration timeout) {
    List<TopicPartition> partitions = new ArrayList<>();
    consumer
        .partitionsFor(resultsTopic, timeout)
        .forEach(p -> partitions.add(new TopicPartition(resultsTopic, p.partition())));
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    // seekToEnd is lazy: resolve it now, before any request can be published.
    partitions.forEach(p -> consumer.position(p, timeout));
    assigned = true;
  }

  /**
   * Publishes {@code request} under a fresh id; the future completes with its result, or
   * exceptionally when publishing fails or {@code timeout} passes first (a result arriving later is
   * dropped).
   */
  CompletableFuture<PipelineReply> submit(RankingRequest request, Duration timeout) {
    String id = instancePrefix + UUID.randomUUID();
    RankingRequest withId =
        new RankingRequest(
            id,
            request.model(),
            request.query(),
            request.passages(),
            request.truncate(),
            request.response());
    CompletableFuture<PipelineReply> reply = new CompletableFuture<>();
    long now = System.currentTimeMillis();
    waiting.put(id, new Waiting(now, reply));
    reply.whenComplete((r, e) -> waiting.remove(id));
    reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    byte[] key = id.getBytes(StandardCharsets.UTF_8);
    List<Header> headers = List.of(new RecordHeader(CORRELATION_HEADER, key));
    try {
      producer.send(
          new ProducerRecord<>(
              requestsTopic, null, now, key, RequestJson.toPipelineJson(withId), headers),
          (metadata, error) -> {
            if (error != null) {
              reply.completeExceptionally(new PublishException(error));
            }
          });
      published.incrementAndGet();
    } catch (KafkaException e) {
      reply.completeExceptionally(new PublishException(e));
    }
    return reply;
  }

  private void readReplies() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          Header header = record.headers().lastHeader(CORRELATION_HEADER);
          if (header == null || header.value() == null) {
            continue;
          }
          String id = new String(header.value(), StandardCharsets.UTF_8);
          if (!id.startsWith(instancePrefix)) {
            continue; // another instance's, or not the edge's at all
          }
          Waiting w = waiting.get(id);
          if (w == null) {
            // Timed out or abandoned already, or a repeat after the job's restore.
            lateReplies.incrementAndGet();
            continue;
          }
          try {
            RerankOutput output =
                OutputJson.fromPipelineJson(new String(record.value(), StandardCharsets.UTF_8));
            w.reply()
                .complete(new PipelineReply(output, record.timestamp() - w.publishedAtMillis()));
          } catch (RuntimeException e) {
            // One unreadable result fails its own request, never the reply thread.
            w.reply().completeExceptionally(e);
          }
        }
      }
    } catch (WakeupException e) {
      // close() stops the loop
    } finally {
      assigned = false;
    }
  }

  /** Whether the reply consumer is assigned and reading. */
  boolean assigned() {
    return assigned && replyThread.isAlive();
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

  /** Requests published so far. */
  long published() {
    return published.get();
  }

  /** Results that arrived for no waiting request (timed out, abandoned or repeated): dropped. */
  long lateReplies() {
    return lateReplies.get();
  }

  /** Requests waiting for their result now. */
  int waiting() {
    return waiting.size();
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    if (replyThread.isAlive()) {
      try {
        replyThread.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    consumer.close(Duration.ofSeconds(5));
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
  }

  /** Publishing the request to Kafka failed. */
  static final class PublishException extends RuntimeException {
    PublishException(Throwable cause) {
      super("cannot publish the request to Kafka: " + cause.getMessage(), cause);
    }
  }

  private static Properties with(Properties base, String key, String value) {
    Properties props = new Properties();
    props.putAll(base);
    props.put(key, value);
    return props;
  }

  private static Properties producerProperties(Properties client) {
    Properties props = with(client, ProducerConfig.ACKS_CONFIG, "all");
    // A synchronous caller waits for every record: do not hold it back for batching.
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
    props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    return props;
  }

  private static Properties consumerProperties(Properties client) {
    Properties props = with(client, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return props;
  }
}
