package io.rerankflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Request files for the feed benchmark, in words of a real WordPiece vocabulary (one token each):
 * queries of 4–16 words, passages log-normal around 240 words (20–480), about 271 tokens a pair.
 * With reuse, each block of 20,000 pairs draws its passages from a corpus of 1,400, as a query log
 * over a corpus does; otherwise every passage is new.
 */
final class FeedWorkload {
  /** Pairs that share one corpus of {@link #CORPUS_PER_BLOCK} passages, with reuse. */
  static final int PAIRS_PER_BLOCK = 20_000;

  static final int CORPUS_PER_BLOCK = 1_400;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private FeedWorkload() {}

  /** Whole-word entries of a tokenizer.json's WordPiece vocabulary (letters only, 3+ chars). */
  static List<String> words(Path tokenizerJson) throws IOException {
    JsonNode vocab = MAPPER.readTree(tokenizerJson.toFile()).path("model").path("vocab");
    List<String> words = new ArrayList<>();
    for (Iterator<String> names = vocab.fieldNames(); names.hasNext(); ) {
      String word = names.next();
      if (word.length() >= 3 && word.chars().allMatch(c -> c >= 'a' && c <= 'z')) {
        words.add(word);
      }
    }
    return words;
  }

  static void write(
      Path file,
      List<String> words,
      int pairs,
      int perRequest,
      boolean reuse,
      long seed,
      String model)
      throws IOException {
    Random random = new Random(seed);
    List<String> corpus = new ArrayList<>();
    int block = -1;
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      int written = 0;
      for (int r = 0; written < pairs; r++) {
        if (reuse && written / PAIRS_PER_BLOCK != block) {
          block = written / PAIRS_PER_BLOCK;
          corpus.clear();
          for (int c = 0; c < CORPUS_PER_BLOCK; c++) {
            corpus.add(text(random, words, passageWords(random)));
          }
        }
        int count = Math.min(perRequest, pairs - written);
        ObjectNode request = MAPPER.createObjectNode();
        request.put("id", "r" + r);
        request.put("model", model);
        request.putObject("query").put("text", text(random, words, 4 + random.nextInt(13)));
        ArrayNode list = request.putArray("passages");
        for (int p = 0; p < count; p++) {
          String passage =
              reuse
                  ? corpus.get(random.nextInt(corpus.size()))
                  : text(random, words, passageWords(random));
          list.addObject().put("text", passage);
        }
        request.put("truncate", "END");
        out.write(MAPPER.writeValueAsString(request));
        out.newLine();
        written += count;
      }
    }
  }

  private static int passageWords(Random random) {
    double words = Math.exp(Math.log(240) + 0.45 * random.nextGaussian());
    return (int) Math.max(20, Math.min(480, Math.round(words)));
  }

  private static String text(Random random, List<String> words, int count) {
    StringBuilder text = new StringBuilder(count * 8);
    for (int w = 0; w < count; w++) {
      if (w > 0) {
        text.append(' ');
      }
      text.append(words.get(random.nextInt(words.size())));
    }
    return text.toString();
  }
}
