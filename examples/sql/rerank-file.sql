-- Reranks examples/requests-sql.jsonl (NIM-shaped rows with an id) into out/sql/ with the
-- embedded default model. Run from the repository root: scripts/sql -f examples/sql/rerank-file.sql
-- A bounded input runs in batch mode, with the same rankings as streaming and a little faster
-- (docs/benchmarks.md, "SQL: BATCH and streaming mode").
SET 'execution.runtime-mode' = 'batch';
-- Rows in flight per slot (Flink's default is 10): enough rows to fill a batch.
SET 'table.exec.async-ml-predict.max-concurrent-operations' = '256';

CREATE TABLE requests (
  id STRING,
  query ROW<text STRING>,
  passages ARRAY<ROW<text STRING>>
) WITH ('connector' = 'filesystem', 'path' = 'examples/requests-sql.jsonl', 'format' = 'json');

CREATE TABLE results (
  id STRING,
  rankings ARRAY<ROW<`index` INT, logit FLOAT>>
) WITH ('connector' = 'filesystem', 'path' = 'out/sql', 'format' = 'json');

CREATE MODEL reranker
  INPUT (query ROW<text STRING>, passages ARRAY<ROW<text STRING>>)
  OUTPUT (rankings ARRAY<ROW<`index` INT, logit FLOAT>>, prompt_tokens INT,
          error ROW<type STRING, message STRING, status INT>)
  WITH ('provider' = 'rerankflow', 'model' = 'default', 'truncate' = 'END');

INSERT INTO results
SELECT id, rankings FROM ML_PREDICT(TABLE requests, MODEL reranker, DESCRIPTOR(query, passages));
