package io.rerankflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Deterministic request files for the benchmark. Texts are drawn from common English words that
 * BERT-style WordPiece vocabularies hold as single tokens, so a text of n words is about n tokens.
 */
public final class Workload {
  private static final String[] WORDS =
      ("the of and to in is was for on that with as by at from his her which this be are an had"
              + " not have but were has one all their they there been would more when who will its"
              + " also she time other some into only first new two may after over most about these"
              + " such years up can out many made then them world city state war year during where"
              + " used so between him three under later part could both through school team while"
              + " since second known well before season film people found being each number united"
              + " early around until four any century water music against government system called"
              + " back high name family through group life series way south north west east five"
              + " following major public same large long power work day home river game place area")
          .split(" ");

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Workload() {}

  /** How passage lengths are drawn. */
  public enum Shape {
    /** Queries 4–30 words, passages log-normal (median 120) clipped to 20–500 words. */
    MIXED,
    /** Queries of 16 words, passages of 128 words. */
    UNIFORM
  }

  /** Writes {@code pairs} pairs as requests of {@code perRequest} passages for {@code model}. */
  public static void write(
      Path file, Shape shape, int pairs, int perRequest, long seed, String model)
      throws IOException {
    Random random = new Random(seed);
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      int written = 0;
      for (int r = 0; written < pairs; r++) {
        int passages = Math.min(perRequest, pairs - written);
        ObjectNode request = MAPPER.createObjectNode();
        request.put("id", "r" + r);
        request.put("model", model);
        int queryWords = shape == Shape.MIXED ? 4 + random.nextInt(27) : 16;
        request.putObject("query").put("text", text(random, queryWords));
        ArrayNode list = request.putArray("passages");
        for (int p = 0; p < passages; p++) {
          list.addObject().put("text", text(random, passageWords(shape, random)));
        }
        request.put("truncate", "END");
        out.write(MAPPER.writeValueAsString(request));
        out.newLine();
        written += passages;
      }
    }
  }

  static int passageWords(Shape shape, Random random) {
    if (shape == Shape.UNIFORM) {
      return 128;
    }
    double words = Math.exp(Math.log(120) + 0.7 * random.nextGaussian());
    return (int) Math.max(20, Math.min(500, Math.round(words)));
  }

  private static String text(Random random, int words) {
    StringBuilder text = new StringBuilder(words * 6);
    for (int w = 0; w < words; w++) {
      if (w > 0) {
        text.append(' ');
      }
      text.append(WORDS[random.nextInt(WORDS.length)]);
    }
    return text.toString();
  }
}
