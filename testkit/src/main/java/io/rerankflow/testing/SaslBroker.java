package io.rerankflow.testing;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.metadata.authorizer.StandardAuthorizer;

/**
 * An in-JVM KRaft broker that asks for credentials: its one listener is SASL_PLAINTEXT with
 * SCRAM-SHA-512 for clients (users made with {@link #addUser}) and PLAIN for the test kit's
 * super-user, which sets up topics, users and ACLs; no ACL means no access.
 */
public final class SaslBroker extends InJvmBroker {
  public static final String MECHANISM = "SCRAM-SHA-512";

  private SaslBroker(KafkaClusterTestKit cluster) {
    super(cluster);
  }

  public static SaslBroker start() throws Exception {
    return new SaslBroker(
        started(
            cluster(nodes().setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT))
                // PLAIN stays for the kit's own super-user (its JAAS file); clients use SCRAM.
                .setConfigProp("sasl.enabled.mechanisms", "PLAIN," + MECHANISM)
                .setConfigProp("sasl.mechanism.inter.broker.protocol", "PLAIN")
                .setConfigProp(
                    "listener.name.external.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                // The controller too decides on ACL changes; the broker reaches it
                // unauthenticated.
                .setConfigProp("authorizer.class.name", StandardAuthorizer.class.getName())
                .setConfigProp("allow.everyone.if.no.acl.found", "false")
                .setConfigProp(
                    "super.users", "User:" + JaasUtils.KAFKA_PLAIN_ADMIN + ";User:ANONYMOUS")));
  }

  /** Client properties of {@code user} with {@code password}, as --kafka-property values. */
  public static Map<String, String> client(String user, String password) {
    return Map.of(
        "security.protocol",
        "SASL_PLAINTEXT",
        "sasl.mechanism",
        MECHANISM,
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + user
            + "\" password=\""
            + password
            + "\";");
  }

  /** Adds a SCRAM-SHA-512 user and waits until the broker takes its password. */
  public void addUser(String user, String password) throws Exception {
    try (Admin admin = admin()) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
          .all()
          .get();
    }
    Properties props = new Properties();
    props.putAll(client(user, password));
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try (Admin admin = Admin.create(props)) {
        admin.describeCluster().clusterId().get();
        return;
      } catch (Exception e) {
        // The credential reaches the broker through the metadata log, a moment later.
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the broker never took the password of " + user, e);
        }
        Thread.sleep(200);
      }
    }
  }

  /** Allows {@code user} the operations on one literal resource. */
  public void allow(String user, ResourceType type, String name, AclOperation... operations)
      throws Exception {
    try (Admin admin = admin()) {
      admin
          .createAcls(
              Arrays.stream(operations)
                  .map(
                      op ->
                          new AclBinding(
                              new ResourcePattern(type, name, PatternType.LITERAL),
                              new AccessControlEntry(
                                  "User:" + user, "*", op, AclPermissionType.ALLOW)))
                  .toList())
          .all()
          .get();
    }
  }

  @Override
  public Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
    props.put("security.protocol", "SASL_PLAINTEXT");
    props.put("sasl.mechanism", "PLAIN");
    props.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + JaasUtils.KAFKA_PLAIN_ADMIN
            + "\" password=\""
            + JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD
            + "\";");
    return Admin.create(props);
  }

  @Override
  public String describe() {
    return "in-JVM KRaft broker with SASL_PLAINTEXT/"
        + MECHANISM
        + " and ACLs at "
        + bootstrapServers();
  }
}
