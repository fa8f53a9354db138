package io.rerankflow.edge;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RerankFailure;
import io.vertx.ext.web.RoutingContext;
import java.util.function.IntConsumer;

/**
 * The edge's key handlers: which key a request carries (401 without a valid one) and, for rankings,
 * whether that key is within its quota (429 with {@code Retry-After} when not, before the body is
 * read). Answers are counted by the key's NAME; the key itself is never logged or shown.
 */
final class KeyAccess {
  private static final String KEY = "rerankflow.apiKey";

  private final ApiKeyCheck check;
  private final KeyQuotas quotas;
  private final EdgeMetrics metrics;

  KeyAccess(ApiKeyCheck check, KeyQuotas quotas, EdgeMetrics metrics) {
    this.check = check;
    this.quotas = quotas;
    this.metrics = metrics;
  }

  /** Any route that needs a key: passes with a valid one, else answers 401. */
  void authorise(RoutingContext ctx) {
    ApiKeyCheck.Outcome outcome = check.check(ctx.request().getHeader(check.header()));
    if (outcome.key() == null) {
      ctx.response().putHeader("www-authenticate", "Bearer");
      EdgeRoutes.error(ctx.response(), outcome.failure(), 0);
      EdgeRoutes.afterBody(ctx.request(), () -> {});
      return;
    }
    ctx.put(KEY, outcome.key());
    ctx.next();
  }

  /**
   * After {@link #authorise} on {@code POST /v1/ranking}: counts the answer under the key's name
   * and takes the request's first pair from the key's quota, or answers 429 at once.
   */
  void quota(RoutingContext ctx) {
    ApiKeys.Key key = ctx.get(KEY);
    ctx.addBodyEndHandler(v -> metrics.keyAnswered(key.name(), ctx.response().getStatusCode()));
    long retryAfter = quotas.enter(key);
    if (retryAfter == 0) {
      ctx.next();
      return;
    }
    EdgeRoutes.error(
        ctx.response(),
        new RerankFailure(
            ErrorKind.QUOTA_EXCEEDED,
            "The API key '"
                + key.name()
                + "' is over its quota of "
                + key.pairsPerSecond()
                + " pairs per second; retry in "
                + retryAfter
                + " s"),
        retryAfter);
    EdgeRoutes.afterBody(ctx.request(), () -> {});
  }

  /** What an admitted ranking of {@code ctx} pays for its pairs beyond the first. */
  static IntConsumer charge(KeyAccess access, RoutingContext ctx) {
    ApiKeys.Key key = access == null ? null : ctx.get(KEY);
    return key == null ? pairs -> {} : pairs -> access.quotas.charge(key, pairs);
  }
}
