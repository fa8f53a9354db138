package io.rerankflow.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How to serve a model directory: the served name, how to score, the token limit, and how to
 * tokenise and pad. Each value comes from {@code rerank.json} when it sets it, else from the export
 * itself ({@code config.json}, {@code tokenizer_config.json}), else from the family's default.
 *
 * @param name served model name (what requests put in {@code model})
 * @param aliases other names requests may use
 * @param kind cross-encoder or bi-encoder
 * @param family the architecture the export comes from
 * @param maxLength the token limit of one sequence, special tokens included
 * @param pooling bi-encoder pooling (ignored by cross-encoders)
 * @param queryPrefix text put before the query (bi-encoder instructions, e.g. BGE's)
 * @param passagePrefix text put before each passage
 * @param template for cross-encoders that read a pair as one text; null to use the tokenizer's pair
 *     template
 * @param paddingSide where pad tokens go in a batch
 * @param padTokenId the id used for padding positions (masked out by attention_mask)
 */
public record ModelSpec(
    String name,
    List<String> aliases,
    ModelKind kind,
    ModelFamily family,
    int maxLength,
    Pooling pooling,
    String queryPrefix,
    String passagePrefix,
    PromptTemplate template,
    PaddingSide paddingSide,
    long padTokenId)
    implements Serializable {

  /** The file name inside a model directory. */
  public static final String FILE_NAME = "rerank.json";

  private static final Set<String> FIELDS =
      Set.of(
          "name",
          "aliases",
          "kind",
          "family",
          "template",
          "max_length",
          "pooling",
          "query_prefix",
          "passage_prefix",
          "padding_side",
          "pad_token_id",
          ModelDirectory.ONNX_FILE_FIELD);

  public ModelSpec {
    aliases = List.copyOf(aliases);
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: required, the model name requests will use");
    }
    if (maxLength < 2) {
      throw new IllegalArgumentException("max_length: must be at least 2, was " + maxLength);
    }
    if (template != null && kind != ModelKind.CROSS_ENCODER) {
      throw new IllegalArgumentException(
          "template: only cross-encoders read a pair as one text; a bi-encoder takes"
              + " query_prefix and passage_prefix");
    }
  }

  /**
   * This spec served under {@code servedName} alone: the configured name and aliases are dropped,
   * so one directory can be served under several names without their aliases colliding.
   */
  public ModelSpec withServedName(String servedName) {
    return new ModelSpec(
        servedName,
        List.of(),
        kind,
        family,
        maxLength,
        pooling,
        queryPrefix,
        passagePrefix,
        template,
        paddingSide,
        padTokenId);
  }

  /** Validates a {@code rerank.json} whose {@code name} is required. */
  static ModelSpec fromJson(JsonNode root, ExportMetadata export) {
    return fromJson(root, export, null);
  }

  /**
   * Validates a {@code rerank.json} (an empty object when the directory has none), filling what it
   * leaves out from the export; messages name the field.
   *
   * @param defaultName the served name when the file sets none (the directory's name); null to
   *     require one
   */
  static ModelSpec fromJson(JsonNode root, ExportMetadata export, String defaultName) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        throw new IllegalArgumentException(
            field + ": unknown field, expected one of " + String.join(", ", sorted(FIELDS)));
      }
    }
    List<String> aliases = new ArrayList<>();
    JsonNode aliasNode = root.path("aliases");
    if (!aliasNode.isMissingNode()) {
      if (!aliasNode.isArray()) {
        throw new IllegalArgumentException("aliases: expected an array of strings");
      }
      aliasNode.forEach(a -> aliases.add(text(a, "aliases[]")));
    }
    ModelKind kind =
        root.has("kind")
            ? ModelKind.fromConfig(text(root.get("kind"), "kind"))
            : ModelKind.CROSS_ENCODER;
    ModelFamily family =
        root.has("family")
            ? ModelFamily.fromConfig(text(root.get("family"), "family"))
            : export.family().orElse(ModelFamily.BERT);
    String template =
        root.has("template")
            ? text(root.get("template"), "template")
            : kind == ModelKind.CROSS_ENCODER ? family.defaultTemplate() : null;
    return new ModelSpec(
        root.has("name") || defaultName == null ? text(root.get("name"), "name") : defaultName,
        aliases,
        kind,
        family,
        root.has("max_length")
            ? positiveInt(root.get("max_length"), "max_length")
            : export.maxLength().orElse(family.defaultMaxLength()),
        root.has("pooling")
            ? enumValue(Pooling.class, text(root.get("pooling"), "pooling"), "pooling")
            : Pooling.CLS,
        root.has("query_prefix") ? text(root.get("query_prefix"), "query_prefix") : "",
        root.has("passage_prefix") ? text(root.get("passage_prefix"), "passage_prefix") : "",
        template == null ? null : PromptTemplate.parse(template),
        root.has("padding_side")
            ? enumValue(
                PaddingSide.class, text(root.get("padding_side"), "padding_side"), "padding_side")
            : export.paddingSide().orElse(family.defaultPaddingSide()),
        root.has("pad_token_id")
            ? positiveInt(root.get("pad_token_id"), "pad_token_id")
            : export.padTokenId().orElse(0));
  }

  private static String text(JsonNode node, String field) {
    if (node == null || !node.isTextual()) {
      throw new IllegalArgumentException(field + ": expected a string");
    }
    return node.textValue();
  }

  private static int positiveInt(JsonNode node, String field) {
    if (!node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < 0) {
      throw new IllegalArgumentException(field + ": expected a non-negative integer, got " + node);
    }
    return node.intValue();
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String field) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> allowed = new ArrayList<>();
      for (E constant : type.getEnumConstants()) {
        allowed.add(constant.name().toLowerCase(Locale.ROOT));
      }
      throw new IllegalArgumentException(
          field + ": unknown value '" + value + "', expected one of " + String.join(", ", allowed));
    }
  }

  private static List<String> sorted(Set<String> values) {
    List<String> list = new ArrayList<>(values);
    list.sort(null);
    return list;
  }
}
