package io.rerankflow.schemas;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The one mapping from {@link RerankOutput} to JSON: pipeline lines (with {@code id} and {@code
 * model}), the NIM's HTTP response body, and the pipeline's error record.
 */
public final class OutputJson {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

  private OutputJson() {}

  /**
   * A pipeline output line: {@code {id, model, rankings, usage}} or {@code {id, model?, error:
   * {type, message, status}}}.
   */
  public static String toPipelineJson(RerankOutput out) {
    return write(out, true);
  }

  /** The NIM response body: {@code {rankings, usage}}, without pipeline-only fields. */
  public static String toNimResponseJson(RerankOutput out) {
    if (out.isError()) {
      throw new IllegalArgumentException("an error record has no NIM response body: " + out.id);
    }
    return write(out, false);
  }

  /** Reads a pipeline output line back (for tests, the HTTP edge and tools). */
  public static RerankOutput fromPipelineJson(String json) {
    try {
      JsonNode root = MAPPER.readTree(json);
      RerankOutput out = new RerankOutput();
      out.id = root.path("id").asText(null);
      out.model = root.hasNonNull("model") ? root.get("model").asText() : null;
      JsonNode error = root.get("error");
      if (error != null) {
        out.errorType = error.path("type").asText();
        out.errorMessage = error.path("message").asText();
        out.errorStatus = error.path("status").asInt();
        return out;
      }
      JsonNode rankings = root.path("rankings");
      out.indices = new int[rankings.size()];
      out.logits = new float[rankings.size()];
      for (int i = 0; i < rankings.size(); i++) {
        out.indices[i] = rankings.get(i).path("index").asInt();
        out.logits[i] = (float) rankings.get(i).path("logit").asDouble();
      }
      if (rankings.size() > 0 && rankings.get(0).has("text")) {
        out.texts = new String[rankings.size()];
        for (int i = 0; i < rankings.size(); i++) {
          out.texts[i] = rankings.get(i).path("text").asText();
        }
      }
      // A top_n ranking does not say how many pairs were scored; its rankings are a lower bound.
      out.scoredPairs = rankings.size();
      out.promptTokens = root.path("usage").path("prompt_tokens").asInt();
      out.totalTokens = root.path("usage").path("total_tokens").asInt();
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("not a pipeline output line: " + json, e);
    }
  }

  private static String write(RerankOutput out, boolean pipeline) {
    StringWriter buffer =
        new StringWriter(64 + (out.indices == null ? 0 : out.indices.length * 32));
    try (JsonGenerator gen = FACTORY.createGenerator(buffer)) {
      gen.writeStartObject();
      if (pipeline) {
        gen.writeStringField("id", out.id);
        if (out.model != null) {
          gen.writeStringField("model", out.model);
        }
      }
      if (out.isError()) {
        gen.writeObjectFieldStart("error");
        gen.writeStringField("type", out.errorType);
        gen.writeStringField("message", out.errorMessage);
        gen.writeNumberField("status", out.errorStatus);
        gen.writeEndObject();
      } else {
        gen.writeArrayFieldStart("rankings");
        for (int i = 0; i < out.indices.length; i++) {
          gen.writeStartObject();
          gen.writeNumberField("index", out.indices[i]);
          gen.writeNumberField("logit", out.logits[i]);
          if (out.texts != null) {
            gen.writeStringField("text", out.texts[i]);
          }
          gen.writeEndObject();
        }
        gen.writeEndArray();
        gen.writeObjectFieldStart("usage");
        gen.writeNumberField("prompt_tokens", out.promptTokens);
        gen.writeNumberField("total_tokens", out.totalTokens);
        gen.writeEndObject();
      }
      gen.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toString();
  }
}
