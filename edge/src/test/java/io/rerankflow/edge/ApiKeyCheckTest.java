package io.rerankflow.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.schemas.ErrorKind;
import org.junit.jupiter.api.Test;

class ApiKeyCheckTest {

  @Test
  void authorizationHeaderNeedsTheBearerScheme() {
    ApiKeys keys = ApiKeys.single("s3cret");
    ApiKeyCheck check = new ApiKeyCheck(() -> keys, "Authorization");

    assertThat(check.check("Bearer s3cret").key().name()).isEqualTo("default");
    assertThat(check.check("bearer s3cret").failure()).isNull();
    assertThat(check.check("s3cret").failure().kind()).isEqualTo(ErrorKind.UNAUTHORIZED);
    assertThat(check.check("Bearer s3cret2").failure().kind()).isEqualTo(ErrorKind.UNAUTHORIZED);
    assertThat(check.check("Bearer s3cre").failure().kind()).isEqualTo(ErrorKind.UNAUTHORIZED);
    assertThat(check.check(null).failure().status()).isEqualTo(401);
    assertThat(check.check(null).key()).isNull();
  }

  @Test
  void anotherHeaderCarriesTheKeyItself() {
    ApiKeys keys = ApiKeys.single("s3cret");
    ApiKeyCheck check = new ApiKeyCheck(() -> keys, "X-API-Key");

    assertThat(check.check("s3cret").failure()).isNull();
    assertThat(check.check("Bearer s3cret").failure()).isNotNull();
    assertThat(check.check(null).failure().message()).contains("'X-API-Key' header");
  }

  @Test
  void theKeysInForceNowDecide() {
    ApiKeys[] current = {ApiKeys.single("old")};
    ApiKeyCheck check = new ApiKeyCheck(() -> current[0], "Authorization");
    assertThat(check.check("Bearer old").failure()).isNull();

    current[0] = ApiKeys.single("new");

    assertThat(check.check("Bearer old").failure()).isNotNull();
    assertThat(check.check("Bearer new").failure()).isNull();
  }
}
