package io.rerankflow.edge;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RerankFailure;
import java.util.function.Supplier;

/**
 * The API key check: {@code Authorization: Bearer <key>}, or the key itself in a configured header,
 * against the keys in force now ({@link ApiKeys}, re-read by {@link ApiKeyFile}). Hand-rolled on
 * purpose: Vert.x's {@code APIKeyHandler} needs an authentication provider, which for a set of
 * hashed keys with names and quotas is more code than this lookup.
 */
final class ApiKeyCheck {
  private static final String AUTHORIZATION = "authorization";
  private static final String BEARER = "Bearer ";

  private final Supplier<ApiKeys> keys;
  private final String header;

  ApiKeyCheck(Supplier<ApiKeys> keys, String header) {
    this.keys = keys;
    this.header = header;
  }

  /** The key a request presented, or why it is refused (401); exactly one is non-null. */
  record Outcome(ApiKeys.Key key, RerankFailure failure) {}

  /** Checks a request whose header value is {@code presented} (null when absent). */
  Outcome check(String presented) {
    String given = presented;
    if (given != null && header.equalsIgnoreCase(AUTHORIZATION)) {
      given =
          given.regionMatches(true, 0, BEARER, 0, BEARER.length())
              ? given.substring(BEARER.length()).strip()
              : null;
    }
    ApiKeys.Key key = given == null ? null : keys.get().find(given);
    if (key != null) {
      return new Outcome(key, null);
    }
    return new Outcome(
        null,
        new RerankFailure(
            ErrorKind.UNAUTHORIZED,
            header.equalsIgnoreCase(AUTHORIZATION)
                ? "Missing or invalid API key: send 'Authorization: Bearer <key>'"
                : "Missing or invalid API key: send it in the '" + header + "' header"));
  }

  String header() {
    return header;
  }
}
