package io.rerankflow.jobs.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The state folder of a resumable file run, {@code OUTPUT/.rerankflow-state/}: the run's
 * fingerprint ({@code run.json}), Flink's retained checkpoints ({@code checkpoints/<job
 * id>/chk-N}), the outputs counted at each checkpoint ({@code counts/chk-N/subtask-I}, written by
 * {@link OutputCounters}) and, once the run has ended, its summary ({@code complete.json}).
 */
public final class RunState {
  static final String FOLDER = ".rerankflow-state";
  private static final String RUN = "run.json";
  private static final String COMPLETE = "complete.json";
  private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A retained checkpoint: its folder (what Flink restores from) and its id. */
  public record Checkpoint(Path folder, long id) {
    public String name() {
      return "chk-" + id;
    }
  }

  /** Outputs written up to a checkpoint, over all subtasks. */
  public record Done(long requests, long pairs) {}

  private final Path folder;

  private RunState(Path folder) {
    this.folder = folder;
  }

  /** The state folder of the results in {@code output}. */
  public static RunState in(Path output) {
    return new RunState(output.toAbsolutePath().resolve(FOLDER));
  }

  Path folder() {
    return folder;
  }

  public Path checkpoints() {
    return folder.resolve("checkpoints");
  }

  public Path counts() {
    return folder.resolve("counts");
  }

  /** Whether a run has started on this output and left its fingerprint. */
  public boolean exists() {
    return Files.isRegularFile(folder.resolve(RUN));
  }

  public Map<String, String> fingerprint() throws IOException {
    return JSON.readValue(folder.resolve(RUN).toFile(), new TypeReference<>() {});
  }

  /** Starts a run: forgets any earlier state and records {@code fingerprint}. */
  public void begin(Map<String, String> fingerprint) throws IOException {
    discard();
    Files.createDirectories(folder);
    Files.writeString(
        folder.resolve(RUN),
        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(fingerprint),
        StandardCharsets.UTF_8);
  }

  /** The summary of the run that completed on this output, if it did. */
  public Optional<JobSummary> completed() throws IOException {
    Path complete = folder.resolve(COMPLETE);
    if (!Files.isRegularFile(complete)) {
      return Optional.empty();
    }
    Map<String, Object> numbers = JSON.readValue(complete.toFile(), new TypeReference<>() {});
    return Optional.of(JobSummary.stored(numbers));
  }

  /**
   * Marks the run complete with {@code summary}; its checkpoints and counts are of no more use. The
   * summary goes in first, so a crash in between leaves a complete run, not a resumable one.
   */
  public void complete(JobSummary summary) throws IOException {
    Files.writeString(
        folder.resolve(COMPLETE),
        JSON.writeValueAsString(summary.stored()),
        StandardCharsets.UTF_8);
    delete(checkpoints());
    delete(counts());
  }

  /** The newest retained checkpoint whose metadata was written (a completed one). */
  public Optional<Checkpoint> latestCheckpoint() throws IOException {
    if (!Files.isDirectory(checkpoints())) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.walk(checkpoints(), 3)) {
      return files
          .filter(f -> f.getFileName().toString().equals("_metadata"))
          .map(Path::getParent)
          .map(dir -> Map.entry(dir, CHECKPOINT.matcher(dir.getFileName().toString())))
          .filter(e -> e.getValue().matches())
          .map(e -> new Checkpoint(e.getKey(), Long.parseLong(e.getValue().group(1))))
          .max(Comparator.comparingLong(Checkpoint::id));
    }
  }

  /** Outputs written up to {@code checkpoint}, or nothing when no subtask left its count. */
  public Done doneAt(Checkpoint checkpoint) throws IOException {
    Path dir = counts().resolve(checkpoint.name());
    long requests = 0;
    long pairs = 0;
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.toList()) {
          String[] numbers = Files.readString(file, StandardCharsets.UTF_8).trim().split(" ");
          requests += Long.parseLong(numbers[0]);
          pairs += Long.parseLong(numbers[1]);
        }
      }
    }
    return new Done(requests, pairs);
  }

  /** Removes the whole state folder. */
  public void discard() throws IOException {
    delete(folder);
  }

  /**
   * Deletes {@code root} and everything under it, tolerating entries that vanish meanwhile (Flink
   * discards a finished job's checkpoints itself, possibly while this runs).
   */
  private static void delete(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) {
              throw e;
            }
            Files.deleteIfExists(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** The names of the fingerprint entries whose values differ, or that only one side has. */
  public static List<String> differences(Map<String, String> before, Map<String, String> now) {
    Map<String, String> all = new LinkedHashMap<>(before);
    now.forEach(all::putIfAbsent);
    return all.keySet().stream()
        .filter(key -> !Objects.equals(before.get(key), now.get(key)))
        .toList();
  }
}
