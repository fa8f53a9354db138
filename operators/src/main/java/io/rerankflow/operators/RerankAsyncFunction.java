package io.rerankflow.operators;

import io.rerankflow.inference.Device;
import io.rerankflow.inference.EncodingStage;
import io.rerankflow.inference.EngineSettings;
import io.rerankflow.inference.InferenceEngine;
import io.rerankflow.inference.LoadedModel;
import io.rerankflow.inference.ModelDirectory;
import io.rerankflow.inference.ModelLocator;
import io.rerankflow.inference.SessionSettings;
import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.ParseResult;
import io.rerankflow.schemas.RawRequest;
import io.rerankflow.schemas.RequestParser;
import io.rerankflow.schemas.RerankFailure;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.schemas.ServedModels;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * The reranking operator: loads the models once per task slot, then validates each request and
 * hands it to the {@link EncodingStage}, which tokenises it on the slot's cores and enqueues it in
 * the engine; the task thread blocks only when the stage is full. Every request completes with
 * exactly one output, a ranking or an error record; bad data never fails the job.
 */
public class RerankAsyncFunction extends RichAsyncFunction<RawRequest, RerankOutput> {
  private static final long serialVersionUID = 1L;

  private final EngineSettings settings;
  private final boolean extensions;

  private transient volatile InferenceEngine engine;
  private transient EncodingStage encoding;
  private transient RequestParser parser;

  /** Strict NIM requests: {@code top_n} and {@code return_text} are unknown fields. */
  public RerankAsyncFunction(EngineSettings settings) {
    this(settings, false);
  }

  /**
   * @param extensions whether requests may use {@code top_n} and {@code return_text}
   */
  public RerankAsyncFunction(EngineSettings settings, boolean extensions) {
    this.settings = settings;
    this.extensions = extensions;
  }

  @Override
  public void open(OpenContext openContext) {
    int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    SessionSettings session =
        settings.sessionSettings(
            SlotCores.slotsSharingCores(getRuntimeContext()), subtask, Device.visibleGpus());
    Map<String, LoadedModel> models = new LinkedHashMap<>();
    ServedModels.Builder served = ServedModels.builder();
    try {
      for (String location : settings.modelLocations()) {
        ModelDirectory dir = ModelLocator.resolve(location);
        served.add(dir.spec().name(), dir.spec().aliases());
        models.put(dir.spec().name(), LoadedModel.load(dir, session));
      }
      parser = RequestParser.forPipeline(served.build()).withExtensions(extensions);
    } catch (RuntimeException e) {
      models.values().forEach(LoadedModel::close);
      throw e;
    }
    EngineMetrics metrics = new EngineMetrics(getRuntimeContext(), this::inFlight);
    engine =
        new InferenceEngine(
            models, settings.batching(), "rerankflow-inference-" + subtask, metrics);
    encoding =
        new EncodingStage(
            models,
            engine,
            SlotCores.coresPerSlot(getRuntimeContext()),
            EncodingStage.DEFAULT_QUEUED_PAIRS,
            metrics,
            "rerankflow-encoding-" + subtask);
  }

  @Override
  public void asyncInvoke(RawRequest raw, ResultFuture<RerankOutput> result)
      throws InterruptedException {
    ParseResult parsed = parser.parse(raw.payload, raw.recordOrigin());
    if (parsed instanceof ParseResult.Accepted accepted) {
      encoding.submit(
          accepted.request(), out -> result.complete(Collections.singleton(withHeaders(out, raw))));
    } else {
      result.complete(
          Collections.singleton(withHeaders(((ParseResult.Rejected) parsed).toOutput(), raw)));
    }
  }

  @Override
  public void timeout(RawRequest raw, ResultFuture<RerankOutput> result) {
    ParseResult parsed = parser.parse(raw.payload, raw.recordOrigin());
    String id;
    String model;
    if (parsed instanceof ParseResult.Accepted accepted) {
      id = accepted.request().id();
      model = accepted.request().model();
    } else {
      id = ((ParseResult.Rejected) parsed).id();
      model = ((ParseResult.Rejected) parsed).model();
    }
    result.complete(
        Collections.singleton(
            withHeaders(
                RerankOutput.failed(
                    id,
                    model,
                    new RerankFailure(
                        ErrorKind.TIMEOUT,
                        "Request was not scored within the operator timeout (--timeout)")),
                raw)));
  }

  /** Hands the request's transport headers (e.g. Kafka reply-to) on to its one output. */
  private static RerankOutput withHeaders(RerankOutput out, RawRequest raw) {
    out.headers = raw.headers;
    return out;
  }

  private int inFlight() {
    InferenceEngine current = engine;
    return current == null ? 0 : current.inFlight();
  }

  @Override
  public void close() {
    // Encoding threads first: the engine closes the tokenizers they use.
    if (encoding != null) {
      encoding.close();
      encoding = null;
    }
    if (engine != null) {
      engine.close();
      engine = null;
    }
  }
}
