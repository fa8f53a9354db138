package io.rerankflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.cli.CommandLineErrors;
import io.rerankflow.testing.Documentation;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** docs/options.md lists exactly the options that {@code scripts/rerank --help} prints. */
class RerankOptionsDocumentedTest {
  @Test
  void docsOptionsListsEveryOptionOfRerankHelpAndNoOther() {
    CommandLine command =
        CommandLineErrors.install(
            new CommandLine(
                new RerankJob(
                    new RerankOptions(), new PrintStream(OutputStream.nullOutputStream()))));
    Set<String> help = Documentation.helpOptions(command);

    assertThat(help).contains("--help", "--model");
    assertThat(Documentation.ofRepository().documentedOptions("rerank"))
        .as("the options in docs/options.md, section '## rerank'")
        .containsExactlyInAnyOrderElementsOf(help);
  }
}
