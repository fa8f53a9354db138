package io.rerankflow.eval.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.testing.Documentation;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** docs/options.md lists exactly the options that {@code scripts/evaluate --help} prints. */
class EvaluateOptionsDocumentedTest {
  @Test
  void docsOptionsListsEveryOptionOfEvaluateHelpAndNoOther() {
    CommandLine command =
        EvaluateJob.command(new EvaluateJob(new PrintStream(OutputStream.nullOutputStream())));
    Set<String> help = Documentation.helpOptions(command);

    assertThat(help).contains("--help", "--model");
    assertThat(Documentation.ofRepository().documentedOptions("evaluate"))
        .as("the options in docs/options.md, section '## evaluate'")
        .containsExactlyInAnyOrderElementsOf(help);
  }
}
