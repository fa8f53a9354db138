package io.rerankflow.edge;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.rerankflow.schemas.RerankFailure;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The one mapping from a failure to the NIM's HTTP error body, {@code {"object":"error",
 * "message":...,"type":...}}; the status comes from {@link io.rerankflow.schemas.ErrorKind}.
 */
public final class NimError {
  private static final JsonFactory FACTORY = new JsonFactory();

  private NimError() {}

  /** The error body for {@code failure}; {@code type} is its kind's stable name. */
  public static String body(RerankFailure failure) {
    StringWriter buffer = new StringWriter(96 + failure.message().length());
    try (JsonGenerator gen = FACTORY.createGenerator(buffer)) {
      gen.writeStartObject();
      gen.writeStringField("object", "error");
      gen.writeStringField("message", failure.message());
      gen.writeStringField("type", failure.kind().type());
      gen.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toString();
  }
}
