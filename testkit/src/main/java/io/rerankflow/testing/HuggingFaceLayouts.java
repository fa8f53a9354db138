package io.rerankflow.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes model directories the way Hugging Face tools leave them, from the tiny fixtures: an
 * Optimum {@code --task text-classification} export, the hub's {@code onnx/} layout, and a {@code
 * huggingface_hub} cache entry (blobs plus snapshot links).
 */
public final class HuggingFaceLayouts {
  private HuggingFaceLayouts() {}

  /**
   * What {@code optimum-cli export onnx --task text-classification} writes for a BERT
   * cross-encoder: {@code model.onnx}, {@code config.json} with {@code architectures} and {@code
   * id2label}, the tokenizer files; no {@code rerank.json}.
   *
   * @param id2label the {@code id2label} object, e.g. {@code {"0": "LABEL_0"}}
   */
  public static Path optimumExport(Path dir, TinyCrossEncoder model, String id2label) {
    try {
      Files.createDirectories(dir);
      model.write(dir.resolve("model.onnx"));
      tokenizerFiles(dir);
      Files.writeString(
          dir.resolve("config.json"),
          "{\"_name_or_path\": \"cross-encoder/tiny\", \"architectures\":"
              + " [\"BertForSequenceClassification\"], \"model_type\": \"bert\","
              + " \"hidden_size\": 8, \"id2label\": "
              + id2label
              + ", \"pad_token_id\": 0, \"transformers_version\": \"4.44.2\"}");
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A hub repository's layout: tokenizer and config at the root, each ONNX file under its relative
   * name (e.g. {@code onnx/model.onnx}, {@code onnx/model_qint8_avx512.onnx}).
   */
  public static Path hubSnapshot(
      Path dir, List<String> onnxFiles, List<TinyCrossEncoder> models, String configJson) {
    try {
      Files.createDirectories(dir);
      tokenizerFiles(dir);
      Files.writeString(dir.resolve("config.json"), configJson);
      for (int i = 0; i < onnxFiles.size(); i++) {
        Path file = dir.resolve(onnxFiles.get(i));
        Files.createDirectories(file.getParent());
        models.get(i).write(file);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Copies the files of {@code source} into a {@code huggingface_hub} cache under {@code hub} as it
   * stores them: each file a blob named by its hash, linked from {@code snapshots/<commit>/<path>};
   * {@code refs/<ref>} holds the commit.
   *
   * @return the snapshot directory
   */
  public static Path cacheEntry(Path hub, String repo, String ref, String commit, Path source) {
    Path repoDir = hub.resolve("models--" + repo.replace("/", "--"));
    Path snapshot = repoDir.resolve("snapshots").resolve(commit);
    try (Stream<Path> files = Files.walk(source)) {
      Files.createDirectories(repoDir.resolve("blobs"));
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        byte[] content = Files.readAllBytes(file);
        Path blob = repoDir.resolve("blobs").resolve(sha256(content));
        Files.write(blob, content);
        Path link = snapshot.resolve(source.relativize(file).toString());
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, link.getParent().relativize(blob));
      }
      Files.createDirectories(repoDir.resolve("refs"));
      Files.writeString(repoDir.resolve("refs").resolve(ref), commit, StandardCharsets.UTF_8);
      return snapshot;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void tokenizerFiles(Path dir) throws IOException {
    TinyTokenizers.wordPiece(dir);
    Files.writeString(
        dir.resolve("tokenizer_config.json"),
        "{\"do_lower_case\": true, \"model_max_length\": 512, \"pad_token\": \"[PAD]\","
            + " \"tokenizer_class\": \"BertTokenizer\"}");
    Files.writeString(
        dir.resolve("special_tokens_map.json"),
        "{\"cls_token\": \"[CLS]\", \"pad_token\": \"[PAD]\", \"sep_token\": \"[SEP]\","
            + " \"unk_token\": \"[UNK]\", \"mask_token\": \"[MASK]\"}");
    Files.write(dir.resolve("vocab.txt"), TinyTokenizers.WORD_PIECE_VOCAB);
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
