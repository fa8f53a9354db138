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

  /** Where the byte-level BPE tokenizer puts its beginning-of-text token, as Llama 3 does. */
  public static final String BEGIN_OF_TEXT = "<|begin_of_text|>";

  /** End of text; Llama exports set no pad token, so padding uses this one. */
  public static final String END_OF_TEXT = "<|end_of_text|>";

  /** Words the byte-level BPE merges into single tokens (the leading Ġ is an encoded space). */
  public static final List<String> BPE_WORDS =
      List.of(
          "question",
          "Ġpassage",
          "which",
          "Ġway",
          "Ġshould",
          "ĠI",
          "Ġgo",
          "two",
          "Ġtwo",
          "Ġroads",
          "Ġdiverged",
          "Ġin",
          "Ġa",
          "Ġyellow",
          "Ġwood");

  /** The byte-level BPE vocabulary: 256 byte tokens (id = byte), the merged words, specials. */
  public static final List<String> BPE_VOCAB = bpeVocab();

  /** The XLM-R style SentencePiece (Unigram) vocabulary; ids are list positions. */
  public static final List<String> UNIGRAM_VOCAB = unigramVocab();

  private static final String META_SPACE = "\u2581";

  /** The id of a byte-level BPE token, e.g. {@code bpeId("Ġway")} or {@code bpeId(":")}. */
  public static long bpeId(String token) {
    int id = BPE_VOCAB.indexOf(token);
    if (id < 0) {
      throw new IllegalArgumentException("not in the BPE vocabulary: " + token);
    }
    return id;
  }

  /**
   * The id of a SentencePiece token, e.g. {@code unigramId("▁way")} or {@code unigramId("</s>")}.
   */
  public static long unigramId(String token) {
    int id = UNIGRAM_VOCAB.indexOf(token);
    if (id < 0) {
      throw new IllegalArgumentException("not in the Unigram vocabulary: " + token);
    }
    return id;
  }

  /**
   * Writes a Llama-3 style tokenizer.json into dir: the Llama 3 split regex, byte-level BPE, and a
   * TemplateProcessing post-processor that puts {@link #BEGIN_OF_TEXT} before each sequence. Every
   * byte has a token, so no text is unknown.
   */
  public static Path byteLevelBpe(Path dir) {
    Map<String, Object> vocab = new LinkedHashMap<>();
    List<String> regular = BPE_VOCAB.subList(0, BPE_VOCAB.size() - 2);
    for (int id = 0; id < regular.size(); id++) {
      vocab.put(regular.get(id), id);
    }
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("type", "BPE");
    model.put("dropout", null);
    model.put("unk_token", null);
    model.put("continuing_subword_prefix", null);
    model.put("end_of_word_suffix", null);
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    model.put("ignore_merges", true);
    model.put("vocab", vocab);
    model.put("merges", bpeMerges());

    Map<String, Object> split = new LinkedHashMap<>();
    split.put("type", "Split");
    split.put(
        "pattern",
        Map.of(
            "Regex",
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|"
                + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"));
    split.put("behavior", "Isolated");
    split.put("invert", false);
    Map<String, Object> byteLevel = new LinkedHashMap<>();
    byteLevel.put("type", "ByteLevel");
    byteLevel.put("add_prefix_space", false);
    byteLevel.put("trim_offsets", true);
    byteLevel.put("use_regex", false);

    Map<String, Object> template = new LinkedHashMap<>();
    template.put("type", "TemplateProcessing");
    template.put("single", List.of(special(BEGIN_OF_TEXT, 0), sequence("A", 0)));
    template.put(
        "pair",
        List.of(
            special(BEGIN_OF_TEXT, 0),
            sequence("A", 0),
            special(BEGIN_OF_TEXT, 1),
            sequence("B", 1)));
    template.put(
        "special_tokens",
        Map.of(
            BEGIN_OF_TEXT,
            Map.of(
                "id",
                BEGIN_OF_TEXT,
                "ids",
                List.of(bpeId(BEGIN_OF_TEXT)),
                "tokens",
                List.of(BEGIN_OF_TEXT))));
    Map<String, Object> byteLevelPost = new LinkedHashMap<>(byteLevel);
    byteLevelPost.put("trim_offsets", false);

    Map<String, Object> tokenizer = new LinkedHashMap<>();
    tokenizer.put("version", "1.0");
    tokenizer.put("truncation", null);
    tokenizer.put("padding", null);
    tokenizer.put(
        "added_tokens",
        List.of(
            addedToken(BEGIN_OF_TEXT, bpeId(BEGIN_OF_TEXT)),
            addedToken(END_OF_TEXT, bpeId(END_OF_TEXT))));
    tokenizer.put("normalizer", null);
    tokenizer.put(
        "pre_tokenizer", Map.of("type", "Sequence", "pretokenizers", List.of(split, byteLevel)));
    tokenizer.put(
        "post_processor",
        Map.of("type", "Sequence", "processors", List.of(byteLevelPost, template)));
    tokenizer.put(
        "decoder",
        Map.of(
            "type",
            "ByteLevel",
            "add_prefix_space",
            true,
            "trim_offsets",
            true,
            "use_regex",
            true));
    tokenizer.put("model", model);
    return writeJson(dir, tokenizer);
  }

  /** How an XLM-R style tokenizer.json joins a pair: both give {@code <s> A </s></s> B </s>}. */
  public enum PairProcessor {
    /** {@code RobertaProcessing}, as in xlm-roberta-base's own tokenizer.json. */
    ROBERTA,
    /** {@code TemplateProcessing}, as in bge-reranker-v2-m3's tokenizer.json. */
    TEMPLATE
  }

  /**
   * Writes an XLM-R style tokenizer.json into dir: SentencePiece (Unigram) with a Metaspace
   * pre-tokenizer, {@code <s>}=0, {@code <pad>}=1, {@code </s>}=2, {@code <unk>}=3. Whole words
   * from {@link #WORDS} score higher than their letters, so they stay single pieces.
   */
  public static Path unigram(Path dir, PairProcessor processor) {
    List<List<Object>> vocab = new ArrayList<>();
    for (String piece : UNIGRAM_VOCAB) {
      double score;
      if (piece.startsWith("<")) {
        score = 0.0;
      } else if (piece.startsWith(META_SPACE) && piece.length() > 1) {
        score = -2.0;
      } else if (piece.equals(META_SPACE)) {
        score = -3.0;
      } else {
        score = -6.0;
      }
      vocab.add(List.of(piece, score));
    }
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("type", "Unigram");
    model.put("unk_id", (int) unigramId("<unk>"));
    model.put("vocab", vocab);
    model.put("byte_fallback", false);

    Map<String, Object> metaspace = new LinkedHashMap<>();
    metaspace.put("type", "Metaspace");
    metaspace.put("replacement", META_SPACE);
    metaspace.put("prepend_scheme", "always");
    metaspace.put("split", true);

    Map<String, Object> postProcessor = new LinkedHashMap<>();
    if (processor == PairProcessor.ROBERTA) {
      postProcessor.put("type", "RobertaProcessing");
      postProcessor.put("sep", List.of("</s>", unigramId("</s>")));
      postProcessor.put("cls", List.of("<s>", unigramId("<s>")));
      postProcessor.put("trim_offsets", true);
      postProcessor.put("add_prefix_space", true);
    } else {
      postProcessor.put("type", "TemplateProcessing");
      postProcessor.put("single", List.of(special("<s>", 0), sequence("A", 0), special("</s>", 0)));
      postProcessor.put(
          "pair",
          List.of(
              special("<s>", 0),
              sequence("A", 0),
              special("</s>", 0),
              special("</s>", 0),
              sequence("B", 0),
              special("</s>", 0)));
      postProcessor.put(
          "special_tokens",
          Map.of(
              "<s>",
              Map.of("id", "<s>", "ids", List.of(unigramId("<s>")), "tokens", List.of("<s>")),
              "</s>",
              Map.of("id", "</s>", "ids", List.of(unigramId("</s>")), "tokens", List.of("</s>"))));
    }

    Map<String, Object> tokenizer = new LinkedHashMap<>();
    tokenizer.put("version", "1.0");
    tokenizer.put("truncation", null);
    tokenizer.put("padding", null);
    tokenizer.put(
        "added_tokens",
        List.of("<s>", "<pad>", "</s>", "<unk>", "<mask>").stream()
            .map(t -> addedToken(t, unigramId(t)))
            .toList());
    tokenizer.put("normalizer", null);
    tokenizer.put("pre_tokenizer", metaspace);
    tokenizer.put("post_processor", postProcessor);
    Map<String, Object> decoder = new LinkedHashMap<>(metaspace);
    tokenizer.put("decoder", decoder);
    tokenizer.put("model", model);
    return writeJson(dir, tokenizer);
  }

  /** GPT-2's reversible byte-to-character map, which byte-level BPE vocabularies are written in. */
  public static String byteToken(int b) {
    int mapped = b;
    boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
    if (!printable) {
      int n = 0;
      for (int other = 0; other < b; other++) {
        boolean otherPrintable =
            (other >= '!' && other <= '~') || (other >= 0xA1 && other <= 0xAC) || (other >= 0xAE);
        if (!otherPrintable) {
          n++;
        }
      }
      mapped = 256 + n;
    }
    return new String(Character.toChars(mapped));
  }

  private static List<String> bpeVocab() {
    Set<String> vocab = new LinkedHashSet<>();
    for (int b = 0; b < 256; b++) {
      vocab.add(byteToken(b));
    }
    for (String word : BPE_WORDS) {
      for (int end = 2; end <= word.length(); end++) {
        vocab.add(word.substring(0, end));
      }
    }
    vocab.add(BEGIN_OF_TEXT);
    vocab.add(END_OF_TEXT);
    return List.copyOf(vocab);
  }

  // Each word merges left to right (w+h, wh+i, ...), so it always ends up as one token.
  private static List<String> bpeMerges() {
    Set<String> merges = new LinkedHashSet<>();
    for (String word : BPE_WORDS) {
      for (int end = 2; end <= word.length(); end++) {
        merges.add(word.substring(0, end - 1) + " " + word.charAt(end - 1));
      }
    }
    return List.copyOf(merges);
  }

  private static List<String> unigramVocab() {
    Set<String> vocab = new LinkedHashSet<>(List.of("<s>", "<pad>", "</s>", "<unk>"));
    vocab.add(META_SPACE);
    WORDS.forEach(word -> vocab.add(META_SPACE + word));
    for (char c = '!'; c <= '~'; c++) {
      vocab.add(String.valueOf(c));
    }
    vocab.add("<mask>");
    return List.copyOf(vocab);
  }

  private static Path writeJson(Path dir, Map<String, Object> tokenizer) {
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
    return addedToken(content, id(content));
  }

  private static Map<String, Object> addedToken(String content, long id) {
    Map<String, Object> token = new LinkedHashMap<>();
    token.put("id", id);
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
