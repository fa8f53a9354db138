package io.rerankflow.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Parses and validates a NIM {@code /v1/ranking} body. Every check happens here, before any
 * tokenisation or inference, and each failure carries a message a user can act on.
 */
public final class RequestParser implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The NIM's limit on passages per request. */
  public static final int MAX_PASSAGES = 512;

  private static final List<String> NIM_FIELDS = List.of("model", "query", "passages", "truncate");
  private static final String TOP_N_FIELD = "top_n";
  private static final String RETURN_TEXT_FIELD = "return_text";
  private static final List<String> EXTENDED_FIELDS =
      List.of("model", "query", "passages", "truncate", TOP_N_FIELD, RETURN_TEXT_FIELD);
  private static final String ID_FIELD = "id";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  private final ServedModels models;
  private final boolean acceptIdField;
  private final List<String> fields;

  private RequestParser(ServedModels models, boolean acceptIdField, boolean extensions) {
    this.models = models;
    this.acceptIdField = acceptIdField;
    this.fields = extensions ? EXTENDED_FIELDS : NIM_FIELDS;
  }

  private RequestParser(ServedModels models, boolean acceptIdField) {
    this(models, acceptIdField, false);
  }

  /** A parser for pipeline input, where an optional {@code id} field carries correlation. */
  public static RequestParser forPipeline(ServedModels models) {
    return new RequestParser(models, true);
  }

  /** A parser for HTTP bodies: exactly the NIM's fields, no {@code id}. */
  public static RequestParser forHttp(ServedModels models) {
    return new RequestParser(models, false);
  }

  /**
   * This parser with the opt-in Cohere/TEI-style fields {@code top_n} (keep the n best rankings)
   * and {@code return_text} (add each ranking's passage text) accepted when {@code enabled}; a
   * parser without them rejects both as unknown fields, as the NIM does.
   */
  public RequestParser withExtensions(boolean enabled) {
    return new RequestParser(models, acceptIdField, enabled);
  }

  public ServedModels models() {
    return models;
  }

  /** Parses one raw request; never throws for bad input. */
  public ParseResult parse(byte[] body, RecordOrigin origin) {
    ObjectRead read = readObject(body, origin);
    if (read.malformed() != null) {
      return reject(origin.fallbackId(), null, ErrorKind.MALFORMED_JSON, read.malformed());
    }
    return validate(read.root(), origin);
  }

  /**
   * Validates a request that is already a JSON object (the SQL door builds one from each row), by
   * the same rules as {@link #parse(byte[], RecordOrigin)} after its bytes are read; never throws
   * for bad input.
   */
  public ParseResult parseObject(ObjectNode body, RecordOrigin origin) {
    return validate(body, origin);
  }

  /**
   * Why {@code body} is not a JSON object (the {@link ErrorKind#MALFORMED_JSON} message), or empty
   * when it is one. The same check {@link #parse} applies first, for routing dead letters.
   */
  public static Optional<String> notAJsonObject(byte[] body, RecordOrigin origin) {
    return Optional.ofNullable(readObject(body, origin).malformed());
  }

  /** A JSON object, or the message saying why the bytes are not one. */
  private record ObjectRead(JsonNode root, String malformed) {}

  private static ObjectRead readObject(byte[] body, RecordOrigin origin) {
    int invalid = body == null ? -1 : Utf8.firstInvalidByte(body);
    if (invalid >= 0) {
      // Checked before Jackson, which would accept some ill-formed sequences (e.g. encoded
      // surrogates): every transport answers the same bytes the same way.
      return new ObjectRead(
          null,
          "Malformed JSON ("
              + origin.description()
              + "): invalid UTF-8 at byte "
              + invalid
              + " (JSON text must be UTF-8)");
    }
    JsonNode root;
    try {
      // A null body (e.g. a Kafka record without a value) is empty input, not a crash.
      root = body == null ? null : MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      return new ObjectRead(null, malformed(e, origin));
    } catch (IOException e) {
      return new ObjectRead(
          null, "Malformed JSON (" + origin.description() + "): " + e.getMessage());
    }
    if (root == null || root.isMissingNode()) {
      return new ObjectRead(
          null,
          "Malformed JSON (" + origin.description() + "): empty input, expected a JSON object");
    }
    if (!root.isObject()) {
      return new ObjectRead(
          null,
          "Expected a JSON object ("
              + origin.description()
              + "), got "
              + root.getNodeType().name().toLowerCase());
    }
    return new ObjectRead(root, null);
  }

  private ParseResult validate(JsonNode root, RecordOrigin origin) {
    String id = origin.fallbackId();
    JsonNode idNode = root.get(ID_FIELD);
    JsonNode modelNode = root.get("model");
    String model = modelNode != null && modelNode.isTextual() ? modelNode.textValue() : null;

    if (acceptIdField && idNode != null) {
      if (!idNode.isTextual() || idNode.textValue().isEmpty()) {
        return reject(id, model, ErrorKind.INVALID_REQUEST, "id: expected a non-empty string");
      }
      id = idNode.textValue();
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      boolean known = fields.contains(field) || (acceptIdField && ID_FIELD.equals(field));
      if (!known) {
        return reject(
            id,
            model,
            ErrorKind.INVALID_REQUEST,
            field + ": unknown field, expected one of " + String.join(", ", fields));
      }
    }

    if (modelNode == null || modelNode.isNull()) {
      // As a single-model NIM does, a request without a model means the one served here.
      List<String> names = models.names();
      if (names.size() != 1) {
        return reject(
            id,
            null,
            ErrorKind.INVALID_REQUEST,
            "model: required when several models are served; expected one of " + models.describe());
      }
      model = names.get(0);
    } else if (model == null) {
      return reject(id, null, ErrorKind.INVALID_REQUEST, "model: expected a string");
    }
    String servedName = models.resolve(model).orElse(null);
    if (servedName == null) {
      return reject(
          id,
          model,
          ErrorKind.MODEL_NOT_FOUND,
          "Model '" + model + "' is not served here. Served models: " + models.describe());
    }

    JsonNode query = root.get("query");
    if (query == null || query.isNull()) {
      return reject(id, model, ErrorKind.INVALID_REQUEST, "query: missing field");
    }
    if (!query.isObject()) {
      return reject(
          id,
          model,
          ErrorKind.INVALID_REQUEST,
          "query: expected an object like {\"text\": \"...\"}");
    }
    JsonNode queryText = query.get("text");
    if (queryText == null || !queryText.isTextual()) {
      return reject(id, model, ErrorKind.INVALID_REQUEST, "query.text: expected a string");
    }
    if (queryText.textValue().isEmpty()) {
      return reject(id, model, ErrorKind.INVALID_REQUEST, "query.text: must not be empty");
    }

    JsonNode passagesNode = root.get("passages");
    if (passagesNode == null || passagesNode.isNull()) {
      return reject(id, model, ErrorKind.INVALID_REQUEST, "passages: missing field");
    }
    if (!passagesNode.isArray()) {
      return reject(
          id,
          model,
          ErrorKind.INVALID_REQUEST,
          "passages: expected an array of objects like {\"text\": \"...\"}");
    }
    if (passagesNode.isEmpty()) {
      return reject(
          id, model, ErrorKind.INVALID_REQUEST, "passages: must contain at least 1 passage");
    }
    if (passagesNode.size() > MAX_PASSAGES) {
      return reject(
          id,
          model,
          ErrorKind.TOO_MANY_PASSAGES,
          "passages: "
              + passagesNode.size()
              + " passages given, at most "
              + MAX_PASSAGES
              + " are allowed per request");
    }
    List<String> passages = new ArrayList<>(passagesNode.size());
    for (int i = 0; i < passagesNode.size(); i++) {
      JsonNode passage = passagesNode.get(i);
      if (passage.hasNonNull("image")) {
        return reject(
            id,
            model,
            ErrorKind.INVALID_REQUEST,
            "passages["
                + i
                + "]: image passages need a multimodal reranker; "
                + servedName
                + " takes text");
      }
      JsonNode text = passage.isObject() ? passage.get("text") : null;
      if (text == null || !text.isTextual()) {
        return reject(
            id,
            model,
            ErrorKind.INVALID_REQUEST,
            "passages[" + i + "].text: expected a string (passage at index " + i + ")");
      }
      passages.add(text.textValue());
    }

    Truncate truncate = Truncate.NONE;
    JsonNode truncateNode = root.get("truncate");
    if (truncateNode != null && !truncateNode.isNull()) {
      if (!truncateNode.isTextual() || !TRUNCATE_VALUES.contains(truncateNode.textValue())) {
        return reject(
            id,
            model,
            ErrorKind.INVALID_REQUEST,
            "truncate: unknown variant " + truncateNode + ", expected one of NONE, END");
      }
      truncate = Truncate.valueOf(truncateNode.textValue());
    }

    int topN = 0;
    JsonNode topNNode = root.get(TOP_N_FIELD);
    if (topNNode != null && !topNNode.isNull()) {
      if (!topNNode.isIntegralNumber() || !topNNode.canConvertToInt() || topNNode.intValue() < 1) {
        return reject(
            id,
            model,
            ErrorKind.INVALID_REQUEST,
            "top_n: expected a positive integer, got " + topNNode);
      }
      topN = topNNode.intValue();
    }
    boolean returnText = false;
    JsonNode returnTextNode = root.get(RETURN_TEXT_FIELD);
    if (returnTextNode != null && !returnTextNode.isNull()) {
      if (!returnTextNode.isBoolean()) {
        return reject(
            id,
            model,
            ErrorKind.INVALID_REQUEST,
            "return_text: expected true or false, got " + returnTextNode);
      }
      returnText = returnTextNode.booleanValue();
    }
    return new ParseResult.Accepted(
        new RankingRequest(
            id,
            servedName,
            queryText.textValue(),
            passages,
            truncate,
            new ResponseOptions(topN, returnText)));
  }

  private static final Set<String> TRUNCATE_VALUES = Set.of("NONE", "END");

  private static ParseResult.Rejected reject(
      String id, String model, ErrorKind kind, String message) {
    return new ParseResult.Rejected(id, model, new RerankFailure(kind, message));
  }

  private static String malformed(JsonProcessingException e, RecordOrigin origin) {
    var location = e.getLocation();
    String where =
        location == null
            ? origin.description()
            : origin.description() + ", column " + location.getColumnNr();
    return "Malformed JSON (" + where + "): " + firstSentence(e.getOriginalMessage());
  }

  // Jackson appends source excerpts and nested locations; the first clause is what users need.
  private static String firstSentence(String message) {
    String text = message == null ? "unreadable input" : message;
    for (String cut : new String[] {"\n", " (start marker at", " at [Source"}) {
      int at = text.indexOf(cut);
      if (at > 0) {
        text = text.substring(0, at);
      }
    }
    return text;
  }
}
