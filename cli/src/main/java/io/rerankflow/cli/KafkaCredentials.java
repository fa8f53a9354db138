package io.rerankflow.cli;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;

/**
 * Asks the brokers once, at start, whether they take the client's credentials: the job and the edge
 * then fail at once with one line naming the cause (a wrong SASL password, an unknown mechanism, a
 * TLS trust failure) instead of starting and retrying forever. Brokers that do not answer within
 * the bound are not an error here: the job and the edge wait for brokers as before.
 */
public final class KafkaCredentials {
  static final Duration BOUND = Duration.ofSeconds(10);

  private KafkaCredentials() {}

  /** Fails with an {@link IllegalArgumentException} when the brokers refuse the credentials. */
  public static void check(String bootstrapServers, Properties client) {
    Properties props = new Properties();
    props.putAll(client);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) BOUND.toMillis());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) BOUND.toMillis());
    props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "rerankflow-credentials-check");
    try (Admin admin = Admin.create(props)) {
      admin.describeCluster().clusterId().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuthenticationException refused) {
        throw new IllegalArgumentException(
            "Kafka at "
                + bootstrapServers
                + " refused the client's credentials: "
                + refused.getMessage()
                + " (check the --kafka-property security.protocol, sasl.* and ssl.* settings)",
            refused);
      }
    } catch (TimeoutException e) {
      // Brokers not reachable yet: not a credentials problem.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
