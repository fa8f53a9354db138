package io.rerankflow.eval.job;

import io.rerankflow.inference.Deadline;
import io.rerankflow.inference.Device;
import io.rerankflow.inference.EngineListener;
import io.rerankflow.inference.EngineSettings;
import io.rerankflow.inference.ModelLocator;
import io.rerankflow.inference.SlotEngine;
import io.rerankflow.inference.SlotSettings;
import io.rerankflow.jobs.EngineOptions;
import io.rerankflow.schemas.ParseResult;
import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RecordOrigin;
import io.rerankflow.schemas.RequestParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures what one model costs, on a sample of its evaluation requests scored by a {@link
 * SlotEngine} of its own (the job's encoding stage and batching settings): the job scores every
 * model in the same slots, so its numbers cannot be split by model, while throughput and padding
 * are what a choice between models weighs.
 */
final class CostProbe {
  private CostProbe() {}

  /**
   * One model's measurement.
   *
   * @param requests sampled requests scored
   * @param pairs pairs scored
   * @param realTokens tokens of the scored rows
   * @param paddedTokens tokens the model computed (rows times each batch's longest row)
   * @param wallNanos from the first submission to the last answer
   */
  record Measurement(int requests, long pairs, long realTokens, long paddedTokens, long wallNanos) {
    double pairsPerSecond() {
      return wallNanos > 0 ? pairs * 1e9 / wallNanos : 0;
    }

    /** Share of the computed tokens that were padding. */
    double paddingWaste() {
      return paddedTokens > 0 ? (double) (paddedTokens - realTokens) / paddedTokens : 0;
    }
  }

  /**
   * Scores up to {@code sample} of {@code lines} (pipeline requests for the model served as {@code
   * location}) and reports the cost; lines the parser rejects are skipped, as they cost no scoring.
   */
  static Measurement measure(
      String location, List<String> lines, int sample, EngineOptions engine, Duration timeout)
      throws InterruptedException {
    RequestParser parser =
        RequestParser.forPipeline(ModelLocator.servedModels(List.of(location)))
            .withExtensions(engine.extensions());
    List<RankingRequest> requests = new ArrayList<>();
    for (String line : lines) {
      if (requests.size() == sample) {
        break;
      }
      ParseResult parsed =
          parser.parse(line.getBytes(StandardCharsets.UTF_8), new RecordOrigin("probe", "probe"));
      if (parsed instanceof ParseResult.Accepted accepted) {
        requests.add(accepted.request());
      }
    }
    EngineSettings all = engine.engineSettings();
    // One slot that has the machine to itself, serving this model alone.
    SlotSettings slot =
        new SlotSettings(
            new EngineSettings(
                List.of(location), all.device(), all.intraOpThreads(), all.batching()),
            0,
            1,
            Runtime.getRuntime().availableProcessors(),
            Device.visibleGpus(),
            "cost-probe");
    Counting counts = new Counting();
    CountDownLatch answered = new CountDownLatch(requests.size());
    AtomicLong pairs = new AtomicLong();
    long start;
    long end;
    try (SlotEngine scorer = SlotEngine.open(slot, counts)) {
      if (!requests.isEmpty()) {
        // A served model is warm: ONNX Runtime's first run (allocations, kernel choice) is not
        // what a request costs, so one untimed request goes first.
        CountDownLatch warm = new CountDownLatch(1);
        scorer.submit(requests.get(0), Deadline.NONE, out -> warm.countDown());
        if (!warm.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException(
              "the cost probe of " + location + " did not finish within " + timeout);
        }
      }
      counts.real.set(0);
      counts.padded.set(0);
      start = System.nanoTime();
      for (RankingRequest request : requests) {
        scorer.submit(
            request,
            Deadline.NONE,
            out -> {
              pairs.addAndGet(out.scoredPairs);
              answered.countDown();
            });
      }
      if (!answered.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "the cost probe of " + location + " did not finish within " + timeout);
      }
      end = System.nanoTime();
    }
    return new Measurement(
        requests.size(), pairs.get(), counts.real.get(), counts.padded.get(), end - start);
  }

  /** Sums the engine's batch reports. */
  private static final class Counting implements EngineListener {
    final AtomicLong real = new AtomicLong();
    final AtomicLong padded = new AtomicLong();

    @Override
    public void batchScored(int rows, long realTokens, long paddedTokens, long inferenceNanos) {
      real.addAndGet(realTokens);
      padded.addAndGet(paddedTokens);
    }
  }
}
