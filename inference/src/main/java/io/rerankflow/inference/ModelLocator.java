package io.rerankflow.inference;

import io.rerankflow.schemas.ServedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Resolves a {@code --model} value {@code [name=]TARGET[#ONNX_FILE]}. TARGET is {@code default}
 * (the embedded model), {@code all-minilm-l6-v2} (the second embedded model), {@code
 * hf:ORG/NAME[@REVISION]} (the local Hugging Face cache) or a model directory; {@code name=} serves
 * it under {@code name} alone (instead of the name and aliases its {@code rerank.json} gives);
 * {@code #ONNX_FILE} picks the ONNX file inside the directory, e.g. {@code
 * #onnx/model_qint8_avx512.onnx} (what {@code --onnx-file} adds).
 *
 * <p>A value that names an existing directory is a directory even if it contains {@code =} or
 * {@code #}.
 */
public final class ModelLocator {
  /** Separates a location from the ONNX file chosen inside it. */
  public static final char ONNX_FILE_SEPARATOR = '#';

  /** Where a {@code --model} target is looked for, in order; the first that knows it opens it. */
  private static final List<ModelSource> SOURCES =
      List.of(
          embedded(DefaultModel.ALIAS, DefaultModel::directory),
          embedded(DefaultModel.MINILM_NAME, DefaultModel::miniLm),
          (target, onnxFile) ->
              target.startsWith(HuggingFaceCache.SCHEME)
                  ? Optional.of(HuggingFaceCache.fromEnvironment().open(target, onnxFile))
                  : Optional.empty(),
          (target, onnxFile) -> Optional.of(ModelDirectory.open(Path.of(target), onnxFile, null)));

  private ModelLocator() {}

  /** One place models come from. */
  @FunctionalInterface
  private interface ModelSource {
    /** The model {@code target} names, or empty when this source does not know it. */
    Optional<ModelDirectory> open(String target, String onnxFile);
  }

  private static ModelSource embedded(String alias, Supplier<ModelDirectory> directory) {
    return (target, onnxFile) -> {
      if (!alias.equals(target)) {
        return Optional.empty();
      }
      if (onnxFile != null) {
        throw new IllegalArgumentException(
            "--model " + alias + ": the embedded model has one ONNX file; drop the onnx file");
      }
      return Optional.of(directory.get());
    };
  }

  public static ModelDirectory resolve(String location) {
    String servedName = null;
    String target = location;
    int separator = location.indexOf('=');
    if (separator > 0 && !Files.isDirectory(Path.of(location))) {
      servedName = location.substring(0, separator).strip();
      target = location.substring(separator + 1).strip();
      if (servedName.isEmpty() || target.isEmpty()) {
        throw new IllegalArgumentException(
            "--model "
                + location
                + ": expected name=MODEL, e.g. name=dir, name=default or name=hf:ORG/NAME");
      }
    }
    String onnxFile = null;
    int hash = target.lastIndexOf(ONNX_FILE_SEPARATOR);
    if (hash > 0 && !Files.isDirectory(Path.of(target))) {
      onnxFile = target.substring(hash + 1).strip();
      target = target.substring(0, hash).strip();
      if (onnxFile.isEmpty()) {
        throw new IllegalArgumentException(
            "--model " + location + ": expected dir#onnx/model.onnx (an ONNX file after #)");
      }
    }
    ModelDirectory dir = resolveTarget(target, onnxFile);
    return servedName == null ? dir : dir.withSpec(dir.spec().withServedName(servedName));
  }

  /**
   * The {@code --model} values with {@code onnxFile} chosen in each directory or cache entry (not
   * in embedded models, nor where a value already names its file); none changed when null.
   */
  public static List<String> withOnnxFile(List<String> locations, String onnxFile) {
    if (onnxFile == null) {
      return List.copyOf(locations);
    }
    List<String> chosen = new ArrayList<>();
    for (String location : locations) {
      String target =
          Files.isDirectory(Path.of(location))
              ? location
              : location.substring(location.indexOf('=') + 1).strip();
      boolean onDisk =
          target.startsWith(HuggingFaceCache.SCHEME) || Files.isDirectory(Path.of(target));
      boolean named =
          target.indexOf(ONNX_FILE_SEPARATOR) > 0 && !Files.isDirectory(Path.of(target));
      chosen.add(onDisk && !named ? location + ONNX_FILE_SEPARATOR + onnxFile : location);
    }
    return chosen;
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

  private static ModelDirectory resolveTarget(String target, String onnxFile) {
    for (ModelSource source : SOURCES) {
      Optional<ModelDirectory> dir = source.open(target, onnxFile);
      if (dir.isPresent()) {
        return dir.get();
      }
    }
    throw new IllegalArgumentException("--model " + target + ": no model found");
  }
}
