package io.rerankflow.eval.job;

import static io.rerankflow.cli.OptionChecks.require;
import static io.rerankflow.cli.OptionChecks.requireFile;

import io.rerankflow.cli.DurationConverter;
import io.rerankflow.eval.Metric;
import io.rerankflow.jobs.EngineOptions;
import io.rerankflow.schemas.Truncate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options of the evaluation command, parsed by picocli and checked once in {@link #validate()}. */
public final class EvaluateOptions {

  /** The default passage text: BEIR's title and text joined by a space. */
  static final String DEFAULT_PASSAGE_FORMAT = "{title} {text}";

  @Option(
      names = "--beir",
      description =
          "BEIR directory: corpus.jsonl, queries.jsonl and qrels/<split>.tsv. Needs --run.")
  Path beir;

  @Option(
      names = "--run",
      description = "First-stage TREC run (qid Q0 docid rank score tag) giving the candidates.")
  Path run;

  @Option(
      names = "--split",
      defaultValue = "test",
      description = "Qrels split of the BEIR directory. Default: ${DEFAULT-VALUE}.")
  String split;

  @Option(
      names = "--top-k",
      defaultValue = "100",
      description =
          "With --beir: first-stage candidates reranked per query (1 to 512). Default:"
              + " ${DEFAULT-VALUE}.")
  int topK;

  @Option(
      names = "--passage-format",
      defaultValue = DEFAULT_PASSAGE_FORMAT,
      description =
          "Passage text built from a BEIR document's {title} and {text}; surrounding whitespace"
              + " is stripped, so an empty title leaves the text. Default: '${DEFAULT-VALUE}'.")
  String passageFormat;

  @Option(
      names = "--truncate",
      defaultValue = "END",
      description =
          "With --beir: truncate of the built requests: END cuts long pairs, NONE makes them"
              + " errors (--requests keep their own). Default: ${DEFAULT-VALUE}.")
  Truncate truncate;

  @Option(
      names = "--requests",
      description =
          "Instead of --beir: a JSONL file of NIM requests, with --candidates and --qrels. The"
              + " first stage is each request's passage order.")
  Path requests;

  @Option(
      names = "--candidates",
      description =
          "With --requests: lines 'query-id passage-index doc-id' mapping each passage to a"
              + " document; the query id is the request's id (its line number without one).")
  Path candidates;

  @Option(
      names = "--qrels",
      description =
          "Relevance judgments (BEIR tsv or TREC qrels). Needed with --requests; overrides"
              + " qrels/<split>.tsv with --beir.")
  Path qrels;

  @Option(
      names = "--output",
      required = true,
      description =
          "Directory for requests.jsonl (built from --beir), pipeline-requests.jsonl (each"
              + " request once per model, as the job reads them), responses/, first-stage.run, per"
              + " model reranked-NAME.run, responses-NAME.jsonl and metrics-NAME.json/.txt, and"
              + " comparison.md/.json/.tex and report.html.")
  Path output;

  @Option(
      names = "--overwrite",
      description =
          "Replace a completed evaluation in --output instead of refusing to run. An interrupted"
              + " evaluation of the same command is resumed all the same; --fresh starts it over.")
  boolean overwrite;

  @Option(
      names = "--checkpoint-interval",
      converter = DurationConverter.class,
      description =
          "Checkpoint interval of the reranking job: an interrupted evaluation resumes from its"
              + " last checkpoint, so at most this much scoring is redone. Default: 1m.")
  Duration checkpointInterval;

  @Option(
      names = "--fresh",
      description =
          "Discard the interrupted evaluation's reranking state and responses and start over,"
              + " instead of resuming it.")
  boolean fresh;

  @Option(
      names = "--tag",
      defaultValue = "rerankflow",
      description = "Tag column of the reranked run. Default: ${DEFAULT-VALUE}.")
  String tag;

  @Option(
      names = "--metric",
      description =
          "Another metric for the comparison, besides NDCG@10, MRR@10, Recall@100 and MAP:"
              + " ndcg@K, mrr@K, recall@K or map. Repeatable.")
  List<String> extraMetrics = new ArrayList<>();

  @Option(
      names = "--cost-sample",
      defaultValue = "64",
      description =
          "Requests per model scored again after the job, one model at a time, to measure its"
              + " pairs/s and padding waste (0 = skip). Default: ${DEFAULT-VALUE}.")
  int costSample;

  @Mixin EngineOptions engine = new EngineOptions();

  /** The compared metrics: the defaults, then each {@code --metric} not among them. */
  List<Metric> metrics() {
    Set<Metric> metrics = new LinkedHashSet<>(Metric.DEFAULTS);
    extraMetrics.forEach(value -> metrics.add(Metric.parse(value)));
    return List.copyOf(metrics);
  }

  /** Checks what picocli cannot, with messages that say how to fix it. */
  public void validate() {
    engine.validate();
    require(
        checkpointInterval == null
            || !checkpointInterval.isNegative() && !checkpointInterval.isZero(),
        "--checkpoint-interval must be positive, e.g. 1m");
    require(
        (beir == null) != (requests == null),
        "give either --beir DIR --run FILE, or --requests FILE --candidates FILE --qrels FILE");
    if (beir != null) {
      require(run != null, "--beir needs --run, the first-stage TREC run to rerank");
      require(candidates == null, "--candidates belongs to --requests, not --beir");
      requireFile(beir.resolve("corpus.jsonl"), "--beir");
      requireFile(beir.resolve("queries.jsonl"), "--beir");
      requireFile(run, "--run");
      requireFile(qrelsFile(), qrels != null ? "--qrels" : "--beir (--split " + split + ")");
      require(
          passageFormat.contains("{text}"),
          "--passage-format must contain {text}, e.g. '" + DEFAULT_PASSAGE_FORMAT + "'");
    } else {
      require(
          candidates != null && qrels != null,
          "--requests needs --candidates (passage index to doc id) and --qrels");
      require(
          run == null,
          "--run belongs to --beir; with --requests the first stage is the"
              + " passage order of each request");
      requireFile(requests, "--requests");
      requireFile(candidates, "--candidates");
      requireFile(qrels, "--qrels");
    }
    require(
        topK >= 1 && topK <= 512, "--top-k must be between 1 and 512 (the NIM's passage limit)");
    require(
        !tag.isBlank() && tag.chars().noneMatch(Character::isWhitespace), "--tag must be one word");
    metrics();
    require(costSample >= 0, "--cost-sample must be 0 (skip) or more");
  }

  Path qrelsFile() {
    return qrels != null ? qrels : beir.resolve("qrels").resolve(split + ".tsv");
  }
}
