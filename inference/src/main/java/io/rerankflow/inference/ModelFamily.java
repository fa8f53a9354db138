package io.rerankflow.inference;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The architecture a model directory's export comes from: it decides how a pair becomes one input
 * row, which optional ONNX inputs rerankflow fills, and the defaults of padding and length.
 */
public enum ModelFamily {
  /**
   * BERT-style encoders (MiniLM, bge-reranker-base/large, ELECTRA, DeBERTa...): the tokenizer's
   * pair template ({@code [CLS] q [SEP] p [SEP]}), optional {@code token_type_ids}.
   */
  BERT("bert", Set.of(OnnxInputs.TOKEN_TYPE_IDS), PaddingSide.RIGHT, 512, null),
  /**
   * XLM-RoBERTa / RoBERTa encoders (bge-reranker-v2-m3, mxbai, jina multilingual): the tokenizer's
   * pair template ({@code <s> q </s></s> p </s>}), a single token type, so no {@code
   * token_type_ids}; positions are derived inside the model.
   */
  XLM_ROBERTA("xlm-roberta", Set.of(), PaddingSide.RIGHT, 512, null),
  /**
   * Llama (or Mistral) decoders with bidirectional attention, fine-tuned as rerankers
   * (llama-nemotron-rerank-1b-v2): the pair is one text built from a template, left padding,
   * optional {@code position_ids}.
   */
  LLAMA_BIDIRECTIONAL(
      "llama-bidirectional",
      Set.of(OnnxInputs.POSITION_IDS),
      PaddingSide.LEFT,
      8192,
      PromptTemplate.NVIDIA_RERANK);

  private final String configName;
  private final Set<String> optionalInputs;
  private final PaddingSide defaultPaddingSide;
  private final int defaultMaxLength;
  private final String defaultTemplate;

  ModelFamily(
      String configName,
      Set<String> optionalInputs,
      PaddingSide defaultPaddingSide,
      int defaultMaxLength,
      String defaultTemplate) {
    this.configName = configName;
    this.optionalInputs = optionalInputs;
    this.defaultPaddingSide = defaultPaddingSide;
    this.defaultMaxLength = defaultMaxLength;
    this.defaultTemplate = defaultTemplate;
  }

  /** The value {@code rerank.json} uses, e.g. {@code llama-bidirectional}. */
  public String configName() {
    return configName;
  }

  /** ONNX inputs besides {@code input_ids} and {@code attention_mask} that this family fills. */
  public Set<String> optionalInputs() {
    return optionalInputs;
  }

  public PaddingSide defaultPaddingSide() {
    return defaultPaddingSide;
  }

  public int defaultMaxLength() {
    return defaultMaxLength;
  }

  /** The pair template a cross-encoder of this family uses, or null for the tokenizer's pairs. */
  public String defaultTemplate() {
    return defaultTemplate;
  }

  static ModelFamily fromConfig(String value) {
    for (ModelFamily family : values()) {
      if (family.configName.equals(value)) {
        return family;
      }
    }
    throw new IllegalArgumentException(
        "family: unknown value '" + value + "', expected one of " + configNames());
  }

  static String configNames() {
    return String.join(", ", Arrays.stream(values()).map(ModelFamily::configName).toList());
  }

  /**
   * The family of a Hugging Face {@code config.json} ({@code model_type}, {@code architectures}),
   * empty when it names no family rerankflow knows.
   */
  static Optional<ModelFamily> fromHuggingFace(String modelType, List<String> architectures) {
    String type = modelType == null ? "" : modelType.toLowerCase(Locale.ROOT).replace('_', '-');
    if (type.contains("llama") || type.contains("mistral")) {
      return Optional.of(LLAMA_BIDIRECTIONAL);
    }
    if (Set.of("xlm-roberta", "xlm-roberta-xl", "roberta", "camembert").contains(type)) {
      return Optional.of(XLM_ROBERTA);
    }
    if (Set.of(
            "bert",
            "distilbert",
            "electra",
            "albert",
            "mobilebert",
            "mpnet",
            "deberta",
            "deberta-v2",
            "modernbert")
        .contains(type)) {
      return Optional.of(BERT);
    }
    for (String architecture : architectures) {
      if (architecture.startsWith("Llama") || architecture.startsWith("Mistral")) {
        return Optional.of(LLAMA_BIDIRECTIONAL);
      }
      if (architecture.startsWith("XLMRoberta") || architecture.startsWith("Roberta")) {
        return Optional.of(XLM_ROBERTA);
      }
      if (architecture.startsWith("Bert")) {
        return Optional.of(BERT);
      }
    }
    return Optional.empty();
  }
}
