package io.rerankflow.inference;

import io.rerankflow.schemas.ServedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Resolves a {@code --model} value: {@code default} (the embedded model), {@code all-minilm-l6-v2}
 * (the second embedded model), a model directory, or {@code name=default} / {@code name=dir} to
 * serve that model under {@code name} (instead of the name and aliases its {@code rerank.json}
 * gives).
 *
 * <p>A value that names an existing directory is a directory even if it contains {@code =}.
 */
public final class ModelLocator {
  private ModelLocator() {}

  public static ModelDirectory resolve(String location) {
    int separator = location.indexOf('=');
    if (separator > 0 && !Files.isDirectory(Path.of(location))) {
      String servedName = location.substring(0, separator).strip();
      String target = location.substring(separator + 1).strip();
      if (servedName.isEmpty() || target.isEmpty()) {
        throw new IllegalArgumentException(
            "--model " + location + ": expected name=dir or name=default");
      }
      ModelDirectory dir = resolveTarget(target);
      return new ModelDirectory(dir.root(), dir.spec().withServedName(servedName));
    }
    return resolveTarget(location);
  }

  /**
   * The names and aliases that {@code locations} serve (a value given twice counts once, as in
   * {@link EngineSettings}), failing fast when two of them claim the same name: a slot could not
   * route requests between them.
   */
  public static ServedModels servedModels(List<String> locations) {
    try {
      ServedModels.Builder served = ServedModels.builder();
      for (String location : new LinkedHashSet<>(locations)) {
        ModelSpec spec = resolve(location).spec();
        served.add(spec.name(), spec.aliases());
      }
      return served.build();
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage() + " (check the --model values)", e);
    }
  }

  private static ModelDirectory resolveTarget(String location) {
    if (DefaultModel.ALIAS.equals(location)) {
      return DefaultModel.directory();
    }
    if (DefaultModel.MINILM_NAME.equals(location)) {
      return DefaultModel.miniLm();
    }
    return ModelDirectory.open(Path.of(location));
  }
}
