/** Flag values as the commands take them: typed, with the flag named in every refusal. */
import { InvalidOptionError } from '../errors';

export function checkInteger(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidOptionError(`${flag} must be an integer from ${min} to ${max}, got '${value}'`);
  return n;
}
