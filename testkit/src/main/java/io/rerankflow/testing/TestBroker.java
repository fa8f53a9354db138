package io.rerankflow.testing;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A real Kafka broker for tests: an in-JVM KRaft broker ({@code KafkaClusterTestKit}), so nothing
 * is pulled at run time. {@code -Drerankflow.test.broker=container} asks for a Testcontainers
 * {@code KafkaContainer} instead (it needs a Docker engine and pulls {@code apache/kafka}).
 */
public interface TestBroker extends AutoCloseable {

  String bootstrapServers();

  /** Stops the broker (the KRaft controller keeps running where it is separate). */
  void stopBroker() throws Exception;

  /** Starts the stopped broker again on the same address and waits until it serves. */
  void startBroker() throws Exception;

  /** Which kind this is, for test output. */
  String describe();

  static TestBroker start() throws Exception {
    String kind = System.getProperty("rerankflow.test.broker", "in-jvm");
    return switch (kind) {
      case "in-jvm" -> InJvmBroker.start();
      case "container" -> ContainerBroker.start();
      default ->
          throw new IllegalArgumentException(
              "-Drerankflow.test.broker=" + kind + ": use in-jvm (the default) or container");
    };
  }

  default void createTopics(int partitions, String... topics) throws Exception {
    try (Admin admin = admin()) {
      admin
          .createTopics(
              java.util.Arrays.stream(topics)
                  .map(t -> new NewTopic(t, partitions, (short) 1))
                  .toList())
          .all()
          .get();
    }
  }

  default Admin admin() {
    Properties props = new Properties();
    props.putAll(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            (int) Duration.ofSeconds(60).toMillis()));
    return Admin.create(props);
  }
}
