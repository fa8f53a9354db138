package io.rerankflow.schemas;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes a validated request back as a pipeline request line ({@code id} plus the NIM fields), as
 * the HTTP edge publishes it; {@link RequestParser#forPipeline} reads it back to the same request.
 */
public final class RequestJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private RequestJson() {}

  /** UTF-8 JSON of {@code request}, its id included; the extension fields only when used. */
  public static byte[] toPipelineJson(RankingRequest request) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    try (JsonGenerator gen = FACTORY.createGenerator(buffer)) {
      gen.writeStartObject();
      gen.writeStringField("id", request.id());
      gen.writeStringField("model", request.model());
      gen.writeObjectFieldStart("query");
      gen.writeStringField("text", request.query());
      gen.writeEndObject();
      gen.writeArrayFieldStart("passages");
      for (String passage : request.passages()) {
        gen.writeStartObject();
        gen.writeStringField("text", passage);
        gen.writeEndObject();
      }
      gen.writeEndArray();
      gen.writeStringField("truncate", request.truncate().name());
      if (request.response().topN() > 0) {
        gen.writeNumberField("top_n", request.response().topN());
      }
      if (request.response().returnText()) {
        gen.writeBooleanField("return_text", true);
      }
      gen.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }
}
