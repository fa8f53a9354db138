package io.rerankflow.inference;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The rows of every request in flight, ordered by length, each distinct row once: a row identical
 * to one still waiting or running (the same passage in two requests of a bi-encoder, the same query
 * in many) is not added again but subscribes to it, and its output fans out to every subscriber.
 * Within one length, rows leave in arrival order. Used by one thread.
 *
 * @param <S> who waits for a row's output
 */
final class RowPool<S> {
  private final TreeMap<Integer, ArrayDeque<Row<S>>> waiting = new TreeMap<>();
  private final Map<Key, Row<S>> pending = new HashMap<>();
  private int waitingRows;

  /**
   * Adds {@code subscriber}'s row {@code position}; returns the row it waits on, new or an
   * identical one already waiting or running.
   */
  Row<S> add(EncodedSequence sequence, S subscriber, int position) {
    Key key = new Key(sequence);
    Row<S> row = pending.get(key);
    if (row == null) {
      row = new Row<>(sequence, key);
      pending.put(key, row);
      waiting.computeIfAbsent(sequence.length(), l -> new ArrayDeque<>()).add(row);
      waitingRows++;
    }
    row.subscribers.add(subscriber);
    row.positions.add(position);
    return row;
  }

  boolean isEmpty() {
    return waitingRows == 0;
  }

  /** Rows not yet taken into a batch. */
  int waitingRows() {
    return waitingRows;
  }

  /**
   * Takes the next batch, shortest rows first, as far as {@code planner} admits. Rows whose
   * subscribers are all {@code done} are dropped on the way.
   */
  List<Row<S>> take(BatchPlanner planner, Predicate<S> done) {
    List<Row<S>> batch = new ArrayList<>();
    int longest = 0;
    long real = 0;
    Iterator<Map.Entry<Integer, ArrayDeque<Row<S>>>> lengths = waiting.entrySet().iterator();
    while (lengths.hasNext()) {
      Map.Entry<Integer, ArrayDeque<Row<S>>> entry = lengths.next();
      int length = entry.getKey();
      ArrayDeque<Row<S>> rows = entry.getValue();
      while (!rows.isEmpty()) {
        Row<S> row = rows.peekFirst();
        if (row.subscribers.stream().allMatch(done)) {
          rows.pollFirst();
          waitingRows--;
          pending.remove(row.key);
          continue;
        }
        if (!planner.admits(batch.size(), longest, real, length)) {
          return batch;
        }
        rows.pollFirst();
        waitingRows--;
        row.taken = true;
        batch.add(row);
        longest = length;
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
    List<Row<S>> rows = new ArrayList<>(waitingRows);
    waiting.values().forEach(rows::addAll);
    waiting.clear();
    pending.clear();
    waitingRows = 0;
    return rows;
  }

  /** A distinct row and everyone waiting for its output. */
  static final class Row<S> {
    private final EncodedSequence sequence;
    private final Key key;
    private final List<S> subscribers = new ArrayList<>(1);
    private final IntList positions = new IntList();
    private boolean taken;

    Row(EncodedSequence sequence, Key key) {
      this.sequence = sequence;
      this.key = key;
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
  }
}
