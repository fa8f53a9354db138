package io.rerankflow.sql;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

/**
 * A model's declared {@code INPUT} and {@code OUTPUT} columns, checked once when the provider is
 * created: which shape the query and passages come in, and which output columns to produce in which
 * order.
 *
 * @param textQuery true for {@code query STRING}, false for {@code query ROW<text STRING>}
 * @param textPassages true for {@code ARRAY<STRING>}, false for {@code ARRAY<ROW<text STRING>>}
 * @param outputs the declared output columns, in declaration order
 */
public record ModelColumns(boolean textQuery, boolean textPassages, List<Output> outputs)
    implements Serializable {

  /** An output column this provider knows how to fill. */
  public enum Output {
    RANKINGS(
        "rankings",
        DataTypes.ARRAY(
                DataTypes.ROW(
                    DataTypes.FIELD("index", DataTypes.INT()),
                    DataTypes.FIELD("logit", DataTypes.FLOAT())))
            .getLogicalType()),
    PROMPT_TOKENS("prompt_tokens", DataTypes.INT().getLogicalType()),
    ERROR(
        "error",
        DataTypes.ROW(
                DataTypes.FIELD("type", DataTypes.STRING()),
                DataTypes.FIELD("message", DataTypes.STRING()),
                DataTypes.FIELD("status", DataTypes.INT()))
            .getLogicalType());

    private final String column;
    private final LogicalType type;

    Output(String column, LogicalType type) {
      this.column = column;
      this.type = type;
    }

    String declaration() {
      return column + " " + type.asSummaryString().replace(" NOT NULL", "");
    }
  }

  private static final LogicalType TEXT_ROW =
      DataTypes.ROW(DataTypes.FIELD("text", DataTypes.STRING())).getLogicalType();
  private static final LogicalType STRING = DataTypes.STRING().getLogicalType();

  static final String EXPECTED_INPUT =
      "INPUT (query STRING or ROW<text STRING>, passages ARRAY<STRING> or ARRAY<ROW<text"
          + " STRING>>)";

  public ModelColumns {
    outputs = List.copyOf(outputs);
  }

  /** Checks the declared schemas, failing with a message that names the expected types. */
  public static ModelColumns of(ResolvedSchema input, ResolvedSchema output) {
    List<Column> in = input.getColumns();
    if (in.size() != 2) {
      throw new ValidationException(
          "rerankflow model: expected "
              + EXPECTED_INPUT
              + ", got "
              + in.size()
              + " input columns "
              + describe(in));
    }
    LogicalType query = in.get(0).getDataType().getLogicalType();
    LogicalType passages = in.get(1).getDataType().getLogicalType();
    boolean textQuery = matches(query, STRING);
    if (!textQuery && !matches(query, TEXT_ROW)) {
      throw new ValidationException(
          "rerankflow model: input column "
              + in.get(0).getName()
              + " (the query) is "
              + summary(query)
              + "; expected "
              + EXPECTED_INPUT);
    }
    boolean textPassages = passages instanceof ArrayType a && matches(a.getElementType(), STRING);
    boolean rowPassages = passages instanceof ArrayType a && matches(a.getElementType(), TEXT_ROW);
    if (!textPassages && !rowPassages) {
      throw new ValidationException(
          "rerankflow model: input column "
              + in.get(1).getName()
              + " (the passages) is "
              + summary(passages)
              + "; expected "
              + EXPECTED_INPUT);
    }
    List<Output> outputs = new ArrayList<>();
    for (Column column : output.getColumns()) {
      Output known = byName(column.getName());
      if (known == null || !matches(column.getDataType().getLogicalType(), known.type)) {
        throw new ValidationException(
            "rerankflow model: output column "
                + column.getName()
                + " "
                + summary(column.getDataType().getLogicalType())
                + " is not one this provider produces; declare any of "
                + describeOutputs());
      }
      if (outputs.contains(known)) {
        throw new ValidationException(
            "rerankflow model: output column " + column.getName() + " is declared twice");
      }
      outputs.add(known);
    }
    return new ModelColumns(textQuery, textPassages, outputs);
  }

  private static Output byName(String name) {
    for (Output o : Output.values()) {
      if (o.column.equals(name.toLowerCase(Locale.ROOT))) {
        return o;
      }
    }
    return null;
  }

  private static String describeOutputs() {
    List<String> parts = new ArrayList<>();
    for (Output o : Output.values()) {
      parts.add(o.declaration());
    }
    return "OUTPUT (" + String.join(", ", parts) + ")";
  }

  /**
   * Whether {@code actual} can be read as {@code expected}: the same type roots (any character
   * string for a string), the same row field names, nullability ignored.
   */
  static boolean matches(LogicalType actual, LogicalType expected) {
    if (expected.getTypeRoot() == LogicalTypeRoot.VARCHAR) {
      return actual.is(LogicalTypeFamily.CHARACTER_STRING);
    }
    if (actual.getTypeRoot() != expected.getTypeRoot()) {
      return false;
    }
    if (expected instanceof RowType expectedRow) {
      RowType actualRow = (RowType) actual;
      if (actualRow.getFieldCount() != expectedRow.getFieldCount()) {
        return false;
      }
      for (int i = 0; i < expectedRow.getFieldCount(); i++) {
        if (!actualRow.getFieldNames().get(i).equalsIgnoreCase(expectedRow.getFieldNames().get(i))
            || !matches(actualRow.getTypeAt(i), expectedRow.getTypeAt(i))) {
          return false;
        }
      }
    }
    if (expected instanceof ArrayType expectedArray) {
      return matches(((ArrayType) actual).getElementType(), expectedArray.getElementType());
    }
    return true;
  }

  private static String summary(LogicalType type) {
    return type.asSummaryString();
  }

  private static String describe(List<Column> columns) {
    List<String> parts = new ArrayList<>();
    columns.forEach(c -> parts.add(c.getName() + " " + summary(c.getDataType().getLogicalType())));
    return "(" + String.join(", ", parts) + ")";
  }
}
