#!/usr/bin/env python3
"""Functional check of a checkpoint written by ct2_to_transformers.py, without torch or transformers.

TEST-SUPPORT TOOL (the npm package never needs Python). Runs WhisperForConditionalGeneration's
forward pass in plain numpy, reading model.safetensors by the Transformers tensor names and
applying Transformers' semantics (q_proj scaled by head_dim**-0.5, k_proj without bias, pre-norm
layers, exact GELU, proj_out tied to embed_tokens), and decodes greedily without timestamps:

    python check_transformers_numpy.py <hf checkpoint dir> FILE.wav      # 16 kHz mono 16-bit

Prints the time, the token count and the text. If the CT2 -> Transformers mapping were wrong
(q/k/v rows swapped, cross-attention k/v swapped, a layer norm misplaced) the text would be
garbage; bit-exact round trips alone cannot show that. Slow (no KV cache, float32 numpy) but the
first 30 s window of tiny/base takes seconds. Log-mel follows openai/whisper (n_fft 400, hop 160,
Slaney mel filters, log10 clamp, (x + 4) / 4). No suppression, no fallback: a check, not an engine.
"""
import json, sys, time, wave, numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer
if len(sys.argv) != 3:
    sys.exit('usage: python check_transformers_numpy.py <hf checkpoint dir> FILE.wav')
ckpt, wav = sys.argv[1], sys.argv[2]
cfg = json.load(open(ckpt + '/config.json')); gen = json.load(open(ckpt + '/generation_config.json'))
W = {k: v.astype(np.float32) for k, v in load_file(ckpt + '/model.safetensors').items()}
w = wave.open(wav); audio = np.frombuffer(w.readframes(w.getnframes()), '<i2').astype(np.float32) / 32768
# log-mel as openai/whisper
N_FFT, HOP, SR, NM = 400, 160, 16000, cfg['num_mel_bins']
audio = np.pad(audio, (0, 480000))
def hz2mel(f):
    f = np.asarray(f, float); m = f / (200 / 3); lg = f >= 1000
    return np.where(lg, 15 + np.log(np.maximum(f, 1e-10) / 1000) / (np.log(6.4) / 27), m)
def mel2hz(m):
    m = np.asarray(m, float); f = m * (200 / 3); lg = m >= 15
    return np.where(lg, 1000 * np.exp((np.log(6.4) / 27) * (m - 15)), f)
fftf = np.linspace(0, SR / 2, 1 + N_FFT // 2)
melf = mel2hz(np.linspace(hz2mel(0), hz2mel(8000), NM + 2))
fd = np.diff(melf); ramps = melf[:, None] - fftf[None, :]
fb = np.maximum(0, np.minimum(-ramps[:-2] / fd[:-1, None], ramps[2:] / fd[1:, None])) * (2 / (melf[2:] - melf[:-2]))[:, None]
x = np.pad(audio, N_FFT // 2, mode='reflect'); win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)
nfr = 1 + (len(x) - N_FFT) // HOP
fr = np.lib.stride_tricks.as_strided(x, (nfr, N_FFT), (x.strides[0] * HOP, x.strides[0])) * win
mag = np.abs(np.fft.rfft(fr, axis=1)) ** 2
mel = fb @ mag[:-1].T
lm = np.log10(np.maximum(mel, 1e-10)); lm = np.maximum(lm, lm.max() - 8); lm = (lm + 4) / 4
lm = lm[:, :3000].astype(np.float32)
def erf(z):
    s = np.sign(z); z = np.abs(z); t = 1 / (1 + 0.3275911 * z)
    y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * np.exp(-z * z)
    return s * y
gelu = lambda z: 0.5 * z * (1 + erf(z / np.sqrt(2)))
def conv(x, p, stride):
    wgt, b = W[p + '.weight'], W[p + '.bias']; xp = np.pad(x, ((0, 0), (1, 1))); T = (xp.shape[1] - 3) // stride + 1
    cols = np.stack([xp[:, k: k + stride * (T - 1) + 1: stride] for k in range(3)], -1)  # C,T,3
    return np.einsum('ock,ctk->ot', wgt, cols) + b[:, None]
def ln(x, p): m = x.mean(-1, keepdims=True); v = ((x - m) ** 2).mean(-1, keepdims=True); return (x - m) / np.sqrt(v + 1e-5) * W[p + '.weight'] + W[p + '.bias']
def lin(x, p): return x @ W[p + '.weight'].T + (W[p + '.bias'] if p + '.bias' in W else 0)
def attn(x, kv, p, H, causal):
    d = x.shape[-1]; dh = d // H
    q = lin(x, p + '.q_proj') * dh ** -0.5; k = lin(kv, p + '.k_proj'); v = lin(kv, p + '.v_proj')
    q = q.reshape(-1, H, dh).transpose(1, 0, 2); k = k.reshape(-1, H, dh).transpose(1, 0, 2); v = v.reshape(-1, H, dh).transpose(1, 0, 2)
    s = q @ k.transpose(0, 2, 1)
    if causal: s = s + np.triu(np.full(s.shape[-2:], -np.inf), 1)
    s = np.exp(s - s.max(-1, keepdims=True)); s /= s.sum(-1, keepdims=True)
    return lin((s @ v).transpose(1, 0, 2).reshape(-1, d), p + '.out_proj')
t0 = time.time()
h = gelu(conv(lm, 'model.encoder.conv1', 1)); h = gelu(conv(h, 'model.encoder.conv2', 2)).T + W['model.encoder.embed_positions.weight']
for i in range(cfg['encoder_layers']):
    p = f'model.encoder.layers.{i}'
    h = h + attn(ln(h, p + '.self_attn_layer_norm'), ln(h, p + '.self_attn_layer_norm'), p + '.self_attn', cfg['encoder_attention_heads'], False)
    h = h + lin(gelu(lin(ln(h, p + '.final_layer_norm'), p + '.fc1')), p + '.fc2')
enc = ln(h, 'model.encoder.layer_norm')
sot = cfg['decoder_start_token_id']; eot = cfg['eos_token_id']
toks = [sot] + ([gen['lang_to_id']['<|en|>'], gen['task_to_id']['transcribe']] if gen['is_multilingual'] else []) + [gen['no_timestamps_token_id']]
n0 = len(toks)
while len(toks) < 100:
    x = W['model.decoder.embed_tokens.weight'][toks] + W['model.decoder.embed_positions.weight'][:len(toks)]
    for i in range(cfg['decoder_layers']):
        p = f'model.decoder.layers.{i}'
        y = ln(x, p + '.self_attn_layer_norm'); x = x + attn(y, y, p + '.self_attn', cfg['decoder_attention_heads'], True)
        x = x + attn(ln(x, p + '.encoder_attn_layer_norm'), enc, p + '.encoder_attn', cfg['decoder_attention_heads'], False)
        x = x + lin(gelu(lin(ln(x, p + '.final_layer_norm'), p + '.fc1')), p + '.fc2')
    logits = ln(x[-1:], 'model.decoder.layer_norm') @ W['model.decoder.embed_tokens.weight'].T  # tied proj_out
    nxt = int(logits[0].argmax())
    if nxt == eot: break
    toks.append(nxt)
print(f'{time.time() - t0:.1f} s, {len(toks) - n0} tokens:', repr(Tokenizer.from_file(ckpt + '/tokenizer.json').decode(toks[n0:])))
