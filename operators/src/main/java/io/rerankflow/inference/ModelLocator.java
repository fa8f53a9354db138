package io.rerankflow.inference;

import java.nio.file.Path;

/** Resolves a {@code --model} value: {@code default} (the embedded model) or a directory. */
public final class ModelLocator {
  private ModelLocator() {}

  public static ModelDirectory resolve(String location) {
    if (DefaultModel.ALIAS.equals(location)) {
      return DefaultModel.directory();
    }
    return ModelDirectory.open(Path.of(location));
  }
}
