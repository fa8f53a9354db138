package io.rerankflow.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.schemas.ErrorKind;
import org.junit.jupiter.api.Test;

class ApiKeyCheckTest {

  @Test
  void authorizationHeaderNeedsTheBearerScheme() {
    ApiKeyCheck check = new ApiKeyCheck("s3cret", "Authorization");

    assertThat(check.check("Bearer s3cret")).isNull();
    assertThat(check.check("bearer s3cret")).isNull();
    assertThat(check.check("s3cret").kind()).isEqualTo(ErrorKind.UNAUTHORIZED);
    assertThat(check.check("Bearer s3cret2").kind()).isEqualTo(ErrorKind.UNAUTHORIZED);
    assertThat(check.check("Bearer s3cre").kind()).isEqualTo(ErrorKind.UNAUTHORIZED);
    assertThat(check.check(null).status()).isEqualTo(401);
  }

  @Test
  void anotherHeaderCarriesTheKeyItself() {
    ApiKeyCheck check = new ApiKeyCheck("s3cret", "X-API-Key");

    assertThat(check.check("s3cret")).isNull();
    assertThat(check.check("Bearer s3cret")).isNotNull();
    assertThat(check.check(null).message()).contains("'X-API-Key' header");
  }
}
