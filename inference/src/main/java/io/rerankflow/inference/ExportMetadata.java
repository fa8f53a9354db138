package io.rerankflow.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a Hugging Face export says about itself: {@code config.json} (model type, pad and eos ids,
 * label names), {@code tokenizer_config.json} (length limit, padding side, pad and eos tokens) and
 * sentence-transformers' {@code sentence_bert_config.json} (length limit). Every file is optional;
 * {@code rerank.json} overrides anything read here.
 */
final class ExportMetadata {
  static final String CONFIG_FILE = "config.json";
  static final String TOKENIZER_CONFIG_FILE = "tokenizer_config.json";
  static final String SENTENCE_BERT_CONFIG_FILE = "sentence_bert_config.json";

  /**
   * Label names (lower case, {@code -} and spaces as {@code _}) that mark the "relevant" class of a
   * two-class head, and those that mark the other one.
   */
  private static final Set<String> POSITIVE_LABELS =
      Set.of(
          "relevant", "entailment", "positive", "yes", "true", "match", "similar", "label_1", "1");

  private static final Set<String> NEGATIVE_LABELS =
      Set.of(
          "irrelevant",
          "not_relevant",
          "non_relevant",
          "contradiction",
          "not_entailment",
          "negative",
          "no",
          "false",
          "label_0",
          "0");

  // Hugging Face writes a huge model_max_length (int(1e30)) when a tokenizer declares no limit.
  private static final long UNSET_MAX_LENGTH = 1_000_000;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path dir;
  private final JsonNode config;
  private final JsonNode tokenizerConfig;
  private final JsonNode sentenceBertConfig;

  private ExportMetadata(
      Path dir, JsonNode config, JsonNode tokenizerConfig, JsonNode sentenceBertConfig) {
    this.dir = dir;
    this.config = config;
    this.tokenizerConfig = tokenizerConfig;
    this.sentenceBertConfig = sentenceBertConfig;
  }

  /** Reads the files that exist in dir; a file that exists but is not a JSON object fails. */
  static ExportMetadata read(Path dir) {
    return new ExportMetadata(
        dir,
        readObject(dir, CONFIG_FILE),
        readObject(dir, TOKENIZER_CONFIG_FILE),
        readObject(dir, SENTENCE_BERT_CONFIG_FILE));
  }

  /**
   * The family named by {@code config.json}; empty without one.
   *
   * @throws IllegalArgumentException when config.json names a model type of no known family
   */
  Optional<ModelFamily> family() {
    if (config.isMissingNode()) {
      return Optional.empty();
    }
    String modelType = config.path("model_type").asText("");
    List<String> architectures = new ArrayList<>();
    config.path("architectures").forEach(a -> architectures.add(a.asText()));
    Optional<ModelFamily> family = ModelFamily.fromHuggingFace(modelType, architectures);
    if (family.isEmpty() && modelType.isEmpty()) {
      // Older BERT exports write no model_type (transformers then assumes BERT as well).
      return Optional.of(ModelFamily.BERT);
    }
    if (family.isEmpty()) {
      throw new IllegalArgumentException(
          "family: "
              + dir.resolve(CONFIG_FILE)
              + " has model_type '"
              + modelType
              + "' (architectures "
              + architectures
              + "), which is no family rerankflow knows; set \"family\" in rerank.json to one of "
              + ModelFamily.configNames());
    }
    return family;
  }

  /**
   * {@code sentence_bert_config.json}'s {@code max_seq_length} (what sentence-transformers
   * truncates to), else {@code tokenizer_config.json}'s {@code model_max_length}, unless it is the
   * "no limit" value.
   */
  OptionalInt maxLength() {
    for (JsonNode value :
        List.of(
            sentenceBertConfig.path("max_seq_length"), tokenizerConfig.path("model_max_length"))) {
      if (value.isNumber() && value.asDouble() >= 2 && value.asDouble() <= UNSET_MAX_LENGTH) {
        return OptionalInt.of(value.asInt());
      }
    }
    return OptionalInt.empty();
  }

  /**
   * The "relevant" class of a two-class head: the class whose {@code config.json} {@code id2label}
   * name is a positive one ({@code relevant}, {@code entailment}, {@code LABEL_1}, ...), or the
   * class opposite a negative name ({@code irrelevant}, {@code contradiction}, {@code LABEL_0},
   * ...); class 1 when the names decide nothing, as transformers' binary classifiers do.
   */
  int positiveClass() {
    JsonNode labels = config.path("id2label");
    if (!labels.isObject() || labels.size() != 2) {
      return 1;
    }
    String first = label(labels.path("0"));
    String second = label(labels.path("1"));
    boolean firstPositive = POSITIVE_LABELS.contains(first);
    boolean secondPositive = POSITIVE_LABELS.contains(second);
    if (firstPositive != secondPositive) {
      return firstPositive ? 0 : 1;
    }
    boolean firstNegative = NEGATIVE_LABELS.contains(first);
    boolean secondNegative = NEGATIVE_LABELS.contains(second);
    if (!firstPositive && firstNegative != secondNegative) {
      return firstNegative ? 1 : 0;
    }
    return 1;
  }

  private static String label(JsonNode name) {
    return name.asText("").strip().toLowerCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
  }

  /** {@code tokenizer_config.json}'s {@code padding_side}. */
  Optional<PaddingSide> paddingSide() {
    String side = tokenizerConfig.path("padding_side").asText("").toLowerCase(Locale.ROOT);
    return switch (side) {
      case "left" -> Optional.of(PaddingSide.LEFT);
      case "right" -> Optional.of(PaddingSide.RIGHT);
      default -> Optional.empty();
    };
  }

  /**
   * The pad id: the tokenizer config's {@code pad_token}, else config.json's {@code pad_token_id};
   * when neither is set, the eos token the same way (Llama sets no pad token, and its reference
   * code pads with eos).
   */
  OptionalLong padTokenId() {
    TokenIds ids = new TokenIds(dir.resolve(ModelDirectory.TOKENIZER_FILE));
    OptionalLong pad = tokenId("pad_token", "pad_token_id", ids);
    return pad.isPresent() ? pad : tokenId("eos_token", "eos_token_id", ids);
  }

  private OptionalLong tokenId(String tokenField, String idField, TokenIds ids) {
    JsonNode token = tokenizerConfig.path(tokenField);
    // Newer tokenizer configs write special tokens as {"content": "<pad>", ...}.
    String content = token.isObject() ? token.path("content").asText(null) : token.asText(null);
    if (token.isTextual() || token.isObject()) {
      OptionalLong id = ids.idOf(content);
      if (id.isEmpty()) {
        throw new IllegalArgumentException(
            dir.resolve(TOKENIZER_CONFIG_FILE)
                + ": "
                + tokenField
                + " '"
                + content
                + "' is not a token of tokenizer.json; set pad_token_id in rerank.json");
      }
      return id;
    }
    JsonNode id = config.path(idField);
    if (id.isArray() && !id.isEmpty()) {
      id = id.get(0);
    }
    return id.isIntegralNumber() ? OptionalLong.of(id.asLong()) : OptionalLong.empty();
  }

  private static JsonNode readObject(Path dir, String name) {
    Path file = dir.resolve(name);
    if (!Files.isRegularFile(file)) {
      return MissingNode.getInstance();
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(file + ": expected a JSON object");
    }
    return root;
  }

  /** Token ids of a tokenizer.json, read (once, lazily) without loading the native tokenizer. */
  private static final class TokenIds {
    private final Path file;
    private JsonNode root;

    TokenIds(Path file) {
      this.file = file;
    }

    OptionalLong idOf(String token) {
      if (token == null) {
        return OptionalLong.empty();
      }
      for (JsonNode added : root().path("added_tokens")) {
        if (token.equals(added.path("content").asText(null))) {
          return OptionalLong.of(added.path("id").asLong());
        }
      }
      JsonNode vocab = root().path("model").path("vocab");
      if (vocab.isObject() && vocab.has(token)) {
        return OptionalLong.of(vocab.get(token).asLong());
      }
      if (vocab.isArray()) {
        // Unigram vocabularies are [piece, score] pairs whose position is the id.
        for (int id = 0; id < vocab.size(); id++) {
          if (token.equals(vocab.get(id).path(0).asText(null))) {
            return OptionalLong.of(id);
          }
        }
      }
      return OptionalLong.empty();
    }

    private JsonNode root() {
      if (root == null) {
        root = readObject(file.getParent(), file.getFileName().toString());
      }
      return root;
    }
  }
}
