package io.rerankflow.edge;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's TLS: a PEM certificate chain and its PKCS#8 private key ({@code --tls-cert}, {@code
 * --tls-key}), TLS 1.2 and 1.3 only, HTTP/2 where the client offers it (ALPN). The files are
 * re-read when they change and the server takes the new pair for new connections, once the key is
 * checked to belong to the certificate; a pair that does not load leaves the old one in force.
 */
final class TlsFiles implements AutoCloseable {
  static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  static final Duration POLL = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(TlsFiles.class);
  private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String KEY_END = "-----END PRIVATE KEY-----";
  private static final Map<String, String> SIGNATURES =
      Map.of(
          "RSA", "SHA256withRSA",
          "EC", "SHA256withECDSA",
          "Ed25519", "Ed25519",
          "EdDSA", "EdDSA");

  private final Path cert;
  private final Path key;
  private final List<byte[]> initial;
  private PolledFiles polling;

  private TlsFiles(Path cert, Path key, List<byte[]> initial) {
    this.cert = cert;
    this.key = key;
    this.initial = initial;
  }

  /** Reads and checks the pair now; a start with files that do not load fails naming why. */
  static TlsFiles open(Path cert, Path key) {
    List<byte[]> contents;
    try {
      contents = PolledFiles.read(List.of(cert, key));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --tls-cert/--tls-key: " + e.getMessage(), e);
    }
    check(contents.get(0), contents.get(1));
    return new TlsFiles(cert, key, contents);
  }

  /** Makes {@code options} serve TLS 1.2/1.3 with this pair, HTTP/2 or HTTP/1.1 by ALPN. */
  HttpServerOptions apply(HttpServerOptions options) {
    return options
        .setSsl(true)
        .setKeyCertOptions(pem(initial.get(0), initial.get(1)))
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setUseAlpn(true);
  }

  /** From now on, gives {@code server} the pair whenever the files change to one that loads. */
  void follow(HttpServer server, HttpServerOptions options) {
    polling =
        new PolledFiles(
            "tls-files",
            List.of(cert, key),
            initial,
            POLL,
            contents -> {
              try {
                check(contents.get(0), contents.get(1));
              } catch (IllegalArgumentException e) {
                // Often only one of the two files is written yet: the next poll sees the other.
                LOG.warn("{}; the previous certificate stays in force", e.getMessage());
                return;
              }
              ServerSSLOptions next =
                  options
                      .getSslOptions()
                      .copy()
                      .setKeyCertOptions(pem(contents.get(0), contents.get(1)));
              try {
                server
                    .updateSSLOptions(next, true)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
                LOG.info("TLS certificate reloaded from {}", cert);
              } catch (Exception e) {
                LOG.warn("The TLS certificate from {} did not load: {}", cert, e.toString());
              }
            });
  }

  private static PemKeyCertOptions pem(byte[] cert, byte[] key) {
    return new PemKeyCertOptions()
        .setCertValue(Buffer.buffer(cert))
        .setKeyValue(Buffer.buffer(key));
  }

  /** Fails naming the problem unless {@code key} is an unencrypted PKCS#8 key of {@code cert}. */
  static void check(byte[] cert, byte[] key) {
    Collection<? extends Certificate> chain;
    try {
      chain =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(cert));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("--tls-cert is not a PEM certificate chain: " + e, e);
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("--tls-cert holds no certificate");
    }
    Certificate leaf = chain.iterator().next();
    String pem = new String(key, StandardCharsets.US_ASCII);
    int begin = pem.indexOf(KEY_BEGIN);
    int end = pem.indexOf(KEY_END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(
          "--tls-key must be an unencrypted PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----);"
              + " convert one with: openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem");
    }
    String algorithm = leaf.getPublicKey().getAlgorithm();
    String signature = SIGNATURES.get(algorithm);
    boolean matches;
    try {
      byte[] der =
          Base64.getMimeDecoder().decode(pem.substring(begin + KEY_BEGIN.length(), end).strip());
      PrivateKey privateKey =
          KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      matches = signature == null || signsFor(privateKey, leaf, signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--tls-key is not a " + algorithm + " PKCS#8 key (as --tls-cert's is): " + e, e);
    }
    if (!matches) {
      throw new IllegalArgumentException(
          "--tls-key is not the key of the first certificate in --tls-cert");
    }
  }

  /** Whether a signature made with {@code key} verifies with {@code cert}'s public key. */
  private static boolean signsFor(PrivateKey key, Certificate cert, String algorithm)
      throws GeneralSecurityException {
    byte[] probe = new byte[32];
    new SecureRandom().nextBytes(probe);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(probe);
    byte[] signed = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(cert.getPublicKey());
    verifier.update(probe);
    return verifier.verify(signed);
  }

  @Override
  public void close() {
    if (polling != null) {
      polling.close();
    }
  }
}
