/**
 * GPT-2's byte-level BPE writes each byte as a printable character (bytes_to_unicode in
 * OpenAI's and Hugging Face's tokenizers: 'Ġ' is a space, 'Ċ' a newline). ggml files store
 * a token's raw bytes, so the converter maps the characters back.
 */

function byteDecoder(): Map<string, number> {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const decoder = new Map<string, number>();
  for (const b of printable) decoder.set(String.fromCodePoint(b), b);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    if (!printable.includes(b)) decoder.set(String.fromCodePoint(256 + shifted++), b);
  }
  return decoder;
}

let decoder: Map<string, number> | undefined;

/**
 * A vocabulary entry's bytes. Characters outside the byte alphabet (an added token of a
 * fine-tune, say) are taken as UTF-8.
 */
export function tokenBytes(token: string): Buffer {
  decoder ??= byteDecoder();
  const bytes: number[] = [];
  for (const char of token) {
    const b = decoder.get(char);
    if (b !== undefined) bytes.push(b);
    else bytes.push(...Buffer.from(char, 'utf8'));
  }
  return Buffer.from(bytes);
}
