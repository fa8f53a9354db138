package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeviceTest {

  @Test
  void cudaWithoutAnIndexSpreadsSlotsOverTheVisibleGpus() {
    Device spread = Device.parse("cuda");

    assertThat(spread.toString()).isEqualTo("cuda");
    assertThat(spread.forSubtask(0, 2)).isEqualTo(new Device(Device.Type.CUDA, 0));
    assertThat(spread.forSubtask(1, 2)).isEqualTo(new Device(Device.Type.CUDA, 1));
    assertThat(spread.forSubtask(2, 2)).isEqualTo(new Device(Device.Type.CUDA, 0));
    assertThat(spread.forSubtask(5, 0)).isEqualTo(new Device(Device.Type.CUDA, 0));
  }

  @Test
  void aPinnedGpuAndTheCpuAreTheSameForEverySlot() {
    assertThat(Device.parse("cuda:3").forSubtask(1, 8)).isEqualTo(new Device(Device.Type.CUDA, 3));
    assertThat(Device.parse("cpu").forSubtask(1, 8)).isEqualTo(Device.CPU);
  }

  @Test
  void sessionSettingsTakeTheSlotsGpu() {
    EngineSettings settings =
        new EngineSettings(
            java.util.List.of("default"), Device.parse("cuda"), 2, BatchingSettings.DEFAULTS);

    assertThat(settings.sessionSettings(4, 3, 2).device())
        .isEqualTo(new Device(Device.Type.CUDA, 1));
    assertThat(settings.sessionSettings(4, 3, 2).intraOpThreads()).isEqualTo(2);
  }
}
