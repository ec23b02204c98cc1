#!/usr/bin/env python3
"""Quantize a float16 CTranslate2 Whisper model to int8 with CTranslate2's own code.

TEST-SUPPORT TOOL. The npm package (whisper-napi) never needs Python. No PyPI package ships
an int8 CTranslate2 Whisper model, so this script makes one from a real float16 model. Tests and
benchmarks can then measure what int8 costs in accuracy. src/convert/ dequantizes such a file
as value = int8 / weight_scale per row.

    python ct2_quantize_int8.py <ct2 float16 dir> <out dir> [--quantization int8] [--force]

How it works: the quantization runs *through CTranslate2 itself*, with no copy of its rules.
  1. model.bin is read with ct2_model.py (numpy; float16 stays float16).
  2. A ctranslate2.specs.WhisperSpec is built with the file's layer and head counts. Every
     variable of the file is set on the spec under its own name. The tied projection
     `decoder/projection/weight` gets the embedding array, as CT2's WhisperLoader does.
     Scalars that WhisperSpec declares but the file lacks are set to OPTIONAL, so they are not
     written. (CT2 4.8.5 adds decoder/alibi_use_positive_positions and decoder/scale_alibi,
     which older converters, like the one behind tiny.en, did not write.)
  3. The spec is then converted the way ctranslate2.converters.Converter.convert() does it:
     spec.validate(), then spec.optimize(quantization="int8"), which is
     LayerSpec._alias_variables() followed by LayerSpec._quantize() from CTranslate2 4.8.5
     (ctranslate2/specs/model_spec.py). Then ModelSpec.save() writes the file with
     ModelSpec._serialize(), in sorted order with the alias table.
     The rules, from _quantize:
       - A variable is quantized when its spec has an attribute `<name>_scale`: LinearSpec,
         Conv1DSpec and EmbeddingsSpec `weight`. In Whisper these are every linear weight,
         encoder/conv1 and conv2 (3-D, scaled per output channel after a reshape to 2-D) and
         decoder/embeddings/weight. The projection is an alias of the embeddings, so it is not
         quantized separately.
       - scale = 127 / amax(|row|) in float32 (an all-zero row gets scale 1), q = rint(w * scale)
         as int8, and `<name>_scale` is float32 with shape [rows].
       - Under plain "int8", every other variable (biases, layer norms, position encodings)
         keeps its source dtype: float16 here. "int8_float16" gives the same bytes from a
         float16 source. "int8_float32" casts those variables to float32.
  4. Side files (config.json, tokenizer.json, vocabulary.txt/.json) are copied byte for byte.
     Before that, the same spec is serialized once with quantization=None. It must give back the
     source model.bin byte for byte, which proves the spec holds exactly the file's variables.
  5. Check: the output is read back. The variable set must be the source set plus one
     `*_scale` per quantized weight, and the aliases must be unchanged. Every non-quantized
     variable must be bit-identical to the source (or an exact float32 cast). For every int8
     variable, |q / scale - w| <= 0.5 / scale for each row. The script prints one JSON summary.
     `--verify-only` runs just this check on an existing output.

Everything is written to a temporary directory next to <out dir> and renamed into place.
Runs in the pinned venv (ctranslate2 4.8.5, numpy). It uses no torch and no network.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ct2_model  # noqa: E402

SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt", "vocabulary.json")
QUANTIZATIONS = ("int8", "int8_float16", "int8_float32")


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 22), b""):
            h.update(b)
    return h.hexdigest()


def _read_vocabulary(src_dir):
    txt = os.path.join(src_dir, "vocabulary.txt")
    js = os.path.join(src_dir, "vocabulary.json")
    if os.path.isfile(js):
        with open(js, encoding="utf-8") as f:
            return json.load(f)
    if os.path.isfile(txt):
        with open(txt, encoding="utf-8") as f:
            return [line.rstrip("\n") for line in f]
    raise FileNotFoundError(f"{src_dir}: no vocabulary.txt or vocabulary.json")


def _layer_count(names, side):
    idx = {int(m.group(1)) for n in names for m in [re.match(side + r"/layer_(\d+)/", n)] if m}
    if idx != set(range(len(idx))):
        raise ValueError(f"{side} layers are not numbered 0..n-1: {sorted(idx)}")
    return len(idx)


def build_spec(info, tensors, vocabulary):
    """A WhisperSpec holding exactly the source variables. Returns (spec, dropped)."""
    from ctranslate2.specs import model_spec, whisper_spec

    names = [r["name"] for r in info["records"]]
    spec = whisper_spec.WhisperSpec(
        _layer_count(names, "encoder"), int(tensors["encoder/num_heads"]),
        _layer_count(names, "decoder"), int(tensors["decoder/num_heads"]))

    declared = {}
    model_spec.visit_spec(spec, lambda s, name, value: declared.__setitem__(name, value))

    def put(name, value):
        if name not in declared:
            raise ValueError(f"{name} is in the file but WhisperSpec has no such variable")
        scope, attr = model_spec._parent_scope(name)
        setattr(model_spec.index_spec(spec, scope), attr, value)

    for name in names:
        put(name, tensors[name])
    for alias, target in info["aliases"]:
        # Same object as the target: CT2's alias pass turns it back into this alias.
        put(alias, tensors[target])
    present = set(names) | {a for a, _ in info["aliases"]}
    dropped = []
    for name, value in declared.items():
        if name in present or (isinstance(value, str) and value == model_spec.OPTIONAL):
            continue
        if value is None:
            raise ValueError(f"WhisperSpec requires {name}, which the file does not have")
        # A default scalar (e.g. alibi flags newer converters add): keep the file's layout.
        put(name, model_spec.OPTIONAL)
        dropped.append(name)
    spec.register_vocabulary(vocabulary)
    return spec, dropped


def quantize(src_dir, out_dir, quantization="int8", force=False):
    from ctranslate2.specs import model_spec

    t0 = time.time()
    if os.path.exists(out_dir) and not force:
        raise RuntimeError(f"{out_dir} exists (use --force)")
    src_bin = os.path.join(src_dir, "model.bin")
    info, tensors = ct2_model.read_tensors([src_bin])
    if info["spec"] != "WhisperSpec":
        raise ValueError(f"{src_bin}: spec {info['spec']}, expected WhisperSpec")

    vocabulary = _read_vocabulary(src_dir)
    parent = os.path.dirname(os.path.abspath(out_dir)) or "."
    os.makedirs(parent, exist_ok=True)

    # Proof that the spec holds the file faithfully: unquantized, it serializes to the same bytes.
    spec, _ = build_spec(info, tensors, vocabulary)
    spec.validate()
    spec.optimize(quantization=None)
    fd, probe = tempfile.mkstemp(prefix=".ct2-roundtrip-", dir=parent)
    os.close(fd)
    try:
        spec._serialize(probe)
        if _sha256(probe) != _sha256(src_bin):
            raise AssertionError("the spec filled from the file does not serialize back to the same "
                                 "bytes with quantization=None; refusing to quantize")
    finally:
        os.remove(probe)
    del spec

    spec, dropped = build_spec(info, tensors, vocabulary)
    if spec.revision != info["revision"]:
        raise ValueError(f"WhisperSpec revision {spec.revision} != file revision {info['revision']}")
    # What ctranslate2.converters.Converter.convert() does between _load() and save():
    spec.validate()
    spec.optimize(quantization=quantization)
    # Side files are copied as they are, not regenerated: no config, registered files instead.
    spec._config = None
    for name in SIDE_FILES:
        p = os.path.join(src_dir, name)
        if os.path.isfile(p):
            spec.register_file(p, name)

    tmp = tempfile.mkdtemp(prefix=".ct2-int8-", dir=parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it 0700
    try:
        model_spec.ModelSpec.save(spec, tmp)  # _serialize() + copy the registered files
        del spec
        report = verify(src_dir, tmp, quantization)
        if os.path.exists(out_dir):
            shutil.rmtree(out_dir)
        os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report["output"] = out_dir
    report["dropped_spec_scalars"] = dropped
    report["roundtrip_without_quantization_identical"] = True
    report["seconds"] = round(time.time() - t0, 2)
    return report


def verify(src_dir, out_dir, quantization="int8"):
    """Check an int8 output against its float16 source; raise on any failure."""
    si, st = ct2_model.read_tensors([os.path.join(src_dir, "model.bin")])
    oi, ot = ct2_model.read_tensors([os.path.join(out_dir, "model.bin")])
    errors = []
    if oi["aliases"] != si["aliases"]:
        errors.append(f"aliases differ: {oi['aliases']} vs {si['aliases']}")
    scales = {n for n in ot if n.endswith("_scale") and n[: -len("_scale")] in ot}
    quantized = sorted(n[: -len("_scale")] for n in scales)
    if set(ot) - scales != set(st):
        errors.append(f"variables differ: only in output {sorted(set(ot) - scales - set(st))}, "
                      f"only in source {sorted(set(st) - set(ot))}")
    # Same order as the source with the scales interleaved = sorted order, as CT2 writes it.
    order = [r["name"] for r in oi["records"]]
    if order != sorted(order):
        errors.append("output variables are not in sorted order")

    worst = {"name": None, "steps": 0.0}
    per_var = {}
    for name in sorted(set(st) & set(ot)):
        src, out = st[name], ot[name]
        if name in quantized:
            sc = ot[name + "_scale"]
            if out.dtype != np.int8 or sc.dtype != np.float32 or list(sc.shape) != [src.shape[0]]:
                errors.append(f"{name}: {out.dtype} with scale {sc.dtype}{list(sc.shape)}")
                continue
            w = src.astype(np.float64).reshape(src.shape[0], -1)
            s = sc.astype(np.float64)[:, None]
            deq = out.astype(np.float64).reshape(src.shape[0], -1) / s
            steps = np.abs(deq - w) * s  # error in quantization steps (1 step = 1/scale)
            m = float(steps.max())
            # Cross-check, not the source of the file: redo _quantize's float32 arithmetic.
            # (|w*scale - q| can exceed 0.5 by float32 rounding of the product, ~1e-5 steps.)
            w32 = src.astype(np.float32).reshape(src.shape[0], -1)
            amax = np.abs(w32).max(axis=1)
            amax[amax == 0] = 127.0
            want_scale = np.float32(127.0) / np.maximum(amax, np.float32(127) / np.finfo(np.float32).max)
            want_q = np.rint(w32 * want_scale[:, None]).astype(np.int8).reshape(out.shape)
            if sc.tobytes() != want_scale.astype(np.float32).tobytes() or out.tobytes() != want_q.tobytes():
                errors.append(f"{name}: differs from scale = 127/amax(|row|), q = rint(w * scale)")
            per_var[name] = {"max_abs_err": float(np.abs(deq - w).max()), "max_steps": round(m, 6),
                             "int8_min": int(out.min()), "int8_max": int(out.max())}
            if m > 0.5 + 1e-4:
                errors.append(f"{name}: dequantized value off by {m} steps (> 0.5)")
            if m > worst["steps"]:
                worst = {"name": name, "steps": m}
        else:
            want = src
            if quantization == "int8_float32" and src.dtype in (np.float16,):
                want = src.astype(np.float32)
            if out.dtype != want.dtype or out.shape != want.shape or out.tobytes() != want.tobytes():
                errors.append(f"{name}: not kept ({src.dtype} -> {out.dtype})")
    if errors:
        raise AssertionError("int8 check failed:\n  " + "\n  ".join(errors[:20]))

    files = {}
    for name in ("model.bin",) + SIDE_FILES:
        p = os.path.join(out_dir, name)
        if os.path.isfile(p):
            files[name] = {"bytes": os.path.getsize(p), "sha256": _sha256(p)}
            if name != "model.bin" and _sha256(os.path.join(src_dir, name)) != files[name]["sha256"]:
                raise AssertionError(f"{name} is not a byte copy of the source")
    kept = {}
    for name in set(st):
        if name not in quantized:
            kept[str(ot[name].dtype)] = kept.get(str(ot[name].dtype), 0) + 1
    return {
        "source": src_dir, "quantization": quantization,
        "source_model_bin_bytes": os.path.getsize(os.path.join(src_dir, "model.bin")),
        "files": files,
        "variables": {"source": len(st), "output": len(ot), "quantized": len(quantized),
                      "kept_by_dtype": kept},
        "quantized": quantized,
        "example": {n: {"shape": list(ot[n].shape), "dtype": str(ot[n].dtype)}
                    for n in ("decoder/layer_0/self_attention/linear_0/weight",
                              "decoder/layer_0/self_attention/linear_0/weight_scale",
                              "decoder/layer_0/self_attention/linear_0/bias") if n in ot},
        "aliases": oi["aliases"],
        "worst_dequant_error": {"name": worst["name"], "steps": round(worst["steps"], 6)},
        "per_variable": per_var,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", help="CTranslate2 float16 Whisper model directory")
    ap.add_argument("out", help="output directory for the int8 model")
    ap.add_argument("--quantization", default="int8", choices=QUANTIZATIONS,
                    help="as ct2-transformers-converter --quantization (default int8)")
    ap.add_argument("--force", action="store_true", help="replace an existing output directory")
    ap.add_argument("--verify-only", action="store_true", help="only check an existing output")
    ap.add_argument("--details", action="store_true", help="print per-variable errors too")
    args = ap.parse_args(argv)
    if args.verify_only:
        report = verify(args.src, args.out, args.quantization)
    else:
        report = quantize(args.src, args.out, args.quantization, args.force)
    if not args.details:
        report.pop("per_variable")
        q = report.pop("quantized")
        report["quantized_summary"] = {"linear_weights": sum("/linear_" in n for n in q),
                                       "others": [n for n in q if "/linear_" not in n],
                                       "note": "--details lists every one with its error"}
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
