/**
 * Reads the verifier's runtime settings from the JSON the stack puts in `HOOKGUARD_SETTINGS`. The stack writes it
 * from a validated configuration, but the Lambda must not trust an environment variable blindly: a hand-edited or
 * truncated value would otherwise surface as odd behaviour at request time (a disabled signature check, a zero body
 * limit). Every problem is collected and reported at once; values are never echoed (a URL could carry credentials).
 */
import { ConfigurationError } from '../errors';
import { isEventType } from './event';
import { isProviderId, type ProviderId } from './provider-ids';
import type { AuthMode, ProviderSettings, RuntimeSettings } from './settings';

const AUTH_MODES: readonly AuthMode[] = ['basic', 'signature', 'both'];

const PROVIDER_KEYS = [
  'auth',
  'timestampToleranceSeconds',
  'maxBodyBytes',
  'snsTopicArns',
  'signedUrl',
  'eventTypeMap',
] as const;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isNonNegativeInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

const isPositiveInteger = (value: unknown): value is number => isNonNegativeInteger(value) && value > 0;

/**
 * Parses and validates the `HOOKGUARD_SETTINGS` JSON text.
 *
 * @throws ConfigurationError listing every problem (paths and expectations, never values).
 * @example
 * const settings = parseRuntimeSettings(process.env.HOOKGUARD_SETTINGS ?? '');
 */
export function parseRuntimeSettings(text: string): RuntimeSettings {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigurationError('Invalid runtime settings: HOOKGUARD_SETTINGS is not valid JSON');
  }
  return validateRuntimeSettings(value);
}

/**
 * Validates already parsed runtime settings (the shape of {@link RuntimeSettings}).
 *
 * @throws ConfigurationError listing every problem.
 */
export function validateRuntimeSettings(value: unknown): RuntimeSettings {
  const problems: string[] = [];
  if (!isObject(value)) {
    throw new ConfigurationError('Invalid runtime settings: expected a JSON object');
  }
  for (const key of Object.keys(value)) {
    if (!['providers', 'dedupeWindowSeconds', 'claimLeaseSeconds'].includes(key)) {
      problems.push(`${key}: unknown setting`);
    }
  }
  if (!isPositiveInteger(value.dedupeWindowSeconds)) {
    problems.push('dedupeWindowSeconds: expected a positive integer (seconds)');
  }
  if (!isPositiveInteger(value.claimLeaseSeconds)) {
    problems.push('claimLeaseSeconds: expected a positive integer (seconds)');
  }
  const providers: Partial<Record<ProviderId, ProviderSettings>> = {};
  if (!isObject(value.providers)) {
    problems.push('providers: expected an object keyed by provider id');
  } else {
    for (const [id, raw] of Object.entries(value.providers)) {
      if (!isProviderId(id)) {
        problems.push(`providers.${id}: unknown provider id`);
        continue;
      }
      const settings = readProviderSettings(raw, `providers.${id}`, problems);
      if (settings) providers[id] = settings;
    }
  }
  if (problems.length > 0) {
    throw new ConfigurationError(
      `Invalid runtime settings (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.join('; ')}`,
    );
  }
  return {
    providers,
    dedupeWindowSeconds: value.dedupeWindowSeconds as number,
    claimLeaseSeconds: value.claimLeaseSeconds as number,
  };
}

function readProviderSettings(raw: unknown, path: string, problems: string[]): ProviderSettings | undefined {
  if (!isObject(raw)) {
    problems.push(`${path}: expected an object`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(raw)) {
    if (!(PROVIDER_KEYS as readonly string[]).includes(key)) problems.push(`${path}.${key}: unknown setting`);
  }
  if (!AUTH_MODES.includes(raw.auth as AuthMode)) {
    problems.push(`${path}.auth: expected one of ${AUTH_MODES.join(', ')}`);
  }
  if (!isNonNegativeInteger(raw.timestampToleranceSeconds)) {
    problems.push(`${path}.timestampToleranceSeconds: expected a non-negative integer (seconds)`);
  }
  if (!isPositiveInteger(raw.maxBodyBytes)) {
    problems.push(`${path}.maxBodyBytes: expected a positive integer (bytes)`);
  }
  if (
    raw.snsTopicArns !== undefined &&
    !(Array.isArray(raw.snsTopicArns) && raw.snsTopicArns.every((arn) => typeof arn === 'string' && arn !== ''))
  ) {
    problems.push(`${path}.snsTopicArns: expected an array of non-empty strings`);
  }
  if (raw.signedUrl !== undefined && !isCredentialFreeHttpUrl(raw.signedUrl)) {
    problems.push(`${path}.signedUrl: expected an absolute http(s) URL without credentials`);
  }
  if (raw.eventTypeMap !== undefined) {
    if (!isObject(raw.eventTypeMap)) {
      problems.push(`${path}.eventTypeMap: expected an object of provider event type to normalised event type`);
    } else {
      for (const [name, type] of Object.entries(raw.eventTypeMap)) {
        if (!isEventType(type)) problems.push(`${path}.eventTypeMap.${name}: not a normalised event type`);
      }
    }
  }
  if (problems.length > before) return undefined;
  return raw as unknown as ProviderSettings;
}

function isCredentialFreeHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}
