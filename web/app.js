// The page of `whisper-napi serve`. It sends a file, or a microphone recording encoded as
// WAV, to /v1/audio/transcriptions with stream=true and shows each segment as the server
// decodes it. Plain modules without a framework or build step: the server's CSP allows
// only this page's own files (no inline script or style).

const $ = (id) => document.getElementById(id);
const els = {
  file: $('file'), drop: $('drop'), record: $('record'), cancel: $('cancel'),
  status: $('status'), segments: $('segments'), text: $('text'),
  keyForm: $('key-form'), apiKey: $('api-key'),
  srt: $('download-srt'), vtt: $('download-vtt'), json: $('download-json'),
};

// sessionStorage: the key survives a reload but not the tab, and is never sent anywhere
// but this server.
const KEY_STORAGE = 'whisper-napi.api-key';

let job = null;       // { controller } while a request runs
let recording = null; // { stream, context, node, chunks, frames, stopped } while recording
let pending = null;   // the last file sent: a 401 resends it once the key is entered
let result = null;    // { name, text, segments } once the transcript is done

function setStatus(state, message) {
  els.status.dataset.state = state;
  els.status.textContent = message;
}

function updateControls() {
  els.file.disabled = Boolean(job || recording);
  els.record.disabled = Boolean(job);
  els.cancel.disabled = !(job || recording);
  for (const button of [els.srt, els.vtt, els.json]) button.disabled = !result;
  els.record.textContent = recording ? 'Stop recording' : 'Start recording';
  els.record.setAttribute('aria-pressed', String(Boolean(recording)));
}

// ---- Transcription -------------------------------------------------------------------

async function transcribe(file) {
  if (job || recording) return;
  pending = file;
  result = null;
  const segments = [];
  els.segments.replaceChildren();
  els.text.textContent = '';
  const controller = new AbortController();
  job = { controller };
  updateControls();
  // The server answers with the first decoded segment (so that audio it cannot read still
  // gets a plain error status): until then the file is uploading or its first window decoding.
  setStatus('uploading', `Sending ${file.name} (${formatSize(file.size)}); segments appear as they are decoded…`);

  const form = new FormData();
  form.append('file', file, file.name);
  form.append('model', 'whisper-1');
  form.append('response_format', 'json');
  form.append('stream', 'true');
  const key = sessionStorage.getItem(KEY_STORAGE);
  const headers = key ? { Authorization: `Bearer ${key}` } : {};

  try {
    const response = await fetch('/v1/audio/transcriptions', { method: 'POST', body: form, headers, signal: controller.signal });
    if (!response.ok) return await showHttpError(response);
    setStatus('transcribing', 'Transcribing…');
    let text = null;
    if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      text = (await response.json()).text ?? ''; // a server that ignores stream=true
    } else {
      await readEvents(response.body, (event) => {
        if (event.error) throw new Error(event.error.message || 'The server failed.');
        if (event.type === 'transcript.text.segment') {
          segments.push({ start: event.start, end: event.end, text: event.text });
          showSegment(event);
          setStatus('transcribing', `Transcribing… ${plural(segments.length, 'segment')} so far, up to ${clock(event.end)}.`);
        } else if (event.type === 'transcript.text.done') {
          text = event.text;
          return true;
        }
        // transcript.text.delta repeats a segment's text without its times: ignored.
        return false;
      });
      if (text === null) throw new Error('The connection closed before the transcript was complete.');
    }
    result = { name: file.name, text, segments };
    els.text.textContent = text.trim();
    setStatus('done', `Done: ${file.name}, ${plural(segments.length, 'segment')}.`);
  } catch (error) {
    if (error.name === 'AbortError') setStatus('cancelled', 'Cancelled.');
    else setStatus('error', `Error: ${error.message}`);
  } finally {
    job = null;
    updateControls();
  }
}

// Server-sent events: blocks separated by a blank line, each with `data: <json>` lines.
// `onEvent` returns true at the last event; the rest of the body is then not awaited.
async function readEvents(body, onEvent) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += decoder.decode(value, { stream: !done });
      let blank;
      while ((blank = /\r?\n\r?\n/.exec(buffer))) {
        const block = buffer.slice(0, blank.index);
        buffer = buffer.slice(blank.index + blank[0].length);
        const data = block.split(/\r?\n/).filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).replace(/^ /, '')).join('\n');
        if (data && onEvent(JSON.parse(data))) return;
      }
      if (done) return;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

async function showHttpError(response) {
  let message = `${response.status} ${response.statusText}`;
  try {
    message = (await response.json()).error?.message ?? message;
  } catch { /* not JSON: keep the status line */ }
  if (response.status === 401) {
    const tried = Boolean(sessionStorage.getItem(KEY_STORAGE));
    els.keyForm.hidden = false;
    els.apiKey.focus();
    els.apiKey.select();
    // The server's message speaks to API clients (how to send the header); the page does that part.
    setStatus('error', tried ? 'The server refused this API key: enter another one.' : 'This server needs an API key: enter it below.');
  } else if (response.status === 429) {
    setStatus('error', `Server busy, retry in ${response.headers.get('retry-after') ?? 'a few'} s.`);
  } else if (response.status === 413) {
    setStatus('error', `Too large: ${message}`);
  } else {
    setStatus('error', `Error: ${message}`);
  }
}

function showSegment({ start, end, text }) {
  const li = document.createElement('li');
  const time = document.createElement('span');
  time.className = 'time';
  time.textContent = `${clock(start)}–${clock(end)}`;
  const words = document.createElement('span');
  words.className = 'text';
  words.textContent = text.trim();
  li.append(time, words);
  els.segments.append(li);
}

// ---- Recording -----------------------------------------------------------------------

async function startRecording() {
  if (!navigator.mediaDevices?.getUserMedia) {
    return setStatus('error', 'Recording needs a secure page (https or localhost).');
  }
  els.record.disabled = true; // a second click while the microphone is being opened
  try {
    // The raw signal: echo cancellation and noise suppression are tuned for calls and
    // distort speech for recognition.
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    // 16 kHz, what the model hears: the browser resamples the microphone with its own
    // filter, and a WAV of it holds 13 minutes under the server's default 25-MiB limit
    // (4.5 minutes at a 48-kHz context's rate).
    const context = new AudioContext({ sampleRate: 16000 });
    await context.audioWorklet.addModule('/recorder-worklet.js');
    const node = new AudioWorkletNode(context, 'recorder');
    const rec = { stream, context, node, chunks: [], frames: 0, stopped: null };
    rec.done = new Promise((resolve) => { rec.stopped = resolve; });
    node.port.onmessage = ({ data }) => {
      rec.chunks.push(data.samples);
      rec.frames += data.samples.length;
      if (recording === rec) setStatus('recording', `Recording… ${(rec.frames / context.sampleRate).toFixed(1)} s`);
      if (data.final) rec.stopped();
    };
    // The audio graph is pulled from its destination: a node that leads nowhere may never
    // run. A muted gain keeps the recorder in the graph without playing the microphone back.
    const mute = context.createGain();
    mute.gain.value = 0;
    context.createMediaStreamSource(stream).connect(node).connect(mute).connect(context.destination);
    await context.resume();
    recording = rec;
    result = null;
    setStatus('recording', 'Recording… 0.0 s');
  } catch (error) {
    setStatus('error', `Microphone unavailable: ${error.message}`);
  } finally {
    updateControls();
  }
}

function releaseMicrophone(rec) {
  for (const track of rec.stream.getTracks()) track.stop();
  rec.context.close().catch(() => {});
  recording = null;
  updateControls();
}

async function stopRecording() {
  const rec = recording;
  if (rec.stopping) return; // a second click while the last samples arrive
  rec.stopping = true;
  els.record.disabled = true;
  rec.node.port.postMessage('stop'); // the worklet answers with what it still holds
  await rec.done;
  if (recording !== rec) return; // Cancel discarded it meanwhile
  releaseMicrophone(rec);
  // Kept at the context's rate (often 48 kHz): the server resamples any WAV rate with its
  // tested resampler, where downsampling here would need a proper low-pass filter.
  const wav = encodeWav(rec.chunks, rec.context.sampleRate);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  await transcribe(new File([wav], `recording-${stamp}.wav`, { type: 'audio/wav' }));
}

/** 16-bit PCM mono WAV: the simplest format the server decodes. */
function encodeWav(chunks, rate) {
  const frames = chunks.reduce((n, chunk) => n + chunk.length, 0);
  const view = new DataView(new ArrayBuffer(44 + frames * 2));
  const ascii = (offset, s) => { for (let i = 0; i < s.length; i++) view.setUint8(offset + i, s.charCodeAt(i)); };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + frames * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);       // fmt chunk size
  view.setUint16(20, 1, true);        // PCM
  view.setUint16(22, 1, true);        // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true); // bytes per second
  view.setUint16(32, 2, true);        // bytes per frame
  view.setUint16(34, 16, true);       // bits per sample
  ascii(36, 'data');
  view.setUint32(40, frames * 2, true);
  let offset = 44;
  for (const chunk of chunks) {
    for (const sample of chunk) {
      view.setInt16(offset, Math.round(Math.max(-1, Math.min(1, sample)) * 32767), true);
      offset += 2;
    }
  }
  return new Blob([view.buffer], { type: 'audio/wav' });
}

// ---- Downloads -----------------------------------------------------------------------

/** HH:MM:SS<sep>mmm, as src/formats.ts writes it, so the page's files match the CLI's. */
function timestamp(seconds, separator) {
  const totalMs = Math.max(0, Math.round(seconds * 1000));
  const pad = (n, width = 2) => String(n).padStart(width, '0');
  const s = Math.floor(totalMs / 1000);
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}${separator}${pad(totalMs % 1000, 3)}`;
}

/** mm:ss.s for the segment list. */
function clock(seconds) {
  const tenths = Math.max(0, Math.round(seconds * 10));
  return `${String(Math.floor(tenths / 600)).padStart(2, '0')}:${((tenths % 600) / 10).toFixed(1).padStart(4, '0')}`;
}

function formatDownload(kind, { text, segments }) {
  // Players reject empty cues; src/formats.ts leaves them out too.
  const cues = segments.map((s) => ({ start: s.start, end: s.end, text: s.text.trim() })).filter((c) => c.text !== '');
  if (kind === 'srt') return cues.map((c, i) => `${i + 1}\n${timestamp(c.start, ',')} --> ${timestamp(c.end, ',')}\n${c.text}\n`).join('\n');
  if (kind === 'vtt') return ['WEBVTT\n', ...cues.map((c) => `${timestamp(c.start, '.')} --> ${timestamp(c.end, '.')}\n${c.text}\n`)].join('\n');
  const all = segments.map((s) => ({ start: s.start, end: s.end, text: s.text.trim() }));
  return JSON.stringify({ text, segments: all }, null, 2) + '\n';
}

const MIME = { srt: 'application/x-subrip', vtt: 'text/vtt', json: 'application/json' };

function download(kind) {
  if (!result) return;
  const url = URL.createObjectURL(new Blob([formatDownload(kind, result)], { type: `${MIME[kind]};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${result.name.replace(/\.[^.]*$/, '')}.${kind}`;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later, not at once: some browsers read the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// ---- Small helpers and wiring --------------------------------------------------------

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function formatSize(bytes) {
  return bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

els.file.addEventListener('change', () => {
  const file = els.file.files[0];
  els.file.value = ''; // so that choosing the same file again is a change too
  if (file) transcribe(file);
});

for (const type of ['dragenter', 'dragover']) {
  els.drop.addEventListener(type, (event) => {
    event.preventDefault();
    els.drop.classList.add('over');
  });
}
els.drop.addEventListener('dragleave', () => els.drop.classList.remove('over'));
els.drop.addEventListener('drop', (event) => {
  event.preventDefault();
  els.drop.classList.remove('over');
  const file = event.dataTransfer?.files[0];
  if (file) transcribe(file);
});
// A file dropped beside the zone would make the browser open it, leaving the page.
window.addEventListener('dragover', (event) => event.preventDefault());
window.addEventListener('drop', (event) => event.preventDefault());

els.record.addEventListener('click', () => (recording ? stopRecording() : startRecording()));

els.cancel.addEventListener('click', () => {
  if (job) job.controller.abort(); // the server stops the job when the connection closes
  else if (recording) {
    releaseMicrophone(recording);
    setStatus('cancelled', 'Recording discarded.');
  }
});

els.keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = els.apiKey.value.trim();
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
  if (pending) transcribe(pending);
});

els.srt.addEventListener('click', () => download('srt'));
els.vtt.addEventListener('click', () => download('vtt'));
els.json.addEventListener('click', () => download('json'));

const storedKey = sessionStorage.getItem(KEY_STORAGE);
if (storedKey) {
  els.apiKey.value = storedKey;
  els.keyForm.hidden = false;
}
updateControls();
