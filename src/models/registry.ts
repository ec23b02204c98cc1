/**
 * Models whisper-napi knows by name, pinned to the files and checksums in the public model
 * repositories (see shared/models.md). Files on huggingface.co are fetched from
 * $HF_ENDPOINT instead when it is set (a mirror).
 */

export interface KnownModel {
  id: string;
  /** File name in the cache directory (the repository's own name). */
  file: string;
  /** Path on the Hugging Face hub, after the endpoint. */
  hubPath: string;
  /** Exact size in bytes when the repository states it; else an approximation for messages. */
  bytes: number;
  exactSize: boolean;
  /** Checksum the download is verified with: SHA-256 where published, else the repository's SHA-1. */
  sha256?: string;
  sha1?: string;
  description: string;
}

export const DEFAULT_MODEL_ID = 'distil-medium.en';

const MB = 1e6;

export const KNOWN_MODELS: readonly KnownModel[] = [
  {
    id: 'distil-medium.en',
    file: 'ggml-medium-32-2.en.bin',
    hubPath: 'distil-whisper/distil-medium.en/resolve/main/ggml-medium-32-2.en.bin',
    bytes: 794 * MB,
    exactSize: false,
    sha256: 'ad53ccb618188b210550e98cc32bf5a13188d86635e395bb11115ed275d6e7aa',
    description: 'Distil-Whisper medium, English (default): 24 encoder / 2 decoder layers, f16',
  },
  {
    id: 'distil-small.en',
    file: 'ggml-distil-small.en.bin',
    hubPath: 'distil-whisper/distil-small.en/resolve/main/ggml-distil-small.en.bin',
    bytes: 336 * MB,
    exactSize: false,
    sha256: '7691eb11167ab7aaf6b3e05d8266f2fd9ad89c550e433f86ac266ebdee6c970a',
    description: 'Distil-Whisper small, English',
  },
  {
    id: 'tiny.en',
    file: 'ggml-tiny.en.bin',
    hubPath: 'ggerganov/whisper.cpp/resolve/main/ggml-tiny.en.bin',
    bytes: 77704715,
    exactSize: true,
    sha256: '921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f',
    description: 'Whisper tiny, English',
  },
  {
    id: 'tiny',
    file: 'ggml-tiny.bin',
    hubPath: 'ggerganov/whisper.cpp/resolve/main/ggml-tiny.bin',
    bytes: 77691713,
    exactSize: true,
    sha256: 'be07e048e1e599ad46341c8d2a135645097a538221678b7acdd1b1919c6e1b21',
    description: 'Whisper tiny, multilingual',
  },
  {
    id: 'base.en',
    file: 'ggml-base.en.bin',
    hubPath: 'ggerganov/whisper.cpp/resolve/main/ggml-base.en.bin',
    bytes: 147964211,
    exactSize: true,
    sha256: 'a03779c86df3323075f5e796cb2ce5029f00ec8869eee3fdfb897afe36c6d002',
    description: 'Whisper base, English',
  },
  {
    id: 'small.en',
    file: 'ggml-small.en.bin',
    hubPath: 'ggerganov/whisper.cpp/resolve/main/ggml-small.en.bin',
    bytes: 466 * 1024 * 1024,
    exactSize: false,
    sha1: 'db8a495a91d927739e50b3fc1cc4c6b8f6c2d022',
    description: 'Whisper small, English',
  },
  {
    id: 'medium.en',
    file: 'ggml-medium.en.bin',
    hubPath: 'ggerganov/whisper.cpp/resolve/main/ggml-medium.en.bin',
    bytes: 1.5 * 1024 * 1024 * 1024,
    exactSize: false,
    sha256: 'cc37e93478338ec7700281a7ac30a10128929eb8f427dda2e865faa8f6da4356',
    description: 'Whisper medium, English',
  },
  {
    id: 'large-v3-turbo',
    file: 'ggml-large-v3-turbo.bin',
    hubPath: 'ggerganov/whisper.cpp/resolve/main/ggml-large-v3-turbo.bin',
    bytes: 1.5 * 1024 * 1024 * 1024,
    exactSize: false,
    sha1: '4af2b29d7ec73d781377bfd1758ca957a807e941',
    description: 'Whisper large-v3 turbo, multilingual',
  },
];

export function findKnownModel(id: string): KnownModel | undefined {
  return KNOWN_MODELS.find((m) => m.id === id);
}

/** The model's URL: on huggingface.co, or on the mirror named by $HF_ENDPOINT. */
export function knownModelUrl(model: KnownModel, env: NodeJS.ProcessEnv = process.env): string {
  const endpoint = (env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
  return `${endpoint}/${model.hubPath}`;
}

/** "794 MB", "77.7 MB", "1.6 GB": sizes as people read them. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 100e6) return `${Math.round(bytes / 1e6)} MB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}

const defaultModel = findKnownModel(DEFAULT_MODEL_ID)!;

/** The model used when none is named: distil-medium.en. */
export const DEFAULT_MODEL = {
  id: defaultModel.id,
  file: defaultModel.file,
  url: knownModelUrl(defaultModel, {}),
  sizeDescription: `about ${formatBytes(defaultModel.bytes)}`,
} as const;
