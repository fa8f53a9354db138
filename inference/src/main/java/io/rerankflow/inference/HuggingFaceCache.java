package io.rerankflow.inference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds {@code hf:ORG/NAME[@REVISION]} in the local Hugging Face hub cache, laid out as {@code
 * huggingface_hub} writes it ({@code models--ORG--NAME/refs/main} holds the commit of {@code
 * snapshots/<commit>/}). Never touches the network: what is not cached fails with how to get it.
 *
 * <p>The cache is {@code HF_HUB_CACHE}, else {@code HF_HOME/hub}, else {@code
 * XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}, as in {@code
 * huggingface_hub}.
 */
final class HuggingFaceCache {
  static final String SCHEME = "hf:";
  private static final String DEFAULT_REVISION = "main";

  private final Path hub;
  private final String origin;

  HuggingFaceCache(Path hub, String origin) {
    this.hub = hub;
    this.origin = origin;
  }

  /** The cache this process's environment points at. */
  static HuggingFaceCache fromEnvironment() {
    return fromEnvironment(System.getenv(), System.getProperty("user.home"));
  }

  static HuggingFaceCache fromEnvironment(Map<String, String> env, String userHome) {
    if (isSet(env.get("HF_HUB_CACHE"))) {
      return new HuggingFaceCache(Path.of(env.get("HF_HUB_CACHE")), "HF_HUB_CACHE");
    }
    if (isSet(env.get("HF_HOME"))) {
      return new HuggingFaceCache(Path.of(env.get("HF_HOME"), "hub"), "HF_HOME/hub");
    }
    if (isSet(env.get("XDG_CACHE_HOME"))) {
      return new HuggingFaceCache(
          Path.of(env.get("XDG_CACHE_HOME"), "huggingface", "hub"),
          "XDG_CACHE_HOME/huggingface/hub");
    }
    return new HuggingFaceCache(
        Path.of(userHome, ".cache", "huggingface", "hub"), "~/.cache/huggingface/hub");
  }

  /** The hub cache directory ({@code .../huggingface/hub}). */
  Path hub() {
    return hub;
  }

  /**
   * The cached snapshot of {@code reference} ({@code hf:ORG/NAME[@REVISION]}) as a model directory
   * served under {@code ORG/NAME} unless its {@code rerank.json} names it.
   *
   * @param onnxFile as in {@link ModelDirectory#open(Path, String, String)}
   */
  ModelDirectory open(String reference, String onnxFile) {
    String repo = reference.substring(SCHEME.length());
    String revision = DEFAULT_REVISION;
    int at = repo.indexOf('@');
    if (at >= 0) {
      revision = repo.substring(at + 1);
      repo = repo.substring(0, at);
    }
    if (repo.isEmpty() || revision.isEmpty() || repo.startsWith("/") || repo.endsWith("/")) {
      throw new IllegalArgumentException(
          "--model " + reference + ": expected hf:ORG/NAME or hf:ORG/NAME@REVISION");
    }
    return ModelDirectory.open(snapshot(repo, revision), onnxFile, repo);
  }

  private Path snapshot(String repo, String revision) {
    Path repoDir = hub.resolve("models--" + repo.replace("/", "--"));
    if (!Files.isDirectory(repoDir)) {
      throw new IllegalArgumentException(
          "hf:"
              + repo
              + " is not in the Hugging Face cache ("
              + repoDir
              + " does not exist; the cache is "
              + origin
              + "). rerankflow never downloads: run `huggingface-cli download "
              + repo
              + "` (or `hf download "
              + repo
              + "`) where there is network access, or point HF_HUB_CACHE at a cache that has it");
    }
    Path ref = repoDir.resolve("refs").resolve(revision);
    String commit = revision;
    if (Files.isRegularFile(ref)) {
      try {
        commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read " + ref + ": " + e.getMessage(), e);
      }
    }
    Path snapshot = repoDir.resolve("snapshots").resolve(commit);
    if (!Files.isDirectory(snapshot)) {
      throw new IllegalArgumentException(
          "hf:"
              + repo
              + "@"
              + revision
              + " is not in the Hugging Face cache ("
              + snapshot
              + " does not exist; cached refs: "
              + listing(repoDir.resolve("refs"))
              + ", snapshots: "
              + listing(repoDir.resolve("snapshots"))
              + "). Run `huggingface-cli download "
              + repo
              + " --revision "
              + revision
              + "` where there is network access");
    }
    return snapshot;
  }

  private static String listing(Path dir) {
    if (!Files.isDirectory(dir)) {
      return "none";
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> entries = Files.list(dir)) {
      entries.map(p -> p.getFileName().toString()).sorted().forEach(names::add);
    } catch (IOException e) {
      return "unreadable";
    }
    return names.isEmpty() ? "none" : String.join(", ", names);
  }

  private static boolean isSet(String value) {
    return value != null && !value.isBlank();
  }
}
