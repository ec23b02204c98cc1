// The page's client of /v1/audio/live: a WebSocket that takes the microphone's Float32
// chunks as 16-bit little-endian PCM frames and hands the server's JSON events (partial,
// final, lagging, done, error) to the page. docs/server.md describes the protocol.

/** The subprotocol the server speaks; a key goes as a second one, since a browser cannot set headers on a WebSocket. */
const PROTOCOL = 'whisper-napi';

/** Float32 samples (-1..1) as PCM16 little-endian bytes, whatever the machine's byte order. */
function pcm16(samples) {
  const view = new DataView(new ArrayBuffer(samples.length * 2));
  for (let i = 0; i < samples.length; i++) {
    view.setInt16(i * 2, Math.round(Math.max(-1, Math.min(1, samples[i])) * 32767), true);
  }
  return view.buffer;
}

export class LiveSession {
  constructor(socket, ready) {
    this.socket = socket;
    this.ready = ready;
  }

  send(samples) {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(pcm16(samples));
  }

  /** No more audio: the server decodes the rest and answers with `done`. */
  end() {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'end' }));
  }

  close() {
    this.socket.close(1000, 'cancelled');
  }
}

/**
 * Opens a session. Resolves with it once the server says `ready`; rejects when the server
 * refuses: with the server's error frame when it sent one, else with `handshake: true`
 * (a refused upgrade, whose HTTP status a browser does not reveal).
 * `onEvent` gets every later event; `onClose` the close event once the session was ready.
 */
export function openLive({ sampleRate, key, onEvent, onClose }) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}/v1/audio/live?sample_rate=${sampleRate}`;
  return new Promise((resolve, reject) => {
    let socket;
    try {
      socket = new WebSocket(url, key ? [PROTOCOL, `bearer.${key}`] : [PROTOCOL]);
    } catch (error) {
      // A key with characters a subprotocol cannot hold (spaces, commas, ...).
      reject(new Error(`This API key cannot be sent over a WebSocket (${error.message}).`));
      return;
    }
    let session = null;
    let refusal = null;
    socket.onmessage = ({ data }) => {
      const event = JSON.parse(data);
      if (session) onEvent(event);
      else if (event.type === 'ready') resolve((session = new LiveSession(socket, event)));
      else if (event.type === 'error') refusal = event.error;
    };
    socket.onclose = (event) => {
      if (session) onClose(event);
      else reject(Object.assign(new Error(refusal?.message ?? 'The live connection was refused.'), { handshake: !refusal, code: event.code }));
    };
  });
}
