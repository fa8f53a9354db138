package io.rerankflow.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * A valid request whose words are all in the tiny WordPiece vocabulary, generated from a seed, so
 * its passages differ in length and content and rankings are not trivial.
 */
public record GeneratedRequest(String id, String query, List<String> passages) {
  private static final String[] WORDS = {
    "the", "road", "wood", "two", "roads", "diverged", "yellow", "travel", "long", "down"
  };

  public static GeneratedRequest generated(String id, long seed) {
    Random random = new Random(seed);
    String query = words(random, 2 + random.nextInt(3));
    List<String> passages = new ArrayList<>();
    int count = 1 + random.nextInt(7);
    for (int p = 0; p < count; p++) {
      passages.add(words(random, 1 + random.nextInt(12)));
    }
    return new GeneratedRequest(id, query, passages);
  }

  private static String words(Random random, int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      text.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
    }
    return text.toString();
  }

  /** The request line; without the {@code id} field when {@code withId} is false. */
  public String json(boolean withId) {
    return "{"
        + (withId ? "\"id\":\"" + id + "\"," : "")
        + "\"model\":\"tiny\",\"query\":{\"text\":\""
        + query
        + "\"},\"passages\":["
        + passages.stream().map(p -> "{\"text\":\"" + p + "\"}").collect(Collectors.joining(","))
        + "]}";
  }

  public byte[] bytes(boolean withId) {
    return json(withId).getBytes(StandardCharsets.UTF_8);
  }
}
