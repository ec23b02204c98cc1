#!/usr/bin/env python3
"""Write a Hugging Face Transformers Whisper checkpoint from CTranslate2 (faster-whisper) weights.

TEST-SUPPORT TOOL. The npm package (whisper-napi) never needs Python; this only lets tests and
benchmarks get a WhisperForConditionalGeneration checkpoint (e.g. for whisper.cpp's
convert-h5-to-ggml.py or for a Transformers reference run elsewhere) from the real weights that
fetch-weights.js assembles. It needs numpy and safetensors only (no torch, no transformers).

    python ct2_to_transformers.py <ct2 dir> <out dir> [--force]
    python ct2_to_transformers.py --verify <ct2 dir> <out dir>     # only re-check an existing output

<out dir> gets:
    model.safetensors        tensors named and shaped as WhisperForConditionalGeneration's
                             state dict, in the source dtype (float16 stays float16);
                             proj_out.weight is tied to model.decoder.embed_tokens.weight and
                             not stored, as in OpenAI's published checkpoints
    config.json              WhisperConfig as Transformers writes it (torch_dtype = source dtype)
    generation_config.json   alignment_heads / suppress_tokens / begin_suppress_tokens from the
                             CT2 config.json; lang_to_id + task_to_id for multilingual models
    tokenizer.json           copied; vocab.json + merges.txt derived from its "model" section;
    added_tokens.json, special_tokens_map.json, tokenizer_config.json from its added tokens
    preprocessor_config.json WhisperFeatureExtractor settings (mel filters are computed on load)

How the CT2 variables map (read from ctranslate2/converters/transformers.py, WhisperLoader and
BartLoader, and checked here against every file by name, shape and content):
    encoder/conv{1,2}/{weight,bias}                    -> model.encoder.conv{1,2}.*   ([d, in, 3])
    encoder/position_encodings/encodings [1500, d]     -> model.encoder.embed_positions.weight
    */self_attention/linear_0 [3d, d] (+ bias [3d])    -> self_attn.{q,k,v}_proj: rows [0:d], [d:2d],
                                                          [2d:3d]; the k bias part is zeros that the
                                                          converter filled in (k_proj has no bias)
    */self_attention/linear_1                          -> self_attn.out_proj
    */self_attention/layer_norm/{gamma,beta}           -> self_attn_layer_norm.{weight,bias}
    decoder/layer_N/attention/linear_0 [d, d]          -> encoder_attn.q_proj
    decoder/layer_N/attention/linear_1 [2d, d]         -> encoder_attn.{k,v}_proj: rows [0:d], [d:2d]
    decoder/layer_N/attention/linear_2                 -> encoder_attn.out_proj
    decoder/layer_N/attention/layer_norm               -> encoder_attn_layer_norm
    */ffn/linear_0, linear_1, layer_norm               -> fc1, fc2, final_layer_norm
    {encoder,decoder}/layer_norm                       -> model.{encoder,decoder}.layer_norm
    decoder/embeddings/weight [V, d]                   -> model.decoder.embed_tokens.weight
    decoder/position_encodings/encodings [448, d]      -> model.decoder.embed_positions.weight
    alias decoder/projection/weight -> decoder/embeddings/weight   (= tied proj_out)
Scalars (decoder/activation = 3 = GELU, pre_norm = 1, scale_embeddings = 0, alibi flags = 0,
num_heads) are checked and turned into config values. Anything unexpected fails loudly.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ct2_model  # noqa: E402

GELU = 3  # ctranslate2.specs.common_spec.Activation.GELU


class ConversionError(Exception):
    pass


def fail(msg):
    raise ConversionError(msg)


def read_vocabulary(ct2_dir):
    j = os.path.join(ct2_dir, "vocabulary.json")
    t = os.path.join(ct2_dir, "vocabulary.txt")
    if os.path.exists(j):
        with open(j, encoding="utf-8") as f:
            return json.load(f)
    if os.path.exists(t):
        with open(t, encoding="utf-8") as f:
            tokens = f.read().split("\n")
        if tokens and tokens[-1] == "":
            tokens.pop()
        return tokens
    fail(f"{ct2_dir} has neither vocabulary.json nor vocabulary.txt")


def scalar(tensors, name, default=None):
    if name not in tensors:
        if default is None:
            fail(f"CT2 variable {name} is missing")
        return default
    a = tensors[name]
    if a.shape != ():
        fail(f"{name} should be a scalar, has shape {list(a.shape)}")
    return a.item()


def build_state_dict(info, tensors):
    """Map CT2 variables to WhisperForConditionalGeneration names. Returns (state dict,
    provenance {hf name: (ct2 name, row slice or None)}, dims)."""
    if info["spec"] != "WhisperSpec":
        fail(f"spec is {info['spec']}, not WhisperSpec")
    if info["revision"] != 3:
        fail(f"WhisperSpec revision {info['revision']}; this tool knows revision 3 only")
    if any(n.endswith("weight_scale") or n.endswith("weight_zero") for n in tensors):
        fail("quantized CT2 weights (weight_scale / weight_zero present) cannot be written as a float checkpoint")

    checks = {
        "decoder/activation": (GELU, "GELU"),
        "decoder/pre_norm": (1, "pre-norm"),
        "decoder/scale_embeddings": (0, "no embedding scaling"),
        "decoder/alibi": (0, "no ALiBi"),
        "decoder/alibi_use_positive_positions": (0, "no ALiBi"),
        "decoder/scale_alibi": (0, "no ALiBi"),
        "decoder/start_from_zero_embedding": (0, "positions from 0 without a zero embedding"),
    }
    used = set()
    for name, (want, what) in checks.items():
        if name in tensors:
            got = scalar(tensors, name)
            if got != want:
                fail(f"{name} = {got}; a Whisper checkpoint needs {want} ({what})")
            used.add(name)
        elif name in ("decoder/activation", "decoder/pre_norm"):
            fail(f"CT2 variable {name} is missing")
    # decoder/alignment_heads and decoder/alignment_layer are placeholders in WhisperSpec
    # (the real alignment heads are in config.json); they are not weights
    for name in ("decoder/alignment_heads", "decoder/alignment_layer"):
        if name in tensors:
            used.add(name)

    emb = tensors["decoder/embeddings/weight"]
    vocab, d = emb.shape
    dtype = emb.dtype
    enc_heads = int(scalar(tensors, "encoder/num_heads"))
    dec_heads = int(scalar(tensors, "decoder/num_heads"))
    used.update({"encoder/num_heads", "decoder/num_heads"})
    if d % enc_heads or d % dec_heads:
        fail(f"d_model {d} is not divisible by the head counts {enc_heads}/{dec_heads}")

    sd, prov = {}, {}

    def take(ct2_name, shape):
        if ct2_name not in tensors:
            fail(f"CT2 variable {ct2_name} is missing")
        a = tensors[ct2_name]
        if list(a.shape) != list(shape):
            fail(f"{ct2_name} has shape {list(a.shape)}, expected {list(shape)}")
        if a.dtype != dtype:
            fail(f"{ct2_name} is {a.dtype}, the rest of the model is {dtype}")
        used.add(ct2_name)
        return a

    def put(hf_name, arr, src, rows=None):
        if hf_name in sd:
            fail(f"{hf_name} written twice")
        sd[hf_name] = np.ascontiguousarray(arr)
        prov[hf_name] = (src, rows)

    def linear(ct2_prefix, hf_prefix, rows, cols):
        put(hf_prefix + ".weight", take(ct2_prefix + "/weight", [rows, cols]), ct2_prefix + "/weight")
        put(hf_prefix + ".bias", take(ct2_prefix + "/bias", [rows]), ct2_prefix + "/bias")

    def layer_norm(ct2_prefix, hf_prefix):
        put(hf_prefix + ".weight", take(ct2_prefix + "/gamma", [d]), ct2_prefix + "/gamma")
        put(hf_prefix + ".bias", take(ct2_prefix + "/beta", [d]), ct2_prefix + "/beta")

    def split_rows(ct2_prefix, hf_prefixes, zero_bias):
        """Fused [n*d, d] linear -> n projections; zero_bias names the parts whose bias must be 0."""
        n = len(hf_prefixes)
        w = take(ct2_prefix + "/weight", [n * d, d])
        b = take(ct2_prefix + "/bias", [n * d])
        for i, hp in enumerate(hf_prefixes):
            rows = (i * d, (i + 1) * d)
            put(hp + ".weight", w[rows[0]:rows[1]], ct2_prefix + "/weight", rows)
            part = b[rows[0]:rows[1]]
            if hp in zero_bias:
                nz = int(np.count_nonzero(part))
                if nz:
                    fail(f"{ct2_prefix}/bias rows {rows[0]}:{rows[1]} should be the zeros CTranslate2 adds for "
                         f"k_proj (which has no bias) but {nz} of {d} values are non-zero: the fused layout "
                         "is not [q; k; v] / [k; v] as assumed -- refusing to guess")
            else:
                put(hp + ".bias", part, ct2_prefix + "/bias", rows)

    # --- encoder
    conv1 = tensors.get("encoder/conv1/weight")
    if conv1 is None or conv1.ndim != 3 or conv1.shape[0] != d or conv1.shape[2] != 3:
        fail(f"encoder/conv1/weight should be [{d}, n_mels, 3], is {None if conv1 is None else list(conv1.shape)}")
    n_mels = conv1.shape[1]
    put("model.encoder.conv1.weight", take("encoder/conv1/weight", [d, n_mels, 3]), "encoder/conv1/weight")
    put("model.encoder.conv1.bias", take("encoder/conv1/bias", [d]), "encoder/conv1/bias")
    put("model.encoder.conv2.weight", take("encoder/conv2/weight", [d, d, 3]), "encoder/conv2/weight")
    put("model.encoder.conv2.bias", take("encoder/conv2/bias", [d]), "encoder/conv2/bias")
    pos = tensors.get("encoder/position_encodings/encodings")
    if pos is None:
        fail("encoder/position_encodings/encodings is missing")
    n_audio_ctx = pos.shape[0]
    put("model.encoder.embed_positions.weight", take("encoder/position_encodings/encodings", [n_audio_ctx, d]),
        "encoder/position_encodings/encodings")

    def count_layers(prefix):
        n = 0
        while any(k.startswith(f"{prefix}/layer_{n}/") for k in tensors):
            n += 1
        return n

    enc_layers, dec_layers = count_layers("encoder"), count_layers("decoder")
    ffn = tensors["encoder/layer_0/ffn/linear_0/weight"].shape[0]
    for i in range(enc_layers):
        c, h = f"encoder/layer_{i}", f"model.encoder.layers.{i}"
        split_rows(c + "/self_attention/linear_0", [h + ".self_attn.q_proj", h + ".self_attn.k_proj", h + ".self_attn.v_proj"],
                   zero_bias={h + ".self_attn.k_proj"})
        linear(c + "/self_attention/linear_1", h + ".self_attn.out_proj", d, d)
        layer_norm(c + "/self_attention/layer_norm", h + ".self_attn_layer_norm")
        linear(c + "/ffn/linear_0", h + ".fc1", ffn, d)
        linear(c + "/ffn/linear_1", h + ".fc2", d, ffn)
        layer_norm(c + "/ffn/layer_norm", h + ".final_layer_norm")
    layer_norm("encoder/layer_norm", "model.encoder.layer_norm")

    # --- decoder
    put("model.decoder.embed_tokens.weight", take("decoder/embeddings/weight", [vocab, d]), "decoder/embeddings/weight")
    dpos = tensors.get("decoder/position_encodings/encodings")
    if dpos is None:
        fail("decoder/position_encodings/encodings is missing")
    n_text_ctx = dpos.shape[0]
    put("model.decoder.embed_positions.weight", take("decoder/position_encodings/encodings", [n_text_ctx, d]),
        "decoder/position_encodings/encodings")
    dec_ffn = tensors["decoder/layer_0/ffn/linear_0/weight"].shape[0]
    for i in range(dec_layers):
        c, h = f"decoder/layer_{i}", f"model.decoder.layers.{i}"
        split_rows(c + "/self_attention/linear_0", [h + ".self_attn.q_proj", h + ".self_attn.k_proj", h + ".self_attn.v_proj"],
                   zero_bias={h + ".self_attn.k_proj"})
        linear(c + "/self_attention/linear_1", h + ".self_attn.out_proj", d, d)
        layer_norm(c + "/self_attention/layer_norm", h + ".self_attn_layer_norm")
        linear(c + "/attention/linear_0", h + ".encoder_attn.q_proj", d, d)
        split_rows(c + "/attention/linear_1", [h + ".encoder_attn.k_proj", h + ".encoder_attn.v_proj"],
                   zero_bias={h + ".encoder_attn.k_proj"})
        linear(c + "/attention/linear_2", h + ".encoder_attn.out_proj", d, d)
        layer_norm(c + "/attention/layer_norm", h + ".encoder_attn_layer_norm")
        linear(c + "/ffn/linear_0", h + ".fc1", dec_ffn, d)
        linear(c + "/ffn/linear_1", h + ".fc2", d, dec_ffn)
        layer_norm(c + "/ffn/layer_norm", h + ".final_layer_norm")
    layer_norm("decoder/layer_norm", "model.decoder.layer_norm")

    # --- output projection: must be tied to the token embeddings
    aliases = dict(info.get("aliases") or [])
    if "decoder/projection/weight" in tensors:
        if not np.array_equal(tensors["decoder/projection/weight"], emb):
            fail("decoder/projection/weight differs from decoder/embeddings/weight; Whisper ties them")
        used.add("decoder/projection/weight")
    elif aliases.get("decoder/projection/weight") != "decoder/embeddings/weight":
        fail(f"no tied output projection (aliases: {aliases})")
    if "decoder/projection/bias" in tensors:
        fail("decoder/projection/bias exists; Whisper's proj_out has no bias")

    left = sorted(set(tensors) - used)
    if left:
        fail(f"CT2 variables not accounted for: {left[:10]}{' ...' if len(left) > 10 else ''}")
    dims = dict(vocab=vocab, d_model=d, n_mels=n_mels, enc_layers=enc_layers, dec_layers=dec_layers,
                enc_heads=enc_heads, dec_heads=dec_heads, enc_ffn=ffn, dec_ffn=dec_ffn,
                n_audio_ctx=n_audio_ctx, n_text_ctx=n_text_ctx, dtype=str(dtype))
    return sd, prov, dims


def token_ids(vocabulary, tokenizer):
    ids = {}
    for i, t in enumerate(vocabulary):
        if t.startswith("<|") and t.endswith("|>"):
            ids.setdefault(t, i)
    for a in tokenizer.get("added_tokens", []):
        if a["content"] in ids and ids[a["content"]] != a["id"]:
            fail(f"{a['content']} is id {ids[a['content']]} in the CT2 vocabulary but {a['id']} in tokenizer.json")
    return ids


def build_configs(dims, ct2_config, vocabulary, tokenizer):
    ids = token_ids(vocabulary, tokenizer)
    multilingual = dims["vocab"] >= 51865
    eot, sot = ids["<|endoftext|>"], ids["<|startoftranscript|>"]
    no_ts = ids["<|notimestamps|>"]
    prev = ids["<|startofprev|>"]
    # OpenAI's published Transformers configs: bos_token_id is 50257 for both families, which is
    # <|startoftranscript|> in the English-only vocabulary and <|endoftext|> in the multilingual one
    bos = eot if multilingual else sot
    dtype = {"float16": "float16", "float32": "float32"}.get(dims["dtype"], dims["dtype"])
    suppress = list(ct2_config.get("suppress_ids") or [])
    begin_suppress = list(ct2_config.get("suppress_ids_begin") or [])
    config = {
        "_name_or_path": "",
        "activation_dropout": 0.0,
        "activation_function": "gelu",
        "apply_spec_augment": False,
        "architectures": ["WhisperForConditionalGeneration"],
        "attention_dropout": 0.0,
        "begin_suppress_tokens": begin_suppress,
        "bos_token_id": bos,
        "classifier_proj_size": 256,
        "d_model": dims["d_model"],
        "decoder_attention_heads": dims["dec_heads"],
        "decoder_ffn_dim": dims["dec_ffn"],
        "decoder_layerdrop": 0.0,
        "decoder_layers": dims["dec_layers"],
        "decoder_start_token_id": sot,
        "dropout": 0.0,
        "encoder_attention_heads": dims["enc_heads"],
        "encoder_ffn_dim": dims["enc_ffn"],
        "encoder_layerdrop": 0.0,
        "encoder_layers": dims["enc_layers"],
        "eos_token_id": eot,
        "init_std": 0.02,
        "is_encoder_decoder": True,
        "mask_feature_length": 10,
        "mask_feature_min_masks": 0,
        "mask_feature_prob": 0.0,
        "mask_time_length": 10,
        "mask_time_min_masks": 2,
        "mask_time_prob": 0.05,
        "max_length": dims["n_text_ctx"],
        "max_source_positions": dims["n_audio_ctx"],
        "max_target_positions": dims["n_text_ctx"],
        "median_filter_width": 7,
        "model_type": "whisper",
        "num_hidden_layers": dims["enc_layers"],
        "num_mel_bins": dims["n_mels"],
        "pad_token_id": eot,
        "scale_embedding": False,
        "suppress_tokens": suppress,
        "tie_word_embeddings": True,
        "torch_dtype": dtype,
        "use_cache": True,
        "use_weighted_layer_sum": False,
        "vocab_size": dims["vocab"],
    }
    gen = {
        "alignment_heads": [list(p) for p in (ct2_config.get("alignment_heads") or [])],
        "begin_suppress_tokens": begin_suppress,
        "bos_token_id": bos,
        "decoder_start_token_id": sot,
        "eos_token_id": eot,
        "is_multilingual": multilingual,
        "max_initial_timestamp_index": 50,
        "max_length": dims["n_text_ctx"],
        "no_timestamps_token_id": no_ts,
        "pad_token_id": eot,
        "prev_sot_token_id": prev,
        "return_timestamps": False,
        "suppress_tokens": suppress,
    }
    if multilingual:
        lang_ids = ct2_config.get("lang_ids") or []
        lang_to_id = {vocabulary[i]: i for i in lang_ids}
        if not lang_to_id:
            fail("multilingual model without lang_ids in the CT2 config.json")
        gen["lang_to_id"] = dict(sorted(lang_to_id.items(), key=lambda kv: kv[1]))
        gen["task_to_id"] = {"transcribe": ids["<|transcribe|>"], "translate": ids["<|translate|>"]}
        gen["forced_decoder_ids"] = [[1, None], [2, ids["<|transcribe|>"]]]
    else:
        gen["forced_decoder_ids"] = [[1, no_ts]]
    gen = dict(sorted(gen.items()))
    return config, gen


def write_tokenizer_files(tokenizer_path, out, n_mels):
    with open(tokenizer_path, encoding="utf-8") as f:
        tok = json.load(f)
    shutil.copyfile(tokenizer_path, os.path.join(out, "tokenizer.json"))
    model = tok.get("model") or {}
    if model.get("type") != "BPE" or "vocab" not in model or "merges" not in model:
        fail("tokenizer.json has no BPE model section; cannot derive vocab.json / merges.txt")
    vocab = model["vocab"]
    with open(os.path.join(out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(dict(sorted(vocab.items(), key=lambda kv: kv[1])), f, ensure_ascii=False)
    with open(os.path.join(out, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for m in model["merges"]:
            f.write((m if isinstance(m, str) else " ".join(m)) + "\n")
    added = sorted(tok.get("added_tokens", []), key=lambda a: a["id"])
    with open(os.path.join(out, "added_tokens.json"), "w", encoding="utf-8") as f:
        json.dump({a["content"]: a["id"] for a in added if a["content"] not in vocab}, f, ensure_ascii=False, indent=2)

    def token_obj(content):
        a = next((a for a in added if a["content"] == content), None)
        if a is None:
            return content
        return {"content": content, "lstrip": a.get("lstrip", False), "normalized": a.get("normalized", False),
                "rstrip": a.get("rstrip", False), "single_word": a.get("single_word", False)}

    eot = token_obj("<|endoftext|>")
    specials = {
        "additional_special_tokens": [a["content"] for a in added if a.get("special")],
        "bos_token": eot, "eos_token": eot, "pad_token": "<|endoftext|>", "unk_token": eot,
    }
    with open(os.path.join(out, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        json.dump(specials, f, ensure_ascii=False, indent=2)
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"add_prefix_space": False, "bos_token": "<|endoftext|>", "clean_up_tokenization_spaces": True,
                   "eos_token": "<|endoftext|>", "errors": "replace", "model_max_length": 1024,
                   "pad_token": "<|endoftext|>", "processor_class": "WhisperProcessor",
                   "return_attention_mask": False, "tokenizer_class": "WhisperTokenizer",
                   "unk_token": "<|endoftext|>"}, f, indent=2)
    with open(os.path.join(out, "preprocessor_config.json"), "w", encoding="utf-8") as f:
        json.dump({"chunk_length": 30, "feature_extractor_type": "WhisperFeatureExtractor", "feature_size": n_mels,
                   "hop_length": 160, "n_fft": 400, "n_samples": 480000, "nb_max_frames": 3000,
                   "padding_side": "right", "padding_value": 0.0, "processor_class": "WhisperProcessor",
                   "return_attention_mask": False, "sampling_rate": 16000}, f, indent=2)


def verify(ct2_dir, out_dir, quiet=False):
    """Reload model.safetensors and compare every tensor with its CT2 source (split parts too)."""
    from safetensors.numpy import load_file

    info, tensors = ct2_model.read_tensors(os.path.join(ct2_dir, "model.bin"))
    _, prov, dims = build_state_dict(info, tensors)
    loaded = load_file(os.path.join(out_dir, "model.safetensors"))
    if set(loaded) != set(prov):
        fail(f"model.safetensors names differ: missing {sorted(set(prov) - set(loaded))[:5]}, "
             f"extra {sorted(set(loaded) - set(prov))[:5]}")
    split = 0
    for name, (src, rows) in prov.items():
        want = tensors[src] if rows is None else tensors[src][rows[0]:rows[1]]
        got = loaded[name]
        if got.dtype != want.dtype or got.shape != want.shape or not np.array_equal(got.view(np.uint8), np.ascontiguousarray(want).view(np.uint8)):
            fail(f"{name} does not round-trip from {src}{'' if rows is None else ' rows %d:%d' % rows}")
        split += rows is not None
    covered = {src for src, _ in prov.values()}
    weights = {n for n, a in tensors.items() if a.shape != ()}
    if weights - covered:
        fail(f"CT2 tensors not in the checkpoint: {sorted(weights - covered)}")
    # the zero k biases are the only CT2 values not stored; confirm the split covers every row
    for src in {s for s, r in prov.values() if r is not None}:
        rows = sorted(r for s, r in prov.values() if s == src and r is not None)
        n = tensors[src].shape[0]
        stored = sum(b - a for a, b in rows)
        dropped_zero_bias = src.endswith("/bias") and stored + dims["d_model"] == n
        if stored != n and not dropped_zero_bias:
            fail(f"{src}: split rows {rows} do not cover its {n} rows")
    res = {"tensors": len(loaded), "from_split": split, "ct2_tensors_covered": len(covered),
           "bytes": int(sum(a.nbytes for a in loaded.values())), "dtype": sorted({str(a.dtype) for a in loaded.values()})}
    if not quiet:
        print(f"verify: {res['tensors']} tensors round-trip bit-exactly from {res['ct2_tensors_covered']} CT2 tensors "
              f"({res['from_split']} of them are row slices of fused QKV/KV), {res['bytes']:,} bytes, dtype {res['dtype']}",
              file=sys.stderr)
    return res


def convert(ct2_dir, out_dir, force=False):
    from safetensors.numpy import save_file

    for f in ("model.bin", "config.json", "tokenizer.json"):
        if not os.path.isfile(os.path.join(ct2_dir, f)):
            fail(f"{ct2_dir} has no {f}")
    if os.path.exists(out_dir) and os.listdir(out_dir) and not force:
        fail(f"{out_dir} exists and is not empty (use --force to replace it)")
    info, tensors = ct2_model.read_tensors(os.path.join(ct2_dir, "model.bin"))
    sd, prov, dims = build_state_dict(info, tensors)
    with open(os.path.join(ct2_dir, "config.json"), encoding="utf-8") as f:
        ct2_config = json.load(f)
    vocabulary = read_vocabulary(ct2_dir)
    if len(vocabulary) != dims["vocab"]:
        fail(f"vocabulary has {len(vocabulary)} tokens, the embeddings {dims['vocab']} rows")
    with open(os.path.join(ct2_dir, "tokenizer.json"), encoding="utf-8") as f:
        tokenizer = json.load(f)
    config, gen = build_configs(dims, ct2_config, vocabulary, tokenizer)

    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".ct2-to-hf-", dir=parent)
    try:
        save_file(sd, os.path.join(tmp, "model.safetensors"), metadata={"format": "pt"})
        with open(os.path.join(tmp, "config.json"), "w") as f:
            json.dump(config, f, indent=2)
            f.write("\n")
        with open(os.path.join(tmp, "generation_config.json"), "w", encoding="utf-8") as f:
            json.dump(gen, f, indent=2, ensure_ascii=False)
            f.write("\n")
        write_tokenizer_files(os.path.join(ct2_dir, "tokenizer.json"), tmp, dims["n_mels"])
        os.chmod(tmp, 0o755)
        os.chmod(os.path.join(tmp, "model.safetensors"), 0o644)
        if os.path.exists(out_dir):
            shutil.rmtree(out_dir)
        os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f"wrote {out_dir}: {len(sd)} tensors ({dims['dtype']}), d_model {dims['d_model']}, "
          f"{dims['enc_layers']}+{dims['dec_layers']} layers, vocab {dims['vocab']}, "
          f"{'multilingual' if gen['is_multilingual'] else 'English-only'}", file=sys.stderr)
    return verify(ct2_dir, out_dir)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ct2_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--force", action="store_true", help="replace a non-empty out_dir")
    ap.add_argument("--verify", action="store_true", help="only check an existing out_dir against ct2_dir")
    args = ap.parse_args(argv)
    try:
        if args.verify:
            verify(args.ct2_dir, args.out_dir)
        else:
            convert(args.ct2_dir, args.out_dir, args.force)
    except (ConversionError, ct2_model.Truncated, ValueError, OSError) as e:
        print(f"ct2_to_transformers: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
