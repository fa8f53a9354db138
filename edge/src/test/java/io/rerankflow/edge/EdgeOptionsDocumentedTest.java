package io.rerankflow.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.testing.Documentation;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** docs/options.md lists exactly the options that {@code scripts/edge --help} prints. */
class EdgeOptionsDocumentedTest {
  @Test
  void docsOptionsListsEveryOptionOfEdgeHelpAndNoOther() {
    CommandLine command = EdgeCommand.commandLine();
    Set<String> help = Documentation.helpOptions(command);

    assertThat(help).contains("--help", "--model");
    assertThat(Documentation.ofRepository().documentedOptions("edge"))
        .as("the options in docs/options.md, section '## edge'")
        .containsExactlyInAnyOrderElementsOf(help);
  }
}
