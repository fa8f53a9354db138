package io.rerankflow.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.inference.BatchingSettings;
import io.rerankflow.inference.Deadline;
import io.rerankflow.inference.Device;
import io.rerankflow.inference.EngineListener;
import io.rerankflow.inference.EngineSettings;
import io.rerankflow.inference.SlotSettings;
import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.schemas.Truncate;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedEnginesTest {

  @Test
  void functionsOfOneSlotShareOneEngineUntilTheLastReleasesIt(@TempDir Path dir) throws Exception {
    EngineSettings settings =
        new EngineSettings(
            List.of(SqlFixtures.tinyModel(dir.resolve("tiny")).toString()),
            Device.CPU,
            1,
            BatchingSettings.DEFAULTS);
    SharedEngines.Lease first = SharedEngines.acquire(slot(settings, 0), () -> EngineListener.NONE);
    SharedEngines.Lease second =
        SharedEngines.acquire(
            slot(settings, 0),
            () -> {
              throw new AssertionError("a second function of the slot opens no engine");
            });
    SharedEngines.Lease otherSlot =
        SharedEngines.acquire(slot(settings, 1), () -> EngineListener.NONE);
    assertThat(second.slot()).isSameAs(first.slot());
    assertThat(otherSlot.slot()).isNotSameAs(first.slot());
    assertThat(SharedEngines.open()).isEqualTo(2);

    first.close();
    first.close(); // a second close of the same lease releases nothing more
    CompletableFuture<RerankOutput> scored = new CompletableFuture<>();
    second
        .slot()
        .submit(
            new RankingRequest("r", "tiny", "the road", List.of("two roads", "wood"), Truncate.END),
            Deadline.NONE,
            scored::complete);
    assertThat(scored.get(60, TimeUnit.SECONDS).isError())
        .as("the engine still serves the remaining holder")
        .isFalse();

    second.close();
    otherSlot.close();
    assertThat(SharedEngines.open()).isZero();
  }

  private static SlotSettings slot(EngineSettings settings, int subtask) {
    return new SlotSettings(settings, subtask, 2, 1, 0, "shared-engines-test-" + subtask);
  }
}
