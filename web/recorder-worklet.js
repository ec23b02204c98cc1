// Collects the microphone's samples as mono Float32 PCM on the audio thread and hands
// them to the page in chunks. Posting every 128-frame render quantum would mean ~375
// messages a second; the page asks for chunks of about 200 ms (processorOptions.chunkFrames),
// often enough for live transcription and few enough messages.
const DEFAULT_CHUNK = 8192;

class RecorderProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.chunk = options?.processorOptions?.chunkFrames ?? DEFAULT_CHUNK;
    this.buffer = new Float32Array(this.chunk);
    this.filled = 0;
    this.stopped = false;
    // 'stop' asks for what is still buffered; the answer marked final ends the recording,
    // so no samples are lost between the last chunk and the stop.
    this.port.onmessage = (event) => {
      if (event.data === 'stop') {
        this.flush(true);
        this.stopped = true;
      }
    };
  }

  flush(final) {
    const samples = this.buffer.slice(0, this.filled);
    this.port.postMessage({ samples, final }, [samples.buffer]);
    this.filled = 0;
  }

  process(inputs) {
    if (this.stopped) return false;
    const channels = inputs[0];
    if (!channels || channels.length === 0) return true; // no input connected yet
    const frames = channels[0].length;
    for (let i = 0; i < frames; i++) {
      // A stereo microphone is mixed down: the server wants one channel anyway.
      let sum = 0;
      for (const channel of channels) sum += channel[i];
      this.buffer[this.filled++] = sum / channels.length;
      if (this.filled === this.chunk) this.flush(false);
    }
    return true;
  }
}

registerProcessor('recorder', RecorderProcessor);
