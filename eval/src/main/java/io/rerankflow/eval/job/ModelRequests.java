package io.rerankflow.eval.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests of one evaluation job that compares models: every request of the evaluation once per
 * model, its {@code model} set to that model and its id made {@code <model>/<query id>}, so one job
 * reranks the same candidates with each model and every output maps back to its model and query.
 *
 * @param file the JSONL the job reads
 * @param byRequestId the id each output carries → the model and query it belongs to
 */
record ModelRequests(Path file, Map<String, ModelQuery> byRequestId) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Which model reranked which query. */
  record ModelQuery(String model, String queryId) {}

  ModelRequests {
    byRequestId = Collections.unmodifiableMap(new LinkedHashMap<>(byRequestId));
  }

  /**
   * Writes {@code requests} (one per query, ids as {@link RequestCandidates} reads them) once per
   * model into {@code file}, model after model.
   *
   * <p>A line that is not a JSON object cannot be given a model or an id: it is copied verbatim
   * once per model, and the pipeline answers it with an error record named by its line in {@code
   * file} (the file job's fallback id), which maps back to the model and the original line number.
   */
  static ModelRequests write(Path requests, List<String> models, Path file) throws IOException {
    Map<String, ModelQuery> byRequestId = new LinkedHashMap<>();
    // Undecodable bytes stay bad input for the pipeline to answer, not a crash here.
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      long written = 0;
      for (String model : models) {
        try (BufferedReader lines =
            new BufferedReader(
                new java.io.InputStreamReader(Files.newInputStream(requests), decoder))) {
          int lineNumber = 0;
          for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            lineNumber++;
            if (line.isBlank()) {
              continue;
            }
            written++;
            ObjectNode request = readObject(line);
            if (request == null) {
              out.write(line);
              byRequestId.put(
                  Long.toString(written), new ModelQuery(model, Integer.toString(lineNumber)));
            } else {
              JsonNode idNode = request.get("id");
              String queryId =
                  idNode != null && idNode.isTextual() && !idNode.textValue().isEmpty()
                      ? idNode.textValue()
                      : Integer.toString(lineNumber);
              String requestId = model + "/" + queryId;
              request.put("id", requestId);
              request.put("model", model);
              out.write(MAPPER.writeValueAsString(request));
              byRequestId.put(requestId, new ModelQuery(model, queryId));
            }
            out.write('\n');
          }
        }
      }
    }
    return new ModelRequests(file, byRequestId);
  }

  private static ObjectNode readObject(String line) {
    try {
      JsonNode node = MAPPER.readTree(line);
      return node instanceof ObjectNode object ? object : null;
    } catch (IOException e) {
      return null;
    }
  }
}
