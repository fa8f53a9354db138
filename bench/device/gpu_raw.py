#!/usr/bin/env python3
"""Raw GPU scoring rate of cross-encoder-shaped BERTs on the feed bench's own pairs.

Random weights from configs (no downloads): MiniLM-L6-shaped (384 hidden, 6 layers, 12 heads,
1536 intermediate) and bge-small-shaped (same, 12 layers), BertForSequenceClassification with one
label. Pairs: the feed bench's request file (NIM requests {query:{text}, passages:[{text}]}),
tokenized with the feed bench's tokenizer.json (bge-small-en-v1.5's WordPiece), pair truncation
to 512 tokens with longest_first. Rows are packed as the pipeline's BatchLimits/RowPool.packAll
packs rows that wait at once: identical rows once, shortest first, a batch grows while it has
< max-batch-size rows, padded tokens (longest x rows) <= max-batch-tokens and padded <= 1.25 x
real tokens. Each timed batch: host-to-device copy, forward under inference_mode, logits back to
the host (a sync per batch, as a serving loop has); batches are timed in a shuffled order until
the per-configuration time budget is spent (the rows/s of a random sample of the batches), after
a warm-up that runs one batch of every distinct shape (kernels are chosen per shape; without it,
and without rounding batch widths up to a multiple of 8, fp16 ran 20 times slower on an H200).

  python3 gpu_raw.py --requests WORK/feed-reuse-400000-42.jsonl --tokenizer .gpu/tokenizer.json
"""
import argparse
import glob
import json
import os
import random
import sys
import time


def log(*a):
    print(*a, flush=True)


def read_pairs(path, limit):
    pairs = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            r = json.loads(line)
            q = r["query"]["text"]
            for p in r["passages"]:
                pairs.append((q, p["text"]))
                if len(pairs) >= limit:
                    return pairs
    return pairs


def tokenize(tokenizer_path, pairs, max_length):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(tokenizer_path)
    tok.no_padding()
    tok.enable_truncation(max_length=max_length, strategy="longest_first")
    t0 = time.perf_counter()
    enc = tok.encode_batch(pairs, add_special_tokens=True)
    dt = time.perf_counter() - t0
    rows = [(tuple(e.ids), tuple(e.type_ids)) for e in enc]
    return rows, dt


def pack(rows, max_tokens, max_rows, max_padded_per_real=1.25):
    """BatchLimits.admits over rows sorted by length (stable), identical rows once."""
    unique = list(dict.fromkeys(rows))
    order = sorted(range(len(unique)), key=lambda i: len(unique[i][0]))
    batches, cur, longest, real = [], [], 0, 0
    for i in order:
        n = len(unique[i][0])
        if cur:
            padded = max(longest, n) * (len(cur) + 1)
            if not (len(cur) < max_rows and padded <= max_tokens
                    and padded <= max_padded_per_real * (real + n)):
                batches.append(cur)
                cur, longest, real = [], 0, 0
        cur.append(i)
        longest = max(longest, n)
        real += n
    if cur:
        batches.append(cur)
    return unique, batches


def to_arrays(unique, batches, multiple=1):
    import numpy as np

    out = []
    for b in batches:
        width = max(len(unique[i][0]) for i in b)
        width = -(-width // multiple) * multiple
        ids = np.zeros((len(b), width), dtype=np.int64)
        types = np.zeros((len(b), width), dtype=np.int64)
        mask = np.zeros((len(b), width), dtype=np.int64)
        for r, i in enumerate(b):
            t, ty = unique[i]
            ids[r, : len(t)] = t
            types[r, : len(t)] = ty
            mask[r, : len(t)] = 1
        out.append((ids, types, mask))
    return out


SHAPES = {
    "minilm-l6": dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
                      intermediate_size=1536),
    "bge-small": dict(hidden_size=384, num_hidden_layers=12, num_attention_heads=12,
                      intermediate_size=1536),
}


def build(name, vocab, attn):
    from transformers import BertConfig, BertForSequenceClassification

    kw = dict(SHAPES[name], vocab_size=vocab, max_position_embeddings=512, type_vocab_size=2,
              num_labels=1)
    try:
        cfg = BertConfig(**kw, attn_implementation=attn)
        model = BertForSequenceClassification(cfg)
    except Exception as e:  # an older transformers without the keyword
        log(f"  (attn_implementation={attn} not accepted: {e}; using the default)")
        model = BertForSequenceClassification(BertConfig(**kw))
    used = getattr(model.config, "_attn_implementation", "?")
    return model.eval(), used


def time_torch(model, arrays, device, order, budget_s, sync_each=True):
    import torch

    done_rows = done_real = done_padded = 0
    batches = 0
    torch.cuda.synchronize() if device.type == "cuda" else None
    t0 = time.perf_counter()
    with torch.inference_mode():
        for k in order:
            ids, types, mask = arrays[k]
            i = torch.from_numpy(ids).to(device, non_blocking=True)
            t = torch.from_numpy(types).to(device, non_blocking=True)
            m = torch.from_numpy(mask).to(device, non_blocking=True)
            logits = model(input_ids=i, token_type_ids=t, attention_mask=m).logits
            if sync_each:
                logits.float().cpu()
            done_rows += ids.shape[0]
            done_padded += ids.size
            done_real += int(mask.sum())
            batches += 1
            if time.perf_counter() - t0 >= budget_s:
                break
        if device.type == "cuda":
            torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    return done_rows, done_real, done_padded, batches, dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", required=True,
                    help="feed request file, or a directory holding feed-reuse-*.jsonl")
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--pairs", type=int, default=120000)
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--max-batch-tokens", type=int, default=16384)
    ap.add_argument("--max-batch-size", type=int, default=128)
    ap.add_argument("--models", default="minilm-l6,bge-small")
    ap.add_argument("--precisions", default="fp32,tf32,fp16",
                    help="fp32 (TF32 off), tf32, fp16 (.half()), bf16 (.to(bfloat16))")
    ap.add_argument("--budget-s", type=float, default=150,
                    help="whole-run budget; the timed part of each configuration gets a share")
    ap.add_argument("--per-config-s", type=float, default=8)
    ap.add_argument("--attn", default="sdpa")
    ap.add_argument("--pad-multiple", type=int, default=8,
                    help="round each batch's width up to a multiple (tensor-core friendly shapes)")
    ap.add_argument("--cpu-smoke", action="store_true",
                    help="no CUDA: run 2 batches per configuration on the CPU (a code check)")
    ap.add_argument("--ort", default="auto", choices=["auto", "off"])
    a = ap.parse_args()
    start = time.perf_counter()
    deadline = start + a.budget_s

    import platform
    log(f"python {platform.python_version()}, {os.cpu_count()} CPUs")
    try:
        import onnxruntime as ort
        providers = ort.get_available_providers()
        log(f"onnxruntime {ort.__version__} providers: {providers}")
    except Exception as e:
        ort, providers = None, []
        log(f"onnxruntime: not importable ({e})")

    req = a.requests
    if os.path.isdir(req):
        cands = sorted(glob.glob(os.path.join(req, "feed-reuse-*.jsonl")), key=os.path.getsize)
        if not cands:
            cands = sorted(glob.glob(os.path.join(req, "feed-*.jsonl")), key=os.path.getsize)
        if not cands:
            log(f"no feed request file in {req}: nothing to score")
            return 2
        req = cands[-1]
    t0 = time.perf_counter()
    pairs = read_pairs(req, a.pairs)
    log(f"pairs: {len(pairs)} from {req} ({time.perf_counter() - t0:.1f} s to read)")
    try:
        import numpy  # noqa: F401
        import tokenizers  # noqa: F401
    except Exception as e:
        log(f"tokenizers/numpy: not importable ({e}); nothing to do")
        return 3
    rows, tok_s = tokenize(a.tokenizer, pairs, a.max_length)
    n_tok = sum(len(r[0]) for r in rows)
    truncated = sum(1 for r in rows if len(r[0]) >= a.max_length)
    log(f"tokenized with tokenizers (pair truncation {a.max_length}, longest_first, [CLS] q [SEP] p"
        f" [SEP]): {tok_s:.2f} s, {len(rows) / tok_s:.0f} pairs/s on {os.cpu_count()} CPUs"
        f" (encode_batch); mean {n_tok / len(rows):.1f} tokens/pair; {truncated} at the cap")
    unique, batches = pack(rows, a.max_batch_tokens, a.max_batch_size)
    padded = sum(max(len(unique[i][0]) for i in b) * len(b) for b in batches)
    real_u = sum(len(u[0]) for u in unique)
    log(f"packed (--max-batch-tokens={a.max_batch_tokens} --max-batch-size={a.max_batch_size},"
        f" padded <= 1.25 x real, identical rows once): {len(unique)} rows"
        f" ({len(rows) - len(unique)} duplicate pairs), {len(batches)} batches,"
        f" {len(unique) / len(batches):.1f} rows/batch; real {real_u / len(unique):.1f}"
        f" tokens/row, padded {padded / len(unique):.1f} tokens/row"
        f" (padding waste {1 - real_u / padded:.3f}); pairs/row {len(rows) / len(unique):.3f}")
    arrays = to_arrays(unique, batches, a.pad_multiple)
    log(f"batch widths rounded up to a multiple of {a.pad_multiple}:"
        f" {len(set(x[0].shape for x in arrays))} distinct batch shapes,"
        f" {sum(x[0].size for x in arrays) / len(unique):.1f} padded tokens/row")
    vocab = max(max(u[0]) for u in unique) + 1
    vocab = max(vocab, 30522)

    try:
        import torch
    except Exception as e:
        log(f"torch: not importable ({e}); stopping after tokenising")
        return 0
    log(f"torch {torch.__version__}, cuda available: {torch.cuda.is_available()}")
    try:
        import transformers
        log(f"transformers {transformers.__version__}")
    except Exception as e:
        log(f"transformers: not importable ({e})")
        return 0
    if torch.cuda.is_available():
        device = torch.device("cuda")
        log(f"device: {torch.cuda.get_device_name(0)}, capability {torch.cuda.get_device_capability(0)}")
    elif a.cpu_smoke:
        device = torch.device("cpu")
        log("no CUDA: --cpu-smoke, 2 batches per configuration on the CPU (not a measurement)")
    else:
        log("no CUDA device: skipping the GPU timing")
        return 0

    torch.manual_seed(0)
    rng = random.Random(42)
    order = list(range(len(arrays)))
    rng.shuffle(order)
    longest = max(range(len(arrays)), key=lambda k: arrays[k][0].size)
    # Warm-up: one batch of every distinct shape (kernel choice is per shape), then the timed sample.
    seen = {}
    for k in order:
        seen.setdefault(arrays[k][0].shape, k)
    warm = [longest] + list(seen.values())
    log(f"warm-up: {len(warm)} batches (every distinct shape once)")
    models = [m for m in a.models.split(",") if m]
    precs = [p for p in a.precisions.split(",") if p]
    n_conf = len(models) * len(precs)
    results = []
    conf_i = 0
    for name in models:
        model, used_attn = build(name, vocab, a.attn)
        params = sum(p.numel() for p in model.parameters())
        log(f"\n{name}: {params / 1e6:.1f} M parameters, attention {used_attn}")
        for prec in precs:
            conf_i += 1
            left = deadline - time.perf_counter()
            share = min(a.per_config_s, max(0.0, (left - 5) / (n_conf - conf_i + 1) - 3))
            if share < 1 and not a.cpu_smoke:
                log(f"  {prec}: skipped (budget spent)")
                continue
            torch.backends.cuda.matmul.allow_tf32 = prec == "tf32"
            torch.backends.cudnn.allow_tf32 = prec == "tf32"
            dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(prec, torch.float32)
            m = model.to(device=device, dtype=dtype)
            try:
                if a.cpu_smoke:  # the two shortest batches, no warm-up
                    r = time_torch(m, arrays, device, [0, 1][: len(arrays)], 1e9)
                else:
                    time_torch(m, arrays, device, warm, 1e9)
                    r = time_torch(m, arrays, device, order, share)
            except Exception as e:
                log(f"  {prec}: failed: {type(e).__name__}: {e}")
                continue
            rows_n, real, padded_n, nb, dt = r
            rate = rows_n / dt
            mem = torch.cuda.max_memory_allocated() / 2**20 if device.type == "cuda" else 0
            line = (f"  {name} {prec}: {rate:.0f} rows/s (= {rate * len(rows) / len(unique):.0f}"
                    f" pairs/s, identical pairs sharing a row), {nb} batches / {rows_n} rows in"
                    f" {dt:.2f} s; {real / rows_n:.1f} real and {padded_n / rows_n:.1f} padded"
                    f" tokens/row; {padded_n / dt / 1e3:.0f} k padded tokens/s; peak mem"
                    f" {mem:.0f} MiB")
            log(line)
            results.append((name, prec, rate, real / rows_n, padded_n / rows_n))
        model.to("cpu")
        del model
        if device.type == "cuda":
            torch.cuda.empty_cache()

    cuda_ep = "CUDAExecutionProvider" in providers and device.type == "cuda"
    if a.ort != "off" and ort is not None and (cuda_ep or a.cpu_smoke):
        left = deadline - time.perf_counter()
        if left < 25 and not a.cpu_smoke:
            log("\nORT CUDA: skipped (budget spent)")
        else:
            try:
                ep = "CUDAExecutionProvider" if cuda_ep else "CPUExecutionProvider"
                sample = order if not a.cpu_smoke else [0]
                results += ort_run(ort, torch, vocab, arrays, sample, warm if cuda_ep else [0],
                                   min(a.per_config_s, max(1, left - 20)), ep,
                                   len(rows) / len(unique))
            except Exception as e:
                log(f"\nORT: failed: {type(e).__name__}: {e}")
    elif a.ort != "off":
        log("\nORT CUDA: CUDAExecutionProvider not available, skipped")

    log("\nsummary (rows/s; each row one distinct (query, passage) pair):")
    log("| model | precision | rows/s | real tokens/row | padded tokens/row |")
    log("|---|---|---|---|---|")
    for name, prec, rate, real, pad in results:
        log(f"| {name} | {prec} | {rate:.0f} | {real:.1f} | {pad:.1f} |")
    log(f"gpu_raw: done in {time.perf_counter() - start:.1f} s")
    return 0


def ort_run(ort, torch, vocab, arrays, order, warm, budget, ep, pairs_per_row):
    import tempfile
    import warnings

    warnings.filterwarnings("ignore")

    log(f"\nORT ({ep}): exporting the minilm-l6-shaped model (fp32) to ONNX")
    model, _ = build("minilm-l6", vocab, "eager")
    model.eval()
    path = os.path.join(tempfile.mkdtemp(prefix="gpu-raw-"), "minilm.onnx")
    ids, types, mask = (torch.from_numpy(x[:2, :16]) for x in arrays[0])
    t0 = time.perf_counter()
    kwargs = dict(input_names=["input_ids", "attention_mask", "token_type_ids"],
                  output_names=["logits"],
                  dynamic_axes={n: {0: "batch", 1: "seq"} for n in
                                ["input_ids", "token_type_ids", "attention_mask"]} | {
                      "logits": {0: "batch"}},
                  opset_version=17)
    try:
        torch.onnx.export(model, (ids, mask, types), path, dynamo=False, **kwargs)
    except TypeError:
        torch.onnx.export(model, (ids, mask, types), path, **kwargs)
    log(f"  exported in {time.perf_counter() - t0:.1f} s ({os.path.getsize(path) >> 20} MiB)")
    so = ort.SessionOptions()
    sess = ort.InferenceSession(path, so, providers=[ep, "CPUExecutionProvider"])
    log(f"  session providers: {sess.get_providers()}")
    if sess.get_providers()[0] != ep:
        log(f"  {ep} did not take the session: skipped")
        return []
    names = [i.name for i in sess.get_inputs()]

    def feed(k):
        ids, types, mask = arrays[k]
        d = {"input_ids": ids, "token_type_ids": types, "attention_mask": mask}
        return {n: d[n] for n in names}

    for k in warm:
        sess.run(None, feed(k))
    rows = real = padded = nb = 0
    t0 = time.perf_counter()
    for k in order:
        sess.run(None, feed(k))
        ids, _, mask = arrays[k]
        rows += ids.shape[0]
        padded += ids.size
        real += int(mask.sum())
        nb += 1
        if time.perf_counter() - t0 >= budget:
            break
    dt = time.perf_counter() - t0
    rate = rows / dt
    tag = "ort-cuda-fp32" if ep.startswith("CUDA") else "ort-cpu-fp32-smoke"
    log(f"  minilm-l6 {tag}: {rate:.0f} rows/s (= {rate * pairs_per_row:.0f} pairs/s), {nb}"
        f" batches / {rows} rows in {dt:.2f} s (numpy in/out, a sync per batch)")
    return [("minilm-l6", tag, rate, real / rows, padded / rows)]


if __name__ == "__main__":
    sys.exit(main())
