package io.rerankflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every relative link of README.md and docs/ resolves, file and heading alike. */
class DocumentationLinksTest {
  private final Documentation docs = Documentation.ofRepository();

  @Test
  void everyRelativeLinkOfTheReadmeAndTheDocsResolves() {
    assertThat(docs.pages())
        .extracting(docs::name)
        .contains("README.md", "docs/options.md", "docs/benchmarks.md");
    for (Path page : docs.pages()) {
      assertThat(docs.brokenLinks(page)).as("broken links in %s", docs.name(page)).isEmpty();
    }
  }

  @Test
  void aMissingFileAndAMissingHeadingAreBothSeen(@TempDir Path dir) throws IOException {
    Path page = dir.resolve("page.md");
    Files.writeString(
        page,
        "# Page\n\n## Long runs: resuming after a crash\n\n"
            + "[ok](#long-runs-resuming-after-a-crash) [web](https://flink.apache.org/x)"
            + " [gone](missing.md) [wrong](#no-such-heading) [self](page.md#page)\n");

    assertThat(docs.brokenLinks(page))
        .containsExactly("missing.md (no such file)", "#no-such-heading (no such heading)");
  }
}
