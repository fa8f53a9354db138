package io.rerankflow.eval.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rerankflow.eval.Qrels;
import io.rerankflow.eval.ScoredDoc;
import io.rerankflow.eval.TrecRun;
import java.io.BufferedReader;
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
 * Evaluation input given as NIM requests: a JSONL file of requests, a candidates file mapping each
 * (query id, passage index) to a doc id, and qrels. The first stage is each request's passage order
 * (index 0 ranked first).
 *
 * <p>A request's query id is its {@code id} field, or its line number without one, exactly as the
 * file job names its outputs. Every passage of every readable request must be mapped, and a query's
 * passages must be distinct documents; otherwise the evaluation fails up front, naming the first
 * problem. Lines that are not requests are left to the pipeline, which reports them as errors.
 */
final class RequestCandidates {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private RequestCandidates() {}

  static EvaluationSet prepare(Path requests, Path candidatesFile, Path qrelsFile)
      throws IOException {
    Map<String, Map<Integer, String>> mapping = readMapping(candidatesFile);
    Map<String, List<String>> docIds = new LinkedHashMap<>();
    Map<String, List<ScoredDoc>> firstStage = new LinkedHashMap<>();
    try (BufferedReader lines = Files.newBufferedReader(requests, StandardCharsets.UTF_8)) {
      int lineNumber = 0;
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode request = readRequest(line);
        if (request == null) {
          continue;
        }
        JsonNode idNode = request.get("id");
        String queryId =
            idNode != null && idNode.isTextual() && !idNode.textValue().isEmpty()
                ? idNode.textValue()
                : Integer.toString(lineNumber);
        int passages = request.path("passages").size();
        Map<Integer, String> byIndex = mapping.getOrDefault(queryId, Map.of());
        List<String> ids = new ArrayList<>(passages);
        Set<String> seen = new HashSet<>();
        List<ScoredDoc> ranking = new ArrayList<>(passages);
        for (int index = 0; index < passages; index++) {
          String docId = byIndex.get(index);
          if (docId == null) {
            throw new IllegalArgumentException(
                candidatesFile
                    + " maps no doc id to passage "
                    + index
                    + " of query '"
                    + queryId
                    + "' (line "
                    + lineNumber
                    + " of "
                    + requests.getFileName()
                    + ")");
          }
          if (!seen.add(docId)) {
            throw new IllegalArgumentException(
                candidatesFile
                    + ": doc '"
                    + docId
                    + "' is mapped twice for query '"
                    + queryId
                    + "'");
          }
          ids.add(docId);
          ranking.add(new ScoredDoc(docId, passages - index));
        }
        if (docIds.put(queryId, List.copyOf(ids)) != null) {
          throw new IllegalArgumentException(
              requests + ": query id '" + queryId + "' is used by two requests");
        }
        firstStage.put(queryId, ranking);
      }
    }
    return new EvaluationSet(requests, docIds, TrecRun.of(firstStage), Qrels.read(qrelsFile));
  }

  private static JsonNode readRequest(String line) {
    try {
      JsonNode node = MAPPER.readTree(line);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static Map<String, Map<Integer, String>> readMapping(Path file) throws IOException {
    Map<String, Map<Integer, String>> mapping = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\\s+");
      Integer index = fields.length == 3 ? parseIndex(fields[1]) : null;
      if (index == null) {
        throw new IllegalArgumentException(
            file
                + ":"
                + (i + 1)
                + ": expected 'query-id passage-index doc-id' with a passage index >= 0");
      }
      String previous =
          mapping.computeIfAbsent(fields[0], q -> new LinkedHashMap<>()).put(index, fields[2]);
      if (previous != null) {
        throw new IllegalArgumentException(
            file
                + ":"
                + (i + 1)
                + ": passage "
                + index
                + " of query '"
                + fields[0]
                + "' mapped twice");
      }
    }
    return mapping;
  }

  private static Integer parseIndex(String text) {
    try {
      int index = Integer.parseInt(text);
      return index >= 0 ? index : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
