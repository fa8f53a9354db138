package io.rerankflow.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/** The edge's producer sends each request at once, unless a client property says otherwise. */
class EdgeKafkaSettingsTest {
  @Test
  void requestsAreSentWithoutLingerByDefault() {
    Properties props = EdgeServer.producerProperties(new Properties(), 1 << 20);

    assertThat(props).containsEntry(ProducerConfig.LINGER_MS_CONFIG, "0");
  }

  @Test
  void aGivenLingerWins() {
    Properties client = new Properties();
    client.put(ProducerConfig.LINGER_MS_CONFIG, "7");

    assertThat(EdgeServer.producerProperties(client, 1 << 20))
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "7");
  }
}
