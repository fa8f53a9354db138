package io.rerankflow.jobs.run;

import io.rerankflow.jobs.RerankOptions;
import io.rerankflow.jobs.files.InputTotals;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What makes two file runs "the same run", so that a re-run may resume the interrupted one: the
 * input's content (a SHA-256 of each file the source reads, by its path under {@code --input}), the
 * {@code --model} values (with {@code --onnx-file}), {@code --extensions} and the output format.
 * Content, not sizes and modification times: a file rewritten with the same bytes (as {@code
 * scripts/evaluate} rewrites its request file on each run) is the same input, and an edit that
 * keeps the size within the same second is not.
 */
public final class RunFingerprint {
  private RunFingerprint() {}

  public static Map<String, String> of(RerankOptions options) throws IOException {
    Map<String, String> entries = new LinkedHashMap<>();
    Path input = options.input().toAbsolutePath();
    for (Path file : InputTotals.files(input)) {
      String name = Files.isDirectory(input) ? input.relativize(file).toString() : "";
      entries.put("--input " + (name.isEmpty() ? file.getFileName() : name), sha256(file));
    }
    entries.put("--model", String.join(" ", options.engine().models()));
    entries.put("--extensions", Boolean.toString(options.engine().extensions()));
    entries.put("--sink", options.sink().optionValue());
    return entries;
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
    return "sha256:" + HexFormat.of().formatHex(digest.digest());
  }
}
