package io.rerankflow.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The rows of every request in flight, each distinct row once: a row identical to one still waiting
 * or running (the same passage in two requests of a bi-encoder, the same query in many) is not
 * added again but subscribes to it, and its output fans out to every subscriber.
 *
 * <p>Batches are taken shortest rows first, so short rows are not padded to long ones; within one
 * length rows leave in arrival order. Shortest first alone would let a long row wait for ever under
 * a steady stream of short ones, so every row's wait is bounded: once the oldest waiting row has
 * seen {@code maxWaitBatches} batches leave without it, it goes next, whatever its length, with the
 * longest rows that fit under it (they cost it no padding). Used by one thread.
 *
 * @param <S> who waits for a row's output
 */
final class RowPool<S> {
  /** Batches a row may see leave before it goes next, whatever its length. */
  static final int DEFAULT_MAX_WAIT_BATCHES = 16;

  private final int maxWaitBatches;
  private final TreeMap<Integer, LinkedHashSet<Row<S>>> byLength = new TreeMap<>();
  private final LinkedHashSet<Row<S>> byArrival = new LinkedHashSet<>();
  private final Map<Key, Row<S>> pending = new HashMap<>();
  private long batchesTaken;

  RowPool() {
    this(DEFAULT_MAX_WAIT_BATCHES);
  }

  RowPool(int maxWaitBatches) {
    if (maxWaitBatches < 0) {
      throw new IllegalArgumentException("maxWaitBatches must be >= 0");
    }
    this.maxWaitBatches = maxWaitBatches;
  }

  /**
   * How the engine packs {@code rows} that all wait at once (identical rows once): the batches in
   * the order it would run them. For benchmarks and tests that need the engine's own packing.
   */
  static List<List<EncodedSequence>> packAll(List<EncodedSequence> rows, BatchLimits limits) {
    RowPool<Integer> pool = new RowPool<>();
    for (int i = 0; i < rows.size(); i++) {
      pool.add(rows.get(i), i, 0);
    }
    List<List<EncodedSequence>> batches = new ArrayList<>();
    while (!pool.isEmpty()) {
      List<EncodedSequence> batch = new ArrayList<>();
      for (Row<Integer> row : pool.take(limits)) {
        batch.add(row.sequence());
        pool.release(row);
      }
      batches.add(batch);
    }
    return batches;
  }

  /**
   * Adds {@code subscriber}'s row {@code position}; returns the row it waits on, new or an
   * identical one already waiting or running.
   */
  Row<S> add(EncodedSequence sequence, S subscriber, int position) {
    Key key = new Key(sequence);
    Row<S> row = pending.get(key);
    if (row == null) {
      row = new Row<>(sequence, key, batchesTaken);
      pending.put(key, row);
      byLength.computeIfAbsent(sequence.length(), l -> new LinkedHashSet<>()).add(row);
      byArrival.add(row);
    }
    row.subscribers.add(subscriber);
    row.positions.add(position);
    return row;
  }

  /**
   * Takes {@code subscriber} off {@code row} while it waits; a waiting row nobody wants any more
   * leaves the pool. A row already taken runs on for its other subscribers.
   */
  void unsubscribe(Row<S> row, S subscriber) {
    if (row.taken || !row.unsubscribe(subscriber)) {
      return;
    }
    if (row.subscribers.isEmpty()) {
      removeWaiting(row);
      pending.remove(row.key, row);
    }
  }

  boolean isEmpty() {
    return byArrival.isEmpty();
  }

  /** Rows not yet taken into a batch. */
  int waitingRows() {
    return byArrival.size();
  }

  /**
   * Takes the next batch, as far as {@code limits} admit: shortest rows first, or from the oldest
   * row's length on once it is overdue.
   */
  List<Row<S>> take(BatchLimits limits) {
    List<Row<S>> batch = new ArrayList<>();
    if (byArrival.isEmpty()) {
      return batch;
    }
    Row<S> oldest = byArrival.iterator().next();
    boolean overdue = batchesTaken - oldest.arrivalBatch >= maxWaitBatches;
    batchesTaken++;
    // An overdue row goes first (it is the oldest of its length) with the longest rows that fit
    // under it: they cost it no padding.
    NavigableMap<Integer, LinkedHashSet<Row<S>>> order =
        overdue ? byLength.headMap(oldest.sequence.length(), true).descendingMap() : byLength;
    int longest = 0;
    long real = 0;
    Iterator<Map.Entry<Integer, LinkedHashSet<Row<S>>>> lengths = order.entrySet().iterator();
    while (lengths.hasNext()) {
      Map.Entry<Integer, LinkedHashSet<Row<S>>> entry = lengths.next();
      int length = entry.getKey();
      Iterator<Row<S>> rows = entry.getValue().iterator();
      while (rows.hasNext()) {
        Row<S> row = rows.next();
        if (!limits.admits(batch.size(), longest, real, length)) {
          return batch;
        }
        rows.remove();
        byArrival.remove(row);
        row.taken = true;
        batch.add(row);
        longest = Math.max(longest, length);
        real += length;
      }
      lengths.remove();
    }
    return batch;
  }

  /** Forgets a taken row once its output has been handed out: a later identical row runs anew. */
  void release(Row<S> row) {
    pending.remove(row.key, row);
  }

  /** Empties the pool, returning every row still waiting. */
  List<Row<S>> drain() {
    List<Row<S>> rows = new ArrayList<>(byArrival);
    byLength.clear();
    byArrival.clear();
    pending.clear();
    return rows;
  }

  private void removeWaiting(Row<S> row) {
    byArrival.remove(row);
    LinkedHashSet<Row<S>> sameLength = byLength.get(row.sequence.length());
    if (sameLength != null && sameLength.remove(row) && sameLength.isEmpty()) {
      byLength.remove(row.sequence.length());
    }
  }

  /** A distinct row and everyone waiting for its output. */
  static final class Row<S> {
    private final EncodedSequence sequence;
    private final Key key;
    private final long arrivalBatch;
    private final List<S> subscribers = new ArrayList<>(1);
    private final IntList positions = new IntList();
    private boolean taken;

    Row(EncodedSequence sequence, Key key, long arrivalBatch) {
      this.sequence = sequence;
      this.key = key;
      this.arrivalBatch = arrivalBatch;
    }

    EncodedSequence sequence() {
      return sequence;
    }

    /** Whether the row has left the pool for a batch. */
    boolean taken() {
      return taken;
    }

    int subscriberCount() {
      return subscribers.size();
    }

    S subscriber(int i) {
      return subscribers.get(i);
    }

    int position(int i) {
      return positions.get(i);
    }

    /** Drops every entry of {@code subscriber} (a request may hold a row twice); whether any. */
    private boolean unsubscribe(S subscriber) {
      int kept = 0;
      for (int i = 0; i < subscribers.size(); i++) {
        if (subscribers.get(i) != subscriber) {
          subscribers.set(kept, subscribers.get(i));
          positions.set(kept, positions.get(i));
          kept++;
        }
      }
      boolean removed = kept < subscribers.size();
      subscribers.subList(kept, subscribers.size()).clear();
      positions.truncate(kept);
      return removed;
    }
  }

  /** Token ids and type ids by value. */
  private static final class Key {
    private final long[] ids;
    private final long[] typeIds;
    private final int hash;

    Key(EncodedSequence sequence) {
      this.ids = sequence.ids();
      this.typeIds = sequence.typeIds();
      this.hash = 31 * Arrays.hashCode(ids) + Arrays.hashCode(typeIds);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.hash == hash
          && Arrays.equals(k.ids, ids)
          && Arrays.equals(k.typeIds, typeIds);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** A growable int array: one position per subscriber without boxing. */
  private static final class IntList {
    private int[] values = new int[1];
    private int size;

    void add(int value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    int get(int i) {
      return values[i];
    }

    void set(int i, int value) {
      values[i] = value;
    }

    void truncate(int newSize) {
      size = newSize;
    }
  }
}
