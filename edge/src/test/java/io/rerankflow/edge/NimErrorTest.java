package io.rerankflow.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RerankFailure;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NimErrorTest {

  @ParameterizedTest
  @EnumSource(ErrorKind.class)
  void bodyIsTheNimErrorShapeWithTheKindsTypeAndTheMessageVerbatim(ErrorKind kind)
      throws Exception {
    String message = "Input length 600 exceeds \"maximum\" allowed\ntoken size 512";

    JsonNode body = new ObjectMapper().readTree(NimError.body(new RerankFailure(kind, message)));

    assertThat(body.fieldNames()).toIterable().containsExactly("object", "message", "type");
    assertThat(body.get("object").asText()).isEqualTo("error");
    assertThat(body.get("message").asText()).isEqualTo(message);
    assertThat(body.get("type").asText()).isEqualTo(kind.type());
  }
}
