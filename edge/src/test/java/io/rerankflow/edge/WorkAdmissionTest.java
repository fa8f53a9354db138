package io.rerankflow.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WorkAdmissionTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong clock = new AtomicLong();

  @Test
  void admitsOnlyThePairsThatFitTheBudgetAtTheExpectedRate() {
    WorkAdmission admission = new WorkAdmission(100, clock::get);

    // 10 s budget, 80% of it plannable at 100 pairs/s: 800 pairs.
    assertThat(admission.tryAdmit(512, 10 * SECOND).admitted()).isTrue();
    assertThat(admission.tryAdmit(288, 10 * SECOND).admitted()).isTrue();
    WorkAdmission.Decision refused = admission.tryAdmit(1, 10 * SECOND);

    assertThat(refused.admitted()).isFalse();
    assertThat(admission.inFlightPairs()).isEqualTo(800);
    // 801 pairs need 8.01 s, 8 s are plannable: capacity in about a second.
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    assertThat(admission.reserve(1, 10 * SECOND).retryAfterSeconds()).isEqualTo(1);
  }

  @Test
  void retryAfterSaysWhenTheWorkInFlightIsExpectedToBeDone() {
    WorkAdmission admission = new WorkAdmission(10, clock::get);
    admission.tryAdmit(512, 120 * SECOND);

    // 512 + 512 pairs at 10 pairs/s take 102.4 s, of a 20 s budget 16 s are plannable.
    assertThat(admission.tryAdmit(512, 20 * SECOND).retryAfterSeconds()).isEqualTo(87);
  }

  @Test
  void aRequestLargerThanTheBudgetIsAdmittedWhenNothingIsInFlight() {
    WorkAdmission admission = new WorkAdmission(1, clock::get);

    WorkAdmission.Reservation first = admission.reserve(1, SECOND);
    assertThat(first.admitted()).isTrue();
    assertThat(admission.tryAdmit(512, SECOND, first).admitted()).isTrue();
    assertThat(admission.reserve(1, SECOND).admitted()).isFalse();
  }

  @Test
  void aBurstIsCutAtTheGateBeforeAnyBodyIsRead() {
    // 100 pairs/s, 10 s budget: 800 plannable pairs; each body declares about 512 pairs' bytes.
    WorkAdmission admission = new WorkAdmission(100, clock::get);
    long estimate = WorkAdmission.estimatedPairs(512 * WorkAdmission.BYTES_PER_PAIR_ESTIMATE);
    assertThat(estimate).isEqualTo(512);

    int passed = 0;
    for (int i = 0; i < 200; i++) {
      if (admission.reserve(estimate, 10 * SECOND).admitted()) {
        passed++;
      }
    }

    // The first alone (nothing in flight), then no second 512 fits beside it.
    assertThat(passed).isEqualTo(1);
    assertThat(admission.reservedPairs()).isEqualTo(512);
    assertThat(admission.inFlightPairs()).isZero();
  }

  @Test
  void theExactCountReplacesTheEstimateOnceParsed() {
    WorkAdmission admission = new WorkAdmission(100, clock::get);
    WorkAdmission.Reservation big = admission.reserve(600, 10 * SECOND);
    WorkAdmission.Reservation small = admission.reserve(200, 10 * SECOND);
    assertThat(admission.reservedPairs()).isEqualTo(800);
    assertThat(admission.reserve(1, 10 * SECOND).admitted()).isFalse();

    // Fewer pairs than estimated: admitted outright, the rest freed at once.
    assertThat(admission.tryAdmit(100, 10 * SECOND, big).admitted()).isTrue();
    assertThat(admission.inFlightPairs()).isEqualTo(100);
    assertThat(admission.reservedPairs()).isEqualTo(200);
    // More than estimated: decided on against the admitted work (100 + 900 > 800 plannable).
    assertThat(admission.tryAdmit(900, 10 * SECOND, small).admitted()).isFalse();
    assertThat(admission.inFlightPairs()).isEqualTo(100);
    assertThat(admission.reservedPairs()).isZero();
  }

  @Test
  void aBodyReadIsNotKeptOutByTheEstimatesOfBodiesNotYetRead() {
    WorkAdmission admission = new WorkAdmission(100, clock::get);
    WorkAdmission.Reservation first = admission.reserve(400, 10 * SECOND);
    admission.reserve(400, 10 * SECOND);

    // 512 pairs, more than its estimate: 512 admitted fit the 800 plannable pairs; the other's
    // 400 are an estimate of a body still being read.
    assertThat(admission.tryAdmit(512, 10 * SECOND, first).admitted()).isTrue();
    assertThat(admission.inFlightPairs()).isEqualTo(512);
  }

  @Test
  void aReservationReleasedTwiceFreesItsPairsOnce() {
    WorkAdmission admission = new WorkAdmission(100, clock::get);
    admission.tryAdmit(50, 10 * SECOND);
    WorkAdmission.Reservation reservation = admission.reserve(300, 10 * SECOND);

    reservation.release();
    reservation.release();
    admission.tryAdmit(1, 10 * SECOND, reservation);

    assertThat(admission.inFlightPairs()).isEqualTo(51);
    assertThat(admission.reservedPairs()).isZero();
  }

  @Test
  void theRateFollowsScoredPairsPerBusySecond() {
    WorkAdmission admission = new WorkAdmission(10, clock::get);
    for (int i = 0; i < 1000; i++) {
      admission.tryAdmit(100, 100 * SECOND);
      clock.addAndGet(SECOND / 10); // 100 pairs in 0.1 s: 1000 pairs/s
      admission.finished(100, true);
    }
    assertThat(admission.pairsPerSecond()).isBetween(900.0, 1000.0);
    assertThat(admission.inFlightPairs()).isZero();

    // Idle time is not busy time: an hour without work does not lower the rate.
    clock.addAndGet(3600 * SECOND);
    admission.tryAdmit(100, 100 * SECOND);
    clock.addAndGet(SECOND / 10);
    admission.finished(100, true);
    assertThat(admission.pairsPerSecond()).isBetween(900.0, 1000.0);
  }

  @Test
  void aBurstOfAnswersAfterALongBatchDoesNotInflateTheRate() {
    WorkAdmission admission = new WorkAdmission(50, clock::get);
    for (int cycle = 0; cycle < 20; cycle++) {
      // 20 requests of 64 pairs in flight, answered together after 20 s, within a second.
      for (int r = 0; r < 20; r++) {
        admission.tryAdmit(64, 1000 * SECOND);
      }
      clock.addAndGet(20 * SECOND);
      for (int r = 0; r < 20; r++) {
        admission.finished(64, true);
        clock.addAndGet(SECOND / 20);
      }
    }
    // 1280 pairs per 21 busy seconds: about 61 pairs/s.
    assertThat(admission.pairsPerSecond()).isBetween(40.0, 90.0);
  }

  @Test
  void pairsAnsweredUnscoredFreeTheirRoomButLowerTheRate() {
    WorkAdmission admission = new WorkAdmission(1000, clock::get);
    admission.tryAdmit(500, 10 * SECOND);
    clock.addAndGet(6 * SECOND);
    admission.finished(500, false);

    assertThat(admission.inFlightPairs()).isZero();
    assertThat(admission.pairsPerSecond()).isLessThan(1000);
    assertThat(admission.peakInFlightPairs()).isEqualTo(500);
  }
}
