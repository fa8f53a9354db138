package io.rerankflow.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.inference.BatchingSettings;
import io.rerankflow.inference.Device;
import io.rerankflow.inference.EngineSettings;
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
    SharedEngines.Lease first = SharedEngines.acquire(settings, 0, 2);
    SharedEngines.Lease second = SharedEngines.acquire(settings, 0, 2);
    SharedEngines.Lease otherSlot = SharedEngines.acquire(settings, 1, 2);
    assertThat(second.engine()).isSameAs(first.engine());
    assertThat(otherSlot.engine()).isNotSameAs(first.engine());
    assertThat(SharedEngines.open()).isEqualTo(2);

    first.close();
    first.close(); // a second close of the same lease releases nothing more
    CompletableFuture<RerankOutput> scored = new CompletableFuture<>();
    second
        .engine()
        .submit(
            new RankingRequest("r", "tiny", "the road", List.of("two roads", "wood"), Truncate.END),
            scored::complete);
    assertThat(scored.get(60, TimeUnit.SECONDS).isError())
        .as("the engine still serves the remaining holder")
        .isFalse();

    second.close();
    otherSlot.close();
    assertThat(SharedEngines.open()).isZero();
  }
}
