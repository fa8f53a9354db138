package io.rerankflow.edge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a few small files every period on one daemon thread and hands their contents on when any of
 * them changed. Contents are compared, not modification times: a rewrite within the file system's
 * time granularity is still seen, and {@code WatchService} misses Kubernetes' symlink swaps of
 * mounted secrets.
 */
final class PolledFiles implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolledFiles.class);

  private final List<Path> paths;
  private final Consumer<List<byte[]>> changed;
  private final ScheduledExecutorService timer;
  private List<byte[]> last;

  /**
   * Polls {@code paths} every {@code period}, starting from {@code initial} (what the caller read
   * at start); {@code changed} runs on the polling thread, and an exception it throws is logged.
   */
  PolledFiles(
      String name,
      List<Path> paths,
      List<byte[]> initial,
      Duration period,
      Consumer<List<byte[]>> changed) {
    this.paths = List.copyOf(paths);
    this.changed = changed;
    this.last = List.copyOf(initial);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        this::poll, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Reads every path; a missing or unreadable one fails with its name. */
  static List<byte[]> read(List<Path> paths) throws IOException {
    List<byte[]> contents = new ArrayList<>(paths.size());
    for (Path path : paths) {
      contents.add(Files.readAllBytes(path));
    }
    return contents;
  }

  private void poll() {
    try {
      List<byte[]> now;
      try {
        now = read(paths);
      } catch (IOException e) {
        LOG.warn("Cannot read {} ({}); the previous contents stay in force", paths, e.toString());
        return;
      }
      if (!sameContents(now, last)) {
        last = now;
        changed.accept(now);
      }
    } catch (RuntimeException e) {
      // The barrier of this loop: a bad reload is reported and the next change is tried again.
      LOG.error("Reloading {} failed; the previous contents stay in force", paths, e);
    }
  }

  private static boolean sameContents(List<byte[]> a, List<byte[]> b) {
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
