package io.rerankflow.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KeyQuotasTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(42 * SECOND);
  private final KeyQuotas quotas = new KeyQuotas(now::get);

  private static ApiKeys.Key key(String name, double rate) {
    return new ApiKeys.Key(name, new byte[32], rate);
  }

  @Test
  void aKeyGetsOneSecondOfItsRateAtOnceThenWaitsForRefill() {
    ApiKeys.Key ten = key("ten", 10);
    for (int i = 0; i < 10; i++) {
      assertThat(quotas.enter(ten)).as("request %d of the burst", i).isZero();
    }

    assertThat(quotas.enter(ten)).as("Retry-After of the 11th").isEqualTo(1);

    now.addAndGet(SECOND / 10);
    assertThat(quotas.enter(ten)).as("one pair refilled after 100 ms").isZero();
    assertThat(quotas.enter(ten)).isEqualTo(1);
  }

  @Test
  void aRequestLargerThanTheBurstIsLetInAndItsDebtWaitedOff() {
    ApiKeys.Key ten = key("ten", 10);
    assertThat(quotas.enter(ten)).isZero();
    quotas.charge(ten, 100);

    // 10 - 1 - 99 = -90 pairs: 91 more needed for one, at 10 per second 9.1 s, so 10 s.
    assertThat(quotas.enter(ten)).isEqualTo(10);
    now.addAndGet(9 * SECOND);
    assertThat(quotas.enter(ten)).isEqualTo(1);
    now.addAndGet(SECOND / 10);
    assertThat(quotas.enter(ten)).isZero();
  }

  @Test
  void keysHaveBucketsOfTheirOwnAndAKeyWithoutRateIsNeverHeld() {
    ApiKeys.Key slow = key("slow", 0.01);
    ApiKeys.Key free = key("free", 0);
    assertThat(quotas.enter(slow)).isZero();
    quotas.charge(slow, 3);

    assertThat(quotas.enter(slow))
        .as("2 pairs of debt at 0.01/s: 3 to the next pair")
        .isEqualTo(300);
    for (int i = 0; i < 1000; i++) {
      assertThat(quotas.enter(free)).isZero();
      quotas.charge(free, 512);
    }
    assertThat(quotas.enter(key("other", 1))).isZero();
  }

  @Test
  void aNewRateFromAReloadedFileStartsTheKeyOverFull() {
    assertThat(quotas.enter(key("k", 1))).isZero();
    assertThat(quotas.enter(key("k", 1))).isEqualTo(1);

    assertThat(quotas.enter(key("k", 2))).isZero();
    assertThat(quotas.enter(key("k", 2))).isZero();
    assertThat(quotas.enter(key("k", 2))).isEqualTo(1);
  }
}
