package io.rerankflow.edge;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes idle and half-sent connections and marks those over the connection cap.
 *
 * <p>A connection with no request in progress is closed after {@code --idle-timeout}; so is one
 * whose request has not arrived whole (headers and body) within it. A request that arrived whole
 * and waits for its ranking is not idle: its limit is {@code --request-timeout}. Per-connection
 * state is touched only on the connection's event loop.
 */
final class ConnectionGuard {
  private final Vertx vertx;
  private final long idleMillis;
  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong closedIdle = new AtomicLong();
  private final AtomicLong closedHalfSent = new AtomicLong();
  private final Map<HttpConnection, Connection> connections = new ConcurrentHashMap<>();

  /** One open connection: its requests in progress and its idle timer. */
  private static final class Connection {
    final boolean overCap;
    int active;
    long idleTimer = -1;

    Connection(boolean overCap) {
      this.overCap = overCap;
    }
  }

  ConnectionGuard(Vertx vertx, Duration idleTimeout, int maxConnections) {
    this.vertx = vertx;
    this.idleMillis = idleTimeout.toMillis();
    this.maxConnections = maxConnections;
  }

  /** For {@link io.vertx.core.http.HttpServer#connectionHandler}. */
  void opened(HttpConnection connection) {
    Connection c = new Connection(open.incrementAndGet() > maxConnections);
    connections.put(connection, c);
    connection.closeHandler(
        v -> {
          open.decrementAndGet();
          Connection closed = connections.remove(connection);
          if (closed != null && closed.idleTimer >= 0) {
            vertx.cancelTimer(closed.idleTimer);
          }
        });
    armIdle(connection, c);
  }

  /**
   * A request began on its connection; returns false when the connection is over the cap (the
   * caller answers 503 and closes it).
   */
  boolean started(HttpServerRequest request) {
    Connection c = connections.get(request.connection());
    if (c == null) {
      return true; // closed meanwhile
    }
    if (c.idleTimer >= 0) {
      vertx.cancelTimer(c.idleTimer);
      c.idleTimer = -1;
    }
    c.active++;
    vertx.setTimer(
        idleMillis,
        id -> {
          if (!request.isEnded() && connections.containsKey(request.connection())) {
            closedHalfSent.incrementAndGet();
            request.connection().close();
          }
        });
    return !c.overCap;
  }

  /** The request's response ended (or its connection closed). */
  void ended(HttpServerRequest request) {
    Connection c = connections.get(request.connection());
    if (c != null && --c.active == 0) {
      armIdle(request.connection(), c);
    }
  }

  private void armIdle(HttpConnection connection, Connection c) {
    c.idleTimer =
        vertx.setTimer(
            idleMillis,
            id -> {
              c.idleTimer = -1;
              if (c.active == 0 && connections.containsKey(connection)) {
                closedIdle.incrementAndGet();
                connection.close();
              }
            });
  }

  int open() {
    return open.get();
  }

  long closedIdle() {
    return closedIdle.get();
  }

  long closedHalfSent() {
    return closedHalfSent.get();
  }
}
