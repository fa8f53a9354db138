package io.rerankflow.edge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of an {@code --api-keys} file, re-read when it changes: a removed key stops working and
 * an added one works without a restart. A malformed file is reported with its line number and the
 * keys in force stay as they were. Logs name keys by NAME only.
 */
final class ApiKeyFile implements AutoCloseable {
  /** How often the file is compared with what was last read (the issue asks for within 5 s). */
  static final Duration POLL = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(ApiKeyFile.class);

  private final Path file;
  private final AtomicReference<ApiKeys> keys = new AtomicReference<>();
  private final AtomicLong reloads = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final PolledFiles polling;

  private ApiKeyFile(Path file, byte[] initial) {
    this.file = file;
    keys.set(parse(initial));
    LOG.info("API keys from {}: {}", file, keys.get().names());
    polling = new PolledFiles("api-key-file", List.of(file), List.of(initial), POLL, this::changed);
  }

  /** Reads {@code file} now (a malformed line fails the start) and then follows its changes. */
  static ApiKeyFile open(Path file) {
    try {
      return new ApiKeyFile(file, PolledFiles.read(List.of(file)).get(0));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --api-keys " + file + ": " + e.getMessage(), e);
    }
  }

  private ApiKeys parse(byte[] content) {
    return ApiKeys.parse(
        new String(content, StandardCharsets.UTF_8).lines().toList(), "--api-keys " + file);
  }

  private void changed(List<byte[]> contents) {
    try {
      ApiKeys next = parse(contents.get(0));
      keys.set(next);
      reloads.incrementAndGet();
      LOG.info("API keys reloaded from {}: {}", file, next.names());
    } catch (ApiKeys.MalformedLine e) {
      rejected.incrementAndGet();
      LOG.warn("{}; the previous keys stay in force: {}", e.getMessage(), keys.get().names());
    }
  }

  /** The keys in force now. */
  ApiKeys keys() {
    return keys.get();
  }

  /** Changes of the file taken into force since start. */
  long reloads() {
    return reloads.get();
  }

  /** Changes of the file refused as malformed since start. */
  long rejected() {
    return rejected.get();
  }

  @Override
  public void close() {
    polling.close();
  }
}
