/**
 * Emergency rotation of a deployed stage's Basic credential.
 *
 *   npx tsx scripts/rotate-credentials.ts --secret-id <arn> --rest-api-id <id> --stage <name>
 *     [--revoke-previous] [--settle-seconds <n>] [--timeout-seconds <n>]
 *
 * Uses the default AWS credential chain and region (AWS_PROFILE, AWS_REGION, ...). Prints version ids, never a
 * secret: fetch the new credential with `aws secretsmanager get-secret-value --secret-id <arn>`.
 */
import { parseArgs } from 'node:util';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { rotateCredentials } from '../lib/ops/rotate-credentials';

const USAGE =
  'Usage: npx tsx scripts/rotate-credentials.ts --secret-id <arn> --rest-api-id <id> --stage <name> ' +
  '[--revoke-previous] [--settle-seconds <n>] [--timeout-seconds <n>]';

function secondsOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`--${name} must be a whole number of seconds, got [${text}]`);
  return Number(text);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'secret-id': { type: 'string' },
      'rest-api-id': { type: 'string' },
      stage: { type: 'string' },
      'revoke-previous': { type: 'boolean', default: false },
      'settle-seconds': { type: 'string' },
      'timeout-seconds': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const secretId = values['secret-id'];
  const restApiId = values['rest-api-id'];
  const stageName = values.stage;
  if (!secretId || !restApiId || !stageName) throw new Error(`Missing a required option.\n${USAGE}`);

  const report = await rotateCredentials({
    secretsManager: new SecretsManagerClient({}),
    apiGateway: new APIGatewayClient({}),
    secretId,
    restApiId,
    stageName,
    revokePrevious: values['revoke-previous'],
    settleSeconds: secondsOption('settle-seconds', values['settle-seconds']),
    timeoutSeconds: secondsOption('timeout-seconds', values['timeout-seconds']),
    onProgress: (message) => console.log(message),
  });

  console.log(`Secret: ${report.secretArn}`);
  console.log(`New AWSCURRENT version: ${report.versionId}`);
  if (report.revokedVersionId !== null) {
    console.log(
      `Previous credential revoked (version ${report.revokedVersionId}). Every provider now needs the new ` +
        'credential. A warm authorizer container may accept the old one until its secret cache TTL passes, and ' +
        'API Gateway may cache that answer for the authorizer TTL' +
        (report.flushes > 1 ? '; the second flush closed that window.' : '; pass --settle-seconds to close it.'),
    );
  } else if (report.previousVersionId !== null) {
    console.log(
      `Previous credential (version ${report.previousVersionId}) stays accepted for the grace period; ` +
        'run with --revoke-previous to stop it now.',
    );
  }
  console.log(`Fetch the new credential with: aws secretsmanager get-secret-value --secret-id ${report.secretArn}`);
}

main().catch((error: unknown) => {
  console.error(`Rotation failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
