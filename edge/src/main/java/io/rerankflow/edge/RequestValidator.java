package io.rerankflow.edge;

import io.rerankflow.inference.LoadedModel;
import io.rerankflow.inference.ModelDirectory;
import io.rerankflow.inference.ModelLocator;
import io.rerankflow.inference.RequestEncoder;
import io.rerankflow.schemas.ParseResult;
import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RecordOrigin;
import io.rerankflow.schemas.RequestParser;
import io.rerankflow.schemas.RerankException;
import io.rerankflow.schemas.RerankFailure;
import io.rerankflow.schemas.ServedModels;
import io.rerankflow.schemas.Truncate;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Judges an HTTP body the way the job would, before anything is published: the job's own parser
 * ({@link RequestParser#forHttp}: the NIM's fields, no {@code id}) and, for {@code truncate: NONE},
 * the served model's own tokenizer and limit (no ONNX session), so a 400, 404 or 422 is answered at
 * once with the job's message.
 */
final class RequestValidator implements AutoCloseable {
  private static final RecordOrigin ORIGIN = new RecordOrigin("http", "request body");

  private final RequestParser parser;
  private final Map<String, RequestEncoder> encoders;

  private RequestValidator(RequestParser parser, Map<String, RequestEncoder> encoders) {
    this.parser = parser;
    this.encoders = encoders;
  }

  /** Opens every {@code --model} value as the job does and loads its tokenizer. */
  static RequestValidator load(List<String> modelLocations, boolean extensions) {
    ServedModels served = ModelLocator.servedModels(modelLocations);
    Map<String, RequestEncoder> encoders = new LinkedHashMap<>();
    try {
      for (String location : new LinkedHashSet<>(modelLocations)) {
        ModelDirectory dir = ModelLocator.resolve(location);
        encoders.put(dir.spec().name(), LoadedModel.encoder(dir));
      }
    } catch (RuntimeException e) {
      encoders.values().forEach(RequestEncoder::close);
      throw e;
    }
    return new RequestValidator(RequestParser.forHttp(served).withExtensions(extensions), encoders);
  }

  ServedModels models() {
    return parser.models();
  }

  /**
   * The parsed request (its id is a placeholder: the edge gives each one a fresh id), or why it
   * cannot be ranked. Cheap next to {@link #tooLong}: admission comes between the two.
   */
  ParseResult parse(byte[] body) {
    return parser.parse(body, ORIGIN);
  }

  /**
   * Why a {@code truncate: NONE} request cannot be ranked (a pair over the served model's limit, by
   * its own tokenizer), or null when it can.
   */
  RerankFailure tooLong(RankingRequest request) {
    if (request.truncate() != Truncate.NONE) {
      return null;
    }
    try {
      // Tokenizers are thread-safe (Hugging Face's Rust tokenizer encodes through &self).
      encoders.get(request.model()).encode(request);
      return null;
    } catch (RerankException e) {
      return e.failure();
    }
  }

  @Override
  public void close() {
    encoders.values().forEach(RequestEncoder::close);
  }
}
