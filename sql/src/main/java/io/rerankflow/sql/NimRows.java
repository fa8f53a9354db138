package io.rerankflow.sql;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.schemas.Truncate;
import java.io.Serializable;
import java.util.List;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;

/**
 * Converts between SQL rows and the NIM contract: an input row becomes the NIM request body the
 * file job would read (so {@code RequestParser} validates it by the same rules), and an output
 * becomes the row of the declared {@code OUTPUT} columns.
 */
final class NimRows implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ModelColumns columns;
  private final String model;
  private final Truncate truncate;
  private final int topN;

  /**
   * @param model the served model name every request asks for
   * @param topN the {@code top_n} of every request; 0 leaves it out (every passage)
   */
  NimRows(ModelColumns columns, String model, Truncate truncate, int topN) {
    this.columns = columns;
    this.model = model;
    this.truncate = truncate;
    this.topN = topN;
  }

  /**
   * The NIM request body for an input row of (query, passages), as a JSON tree that the parser
   * validates without a round trip through bytes; SQL NULLs become JSON nulls.
   */
  ObjectNode requestBody(RowData row) {
    ObjectNode body = NODES.objectNode();
    body.put("model", model);
    if (row.isNullAt(0)) {
      body.putNull("query");
    } else if (columns.textQuery()) {
      body.putObject("query").set("text", text(row.getString(0)));
    } else {
      RowData query = row.getRow(0, 1);
      body.putObject("query")
          .set("text", query.isNullAt(0) ? NODES.nullNode() : text(query.getString(0)));
    }
    if (row.isNullAt(1)) {
      body.putNull("passages");
    } else {
      ArrayData passages = row.getArray(1);
      ArrayNode list = body.putArray("passages");
      for (int i = 0; i < passages.size(); i++) {
        if (passages.isNullAt(i)) {
          list.addNull();
        } else if (columns.textPassages()) {
          list.addObject().set("text", text(passages.getString(i)));
        } else {
          RowData passage = passages.getRow(i, 1);
          list.addObject()
              .set("text", passage.isNullAt(0) ? NODES.nullNode() : text(passage.getString(0)));
        }
      }
    }
    body.put("truncate", truncate.name());
    if (topN > 0) {
      body.put("top_n", topN);
    }
    return body;
  }

  private static com.fasterxml.jackson.databind.JsonNode text(StringData value) {
    return NODES.textNode(value.toString());
  }

  /** The declared output columns of one result: a ranking, or null rankings and the error. */
  RowData resultRow(RerankOutput out) {
    List<ModelColumns.Output> outputs = columns.outputs();
    GenericRowData row = new GenericRowData(outputs.size());
    for (int c = 0; c < outputs.size(); c++) {
      row.setField(c, field(outputs.get(c), out));
    }
    return row;
  }

  private static Object field(ModelColumns.Output column, RerankOutput out) {
    return switch (column) {
      case RANKINGS -> out.isError() ? null : rankings(out);
      case PROMPT_TOKENS -> out.isError() ? null : out.promptTokens;
      case ERROR ->
          out.isError()
              ? GenericRowData.of(
                  StringData.fromString(out.errorType),
                  StringData.fromString(out.errorMessage),
                  out.errorStatus)
              : null;
    };
  }

  private static ArrayData rankings(RerankOutput out) {
    Object[] rankings = new Object[out.indices.length];
    for (int rank = 0; rank < rankings.length; rank++) {
      rankings[rank] = GenericRowData.of(out.indices[rank], out.logits[rank]);
    }
    return new GenericArrayData(rankings);
  }
}
