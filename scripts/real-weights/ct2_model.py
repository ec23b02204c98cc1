#!/usr/bin/env python3
"""Read CTranslate2 model.bin files (binary format version 6), whole or split into parts.

TEST-SUPPORT TOOL. The npm package (whisper-napi) never needs Python; this file only
serves the scripts in scripts/real-weights/ that check and convert real Whisper weights.

Format, as verified against the files in wheels.json (all little-endian):

    uint32 version (6)
    string spec name            (uint16 length including the NUL, then the bytes)
    uint32 spec revision
    uint32 variable count
    per variable, in lexicographic order of the names:
        string name, uint8 rank, uint32 dims[rank], uint8 dtype, uint32 byte count, raw bytes
    uint32 alias count, then pairs of strings (alias, target)

dtype: 0 float32, 1 int8, 2 int16, 3 int32, 4 float16, 5 bfloat16.
Each variable's header sits right before its data, so a file cut short hides the names
and shapes of every variable after the cut (see `audit`).

Commands (standard library only; numpy is needed only by read_tensors()):

    python3 ct2_model.py inspect model.bin[.part1 model.bin.part2 ...]   # table + aliases
    python3 ct2_model.py inspect --json PARTS...
    python3 ct2_model.py compare --a PARTS... --b PARTS...              # tensor by tensor
    python3 ct2_model.py audit PARTS...     # Whisper: predicted complete size vs what the parts hold
"""
import argparse
import hashlib
import json
import os
import struct
import sys

DTYPES = {0: ("float32", 4), 1: ("int8", 1), 2: ("int16", 2), 3: ("int32", 4), 4: ("float16", 2), 5: ("bfloat16", 2)}
DTYPE_CODES = {name: code for code, (name, _) in DTYPES.items()}


class Truncated(Exception):
    """The parts end before the structure they describe does."""

    def __init__(self, message, offset, records):
        super().__init__(message)
        self.offset = offset
        self.records = records


class ConcatReader:
    """Sequential reader over several files as if they were concatenated."""

    def __init__(self, paths):
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        self.paths = [os.fspath(p) for p in paths]
        self.sizes = [os.path.getsize(p) for p in self.paths]
        self.total = sum(self.sizes)
        self.pos = 0
        self._files = [open(p, "rb") for p in self.paths]

    def close(self):
        for f in self._files:
            f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def read(self, n):
        chunks = []
        while n > 0 and self.pos < self.total:
            off, i = self.pos, 0
            while off >= self.sizes[i]:
                off -= self.sizes[i]
                i += 1
            f = self._files[i]
            f.seek(off)
            b = f.read(min(n, self.sizes[i] - off))
            if not b:
                break
            chunks.append(b)
            self.pos += len(b)
            n -= len(b)
        return b"".join(chunks)

    def skip(self, n):
        self.pos += n


def _unpack(r, fmt, what, records):
    size = struct.calcsize("<" + fmt)
    start = r.pos
    b = r.read(size)
    if len(b) < size:
        raise Truncated(f"parts end at byte {r.total} inside {what} (starts at {start})", start, records)
    return struct.unpack("<" + fmt, b)[0]


def _string(r, what, records):
    n = _unpack(r, "H", what + " length", records)
    start = r.pos
    b = r.read(n)
    if len(b) < n:
        raise Truncated(f"parts end at byte {r.total} inside {what} (starts at {start})", start, records)
    if n == 0 or b[-1:] != b"\0":
        raise ValueError(f"{what} at byte {start} is not NUL-terminated")
    return b[:-1].decode("utf-8")


def parse(paths, allow_truncated=False):
    """Return a dict: version, spec, revision, count, records [..], aliases [[alias, target]..],
    end (byte offset where the structure ends), total (bytes in the parts).
    A record: name, shape, dtype, nbytes, header_offset, data_offset.
    With allow_truncated, a cut file gives truncated={offset, message} and the records seen
    (the last one may have data_available < nbytes) instead of raising."""
    records = []
    with ConcatReader(paths) as r:
        info = {"paths": list(r.paths), "part_sizes": list(r.sizes), "total": r.total}
        try:
            version = _unpack(r, "I", "version", records)
            if version != 6:
                raise ValueError(f"unsupported CTranslate2 model.bin version {version} (expected 6)")
            info["version"] = version
            info["spec"] = _string(r, "spec name", records)
            info["revision"] = _unpack(r, "I", "spec revision", records)
            info["count"] = count = _unpack(r, "I", "variable count", records)
            for i in range(count):
                hdr = r.pos
                name = _string(r, f"name of variable {i}", records)
                rank = _unpack(r, "B", f"rank of {name}", records)
                shape = [_unpack(r, "I", f"dim {k} of {name}", records) for k in range(rank)]
                code = _unpack(r, "B", f"dtype of {name}", records)
                if code not in DTYPES:
                    raise ValueError(f"{name}: unknown dtype code {code}")
                nbytes = _unpack(r, "I", f"byte count of {name}", records)
                dtype, width = DTYPES[code]
                elems = 1
                for d in shape:
                    elems *= d
                if elems * width != nbytes:
                    raise ValueError(f"{name}: shape {shape} x {dtype} needs {elems * width} bytes, header says {nbytes}")
                rec = {"name": name, "shape": shape, "dtype": dtype, "nbytes": nbytes, "header_offset": hdr, "data_offset": r.pos}
                records.append(rec)
                if r.pos + nbytes > r.total:
                    rec["data_available"] = r.total - r.pos
                    raise Truncated(
                        f"parts end at byte {r.total} inside the data of {name} "
                        f"({r.total - r.pos} of {nbytes} bytes present)", r.pos, records)
                r.skip(nbytes)
            n_alias = _unpack(r, "I", "alias count", records)
            aliases = []
            for k in range(n_alias):
                aliases.append([_string(r, f"alias {k}", records), _string(r, f"alias {k} target", records)])
            info["aliases"] = aliases
            info["end"] = r.pos
        except Truncated as t:
            if not allow_truncated:
                raise
            info["truncated"] = {"offset": t.offset, "message": str(t)}
        info["records"] = records
        if "end" in info and info["end"] != info["total"]:
            info["trailing_bytes"] = info["total"] - info["end"]
        return info


def read_tensors(paths, info=None):
    """Return (info, {name: numpy array}) for a complete model; float16 stays float16.
    bfloat16 comes back as raw uint16 (numpy has no bfloat16)."""
    import numpy as np

    info = info or parse(paths)
    np_types = {"float32": np.float32, "int8": np.int8, "int16": np.int16, "int32": np.int32,
                "float16": np.float16, "bfloat16": np.uint16}
    out = {}
    with ConcatReader(paths) as r:
        for rec in info["records"]:
            r.pos = rec["data_offset"]
            b = r.read(rec["nbytes"])
            arr = np.frombuffer(b, dtype=np.dtype(np_types[rec["dtype"]]).newbyteorder("<"))
            out[rec["name"]] = arr.reshape(rec["shape"]) if rec["shape"] else arr.reshape(())
    return info, out


def record_size(name, shape, nbytes):
    return 2 + len(name.encode("utf-8")) + 1 + 1 + 4 * len(shape) + 1 + 4 + nbytes


def whisper_layout(n_mels, d_model, ffn, vocab, enc_layers, dec_layers, alibi_flags,
                   text_ctx=448, audio_ctx=1500, dtype="float16"):
    """The variables WhisperSpec revision 3 writes, sorted as CTranslate2 writes them.
    alibi_flags: newer converters also write decoder/alibi_use_positive_positions and
    decoder/scale_alibi (two int8 scalars). Checked against complete files by `audit`."""
    w = DTYPES[DTYPE_CODES[dtype]][1]
    v = [("decoder/activation", [], "int8"), ("decoder/alibi", [], "int8"),
         ("decoder/alignment_heads", [], "int16"), ("decoder/alignment_layer", [], "int16"),
         ("decoder/embeddings/weight", [vocab, d_model], dtype),
         ("decoder/layer_norm/beta", [d_model], dtype), ("decoder/layer_norm/gamma", [d_model], dtype),
         ("decoder/num_heads", [], "int16"), ("decoder/position_encodings/encodings", [text_ctx, d_model], dtype),
         ("decoder/pre_norm", [], "int8"), ("decoder/scale_embeddings", [], "int8"),
         ("decoder/start_from_zero_embedding", [], "int8"),
         ("encoder/conv1/bias", [d_model], dtype), ("encoder/conv1/weight", [d_model, n_mels, 3], dtype),
         ("encoder/conv2/bias", [d_model], dtype), ("encoder/conv2/weight", [d_model, d_model, 3], dtype),
         ("encoder/layer_norm/beta", [d_model], dtype), ("encoder/layer_norm/gamma", [d_model], dtype),
         ("encoder/num_heads", [], "int16"), ("encoder/position_encodings/encodings", [audio_ctx, d_model], dtype)]
    if alibi_flags:
        v += [("decoder/alibi_use_positive_positions", [], "int8"), ("decoder/scale_alibi", [], "int8")]

    def ln(p):
        return [(p + "/layer_norm/beta", [d_model], dtype), (p + "/layer_norm/gamma", [d_model], dtype)]

    def lin(p, rows, cols):
        return [(p + "/bias", [rows], dtype), (p + "/weight", [rows, cols], dtype)]

    def ffn_block(p):
        return ln(p) + lin(p + "/linear_0", ffn, d_model) + lin(p + "/linear_1", d_model, ffn)

    def self_attn(p):
        return ln(p) + lin(p + "/linear_0", 3 * d_model, d_model) + lin(p + "/linear_1", d_model, d_model)

    for i in range(enc_layers):
        p = f"encoder/layer_{i}"
        v += ffn_block(p + "/ffn") + self_attn(p + "/self_attention")
    for i in range(dec_layers):
        p = f"decoder/layer_{i}"
        v += (ln(p + "/attention") + lin(p + "/attention/linear_0", d_model, d_model)
              + lin(p + "/attention/linear_1", 2 * d_model, d_model)
              + lin(p + "/attention/linear_2", d_model, d_model)
              + ffn_block(p + "/ffn") + self_attn(p + "/self_attention"))
    v.sort(key=lambda t: t[0])
    out = []
    for name, shape, dt in v:
        n = DTYPES[DTYPE_CODES[dt]][1]
        for d in shape:
            n *= d
        out.append({"name": name, "shape": shape, "dtype": dt, "nbytes": n})
    return out


def layout_size(spec_name, records, aliases):
    size = 4 + 2 + len(spec_name.encode()) + 1 + 4 + 4
    size += sum(record_size(r["name"], r["shape"], r["nbytes"]) for r in records)
    size += 4 + sum(2 + len(a.encode()) + 1 + 2 + len(t.encode()) + 1 for a, t in aliases)
    return size


def audit(paths, n_mels=80):
    """For a Whisper model.bin: infer the dimensions from the visible records, predict every
    record of the complete file, check the prediction against all visible records, and say
    how many bytes the parts are short (or that they are complete)."""
    info = parse(paths, allow_truncated=True)
    recs = {r["name"]: r for r in info["records"]}
    emb = recs["decoder/embeddings/weight"]["shape"]
    vocab, d_model = emb
    ffn = recs["decoder/layer_0/ffn/linear_0/weight"]["shape"][0]
    alibi = "decoder/alibi_use_positive_positions" in recs
    fixed = 22 if alibi else 20
    per_layer = 20 + 12  # decoder layer + encoder layer (same count in every Whisper size)
    if (info["count"] - fixed) % per_layer:
        raise ValueError(f"{info['count']} variables do not fit WhisperSpec with equal encoder/decoder depth")
    layers = (info["count"] - fixed) // per_layer
    if "encoder/conv1/weight" in recs:
        n_mels = recs["encoder/conv1/weight"]["shape"][1]
        n_mels_seen = True
    else:
        n_mels_seen = False
    predicted = whisper_layout(n_mels, d_model, ffn, vocab, layers, layers, alibi)
    if len(predicted) != info["count"]:
        raise ValueError(f"predicted {len(predicted)} variables, header says {info['count']}")
    aliases = info.get("aliases") or [["decoder/projection/weight", "decoder/embeddings/weight"]]
    # walk the prediction and compare with what was seen
    off = 4 + 2 + len(info["spec"].encode()) + 1 + 4 + 4
    mismatches = []
    for i, p in enumerate(predicted):
        if i < len(info["records"]):
            s = info["records"][i]
            if (s["name"], s["shape"], s["dtype"], s["nbytes"], s["header_offset"]) != (p["name"], p["shape"], p["dtype"], p["nbytes"], off):
                mismatches.append({"index": i, "seen": s, "predicted": dict(p, header_offset=off)})
        p["header_offset"] = off
        p["data_offset"] = off + record_size(p["name"], p["shape"], 0)
        off += record_size(p["name"], p["shape"], p["nbytes"])
    complete = layout_size(info["spec"], predicted, aliases)
    cut = next((p for p in predicted if p["data_offset"] + p["nbytes"] > info["total"]), None)
    result = {
        "parts": [{"path": p, "bytes": s} for p, s in zip(info["paths"], info["part_sizes"])],
        "bytes_present": info["total"],
        "spec": info["spec"], "revision": info["revision"], "variables_in_header": info["count"],
        "variables_seen": len(info["records"]),
        "dims": {"d_model": d_model, "ffn": ffn, "vocab": vocab, "layers": layers,
                 "n_mels": n_mels, "n_mels_seen_in_file": n_mels_seen, "alibi_flags": alibi},
        "predicted_complete_bytes": complete,
        "predicted_tensor_bytes": sum(p["nbytes"] for p in predicted),
        "visible_records_matching_prediction": len(info["records"]) - len(mismatches),
        "mismatches": mismatches[:5],
    }
    if "truncated" in info:
        result["truncated"] = info["truncated"]
    if cut:
        result["status"] = "incomplete"
        result["missing_bytes"] = complete - info["total"]
        result["cut_variable"] = {"index": predicted.index(cut), "name": cut["name"], "shape": cut["shape"],
                                  "dtype": cut["dtype"], "nbytes": cut["nbytes"], "data_offset": cut["data_offset"],
                                  "bytes_present": max(0, info["total"] - cut["data_offset"])}
        result["variables_missing_entirely"] = sum(1 for p in predicted if p["data_offset"] >= info["total"])
    else:
        result["status"] = "ok" if complete == info["total"] else "size-mismatch"
        result["difference_bytes"] = info["total"] - complete
    return result


def tensor_digests(paths):
    info = parse(paths)
    out = {}
    with ConcatReader(paths) as r:
        for rec in info["records"]:
            r.pos = rec["data_offset"]
            h = hashlib.sha256()
            left = rec["nbytes"]
            while left:
                b = r.read(min(left, 1 << 22))
                h.update(b)
                left -= len(b)
            out[rec["name"]] = (rec["shape"], rec["dtype"], h.hexdigest())
    return info, out


def compare(a, b):
    ia, da = tensor_digests(a)
    ib, db = tensor_digests(b)
    only_a = sorted(set(da) - set(db))
    only_b = sorted(set(db) - set(da))
    common = sorted(set(da) & set(db))
    differ = [n for n in common if da[n] != db[n]]
    return {
        "a_bytes": ia["total"], "b_bytes": ib["total"],
        "a_variables": ia["count"], "b_variables": ib["count"],
        "only_in_a": only_a, "only_in_b": only_b,
        "common": len(common), "common_equal": len(common) - len(differ), "common_differ": differ,
        "common_tensor_bytes": sum(r["nbytes"] for r in ia["records"] if r["name"] in db),
        "aliases_equal": ia["aliases"] == ib["aliases"], "a_aliases": ia["aliases"], "b_aliases": ib["aliases"],
    }


def _scalar_values(paths, info):
    vals = {}
    with ConcatReader(paths) as r:
        for rec in info["records"]:
            if rec["shape"] == [] and rec["dtype"] in ("int8", "int16", "int32", "float32"):
                r.pos = rec["data_offset"]
                fmt = {"int8": "b", "int16": "h", "int32": "i", "float32": "f"}[rec["dtype"]]
                vals[rec["name"]] = struct.unpack("<" + fmt, r.read(rec["nbytes"]))[0]
    return vals


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("inspect")
    p.add_argument("parts", nargs="+")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("compare")
    p.add_argument("--a", nargs="+", required=True)
    p.add_argument("--b", nargs="+", required=True)
    p = sub.add_parser("audit")
    p.add_argument("parts", nargs="+")
    p.add_argument("--n-mels", type=int, default=80, help="used only when encoder/conv1 is not visible")
    args = ap.parse_args(argv)
    if args.cmd == "inspect":
        info = parse(args.parts, allow_truncated=True)
        if "truncated" not in info:
            info["scalars"] = _scalar_values(args.parts, info)
        if args.json:
            json.dump(info, sys.stdout, indent=1)
            print()
            return 0
        print(f"{info['spec']} revision {info['revision']}, format version {info['version']}, "
              f"{info['count']} variables, {info['total']} bytes in {len(info['paths'])} part(s)")
        for i, rec in enumerate(info["records"]):
            extra = ""
            if "data_available" in rec:
                extra = f"   <-- CUT: {rec['data_available']} of {rec['nbytes']} bytes present"
            elif rec["name"] in info.get("scalars", {}):
                extra = f"   = {info['scalars'][rec['name']]}"
            print(f"{i:4d} {rec['name']:55s} {str(rec['shape']):16s} {rec['dtype']:8s} {rec['nbytes']:>10d}{extra}")
        if "truncated" in info:
            print("TRUNCATED:", info["truncated"]["message"])
            print(f"{info['count'] - len(info['records'])} variable headers are not in the parts")
            return 1
        print(f"aliases ({len(info['aliases'])}):")
        for a, t in info["aliases"]:
            print(f"  {a} -> {t}")
        print(f"structure ends at byte {info['end']} of {info['total']}")
        return 0
    if args.cmd == "compare":
        json.dump(compare(args.a, args.b), sys.stdout, indent=1)
        print()
        return 0
    if args.cmd == "audit":
        res = audit(args.parts, args.n_mels)
        json.dump(res, sys.stdout, indent=1)
        print()
        return 0 if res["status"] == "ok" else 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
