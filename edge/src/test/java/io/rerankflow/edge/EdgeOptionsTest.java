package io.rerankflow.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EdgeOptionsTest {
  private static final String[] REQUIRED = {
    "--bootstrap-servers", "127.0.0.1:9092", "--requests-topic", "rq", "--results-topic", "rs"
  };

  @Test
  void defaultsFollowTheNim() {
    EdgeOptions options = parse();
    options.validate();

    assertThat(options.port).isEqualTo(8000);
    assertThat(options.host).isEqualTo("127.0.0.1");
    assertThat(options.requestTimeout).isEqualTo(Duration.ofSeconds(120));
    assertThat(options.models).containsExactly("default");
    assertThat(options.instanceId).startsWith("edge-");
    assertThat(options.maxBodySize + EdgeServer.PUBLISH_OVERHEAD)
        .as("a body at the limit fits Kafka's default record size once published")
        .isEqualTo(1 << 20);
    assertThat(parse().instanceId).isNotEqualTo(options.instanceId);
  }

  @Test
  void badValuesFailNamingTheOption() {
    assertThatThrownBy(() -> parse("--expected-pairs-per-second", "0").validate())
        .hasMessageContaining("--expected-pairs-per-second");
    assertThatThrownBy(() -> parse("--idle-timeout", "0s").validate())
        .hasMessageContaining("--idle-timeout");
    assertThatThrownBy(() -> parse("--max-connections", "0").validate())
        .hasMessageContaining("--max-connections");
    assertThatThrownBy(() -> parse("--max-validating", "0").validate())
        .hasMessageContaining("--max-validating");
    assertThatThrownBy(() -> parse("--request-timeout", "0s").validate())
        .hasMessageContaining("--request-timeout");
    assertThatThrownBy(() -> parse("--instance-id", "a/b").validate())
        .hasMessageContaining("--instance-id");
    assertThatThrownBy(() -> parse("--max-body-size", "10").validate())
        .hasMessageContaining("--max-body-size");
  }

  @Test
  void aWrongOptionIsOneLineAndExitStatusTwo() {
    StringWriter err = new StringWriter();
    CommandLine cmd = EdgeCommand.commandLine();
    cmd.setErr(new PrintWriter(err));

    int status =
        cmd.execute(
            "--bootstrap-servers",
            "127.0.0.1:9",
            "--requests-topic",
            "rq",
            "--results-topic",
            "rs",
            "--max-connections",
            "0");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString().strip()).isEqualTo("edge: --max-connections must be at least 1");
    err.getBuffer().setLength(0);
    assertThat(cmd.execute("--port", "x")).isEqualTo(2);
    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).contains("--port");
  }

  @Test
  void topicsAndBrokersAreRequired() {
    assertThatThrownBy(() -> CommandLine.populateCommand(new EdgeOptions()))
        .isInstanceOf(CommandLine.MissingParameterException.class)
        .hasMessageContaining("--bootstrap-servers");
  }

  private static EdgeOptions parse(String... extra) {
    String[] args = new String[REQUIRED.length + extra.length];
    System.arraycopy(REQUIRED, 0, args, 0, REQUIRED.length);
    System.arraycopy(extra, 0, args, REQUIRED.length, extra.length);
    return CommandLine.populateCommand(new EdgeOptions(), args);
  }
}
