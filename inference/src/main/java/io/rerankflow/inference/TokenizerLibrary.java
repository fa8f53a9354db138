package io.rerankflow.inference;

import ai.djl.huggingface.tokenizers.jni.LibUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Loads DJL's native tokenizer library once per class loader, from a copy of its own.
 *
 * <p>DJL extracts {@code libtokenizers.so} to one fixed path under {@code ~/.djl.ai}; the JVM
 * refuses to load one path in a second class loader. A Flink TaskManager gives every job (and every
 * restart of it) a new user-code class loader, so the second job on a TaskManager failed with
 * "already loaded in another classloader". Pointing DJL's engine cache at a fresh directory while
 * it loads gives each class loader its own copy; the copy is deleted once it is mapped.
 */
final class TokenizerLibrary {
  private static final String CACHE_PROPERTY = "ENGINE_CACHE_DIR";

  private TokenizerLibrary() {}

  static void load() {
    // The system properties object is one per JVM, so it serialises loaders of every class
    // loader, whose copies of this class do not share a lock.
    Properties properties = System.getProperties();
    synchronized (properties) {
      String previous = System.getProperty(CACHE_PROPERTY);
      Path dir;
      try {
        dir = Files.createTempDirectory("rerankflow-tokenizers-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a directory for the tokenizer library", e);
      }
      try {
        System.setProperty(CACHE_PROPERTY, dir.toString());
        LibUtils.checkStatus();
      } finally {
        if (previous == null) {
          System.clearProperty(CACHE_PROPERTY);
        } else {
          System.setProperty(CACHE_PROPERTY, previous);
        }
        deleteTree(dir);
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover copy in the temp directory is harmless.
    }
  }
}
