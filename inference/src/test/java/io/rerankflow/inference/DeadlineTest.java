package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlineTest {

  @Test
  void noDeadlineNeverPasses() {
    assertThat(Deadline.NONE.passed()).isFalse();
    assertThat(Deadline.NONE.passedAt(Long.MAX_VALUE)).isFalse();
    assertThat(Deadline.NONE.passedAt(Long.MIN_VALUE)).isFalse();
  }

  @Test
  void anEpochDeadlineInThePastHasPassedAndOneInTheFutureHasNot() {
    long now = System.currentTimeMillis();

    assertThat(Deadline.atEpochMillis(now - 1).passed()).isTrue();
    assertThat(Deadline.atEpochMillis(now + 3_600_000).passed()).isFalse();
  }

  @Test
  void extremeHeaderValuesDoNotOverflowIntoTheWrongAnswer() {
    assertThat(Deadline.atEpochMillis(Long.MAX_VALUE).passed()).isFalse();
    assertThat(Deadline.atEpochMillis(Long.MIN_VALUE).passed()).isTrue();
    assertThat(Deadline.atEpochMillis(0).passed()).isTrue();
  }

  @Test
  void passesExactlyAtItsNanoTime() {
    Deadline deadline = Deadline.atNanoTime(1_000);

    assertThat(deadline.passedAt(999)).isFalse();
    assertThat(deadline.passedAt(1_000)).isTrue();
    assertThat(Deadline.after(Duration.ofHours(1)).passed()).isFalse();
  }
}
