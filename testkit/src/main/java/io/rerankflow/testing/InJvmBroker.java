package io.rerankflow.testing;

import kafka.server.BrokerServer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single KRaft broker with a separate controller, inside this JVM, on loopback ports that stay
 * the same across a broker restart.
 */
public class InJvmBroker implements TestBroker {
  private final KafkaClusterTestKit cluster;

  InJvmBroker(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  public static InJvmBroker start() throws Exception {
    return new InJvmBroker(started(cluster(nodes())));
  }

  /**
   * One controller and one broker at the released metadata version: the test kit would otherwise
   * bootstrap the newest, still unstable one.
   */
  static TestKitNodes.Builder nodes() {
    return new TestKitNodes.Builder()
        .setCombined(false)
        .setNumControllerNodes(1)
        .setNumBrokerNodes(1)
        .setBootstrapMetadataVersion(MetadataVersion.LATEST_PRODUCTION);
  }

  /** The settings of a one-broker cluster with only stable APIs and features. */
  static KafkaClusterTestKit.Builder cluster(TestKitNodes.Builder nodes) {
    return new KafkaClusterTestKit.Builder(nodes.build())
        // One broker: internal topics cannot have more replicas than that.
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "2")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("transaction.state.log.num.partitions", "2")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("unstable.api.versions.enable", "false")
        .setConfigProp("unstable.feature.versions.enable", "false");
  }

  /** Builds, formats and starts the cluster, and waits until its broker serves. */
  static KafkaClusterTestKit started(KafkaClusterTestKit.Builder builder) throws Exception {
    KafkaClusterTestKit cluster = builder.build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    return cluster;
  }

  @Override
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  @Override
  public void stopBroker() {
    BrokerServer broker = broker();
    broker.shutdown();
    broker.awaitShutdown();
  }

  @Override
  public void startBroker() {
    broker().startup();
  }

  private BrokerServer broker() {
    return cluster.brokers().values().iterator().next();
  }

  @Override
  public String describe() {
    return "in-JVM KRaft broker (KafkaClusterTestKit) at " + bootstrapServers();
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
