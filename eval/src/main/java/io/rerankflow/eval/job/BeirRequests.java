package io.rerankflow.eval.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rerankflow.eval.BeirCorpus;
import io.rerankflow.eval.BeirDocument;
import io.rerankflow.eval.BeirQueries;
import io.rerankflow.eval.Qrels;
import io.rerankflow.eval.ScoredDoc;
import io.rerankflow.eval.TrecRun;
import io.rerankflow.schemas.Truncate;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a BEIR directory and a first-stage run into NIM requests: one per judged query of the run,
 * its top-k candidates (in trec_eval order) as passages, each passage built from the document's
 * title and text with a format such as {@code "{title} {text}"}.
 */
final class BeirRequests {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int SHOWN_MISSING = 5;

  private BeirRequests() {}

  /**
   * Reads the inputs, writes {@code requests} and returns what the evaluation needs.
   *
   * <p>Only run queries that the qrels mention are reranked: the others cannot be evaluated. A run
   * query without text in {@code queries.jsonl}, or a candidate missing from the corpus, fails the
   * evaluation up front, naming them.
   */
  static EvaluationSet prepare(
      Path beir,
      Path runFile,
      Path qrelsFile,
      int topK,
      String passageFormat,
      String model,
      Truncate truncate,
      Path requests)
      throws IOException {
    Qrels qrels = Qrels.read(qrelsFile);
    TrecRun run = TrecRun.read(runFile);
    BeirQueries queries = BeirQueries.read(beir.resolve("queries.jsonl"));

    Map<String, List<ScoredDoc>> candidates = new LinkedHashMap<>();
    List<String> withoutText = new ArrayList<>();
    for (String queryId : run.queryIds()) {
      if (!qrels.queryIds().contains(queryId)) {
        continue;
      }
      if (queries.text(queryId) == null) {
        withoutText.add(queryId);
        continue;
      }
      List<ScoredDoc> ranking = run.ranking(queryId);
      candidates.put(queryId, List.copyOf(ranking.subList(0, Math.min(topK, ranking.size()))));
    }
    if (!withoutText.isEmpty()) {
      throw new IllegalArgumentException(
          withoutText.size()
              + " queries of "
              + runFile
              + " have no text in queries.jsonl: "
              + shown(withoutText));
    }
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException(
          "no query of " + runFile + " has judgments in " + qrelsFile + "; check --split/--qrels");
    }

    Set<String> wanted = new HashSet<>();
    candidates.values().forEach(docs -> docs.forEach(doc -> wanted.add(doc.docId())));
    BeirCorpus corpus = BeirCorpus.read(beir.resolve("corpus.jsonl"), wanted::contains);
    List<String> missing = wanted.stream().filter(id -> corpus.get(id) == null).sorted().toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          missing.size()
              + " documents of "
              + runFile
              + " are not in corpus.jsonl: "
              + shown(missing));
    }

    Map<String, List<String>> docIds = new LinkedHashMap<>();
    try (BufferedWriter out = Files.newBufferedWriter(requests, StandardCharsets.UTF_8)) {
      for (Map.Entry<String, List<ScoredDoc>> query : candidates.entrySet()) {
        ObjectNode request = MAPPER.createObjectNode();
        request.put("id", query.getKey());
        request.put("model", model);
        request.putObject("query").put("text", queries.text(query.getKey()));
        ArrayNode passages = request.putArray("passages");
        List<String> ids = new ArrayList<>();
        for (ScoredDoc doc : query.getValue()) {
          passages.addObject().put("text", passageText(passageFormat, corpus.get(doc.docId())));
          ids.add(doc.docId());
        }
        request.put("truncate", truncate.name());
        out.write(MAPPER.writeValueAsString(request));
        out.write('\n');
        docIds.put(query.getKey(), List.copyOf(ids));
      }
    }
    return new EvaluationSet(requests, docIds, TrecRun.of(candidates), qrels);
  }

  /** The passage text of a document: the format with its placeholders filled, stripped. */
  static String passageText(String format, BeirDocument document) {
    return format.replace("{title}", document.title()).replace("{text}", document.text()).strip();
  }

  private static String shown(List<String> ids) {
    return String.join(", ", ids.subList(0, Math.min(SHOWN_MISSING, ids.size())))
        + (ids.size() > SHOWN_MISSING ? ", ..." : "");
  }
}
