package io.rerankflow.inference;

/** How a model turns a query and a passage into a logit. */
public enum ModelKind {
  /** One forward pass over the joined pair; the head's output is the logit. */
  CROSS_ENCODER("cross-encoder"),
  /** Query and passage are embedded separately; the logit is their cosine similarity. */
  BI_ENCODER("bi-encoder");

  private final String configName;

  ModelKind(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  static ModelKind fromConfig(String value) {
    for (ModelKind kind : values()) {
      if (kind.configName.equals(value)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "kind: unknown value '" + value + "', expected cross-encoder or bi-encoder");
  }
}
