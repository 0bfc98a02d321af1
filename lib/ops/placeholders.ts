/**
 * Placeholder values in a stage's configuration: values the shipped example configuration uses so that it loads and
 * runs locally, but that make a deployed stage refuse every request of a provider. `cdk synth` warns about each one
 * (on the stage's stack) and `hookguard smoke` names them. Pure: reads the stage configuration only.
 */
import type { StageConfig } from '../config/types';

/** One placeholder: where it is, what it is, and what it breaks. */
export interface PlaceholderFinding {
  /** Configuration path, e.g. `providers.mandrill.signedUrl`. */
  readonly path: string;
  readonly value: string;
  /** What a deployed stage does with it, and what to put instead. */
  readonly problem: string;
}

/** The account id AWS documentation uses in every example ARN; no real account has it. */
export const EXAMPLE_ACCOUNT_ID = '123456789012';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '0.0.0.0']);

/** Host names reserved for examples (RFC 2606, RFC 6761): they never name a real deployment. */
function isExampleHost(host: string): boolean {
  return /(^|\.)example\.(com|net|org)$/.test(host) || /\.(example|invalid|test|localhost)$/.test(host);
}

/**
 * Every placeholder of a stage that a deployment would carry.
 *
 * @example
 * for (const finding of placeholderFindings(stage)) console.warn(`${finding.path}: ${finding.problem}`);
 */
export function placeholderFindings(stage: StageConfig): PlaceholderFinding[] {
  const findings: PlaceholderFinding[] = [];
  const signedUrl = stage.providers.mandrill?.signedUrl;
  if (signedUrl !== undefined) {
    let host = '';
    try {
      host = new URL(signedUrl).hostname;
    } catch {
      // The configuration loader already refuses a malformed URL.
    }
    if (LOOPBACK_HOSTS.has(host) || isExampleHost(host)) {
      findings.push({
        path: 'providers.mandrill.signedUrl',
        value: signedUrl,
        problem:
          'Mandrill signs the URL it posts to; a deployed stage is never reached at this URL, so every Mandrill ' +
          'request fails its signature check (401). Set it to the deployed webhook URL without credentials ' +
          '(npx hookguard urls --deployed).',
      });
    }
  }
  for (const [index, arn] of (stage.providers['amazon-ses']?.snsTopicArns ?? []).entries()) {
    if (arn.split(':')[4] === EXAMPLE_ACCOUNT_ID) {
      findings.push({
        path: `providers.amazon-ses.snsTopicArns[${index}]`,
        value: arn,
        problem:
          `account ${EXAMPLE_ACCOUNT_ID} is AWS's documentation example: every Amazon SNS message from your real ` +
          'topic is refused (401). Put the ARN of the topic your SES configuration set publishes to.',
      });
    }
  }
  const domain = stage.customDomain;
  if (domain !== undefined && isExampleHost(domain.domainName)) {
    findings.push({
      path: 'customDomain.domainName',
      value: domain.domainName,
      problem: 'a reserved example host name: no provider can reach it. Use your own domain or drop customDomain.',
    });
  }
  if (domain !== undefined && domain.certificateArn.split(':')[4] === EXAMPLE_ACCOUNT_ID) {
    findings.push({
      path: 'customDomain.certificateArn',
      value: domain.certificateArn,
      problem: `account ${EXAMPLE_ACCOUNT_ID} is AWS's documentation example: the deployment fails. Use your ACM certificate.`,
    });
  }
  return findings;
}
