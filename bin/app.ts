#!/usr/bin/env node
/**
 * The CDK app: one `Hookguard-<stage>` stack per stage of `hookguard.config.json` (or the file named by the
 * `HOOKGUARD_CONFIG` environment variable), checked by cdk-nag's AWS Solutions and Serverless packs at synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ConfigError, type HookguardConfig, loadConfig } from '../lib/config';
import { HookguardStack, stackNameOf } from '../lib/stacks/hookguard-stack';

let config: HookguardConfig;
try {
  config = loadConfig(process.env.HOOKGUARD_CONFIG);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // The problem list is the whole message: no stack trace, no dump of the error object.
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
const app = new App();
for (const stage of Object.values(config.stages)) {
  new HookguardStack(app, stackNameOf(stage.stage), { config: stage });
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
app.synth();
