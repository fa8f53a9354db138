package io.rerankflow.edge;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RerankFailure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The optional API key: {@code Authorization: Bearer <key>}, or the key itself in a configured
 * header. Hand-rolled on purpose: Vert.x's {@code APIKeyHandler} and {@code BearerAuthHandler} need
 * an authentication provider, which for one static key is more code than this comparison.
 */
final class ApiKeyCheck {
  private static final String AUTHORIZATION = "authorization";
  private static final String BEARER = "Bearer ";

  private final byte[] key;
  private final String header;

  ApiKeyCheck(String key, String header) {
    this.key = key.getBytes(StandardCharsets.UTF_8);
    this.header = header;
  }

  /**
   * The 401 failure for a request whose header value is {@code presented}, or null when it passes.
   */
  RerankFailure check(String presented) {
    String given = presented;
    if (given != null && header.equalsIgnoreCase(AUTHORIZATION)) {
      given =
          given.regionMatches(true, 0, BEARER, 0, BEARER.length())
              ? given.substring(BEARER.length()).strip()
              : null;
    }
    // Constant-time, so response timing does not leak how much of a guess was right.
    if (given != null && MessageDigest.isEqual(key, given.getBytes(StandardCharsets.UTF_8))) {
      return null;
    }
    return new RerankFailure(
        ErrorKind.UNAUTHORIZED,
        header.equalsIgnoreCase(AUTHORIZATION)
            ? "Missing or invalid API key: send 'Authorization: Bearer <key>'"
            : "Missing or invalid API key: send it in the '" + header + "' header");
  }

  String header() {
    return header;
  }
}
