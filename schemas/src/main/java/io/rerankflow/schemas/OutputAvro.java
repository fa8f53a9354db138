package io.rerankflow.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The one mapping from {@link RerankOutput} to Avro records ({@code rerank-output.avsc}), as
 * written to Parquet: the same fields as the pipeline JSON, with null rankings and usage on an
 * error record and a null error on a ranking.
 */
public final class OutputAvro {
  /** The schema, loaded from {@code io/rerankflow/schemas/rerank-output.avsc}. */
  public static final Schema SCHEMA = load();

  private static final Schema RANKING = SCHEMA.getField("rankings").schema().getTypes().get(1);
  private static final Schema RANKING_ITEM = RANKING.getElementType();
  private static final Schema ERROR = SCHEMA.getField("error").schema().getTypes().get(1);

  private OutputAvro() {}

  public static GenericRecord toRecord(RerankOutput out) {
    GenericRecord record = new GenericData.Record(SCHEMA);
    record.put("id", out.id);
    record.put("model", out.model);
    if (out.isError()) {
      GenericRecord error = new GenericData.Record(ERROR);
      error.put("type", out.errorType);
      error.put("message", out.errorMessage);
      error.put("status", out.errorStatus);
      record.put("error", error);
      return record;
    }
    List<GenericRecord> rankings = new ArrayList<>(out.indices.length);
    for (int i = 0; i < out.indices.length; i++) {
      GenericRecord ranking = new GenericData.Record(RANKING_ITEM);
      ranking.put("index", out.indices[i]);
      ranking.put("logit", out.logits[i]);
      ranking.put("text", out.texts == null ? null : out.texts[i]);
      rankings.add(ranking);
    }
    record.put("rankings", new GenericData.Array<>(RANKING, rankings));
    record.put("prompt_tokens", out.promptTokens);
    record.put("total_tokens", out.totalTokens);
    return record;
  }

  /** Reads a record back (for tests and tools). */
  public static RerankOutput fromRecord(GenericRecord record) {
    RerankOutput out = new RerankOutput();
    out.id = record.get("id").toString();
    Object model = record.get("model");
    out.model = model == null ? null : model.toString();
    GenericRecord error = (GenericRecord) record.get("error");
    if (error != null) {
      out.errorType = error.get("type").toString();
      out.errorMessage = error.get("message").toString();
      out.errorStatus = (Integer) error.get("status");
      return out;
    }
    List<?> rankings = (List<?>) record.get("rankings");
    out.indices = new int[rankings.size()];
    out.logits = new float[rankings.size()];
    boolean withText = !rankings.isEmpty() && ((GenericRecord) rankings.get(0)).get("text") != null;
    out.texts = withText ? new String[rankings.size()] : null;
    for (int i = 0; i < rankings.size(); i++) {
      GenericRecord ranking = (GenericRecord) rankings.get(i);
      out.indices[i] = (Integer) ranking.get("index");
      out.logits[i] = (Float) ranking.get("logit");
      if (withText) {
        out.texts[i] = ranking.get("text").toString();
      }
    }
    out.scoredPairs = rankings.size();
    out.promptTokens = (Integer) record.get("prompt_tokens");
    out.totalTokens = (Integer) record.get("total_tokens");
    return out;
  }

  private static Schema load() {
    try (InputStream in = OutputAvro.class.getResourceAsStream("rerank-output.avsc")) {
      if (in == null) {
        throw new IllegalStateException("rerank-output.avsc is missing from the classpath");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
