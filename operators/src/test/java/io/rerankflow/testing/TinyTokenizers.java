package io.rerankflow.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Writes small but real HuggingFace tokenizer.json files that DJL loads without a network. */
public final class TinyTokenizers {
  public static final String PAD = "[PAD]";
  public static final String UNK = "[UNK]";
  public static final String CLS = "[CLS]";
  public static final String SEP = "[SEP]";
  public static final String MASK = "[MASK]";

  /** Special tokens, which take ids 0..4 in this order. */
  public static final List<String> SPECIAL_TOKENS = List.of(PAD, UNK, CLS, SEP, MASK);

  /** Whole words that get their own id, so common test sentences stay short. */
  public static final List<String> WORDS =
      List.of(
          ("the a an and i in it of to is was which way should go road roads two diverged"
                  + " yellow wood woods sorry could not travel both one long stood looked down as"
                  + " far took less traveled by that has made all difference")
              .split(" "));

  /** The full WordPiece vocabulary; a token's id is its index. */
  public static final List<String> WORD_PIECE_VOCAB = wordPieceVocab();

  private static final String SUBWORD_PREFIX = "##";

  private TinyTokenizers() {}

  public static int vocabSize() {
    return WORD_PIECE_VOCAB.size();
  }

  /** The id of a vocabulary token, e.g. {@code id("roads")} or {@code id("##s")}. */
  public static long id(String token) {
    int id = WORD_PIECE_VOCAB.indexOf(token);
    if (id < 0) {
      throw new IllegalArgumentException("not in the vocabulary: " + token);
    }
    return id;
  }

  /**
   * Writes a BERT-style (lowercasing WordPiece, [CLS] A [SEP] B [SEP]) tokenizer.json into dir and
   * returns its path. Single characters cover all printable ASCII, so no such text maps to [UNK].
   */
  public static Path wordPiece(Path dir) {
    Map<String, Object> vocab = new LinkedHashMap<>();
    for (int id = 0; id < WORD_PIECE_VOCAB.size(); id++) {
      vocab.put(WORD_PIECE_VOCAB.get(id), id);
    }
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("type", "WordPiece");
    model.put("unk_token", UNK);
    model.put("continuing_subword_prefix", SUBWORD_PREFIX);
    model.put("max_input_chars_per_word", 100);
    model.put("vocab", vocab);

    Map<String, Object> normalizer = new LinkedHashMap<>();
    normalizer.put("type", "BertNormalizer");
    normalizer.put("clean_text", true);
    normalizer.put("handle_chinese_chars", true);
    normalizer.put("strip_accents", null);
    normalizer.put("lowercase", true);

    Map<String, Object> postProcessor = new LinkedHashMap<>();
    postProcessor.put("type", "TemplateProcessing");
    postProcessor.put("single", List.of(special(CLS, 0), sequence("A", 0), special(SEP, 0)));
    postProcessor.put(
        "pair",
        List.of(
            special(CLS, 0), sequence("A", 0), special(SEP, 0), sequence("B", 1), special(SEP, 1)));
    postProcessor.put(
        "special_tokens",
        Map.of(
            CLS, Map.of("id", CLS, "ids", List.of(id(CLS)), "tokens", List.of(CLS)),
            SEP, Map.of("id", SEP, "ids", List.of(id(SEP)), "tokens", List.of(SEP))));

    Map<String, Object> tokenizer = new LinkedHashMap<>();
    tokenizer.put("version", "1.0");
    tokenizer.put("truncation", null);
    tokenizer.put("padding", null);
    tokenizer.put("added_tokens", SPECIAL_TOKENS.stream().map(TinyTokenizers::addedToken).toList());
    tokenizer.put("normalizer", normalizer);
    tokenizer.put("pre_tokenizer", Map.of("type", "BertPreTokenizer"));
    tokenizer.put("post_processor", postProcessor);
    tokenizer.put(
        "decoder", Map.of("type", "WordPiece", "prefix", SUBWORD_PREFIX, "cleanup", true));
    tokenizer.put("model", model);

    Path file = dir.resolve("tokenizer.json");
    try {
      Files.createDirectories(dir);
      new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), tokenizer);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private static List<String> wordPieceVocab() {
    List<String> characters = new ArrayList<>();
    for (char c = 'a'; c <= 'z'; c++) {
      characters.add(String.valueOf(c));
    }
    for (char c = '0'; c <= '9'; c++) {
      characters.add(String.valueOf(c));
    }
    // A set, because the words "a" and "i" are also letters and WordPiece ids must be unique.
    Set<String> vocab = new LinkedHashSet<>(SPECIAL_TOKENS);
    vocab.addAll(WORDS);
    vocab.addAll(characters);
    characters.forEach(c -> vocab.add(SUBWORD_PREFIX + c));
    // BertPreTokenizer isolates every ASCII punctuation char, so each needs only a bare entry.
    for (char c = '!'; c <= '~'; c++) {
      if (!Character.isLetterOrDigit(c)) {
        vocab.add(String.valueOf(c));
      }
    }
    return List.copyOf(vocab);
  }

  private static Map<String, Object> addedToken(String content) {
    Map<String, Object> token = new LinkedHashMap<>();
    token.put("id", id(content));
    token.put("content", content);
    token.put("single_word", false);
    token.put("lstrip", false);
    token.put("rstrip", false);
    token.put("normalized", false);
    token.put("special", true);
    return token;
  }

  private static Map<String, Object> special(String token, int typeId) {
    return Map.of("SpecialToken", Map.of("id", token, "type_id", typeId));
  }

  private static Map<String, Object> sequence(String id, int typeId) {
    return Map.of("Sequence", Map.of("id", id, "type_id", typeId));
  }
}
