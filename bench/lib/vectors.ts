/**
 * The official signature vectors the benchmarks run on (`bench/fixtures/signature-vectors.json`, copied from the
 * shared vector set of the providers' SDK test suites).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One vector as stored. */
export interface SignatureVector {
  readonly scheme: string;
  readonly source: string;
  readonly secret_or_public_key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | { readonly repeat: string; readonly count: number };
  readonly timestamp: string | null;
  readonly expected_valid: boolean;
  readonly note?: string;
}

const FILE = join(__dirname, '..', 'fixtures', 'signature-vectors.json');

/** Every stored vector. */
export function loadVectors(): readonly SignatureVector[] {
  return (JSON.parse(readFileSync(FILE, 'utf8')) as { vectors: SignatureVector[] }).vectors;
}

/** The first valid vector of `scheme` whose body satisfies `accept`; throws when there is none. */
export function validVector(scheme: string, accept: (body: Buffer) => boolean = () => true): SignatureVector {
  const found = loadVectors().find(
    (vector) => vector.scheme === scheme && vector.expected_valid && accept(bodyOf(vector)),
  );
  if (!found) throw new Error(`No valid ${scheme} vector in ${FILE}`);
  return found;
}

/** The exact body bytes of a vector. */
export function bodyOf(vector: SignatureVector): Buffer {
  if (typeof vector.body === 'string') return Buffer.from(vector.body, 'utf8');
  return Buffer.alloc(vector.body.count, vector.body.repeat);
}

/** Headers with lower-cased names, as a `WebhookRequest` carries them. */
export function lowerCaseHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
