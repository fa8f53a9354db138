package io.rerankflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorKindTest {

  @ParameterizedTest
  @CsvSource({
    "MALFORMED_JSON, malformed_json, 400",
    "INVALID_REQUEST, invalid_request, 400",
    "TOO_MANY_PASSAGES, too_many_passages, 400",
    "MODEL_NOT_FOUND, model_not_found, 404",
    "INPUT_TOO_LONG, input_too_long, 422",
    "OVERLOADED, overloaded, 503",
    "TIMEOUT, timeout, 504",
    "BACKEND_FAILURE, backend_failure, 500",
    "UNAUTHORIZED, unauthorized, 401",
    "QUOTA_EXCEEDED, quota_exceeded, 429",
    "REQUEST_TOO_LARGE, request_too_large, 413",
    "RESPONSE_TOO_LARGE, response_too_large, 413"
  })
  void eachKindHasTheTypeAndStatusTheNimUses(ErrorKind kind, String type, int status) {
    assertThat(kind.type()).isEqualTo(type);
    assertThat(kind.httpStatus()).isEqualTo(status);
  }

  @Test
  void everyKindIsCoveredByTheStatusTable() {
    // The table above lists 12 kinds; a new kind must get its status pinned there.
    assertThat(ErrorKind.values()).hasSize(12);
  }

  @ParameterizedTest
  @EnumSource(ErrorKind.class)
  void typeRoundTripsThroughFromType(ErrorKind kind) {
    assertThat(ErrorKind.fromType(kind.type())).isSameAs(kind);
  }

  @ParameterizedTest
  @EnumSource(ErrorKind.class)
  void failureStatusIsTheKindsStatus(ErrorKind kind) {
    assertThat(new RerankFailure(kind, "why").status()).isEqualTo(kind.httpStatus());
  }

  @Test
  void typesAreUnique() {
    assertThat(Arrays.stream(ErrorKind.values()).map(ErrorKind::type)).doesNotHaveDuplicates();
  }

  @Test
  void typesAreLowerCaseSnakeCase() {
    assertThat(ErrorKind.values())
        .allSatisfy(kind -> assertThat(kind.type()).matches("[a-z]+(_[a-z]+)*"));
  }

  @Test
  void unknownTypeIsRejectedNamingIt() {
    assertThatThrownBy(() -> ErrorKind.fromType("teapot"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("teapot");
  }

  @Test
  void enumConstantNameIsNotAType() {
    assertThatThrownBy(() -> ErrorKind.fromType("TIMEOUT"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
