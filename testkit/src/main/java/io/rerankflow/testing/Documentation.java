package io.rerankflow.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The project's Markdown (README.md and docs/) as the tests read it: the options a command's {@code
 * --help} prints against its section of {@code docs/options.md}, and the relative links of every
 * page.
 */
public final class Documentation {
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern OPTION_CELL =
      Pattern.compile("^\\| `(--[\\w-]+)`", Pattern.MULTILINE);

  private final Path root;

  private Documentation(Path root) {
    this.root = root;
  }

  /** The repository that holds the module the tests run in (the first parent with docs/). */
  public static Documentation ofRepository() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("docs"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no docs/ above " + Path.of("").toAbsolutePath());
    }
    return new Documentation(dir);
  }

  /** The options {@code --help} prints, each by its longest name, in picocli's order. */
  public static Set<String> helpOptions(CommandLine command) {
    Set<String> names = new LinkedHashSet<>();
    for (OptionSpec option : command.getCommandSpec().options()) {
      if (!option.hidden()) {
        names.add(option.longestName());
      }
    }
    return names;
  }

  /** The options listed in the table under {@code ## section} of docs/options.md. */
  public Set<String> documentedOptions(String section) {
    String page = read(root.resolve("docs/options.md"));
    Matcher heading = Pattern.compile("(?m)^## " + Pattern.quote(section) + "$").matcher(page);
    if (!heading.find()) {
      throw new AssertionError("docs/options.md has no section '## " + section + "'");
    }
    int end = page.indexOf("\n## ", heading.end());
    String body = page.substring(heading.end(), end < 0 ? page.length() : end);
    Set<String> names = new LinkedHashSet<>();
    Matcher cell = OPTION_CELL.matcher(body);
    while (cell.find()) {
      names.add(cell.group(1));
    }
    return names;
  }

  /** README.md and every page under docs/. */
  public List<Path> pages() {
    List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md")));
    try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pages;
  }

  /**
   * The relative links of a page that do not resolve: the file is missing, or the anchor names no
   * heading of the target page. Web links ({@code scheme:}) are not followed.
   */
  public List<String> brokenLinks(Path page) {
    List<String> broken = new ArrayList<>();
    Matcher link = LINK.matcher(read(page));
    while (link.find()) {
      String target = link.group(1);
      if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
        continue;
      }
      int hash = target.indexOf('#');
      String file = hash < 0 ? target : target.substring(0, hash);
      Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
      if (!Files.exists(resolved)) {
        broken.add(target + " (no such file)");
      } else if (hash >= 0 && resolved.toString().endsWith(".md")) {
        String anchor = target.substring(hash + 1);
        if (!anchors(resolved).contains(anchor)) {
          broken.add(target + " (no such heading)");
        }
      }
    }
    return broken;
  }

  /** The page's path relative to the repository, for messages. */
  public String name(Path page) {
    return root.relativize(page).toString();
  }

  /** GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces to dashes. */
  static Set<String> anchors(Path page) {
    Set<String> anchors = new LinkedHashSet<>();
    boolean fenced = false;
    for (String line : read(page).split("\n")) {
      if (line.startsWith("```")) {
        fenced = !fenced;
      } else if (!fenced && line.startsWith("#")) {
        String text = line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT);
        anchors.add(text.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
      }
    }
    return anchors;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
