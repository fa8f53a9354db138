package io.rerankflow.jobs.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state folder of a resumable file run. */
class RunStateTest {

  @Test
  void latestCheckpointIsTheHighestIdWithMetadataAcrossJobs(@TempDir Path out) throws IOException {
    RunState state = RunState.in(out);
    state.begin(Map.of("--model", "default"));
    Path first = state.checkpoints().resolve("job-a");
    Files.createDirectories(first.resolve("chk-7"));
    Files.writeString(first.resolve("chk-7/_metadata"), "m");
    Path second = state.checkpoints().resolve("job-b");
    Files.createDirectories(second.resolve("chk-9"));
    Files.writeString(second.resolve("chk-9/_metadata"), "m");
    // Still being written: no metadata yet, so not a completed checkpoint.
    Files.createDirectories(second.resolve("chk-10"));

    RunState.Checkpoint latest = state.latestCheckpoint().orElseThrow();
    assertThat(latest.id()).isEqualTo(9);
    assertThat(latest.folder()).isEqualTo(second.resolve("chk-9"));
  }

  @Test
  void doneAtSumsTheSubtasksCountsOfThatCheckpoint(@TempDir Path out) throws IOException {
    RunState state = RunState.in(out);
    Path counts = state.counts().resolve("chk-4");
    Files.createDirectories(counts);
    Files.writeString(counts.resolve("subtask-0"), "10 40\n");
    Files.writeString(counts.resolve("subtask-1"), "7 21\n");
    Files.createDirectories(state.counts().resolve("chk-5"));
    Files.writeString(state.counts().resolve("chk-5/subtask-0"), "99 99\n");

    assertThat(state.doneAt(new RunState.Checkpoint(out, 4))).isEqualTo(new RunState.Done(17, 61));
  }

  @Test
  void differencesNameChangedAddedAndRemovedEntries() {
    assertThat(
            RunState.differences(
                Map.of("--model", "a", "--input x.jsonl", "sha256:1", "--sink", "file"),
                Map.of("--model", "b", "--input y.jsonl", "sha256:1", "--sink", "file")))
        .containsExactlyInAnyOrder("--model", "--input x.jsonl", "--input y.jsonl");
  }

  @Test
  void completeKeepsTheSummaryAndDropsTheCheckpoints(@TempDir Path out) throws IOException {
    RunState state = RunState.in(out);
    state.begin(Map.of("--model", "default"));
    Files.createDirectories(state.checkpoints().resolve("job/chk-1"));
    JobSummary summary = new JobSummary(3, 9, 0, Map.of(), java.time.Duration.ofSeconds(1));

    state.complete(summary);

    assertThat(state.completed()).contains(summary);
    assertThat(state.checkpoints()).doesNotExist();
    assertThat(state.fingerprint()).containsEntry("--model", "default");
  }
}
