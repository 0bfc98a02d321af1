/**
 * The package root: `import { Hookguard } from 'hookguard'`.
 *
 * The {@link Hookguard} construct is what CDK apps use; its building blocks, the standalone stack and the
 * configuration loader are exported too, for apps that drive it from a `hookguard.config.json`.
 */
export { Hookguard, type HookguardProps, VERIFIER_TIMEOUT } from './constructs/hookguard';
export type * from './constructs/hookguard-settings';
export { InvalidPropsError } from './constructs/props-validation';
export { ConfigError, type ConfigProblem, loadConfig, parseConfig, stageOf } from './config/load';
export type * from './config/types';
export { CredentialRotation, type CredentialRotationProps } from './constructs/credential-rotation';
export { DedupeTable, type DedupeTableProps } from './constructs/dedupe-table';
export { EventRoute, type EventRouteProps } from './constructs/event-route';
export { WebhookApi, type WebhookApiProps } from './constructs/webhook-api';
export { WebhookEventBus, type WebhookEventBusProps } from './constructs/webhook-event-bus';
export { WebhookFirewall, type WebhookFirewallProps } from './constructs/webhook-firewall';
export { WebhookFunction, type WebhookFunctionProps, hookguardBundling } from './constructs/webhook-function';
export { WebhookSecrets, type WebhookSecretsProps } from './constructs/webhook-secrets';
export { HookguardStack, type HookguardStackProps, STACK_OUTPUT_KEYS, stackNameOf } from './stacks/hookguard-stack';
