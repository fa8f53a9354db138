package io.rerankflow.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A model on disk as Hugging Face exports leave it: an ONNX file ({@code model.onnx}, or the hub
 * layout's {@code onnx/model.onnx}, or one chosen by name), {@code tokenizer.json}, and optionally
 * the export's {@code config.json}, {@code tokenizer_config.json}, {@code
 * sentence_bert_config.json} and a {@code rerank.json} that overrides what they say.
 *
 * @param root the directory holding the tokenizer and config files
 * @param spec how to serve it
 * @param onnxFile the ONNX file ONNX Runtime loads; external weights ({@code model.onnx_data}) lie
 *     next to it and are resolved by ONNX Runtime relative to this path
 * @param positiveClass which class of a two-class head is "relevant" (see {@link
 *     ExportMetadata#positiveClass()}); one-logit heads ignore it
 */
public record ModelDirectory(Path root, ModelSpec spec, Path onnxFile, int positiveClass)
    implements Serializable {
  public static final String ONNX_FILE = "model.onnx";
  public static final String TOKENIZER_FILE = "tokenizer.json";

  /**
   * Where the Hugging Face hub layout keeps its ONNX exports (tokenizer and config at the root).
   */
  public static final String HUB_ONNX_FILE = "onnx/model.onnx";

  /** The {@code rerank.json} field naming the ONNX file inside the directory. */
  static final String ONNX_FILE_FIELD = "onnx_file";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  public ModelDirectory {
    if (positiveClass != 0 && positiveClass != 1) {
      throw new IllegalArgumentException("positiveClass must be 0 or 1, was " + positiveClass);
    }
  }

  /**
   * Opens a directory served under the name its {@code rerank.json} gives, else the directory's own
   * name, with the ONNX file found by the default rule.
   */
  public static ModelDirectory open(Path root) {
    return open(root, null, null);
  }

  /**
   * Opens a directory, failing with a message that names every missing file.
   *
   * @param onnxFile the ONNX file relative to root, or null for {@code rerank.json}'s {@code
   *     onnx_file}, else {@code model.onnx}, else {@code onnx/model.onnx}
   * @param fallbackName the served name when {@code rerank.json} gives none; null for the
   *     directory's name
   */
  public static ModelDirectory open(Path root, String onnxFile, String fallbackName) {
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException(
          "model directory " + root + " does not exist (pass a directory or 'default')");
    }
    Path rerankJson = root.resolve(ModelSpec.FILE_NAME);
    JsonNode config = readRerankJson(rerankJson);
    String chosen = onnxFile;
    if (chosen == null && config.has(ONNX_FILE_FIELD)) {
      JsonNode field = config.get(ONNX_FILE_FIELD);
      if (!field.isTextual() || field.textValue().isBlank()) {
        throw new IllegalArgumentException(
            rerankJson + ": onnx_file: expected a path relative to the model directory");
      }
      chosen = field.textValue();
    }
    Path onnx = chosen != null ? chosenOnnx(root, chosen) : defaultOnnx(root);
    List<String> missing = new ArrayList<>();
    if (onnx == null) {
      missing.add(ONNX_FILE + " (nor " + HUB_ONNX_FILE + ")");
    }
    if (!Files.isRegularFile(root.resolve(TOKENIZER_FILE))) {
      missing.add(TOKENIZER_FILE);
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "model directory "
              + root
              + " lacks "
              + String.join(", ", missing)
              + " (expected an ONNX export with model.onnx or onnx/model.onnx, and tokenizer.json"
              + otherOnnxFiles(root)
              + ")");
    }
    ExportMetadata export = ExportMetadata.read(root);
    String name = fallbackName != null ? fallbackName : directoryName(root);
    ModelSpec spec;
    try {
      spec = ModelSpec.fromJson(config, export, name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          (Files.isRegularFile(rerankJson) ? rerankJson : root) + ": " + e.getMessage(), e);
    }
    return new ModelDirectory(root, spec, onnx, export.positiveClass());
  }

  /** This directory served with another spec (e.g. under another name). */
  public ModelDirectory withSpec(ModelSpec newSpec) {
    return new ModelDirectory(root, newSpec, onnxFile, positiveClass);
  }

  public Path tokenizerFile() {
    return root.resolve(TOKENIZER_FILE);
  }

  private static JsonNode readRerankJson(Path file) {
    if (!Files.isRegularFile(file)) {
      return JsonNodeFactory.instance.objectNode();
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(file + ": expected a JSON object");
    }
    return node;
  }

  private static Path defaultOnnx(Path root) {
    for (String candidate : List.of(ONNX_FILE, HUB_ONNX_FILE)) {
      Path file = root.resolve(candidate);
      if (Files.isRegularFile(file)) {
        return file;
      }
    }
    return null;
  }

  private static Path chosenOnnx(Path root, String relative) {
    Path file = root.resolve(relative).normalize();
    if (Path.of(relative).isAbsolute() || !file.startsWith(root.normalize())) {
      throw new IllegalArgumentException(
          "onnx file '"
              + relative
              + "' must be a path inside the model directory "
              + root
              + ", e.g. onnx/model_quantized.onnx");
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "model directory " + root + " has no ONNX file " + relative + otherOnnxFiles(root));
    }
    // Keep the path as given (not resolved through links): ONNX Runtime looks for external
    // weights next to it, where a Hugging Face snapshot links them too.
    return root.resolve(relative);
  }

  private static String otherOnnxFiles(Path root) {
    List<String> found = new ArrayList<>();
    for (Path dir : List.of(root, root.resolve("onnx"))) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        files
            .filter(f -> f.getFileName().toString().endsWith(".onnx") && Files.isRegularFile(f))
            .map(f -> root.relativize(f).toString())
            .sorted()
            .forEach(found::add);
      } catch (IOException e) {
        // only a hint; the message says what is missing either way
      }
    }
    return found.isEmpty()
        ? ""
        : "; ONNX files there: " + String.join(", ", found) + " (choose one with --onnx-file)";
  }

  private static String directoryName(Path root) {
    Path name = root.toAbsolutePath().normalize().getFileName();
    return name == null ? root.toString() : name.toString();
  }
}
