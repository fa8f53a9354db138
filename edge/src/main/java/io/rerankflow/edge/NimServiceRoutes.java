package io.rerankflow.edge;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.rerankflow.schemas.ServedModels;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The NIM's routes around ranking, with the bodies its clients read: {@code GET /v1/models} ({@code
 * id}, {@code object}, {@code created}, {@code owned_by}, {@code root}), the health bodies, {@code
 * GET /v1/metadata}, {@code GET /v1/version}, and the NIM's JSON error (not Vert.x's HTML page) for
 * an unknown path or method.
 */
final class NimServiceRoutes {
  // Before the bodies below: their static initialisers write with it.
  private static final JsonFactory FACTORY = new JsonFactory();
  static final String VERSION_RESOURCE = "/io/rerankflow/edge/rerankflow-version.properties";
  static final String LIVE = health("live", "Service is live.");
  static final String READY = health("ready", "Service is ready.");

  private static final String OWNER = "rerankflow";
  private static final Pattern INFO_VERSION =
      Pattern.compile("(?m)^info:\\s*$(?:\\R^ +.*$)*?\\R^ +version: *([^\\s#]+)");

  private final String modelsBody;
  private final String metadataBody;
  private final String versionBody;

  /**
   * @param models what the edge serves
   * @param openApi the edge's OpenAPI document, whose {@code info.version} is the API version
   */
  NimServiceRoutes(ServedModels models, byte[] openApi) {
    long created = Instant.now().getEpochSecond();
    String release = projectVersion();
    this.modelsBody = modelsBody(models, created);
    this.metadataBody = metadataBody(models, release);
    this.versionBody =
        object(
            gen -> {
              gen.writeStringField("release", release);
              gen.writeStringField("api", apiVersion(openApi));
            });
  }

  /** The {@code GET /v1/models} body (mounted by the caller, behind the API key check). */
  String modelsBody() {
    return modelsBody;
  }

  /** A health body that is not live, saying why. */
  static String notLive(String reason) {
    return health("not_live", reason);
  }

  /** A health body that is not ready, saying why. */
  static String notReady(String reason) {
    return health("not_ready", reason);
  }

  /** Mounts metadata and version, and answers unknown paths and methods with the NIM's error. */
  void mount(Router router) {
    router.get("/v1/metadata").handler(ctx -> json(ctx, 200, metadataBody));
    router.get("/v1/version").handler(ctx -> json(ctx, 200, versionBody));
    router.errorHandler(
        404,
        ctx ->
            json(
                ctx,
                404,
                error(
                    "not_found",
                    "No route "
                        + ctx.request().method()
                        + " "
                        + ctx.request().path()
                        + "; this edge serves POST /v1/ranking, GET /v1/models, /v1/health/live,"
                        + " /v1/health/ready, /v1/metadata, /v1/version, /v1/metrics and"
                        + " /openapi.yaml")));
    router.errorHandler(
        405,
        ctx ->
            json(
                ctx,
                405,
                error(
                    "method_not_allowed",
                    "Method "
                        + ctx.request().method()
                        + " is not allowed on "
                        + ctx.request().path()
                        + " (see /openapi.yaml)")));
  }

  private static void json(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body);
  }

  private static String modelsBody(ServedModels models, long created) {
    return object(
        gen -> {
          gen.writeStringField("object", "list");
          gen.writeArrayFieldStart("data");
          for (String name : models.names()) {
            gen.writeStartObject();
            gen.writeStringField("id", name);
            gen.writeStringField("object", "model");
            gen.writeNumberField("created", created);
            gen.writeStringField("owned_by", OWNER);
            // A served model is its own root (no adapters): LangChain and LlamaIndex pick a model
            // whose root is itself when the client names none.
            gen.writeStringField("root", name);
            gen.writeEndObject();
          }
          gen.writeEndArray();
        });
  }

  private static String metadataBody(ServedModels models, String release) {
    return object(
        gen -> {
          gen.writeStringField("version", release);
          gen.writeArrayFieldStart("modelInfo");
          for (String name : models.names()) {
            gen.writeStartObject();
            gen.writeStringField("shortName", name);
            gen.writeEndObject();
          }
          gen.writeEndArray();
          gen.writeArrayFieldStart("assetInfo");
          gen.writeEndArray();
        });
  }

  private static String health(String status, String message) {
    return object(
        gen -> {
          gen.writeStringField("object", "health.response");
          gen.writeStringField("message", message);
          gen.writeStringField("status", status);
        });
  }

  private static String error(String type, String message) {
    return object(
        gen -> {
          gen.writeStringField("object", "error");
          gen.writeStringField("message", message);
          gen.writeStringField("type", type);
        });
  }

  /** Writes one JSON object's fields. */
  @FunctionalInterface
  private interface Fields {
    void write(JsonGenerator gen) throws IOException;
  }

  private static String object(Fields fields) {
    StringWriter buffer = new StringWriter();
    try (JsonGenerator gen = FACTORY.createGenerator(buffer)) {
      gen.writeStartObject();
      fields.write(gen);
      gen.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toString();
  }

  /** This build's version, written into a resource by Maven's resource filtering. */
  static String projectVersion() {
    try (InputStream in = NimServiceRoutes.class.getResourceAsStream(VERSION_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(VERSION_RESOURCE + " is not on the classpath");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String apiVersion(byte[] openApi) {
    Matcher m = INFO_VERSION.matcher(new String(openApi, StandardCharsets.UTF_8));
    if (!m.find()) {
      throw new IllegalStateException("the OpenAPI document has no info.version");
    }
    return m.group(1);
  }
}
