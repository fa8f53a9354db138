package io.rerankflow.testing;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.net.ServerSocket;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A broker in the official {@code apache/kafka} image. Its host port is fixed before start, so a
 * stopped and restarted container keeps the address clients and advertised listeners use.
 */
public final class ContainerBroker implements TestBroker {
  public static final String IMAGE = "apache/kafka:4.2.0";

  private final KafkaContainer container;

  private ContainerBroker(KafkaContainer container) {
    this.container = container;
  }

  @SuppressWarnings("resource")
  public static ContainerBroker start() throws Exception {
    int hostPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      hostPort = socket.getLocalPort();
    }
    KafkaContainer container =
        new KafkaContainer(DockerImageName.parse(IMAGE))
            .withCreateContainerCmdModifier(
                cmd ->
                    cmd.getHostConfig()
                        .withPortBindings(
                            new PortBinding(
                                Ports.Binding.bindIpAndPort("127.0.0.1", hostPort),
                                new ExposedPort(9092))));
    container.start();
    return new ContainerBroker(container);
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public void stopBroker() {
    container.getDockerClient().stopContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public void startBroker() throws Exception {
    container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
    try (var admin = admin()) {
      admin.describeCluster().nodes().get();
    }
  }

  @Override
  public String describe() {
    return "Testcontainers " + IMAGE + " at " + bootstrapServers();
  }

  @Override
  public void close() {
    container.stop();
  }
}
