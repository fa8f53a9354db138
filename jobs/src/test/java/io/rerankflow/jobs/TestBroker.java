package io.rerankflow.jobs;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.testcontainers.DockerClientFactory;

/**
 * A real Kafka broker for tests: a Testcontainers {@code KafkaContainer} when a Docker engine
 * answers, otherwise an in-JVM KRaft broker ({@code KafkaClusterTestKit}). Set {@code
 * -Drerankflow.test.broker=in-jvm|container} to force one.
 */
interface TestBroker extends AutoCloseable {

  String bootstrapServers();

  /** Stops the broker (the KRaft controller keeps running where it is separate). */
  void stopBroker() throws Exception;

  /** Starts the stopped broker again on the same address and waits until it serves. */
  void startBroker() throws Exception;

  /** Which kind this is, for test output. */
  String describe();

  static TestBroker start() throws Exception {
    String forced = System.getProperty("rerankflow.test.broker", "");
    boolean container = forced.equals("container") || (forced.isEmpty() && dockerAvailable());
    return container ? ContainerBroker.start() : InJvmBroker.start();
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
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
