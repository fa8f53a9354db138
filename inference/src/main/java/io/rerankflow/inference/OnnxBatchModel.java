package io.rerankflow.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model directory's {@code model.onnx} in an ONNX Runtime session: pads a batch, runs it, and
 * reads the head. Inputs are discovered from the session and checked against the model's family
 * ({@link OnnxInputs}): {@code input_ids}, {@code attention_mask}, optional {@code token_type_ids}
 * or {@code position_ids}.
 *
 * <p>Cross-encoder heads: {@code [B]} or {@code [B,1]} is the logit; {@code [B,2]} is a two-class
 * head whose logit is the positive class minus the other (the log-odds of "relevant", which ranks
 * exactly as the softmax probability of that class does); the positive class is class 1 unless the
 * export's {@code id2label} names class 0 ({@link ModelDirectory#positiveClass()}). Bi-encoder
 * outputs: {@code [B,L,H]} token vectors are pooled (CLS or masked mean), {@code [B,H]} taken as
 * is; both are L2-normalised.
 */
public final class OnnxBatchModel implements BatchModel {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxBatchModel.class);

  static final String INPUT_IDS = OnnxInputs.INPUT_IDS;
  static final String ATTENTION_MASK = OnnxInputs.ATTENTION_MASK;
  static final String TOKEN_TYPE_IDS = OnnxInputs.TOKEN_TYPE_IDS;
  static final String POSITION_IDS = OnnxInputs.POSITION_IDS;

  // ONNX Runtime widens float16 and bfloat16 outputs to float32 in getFloatBuffer().
  private static final Set<OnnxJavaType> FLOAT_OUTPUTS =
      Set.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16, OnnxJavaType.BFLOAT16);

  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelSpec spec;
  private final boolean takesTypeIds;
  private final boolean takesPositionIds;
  private final String outputName;
  private final int positiveClass;
  private final InputBuffers.Pool buffersFree = new InputBuffers.Pool();

  private OnnxBatchModel(
      OrtEnvironment env,
      OrtSession session,
      ModelSpec spec,
      OnnxInputs inputs,
      String output,
      int positiveClass) {
    this.env = env;
    this.positiveClass = positiveClass;
    this.session = session;
    this.spec = spec;
    this.takesTypeIds = inputs.tokenTypeIds();
    this.takesPositionIds = inputs.positionIds();
    this.outputName = output;
  }

  /** Loads a model; any mismatch with what rerankflow can feed or read fails here, at start. */
  public static OnnxBatchModel load(ModelDirectory dir, SessionSettings settings) {
    return NativeStack.call("onnxruntime-load", () -> loadOnThisThread(dir, settings));
  }

  private static OnnxBatchModel loadOnThisThread(ModelDirectory dir, SessionSettings settings) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session;
    try (OrtSession.SessionOptions options = sessionOptions(settings)) {
      session = env.createSession(dir.onnxFile().toString(), options);
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load " + dir.onnxFile() + ": " + e.getMessage(), e);
    }
    try {
      OnnxInputs inputs =
          OnnxInputs.check(dir.onnxFile(), dir.spec().family(), session.getInputInfo());
      String output = chooseOutput(dir, session);
      return new OnnxBatchModel(env, session, dir.spec(), inputs, output, dir.positiveClass());
    } catch (RuntimeException | OrtException e) {
      closeQuietly(session);
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static OrtSession.SessionOptions sessionOptions(SessionSettings settings)
      throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    options.setIntraOpNumThreads(settings.intraOpThreads());
    options.setInterOpNumThreads(1);
    // Idle intra-op threads would spin for the next run on the cores the encoding threads need.
    options.addConfigEntry("session.intra_op.allow_spinning", "0");
    Device device = settings.device();
    if (device.type() == Device.Type.CPU) {
      return options;
    }
    try {
      options.addCUDA(device.forSubtask(0, 1).index());
    } catch (OrtException | RuntimeException e) {
      if (device.type() == Device.Type.AUTO) {
        LOG.warn("CUDA is not available ({}); --device auto falls back to CPU", e.getMessage());
        return options;
      }
      options.close();
      throw new IllegalStateException(
          "--device "
              + device
              + " needs ONNX Runtime's CUDA provider, which could not be loaded: "
              + e.getMessage()
              + ". Build with -Pgpu (onnxruntime_gpu) on a host with CUDA 12 and cuDNN 9, or use"
              + " --device cpu / --device auto.",
          e);
    }
    return options;
  }

  private static String chooseOutput(ModelDirectory dir, OrtSession session) throws OrtException {
    Map<String, NodeInfo> outputs = session.getOutputInfo();
    boolean cross = dir.spec().kind() == ModelKind.CROSS_ENCODER;
    List<String> preferred =
        cross ? List.of("logits", "scores") : List.of("last_hidden_state", "sentence_embedding");
    String name =
        preferred.stream()
            .filter(outputs::containsKey)
            .findFirst()
            .orElse(outputs.keySet().iterator().next());
    if (!(outputs.get(name).getInfo() instanceof TensorInfo info)
        || !FLOAT_OUTPUTS.contains(info.type)) {
      throw new IllegalArgumentException(
          dir.onnxFile()
              + ": output '"
              + name
              + "' is "
              + outputs.get(name).getInfo()
              + "; expected a float32, float16 or bfloat16 tensor");
    }
    long[] shape = info.getShape();
    boolean fits =
        cross
            ? shape.length == 1
                || (shape.length == 2 && (shape[1] == 1 || shape[1] == 2 || shape[1] < 0))
            : shape.length == 2 || shape.length == 3;
    if (!fits) {
      throw new IllegalArgumentException(
          dir.onnxFile()
              + ": output '"
              + name
              + "' has shape "
              + java.util.Arrays.toString(shape)
              + "; a "
              + dir.spec().kind().configName()
              + " needs "
              + (cross
                  ? "[batch], [batch,1] or [batch,2]"
                  : "[batch,seq,hidden] or [batch,hidden]"));
    }
    return name;
  }

  @Override
  public PreparedBatch prepare(List<EncodedSequence> batch) throws OrtException {
    int rows = batch.size();
    int width = 0;
    long real = 0;
    for (EncodedSequence row : batch) {
      width = Math.max(width, row.length());
      real += row.length();
    }
    InputBuffers buffers = buffersFree.take();
    buffers.reset(rows * width, spec.padTokenId());
    LongBuffer ids = buffers.ids();
    LongBuffer mask = buffers.mask();
    LongBuffer types = buffers.types();
    int[] offsets = new int[rows];
    for (int r = 0; r < rows; r++) {
      EncodedSequence row = batch.get(r);
      int offset = spec.paddingSide() == PaddingSide.LEFT ? width - row.length() : 0;
      offsets[r] = offset;
      int base = r * width + offset;
      ids.position(base);
      ids.put(row.ids());
      for (int t = 0; t < row.length(); t++) {
        mask.put(base + t, 1L);
      }
      if (takesTypeIds) {
        types.position(base);
        types.put(row.typeIds());
      }
    }
    long[] shape = {rows, width};
    OnnxPrepared prepared = new OnnxPrepared(batch, offsets, (long) rows * width, real, buffers);
    try {
      prepared.inputs.put(INPUT_IDS, OnnxTensor.createTensor(env, ids.rewind(), shape));
      prepared.inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(env, mask.rewind(), shape));
      if (takesTypeIds) {
        prepared.inputs.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, types.rewind(), shape));
      }
      if (takesPositionIds) {
        long[] positions = OnnxInputs.positionIds(batch, offsets, width);
        prepared.inputs.put(
            POSITION_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(positions), shape));
      }
    } catch (OrtException | RuntimeException e) {
      prepared.close();
      throw e;
    }
    return prepared;
  }

  @Override
  public float[][] run(PreparedBatch batch) throws OrtException {
    try (OnnxPrepared prepared = (OnnxPrepared) batch;
        OrtSession.Result result = session.run(prepared.inputs, Set.of(outputName))) {
      int rows = prepared.rows.size();
      OnnxTensor output = (OnnxTensor) result.get(outputName).orElseThrow();
      long[] outShape = output.getInfo().getShape();
      FloatBuffer values = output.getFloatBuffer();
      return spec.kind() == ModelKind.CROSS_ENCODER
          ? OutputHeads.logits(values, outShape, rows, positiveClass)
          : OutputHeads.embeddings(
              values, outShape, prepared.rows, prepared.offsets, spec.pooling());
    }
  }

  /** Tensors over a set of reused buffers; closing returns the buffers to the free list. */
  private final class OnnxPrepared implements PreparedBatch {
    private final List<EncodedSequence> rows;
    private final int[] offsets;
    private final long paddedTokens;
    private final long realTokens;
    private final Map<String, OnnxTensor> inputs = new HashMap<>();
    private InputBuffers buffers;

    OnnxPrepared(
        List<EncodedSequence> rows,
        int[] offsets,
        long paddedTokens,
        long realTokens,
        InputBuffers buffers) {
      this.rows = rows;
      this.offsets = offsets;
      this.paddedTokens = paddedTokens;
      this.realTokens = realTokens;
      this.buffers = buffers;
    }

    @Override
    public List<EncodedSequence> rows() {
      return rows;
    }

    @Override
    public long paddedTokens() {
      return paddedTokens;
    }

    @Override
    public long realTokens() {
      return realTokens;
    }

    @Override
    public void close() {
      inputs.values().forEach(OnnxTensor::close);
      inputs.clear();
      if (buffers != null) {
        buffersFree.give(buffers);
        buffers = null;
      }
    }
  }

  @Override
  public void close() {
    closeQuietly(session);
  }

  private static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      LOG.warn("closing an ONNX Runtime session failed", e);
    }
  }
}
