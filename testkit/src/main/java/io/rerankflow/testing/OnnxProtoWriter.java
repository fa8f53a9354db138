package io.rerankflow.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Hand-encodes a single-graph ONNX model (IR 8, opset 17) so tests need no Python tooling. */
public final class OnnxProtoWriter {
  /** TensorProto.DataType.FLOAT. */
  public static final int FLOAT = 1;

  /** TensorProto.DataType.INT64. */
  public static final int INT64 = 7;

  /** TensorProto.DataType.FLOAT16. */
  public static final int FLOAT16 = 10;

  /** TensorProto.DataType.BFLOAT16. */
  public static final int BFLOAT16 = 16;

  /** TensorProto.DataType.INT32. */
  public static final int INT32 = 6;

  private static final long IR_VERSION = 8;
  private static final long OPSET_VERSION = 17;

  // Field numbers below are taken from onnx/onnx.proto.
  private static final int MODEL_IR_VERSION = 1;
  private static final int MODEL_PRODUCER_NAME = 2;
  private static final int MODEL_GRAPH = 7;
  private static final int MODEL_OPSET_IMPORT = 8;
  private static final int OPSET_DOMAIN = 1;
  private static final int OPSET_VERSION_FIELD = 2;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_NAME = 2;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  private static final int NODE_INPUT = 1;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_NAME = 3;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_ATTRIBUTE = 5;
  private static final int ATTRIBUTE_NAME = 1;
  private static final int ATTRIBUTE_I = 3;
  private static final int ATTRIBUTE_TYPE = 20;
  private static final int ATTRIBUTE_TYPE_INT = 2;
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW_DATA = 9;
  private static final int TENSOR_EXTERNAL_DATA = 13;
  private static final int TENSOR_DATA_LOCATION = 14;
  private static final int DATA_LOCATION_EXTERNAL = 1;
  private static final int ENTRY_KEY = 1;
  private static final int ENTRY_VALUE = 2;
  private static final int VALUE_INFO_NAME = 1;
  private static final int VALUE_INFO_TYPE = 2;
  private static final int TYPE_TENSOR_TYPE = 1;
  private static final int TENSOR_TYPE_ELEM_TYPE = 1;
  private static final int TENSOR_TYPE_SHAPE = 2;
  private static final int SHAPE_DIM = 1;
  private static final int DIM_VALUE = 1;
  private static final int DIM_PARAM = 2;

  private final String graphName;
  private final List<ProtoMessage> nodes = new ArrayList<>();
  private final List<ProtoMessage> initializers = new ArrayList<>();
  private final List<ProtoMessage> inputs = new ArrayList<>();
  private final List<ProtoMessage> outputs = new ArrayList<>();
  private final ByteArrayOutputStream externalBytes = new ByteArrayOutputStream();
  private String externalFile;

  public OnnxProtoWriter(String graphName) {
    this.graphName = graphName;
  }

  /**
   * Stores every float initializer added from now on in {@code fileName} next to the model (as
   * large exports do, {@code data_location = EXTERNAL}) instead of inside it.
   */
  public OnnxProtoWriter externalData(String fileName) {
    this.externalFile = fileName;
    return this;
  }

  /**
   * Declares a graph input; each dim is either a String (symbolic, e.g. "batch") or a Number (fixed
   * size).
   */
  public OnnxProtoWriter input(String name, int elemType, Object... dims) {
    inputs.add(valueInfo(name, elemType, dims));
    return this;
  }

  /** Declares a graph output; dims as in {@link #input}. */
  public OnnxProtoWriter output(String name, int elemType, Object... dims) {
    outputs.add(valueInfo(name, elemType, dims));
    return this;
  }

  public OnnxProtoWriter floatInitializer(String name, float[] values, long... dims) {
    ByteBuffer raw =
        ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    if (externalFile == null) {
      initializers.add(tensor(name, FLOAT, dims, raw.array()));
    } else {
      initializers.add(externalTensor(name, FLOAT, dims, raw.array()));
    }
    return this;
  }

  public OnnxProtoWriter int64Initializer(String name, long[] values, long... dims) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    raw.asLongBuffer().put(values);
    initializers.add(tensor(name, INT64, dims, raw.array()));
    return this;
  }

  /** Adds a node with one output; the output name doubles as the node name. */
  public OnnxProtoWriter node(
      String opType, List<String> nodeInputs, String output, IntAttribute... attributes) {
    ProtoMessage node = new ProtoMessage();
    nodeInputs.forEach(in -> node.string(NODE_INPUT, in));
    node.string(NODE_OUTPUT, output).string(NODE_NAME, output).string(NODE_OP_TYPE, opType);
    for (IntAttribute attribute : attributes) {
      node.message(
          NODE_ATTRIBUTE,
          new ProtoMessage()
              .string(ATTRIBUTE_NAME, attribute.name())
              .varint(ATTRIBUTE_I, attribute.value())
              .varint(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INT));
    }
    nodes.add(node);
    return this;
  }

  public byte[] toModelBytes() {
    ProtoMessage graph =
        new ProtoMessage()
            .messages(GRAPH_NODE, nodes)
            .string(GRAPH_NAME, graphName)
            .messages(GRAPH_INITIALIZER, initializers)
            .messages(GRAPH_INPUT, inputs)
            .messages(GRAPH_OUTPUT, outputs);
    return new ProtoMessage()
        .varint(MODEL_IR_VERSION, IR_VERSION)
        .string(MODEL_PRODUCER_NAME, "rerankflow-tests")
        .message(MODEL_GRAPH, graph)
        .message(
            MODEL_OPSET_IMPORT,
            new ProtoMessage().string(OPSET_DOMAIN, "").varint(OPSET_VERSION_FIELD, OPSET_VERSION))
        .toByteArray();
  }

  /** Writes the model to path, and its external data file (if any) into the same directory. */
  public void write(Path path) {
    try {
      Files.write(path, toModelBytes());
      if (externalFile != null) {
        Files.write(path.resolveSibling(externalFile), externalBytes.toByteArray());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ProtoMessage tensor(String name, int dataType, long[] dims, byte[] raw) {
    ProtoMessage tensor = new ProtoMessage();
    for (long dim : dims) {
      tensor.varint(TENSOR_DIMS, dim);
    }
    return tensor
        .varint(TENSOR_DATA_TYPE, dataType)
        .string(TENSOR_NAME, name)
        .bytes(TENSOR_RAW_DATA, raw);
  }

  private ProtoMessage externalTensor(String name, int dataType, long[] dims, byte[] raw) {
    long offset = externalBytes.size();
    externalBytes.writeBytes(raw);
    ProtoMessage tensor = new ProtoMessage();
    for (long dim : dims) {
      tensor.varint(TENSOR_DIMS, dim);
    }
    return tensor
        .varint(TENSOR_DATA_TYPE, dataType)
        .string(TENSOR_NAME, name)
        .message(TENSOR_EXTERNAL_DATA, entry("location", externalFile))
        .message(TENSOR_EXTERNAL_DATA, entry("offset", Long.toString(offset)))
        .message(TENSOR_EXTERNAL_DATA, entry("length", Integer.toString(raw.length)))
        .varint(TENSOR_DATA_LOCATION, DATA_LOCATION_EXTERNAL);
  }

  private static ProtoMessage entry(String key, String value) {
    return new ProtoMessage().string(ENTRY_KEY, key).string(ENTRY_VALUE, value);
  }

  private static ProtoMessage valueInfo(String name, int elemType, Object... dims) {
    ProtoMessage shape = new ProtoMessage();
    for (Object dim : dims) {
      ProtoMessage dimension = new ProtoMessage();
      if (dim instanceof String param) {
        dimension.string(DIM_PARAM, param);
      } else {
        dimension.varint(DIM_VALUE, ((Number) dim).longValue());
      }
      shape.message(SHAPE_DIM, dimension);
    }
    ProtoMessage tensorType =
        new ProtoMessage()
            .varint(TENSOR_TYPE_ELEM_TYPE, elemType)
            .message(TENSOR_TYPE_SHAPE, shape);
    return new ProtoMessage()
        .string(VALUE_INFO_NAME, name)
        .message(VALUE_INFO_TYPE, new ProtoMessage().message(TYPE_TENSOR_TYPE, tensorType));
  }

  /** An INT-typed node attribute, the only kind these fixtures need (axis, keepdims, to). */
  public record IntAttribute(String name, long value) {}
}
