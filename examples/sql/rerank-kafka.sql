-- Kafka -> Kafka enrichment: every request on rerank-requests comes out on rerank-enriched with
-- its best passage and the full ranking (or the error), exactly once. With scripts/kafka-local
-- running and both topics created (docs/sql.md, "Kafka to Kafka"), run it until Ctrl-C:
--   scripts/sql -f examples/sql/rerank-kafka.sql
-- Exactly-once delivery commits on checkpoints: results appear within one interval.
SET 'execution.checkpointing.interval' = '10 s';
-- Rows in flight per slot (Flink's default is 10): enough rows to fill a batch.
SET 'table.exec.async-ml-predict.max-concurrent-operations' = '256';

CREATE TABLE requests (
  id STRING,
  query ROW<text STRING>,
  passages ARRAY<ROW<text STRING>>
) WITH (
  'connector' = 'kafka',
  'topic' = 'rerank-requests',
  'properties.bootstrap.servers' = '127.0.0.1:9092',
  'properties.group.id' = 'rerank-sql',
  'scan.startup.mode' = 'earliest-offset',
  -- Flink's JSON format cannot turn a record that is not JSON into a row; it skips it.
  'json.ignore-parse-errors' = 'true',
  'format' = 'json'
);

CREATE TABLE enriched (
  id STRING,
  query STRING,
  best_passage STRING,
  rankings ARRAY<ROW<`index` INT, logit FLOAT>>,
  error ROW<type STRING, message STRING, status INT>
) WITH (
  'connector' = 'kafka',
  'topic' = 'rerank-enriched',
  'properties.bootstrap.servers' = '127.0.0.1:9092',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'rerank-sql',
  -- Must stay below the broker's transaction.max.timeout.ms (15 minutes by default).
  'properties.transaction.timeout.ms' = '600000',
  'format' = 'json'
);

CREATE MODEL reranker
  INPUT (query ROW<text STRING>, passages ARRAY<ROW<text STRING>>)
  OUTPUT (rankings ARRAY<ROW<`index` INT, logit FLOAT>>,
          error ROW<type STRING, message STRING, status INT>)
  WITH ('provider' = 'rerankflow', 'model' = 'default', 'truncate' = 'END');

-- SQL arrays count from 1, NIM indices from 0.
INSERT INTO enriched
SELECT id, query.text, passages[rankings[1].`index` + 1].text, rankings, error
FROM ML_PREDICT(TABLE requests, MODEL reranker, DESCRIPTOR(query, passages));
