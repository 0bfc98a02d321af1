import type { ProviderId } from '../../lambda/core/provider-ids';
import type { ProviderSettings, RuntimeSettings } from '../../lambda/core/settings';
import { PROVIDERS } from '../../lambda/providers';
import type { StageConfig } from './types';

/**
 * The part of a stage's configuration the request path needs at run time. The stack hands it to the verifier as
 * JSON (`HOOKGUARD_SETTINGS`); the local runtime passes it directly. A provider without an explicit timestamp
 * tolerance gets its module's default.
 */
export function toRuntimeSettings(stage: StageConfig): RuntimeSettings {
  const providers: Partial<Record<ProviderId, ProviderSettings>> = {};
  for (const [id, config] of Object.entries(stage.providers) as Array<
    [ProviderId, NonNullable<StageConfig['providers'][ProviderId]>]
  >) {
    providers[id] = {
      auth: config.auth,
      timestampToleranceSeconds:
        config.timestampToleranceSeconds ?? PROVIDERS.get(id)?.defaultTimestampToleranceSeconds ?? 0,
      maxBodyBytes: config.maxBodyBytes,
      ...(config.snsTopicArns ? { snsTopicArns: config.snsTopicArns } : {}),
      ...(config.signedUrl ? { signedUrl: config.signedUrl } : {}),
      ...(config.eventTypeMap ? { eventTypeMap: config.eventTypeMap } : {}),
    };
  }
  return {
    providers,
    dedupeWindowSeconds: stage.dedupe.windowHours * 3600,
    claimLeaseSeconds: stage.dedupe.leaseSeconds,
  };
}
