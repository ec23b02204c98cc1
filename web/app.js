// The page of `whisper-napi serve`. It sends a file to /v1/audio/transcriptions with
// stream=true and shows each segment as the server decodes it, or streams the microphone to
// /v1/audio/live (./live.js) and shows the words as they are spoken. Plain modules without
// a framework or build step: the server's CSP allows only this page's own files (no inline
// script or style).

import { openLive } from '/live.js';

const $ = (id) => document.getElementById(id);
const els = {
  file: $('file'), drop: $('drop'), record: $('record'), cancel: $('cancel'),
  status: $('status'), segments: $('segments'), final: $('final'), partial: $('partial'),
  keyForm: $('key-form'), apiKey: $('api-key'),
  srt: $('download-srt'), vtt: $('download-vtt'), json: $('download-json'),
};

// sessionStorage: the key survives a reload but not the tab, and is never sent anywhere
// but this server.
const KEY_STORAGE = 'whisper-napi.api-key';

let job = null;       // { cancel } while a request runs or a live session finishes
let recording = null; // { stream, context, node, live, transcript, frames } while recording
let connecting = false; // while the microphone and the live connection open
let pending = null;   // the last file sent: a 401 resends it once the key is entered
let result = null;    // { name, text, segments } once the transcript is done

function setStatus(state, message) {
  els.status.dataset.state = state;
  els.status.textContent = message;
}

function updateControls() {
  els.file.disabled = Boolean(job || recording || connecting);
  els.record.disabled = Boolean(job || connecting);
  els.cancel.disabled = !(job || recording);
  for (const button of [els.srt, els.vtt, els.json]) button.disabled = !result;
  els.record.textContent = recording ? 'Stop recording' : 'Start recording';
  els.record.setAttribute('aria-pressed', String(Boolean(recording)));
}

// ---- Transcription -------------------------------------------------------------------

async function transcribe(file) {
  if (job || recording || connecting) return;
  pending = file;
  result = null;
  const segments = [];
  clearTranscript();
  const controller = new AbortController();
  job = { cancel: () => controller.abort() };
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
    els.final.textContent = text.trim();
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
    askForKey(Boolean(sessionStorage.getItem(KEY_STORAGE)));
  } else if (response.status === 429) {
    setStatus('error', `Server busy, retry in ${response.headers.get('retry-after') ?? 'a few'} s.`);
  } else if (response.status === 413) {
    setStatus('error', `Too large: ${message}`);
  } else {
    setStatus('error', `Error: ${message}`);
  }
}

function askForKey(tried) {
  els.keyForm.hidden = false;
  els.apiKey.focus();
  els.apiKey.select();
  // The server's message speaks to API clients (how to send the header); the page does that part.
  setStatus('error', tried ? 'The server refused this API key: enter another one.' : 'This server needs an API key: enter it below.');
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

// ---- Live recording ------------------------------------------------------------------
// The microphone streams to /v1/audio/live while it records: the words appear as they are
// spoken, grey while the server may still change them, and Stop asks for the rest.

async function startRecording() {
  if (!navigator.mediaDevices?.getUserMedia) {
    return setStatus('error', 'Recording needs a secure page (https or localhost).');
  }
  connecting = true; // no second click while the microphone and the connection open
  updateControls();
  let stream = null;
  let context = null;
  const giveUp = () => {
    stream?.getTracks().forEach((track) => track.stop());
    context?.close().catch(() => {});
    connecting = false;
    updateControls();
  };
  try {
    // The raw signal: echo cancellation and noise suppression are tuned for calls and
    // distort speech for recognition.
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    // 16 kHz, what the model hears (the browser resamples with its own filter); a browser
    // that keeps another rate says so in sample_rate and the server resamples.
    context = new AudioContext({ sampleRate: 16000 });
    await context.audioWorklet.addModule('/recorder-worklet.js');
  } catch (error) {
    giveUp();
    return setStatus('error', `Microphone unavailable: ${error.message}`);
  }

  pending = null; // a key entered after a refusal is for the next recording, not the last file
  result = null;
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const transcript = { name: `recording-${stamp}`, segments: [], finals: [], text: null, error: null, cancelled: false, behind: 0 };
  clearTranscript();
  setStatus('connecting', 'Connecting to the server…');
  let live;
  try {
    live = await openLive({
      sampleRate: context.sampleRate,
      key: sessionStorage.getItem(KEY_STORAGE),
      onEvent: (event) => liveEvent(event, transcript),
      onClose: (event) => liveClosed(event, transcript),
    });
  } catch (error) {
    giveUp();
    return error.handshake ? explainRefusal() : setStatus('error', `Error: ${error.message}`);
  }

  // Chunks of 200 ms: the text follows the speech closely at five frames a second.
  const node = new AudioWorkletNode(context, 'recorder', { processorOptions: { chunkFrames: Math.round(context.sampleRate / 5) } });
  const rec = { stream, context, node, live, transcript, frames: 0, stopping: false };
  node.port.onmessage = ({ data }) => {
    if (recording !== rec) return; // cancelled, or the server ended the session
    live.send(data.samples);
    rec.frames += data.samples.length;
    showRecordingStatus(rec);
    if (data.final) finishRecording(rec);
  };
  // The audio graph is pulled from its destination: a node that leads nowhere may never
  // run. A muted gain keeps the recorder in the graph without playing the microphone back.
  const mute = context.createGain();
  mute.gain.value = 0;
  context.createMediaStreamSource(stream).connect(node).connect(mute).connect(context.destination);
  await context.resume();
  connecting = false;
  recording = rec;
  showRecordingStatus(rec);
  updateControls();
}

function showRecordingStatus(rec) {
  const behind = rec.transcript.behind >= 1 ? ` (the server is ${rec.transcript.behind.toFixed(0)} s behind)` : '';
  setStatus('recording', `Recording… ${(rec.frames / rec.context.sampleRate).toFixed(1)} s, transcribed as you speak${behind}`);
}

function releaseMicrophone(rec) {
  for (const track of rec.stream.getTracks()) track.stop();
  rec.context.close().catch(() => {});
  if (recording === rec) recording = null;
  updateControls();
}

function stopRecording() {
  const rec = recording;
  if (rec.stopping) return; // a second click while the last samples arrive
  rec.stopping = true;
  els.record.disabled = true;
  rec.node.port.postMessage('stop'); // the worklet answers with what it still holds, marked final
}

/** The last samples are sent: the server decodes what it has not yet and answers `done`. */
function finishRecording(rec) {
  rec.live.end();
  releaseMicrophone(rec);
  job = { cancel: () => cancelLive(rec.live, rec.transcript) };
  setStatus('transcribing', 'Transcribing the rest…');
  updateControls();
}

function cancelLive(live, transcript) {
  transcript.cancelled = true;
  live.close();
}

function liveEvent(event, transcript) {
  if (event.type === 'partial') {
    // A space parts it from the final text, when there is some.
    els.partial.textContent = event.text && els.final.textContent ? ` ${event.text}` : event.text;
  } else if (event.type === 'final') {
    const words = event.words;
    const segment = { start: words[0]?.start ?? event.at, end: words[words.length - 1]?.end ?? event.at, text: event.text };
    transcript.segments.push(segment);
    transcript.finals.push(event.text);
    showSegment(segment);
    els.final.textContent = transcript.finals.join(' ');
  } else if (event.type === 'lagging') {
    transcript.behind = event.behindSeconds;
  } else if (event.type === 'done') {
    transcript.text = event.text;
  } else if (event.type === 'error') {
    transcript.error = event.error;
  }
}

/** The session is over: done, refused mid-way, cancelled, or cut. */
function liveClosed(event, transcript) {
  if (recording?.transcript === transcript) releaseMicrophone(recording);
  job = null;
  els.partial.textContent = '';
  if (transcript.cancelled) {
    setStatus('cancelled', 'Cancelled.');
  } else if (transcript.text !== null) {
    result = { name: transcript.name, text: transcript.text, segments: transcript.segments };
    els.final.textContent = transcript.text.trim();
    setStatus('done', `Done: ${transcript.name}, ${plural(transcript.segments.length, 'segment')}.`);
  } else if (transcript.error) {
    setStatus('error', `Error: ${transcript.error.message}`);
  } else {
    setStatus('error', `The connection closed before the transcript was complete (code ${event.code}).`);
  }
  updateControls();
}

/**
 * A browser hides why a WebSocket upgrade was refused (401, 403, 429 all read as a closed
 * connection), so the page asks the server's plain routes what the matter is.
 */
async function explainRefusal() {
  const key = sessionStorage.getItem(KEY_STORAGE);
  try {
    const models = await fetch('/v1/models', { headers: key ? { Authorization: `Bearer ${key}` } : {} });
    if (models.status === 401) return askForKey(Boolean(key));
    const health = await (await fetch('/health')).json();
    if (health.status !== 'ok') return setStatus('error', `The server cannot start a live session now (${health.status.replace('_', ' ')}).`);
    const most = health.capacity?.maxLiveSessions ?? 0;
    if (most === 0) return setStatus('error', 'This server has live transcription turned off.');
    if (health.liveSessions >= most) return setStatus('error', `Server busy: it runs ${plural(most, 'live session')}, its most; retry later.`);
  } catch { /* the server is unreachable: the message below covers it */ }
  setStatus('error', 'Could not open a live connection to the server.');
}

function clearTranscript() {
  els.segments.replaceChildren();
  els.final.textContent = '';
  els.partial.textContent = '';
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
  // The server stops the job, or the live session's decode, when the connection closes.
  if (job) job.cancel();
  else if (recording) cancelLive(recording.live, recording.transcript);
});

els.keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = els.apiKey.value.trim();
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
  if (pending) transcribe(pending);
  else setStatus('idle', 'Key saved: start the recording again.');
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
