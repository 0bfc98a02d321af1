/**
 * How a Hookguard stage hands its parts to {@link HookguardMonitoring}: one call, so the stage (a stack today, a
 * construct tomorrow) wires its monitoring with a single line.
 */
import { Duration } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { ProviderId } from '../../lambda/core/provider-ids';
import { UNSIGNED_PROVIDERS } from '../../lambda/core/provider-ids';
import type { ProviderConfig, StageConfig } from '../config/types';
import type { DedupeTable } from './dedupe-table';
import type { EventRoute } from './event-route';
import type { HookguardMonitoringProps, MonitoredQueue } from './monitoring';
import type { WebhookApi } from './webhook-api';
import type { WebhookFirewall } from './webhook-firewall';
import type { WebhookFunction } from './webhook-function';
import type { WebhookSecrets } from './webhook-secrets';

export { HookguardMonitoring } from './monitoring';

/** The parts of a stage that monitoring watches. */
export interface MonitoredStage {
  readonly api: WebhookApi;
  readonly authorizerFunction: WebhookFunction;
  readonly verifierFunction: WebhookFunction;
  readonly rotationFunction: WebhookFunction;
  readonly firewall: WebhookFirewall;
  readonly dedupe: DedupeTable;
  readonly secrets: WebhookSecrets;
  readonly routes: ReadonlyMap<string, EventRoute>;
  /** The bus; its own dead-letter queue, when it has one, is watched like the routes' DLQs. */
  readonly events?: { readonly bus: unknown; readonly deadLetterQueue?: sqs.IQueue };
}

/** Every dead-letter queue of the routes: each route's EventBridge DLQ and, for SQS routes, its queue's own DLQ. */
export function routeDeadLetterQueues(routes: ReadonlyMap<string, EventRoute>): MonitoredQueue[] {
  const queues: MonitoredQueue[] = [];
  for (const [name, route] of routes) {
    queues.push({ name: `route-${name}`, queue: route.deadLetterQueue });
    if (route.queueDeadLetterQueue) queues.push({ name: `route-${name}-queue`, queue: route.queueDeadLetterQueue });
  }
  return queues;
}

/** The monitoring props of a stage, from its parts and its configuration. */
export function monitoringPropsOf(stage: MonitoredStage, config: StageConfig): HookguardMonitoringProps {
  const providers = Object.entries(config.providers) as Array<[ProviderId, ProviderConfig]>;
  return {
    stage: config.stage,
    namePrefix: `hookguard-${config.stage}`,
    alerting: config.alerting,
    providers: providers.map(([id, settings]) => ({
      id,
      signed: !UNSIGNED_PROVIDERS.includes(id) && settings.auth !== 'basic',
      ...(settings.silenceAlarmHours !== undefined ? { silenceAlarmHours: settings.silenceAlarmHours } : {}),
    })),
    restApiName: stage.api.api.restApiName,
    // The API stage is named after the Hookguard stage (WebhookApi's stageName).
    apiStageName: config.stage,
    authorizer: stage.authorizerFunction.function,
    verifier: stage.verifierFunction.function,
    verifierTimeout: stage.verifierFunction.function.timeout ?? Duration.seconds(3),
    rotation: stage.rotationFunction.function,
    webAclName: stage.firewall.webAcl.name as string,
    dedupeTable: stage.dedupe.table,
    credentialsSecret: stage.secrets.credentials,
    rotationDays: config.auth.rotationDays,
    gracePeriodHours: config.auth.gracePeriodHours,
    logRetentionDays: config.logRetentionDays,
    deadLetterQueues: [
      ...(stage.events?.deadLetterQueue ? [{ name: 'bus', queue: stage.events.deadLetterQueue }] : []),
      ...routeDeadLetterQueues(stage.routes),
    ],
  };
}
