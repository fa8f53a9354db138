package io.rerankflow.edge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One set of API keys, as read from an {@code --api-keys} file or given by {@code --api-key}: each
 * key has a NAME (what logs and metrics show) and, optionally, a quota in pairs per second. Only
 * the SHA-256 of a key is held, so {@code sha256:HEX} lines and literal keys are the same here.
 */
final class ApiKeys {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-fA-F]{64}");
  private static final String SHA256_PREFIX = "sha256:";

  /** One key: its name, the SHA-256 of its bytes, and its pairs per second (0: no quota). */
  record Key(String name, byte[] sha256, double pairsPerSecond) {}

  /** A line of the file that is not a key; the message names the line. */
  static final class MalformedLine extends IllegalArgumentException {
    MalformedLine(String source, int line, String why) {
      super(source + " line " + line + ": " + why);
    }
  }

  private final List<Key> keys;

  private ApiKeys(List<Key> keys) {
    this.keys = List.copyOf(keys);
  }

  /** The {@code --api-key} shorthand: one key named {@code default}, without a quota. */
  static ApiKeys single(String key) {
    return new ApiKeys(List.of(new Key("default", sha256(key), 0)));
  }

  /**
   * Parses the lines of a key file: {@code NAME KEY [PAIRS_PER_SECOND]}, blank lines and {@code #}
   * comments skipped; names and keys are unique. {@code source} names the file in messages, which
   * never quote a key.
   */
  static ApiKeys parse(List<String> lines, String source) {
    List<Key> keys = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> digests = new HashSet<>();
    HexFormat hex = HexFormat.of();
    for (int i = 0; i < lines.size(); i++) {
      int number = i + 1;
      String line = stripComment(lines.get(i)).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] fields = line.split("\\s+");
      if (fields.length < 2 || fields.length > 3) {
        throw new MalformedLine(
            source,
            number,
            "expected NAME KEY [PAIRS_PER_SECOND], found " + fields.length + " fields");
      }
      String name = fields[0];
      if (!NAME.matcher(name).matches()) {
        throw new MalformedLine(
            source, number, "NAME must be 1 to 64 of A-Z a-z 0-9 . _ - (it shows in metrics)");
      }
      if (!names.add(name)) {
        throw new MalformedLine(source, number, "the name " + name + " is given twice");
      }
      byte[] digest;
      if (fields[1].regionMatches(true, 0, SHA256_PREFIX, 0, SHA256_PREFIX.length())) {
        if (!SHA256.matcher(fields[1].toLowerCase()).matches()) {
          throw new MalformedLine(
              source, number, "a sha256: key needs 64 hex digits (sha256sum of the key)");
        }
        digest = hex.parseHex(fields[1].substring(SHA256_PREFIX.length()));
      } else {
        digest = sha256(fields[1]);
      }
      if (!digests.add(hex.formatHex(digest))) {
        throw new MalformedLine(source, number, "the key of " + name + " is another name's too");
      }
      double rate = 0;
      if (fields.length == 3) {
        try {
          rate = Double.parseDouble(fields[2]);
        } catch (NumberFormatException e) {
          rate = Double.NaN;
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
          throw new MalformedLine(
              source, number, "PAIRS_PER_SECOND must be a positive number, e.g. 200");
        }
      }
      keys.add(new Key(name, digest, rate));
    }
    return new ApiKeys(keys);
  }

  /** A {@code #} at the start or after a blank starts a comment (a key may hold a '#'). */
  private static String stripComment(String line) {
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  /**
   * The key that {@code presented} is, or null. Every key is compared, each in constant time, so
   * the answer's timing says nothing about which key or how much of one matched.
   */
  Key find(String presented) {
    byte[] digest = sha256(presented);
    Key found = null;
    for (Key key : keys) {
      if (MessageDigest.isEqual(key.sha256(), digest) && found == null) {
        found = key;
      }
    }
    return found;
  }

  int size() {
    return keys.size();
  }

  List<String> names() {
    return keys.stream().map(Key::name).toList();
  }

  static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
