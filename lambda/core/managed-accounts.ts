/**
 * The rules a `providers.<id>.managed` block must follow, shared by the configuration loader (which reports them
 * with the path where they were written) and the rotation Lambda (which refuses to start a sync on a block that
 * breaks them). Pure: the management registry is passed in.
 */
import type { ManagedAccount, ManagementModule } from '../management/types';
import type { ProviderId } from './provider-ids';

/** One problem with a managed block; `key` is the field under `managed` it concerns, absent for the block. */
export interface ManagedAccountProblem {
  readonly key?: string;
  readonly message: string;
}

/**
 * Whether a module's option is required. The convention of {@link ManagementModule.options}: the description of a
 * required option says `required` (and not `optional` or `not required`).
 */
export function isRequiredOption(description: string): boolean {
  return /\brequired\b/i.test(description) && !/\bnot required\b|\boptional\b/i.test(description);
}

/** What the provider's other settings tell the rules (Amazon SES's allowed topics). */
export interface ManagedProviderContext {
  /** `providers.amazon-ses.snsTopicArns`. */
  readonly snsTopicArns?: readonly string[];
}

/**
 * Every problem with `account` for `provider`, given the registry: the provider needs a module, the module's API
 * must be able to carry the credential, every option must be one the module reads, and the required ones present.
 *
 * @example
 * managedAccountProblems('mailgun', { options: {} }, MANAGEMENT_MODULES);
 * // [{ key: 'options', message: 'needs "domain": ...' }]
 */
export function managedAccountProblems(
  provider: ProviderId,
  account: ManagedAccount,
  modules: ReadonlyMap<ProviderId, ManagementModule>,
  context: ManagedProviderContext = {},
): ManagedAccountProblem[] {
  const module = modules.get(provider);
  if (module === undefined) {
    const managed = [...modules.keys()].sort();
    return [
      {
        message:
          `Hookguard has no management client for ${provider}: update its webhook by hand ` +
          `(hookguard urls --deployed --changed). Managed providers: ${managed.length > 0 ? managed.join(', ') : 'none yet'}`,
      },
    ];
  }
  if (module.placement === 'none') {
    return [
      {
        message:
          `${provider}'s API cannot carry Hookguard's Basic credential: leave it unmanaged and update it by hand ` +
          '(hookguard urls --deployed --changed), or rely on its signature (auth: "signature")',
      },
    ];
  }
  const problems: ManagedAccountProblem[] = [];
  const options = account.options ?? {};
  const known = Object.keys(module.options);
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      problems.push({
        key: 'options',
        message: `${provider} has no option "${name}" (${known.length > 0 ? `expected: ${known.join(', ')}` : 'it takes none'})`,
      });
    }
  }
  for (const [name, description] of Object.entries(module.options)) {
    if (provider === 'amazon-ses' && name === 'topicArn') continue; // snsTopicProblems says it better
    if (isRequiredOption(description) && options[name] === undefined) {
      problems.push({ key: 'options', message: `needs "${name}": ${description}` });
    }
  }
  if (provider === 'amazon-ses') problems.push(...snsTopicProblems(options.topicArn, context.snsTopicArns ?? []));
  return problems;
}

function snsTopicProblems(topicArn: string | undefined, allowed: readonly string[]): ManagedAccountProblem[] {
  if (topicArn === undefined) {
    // One topic is the default (withManagedDefaults); with several, which one to subscribe is the operator's choice.
    return allowed.length > 1
      ? [{ key: 'options', message: 'needs "topicArn": snsTopicArns lists several topics, name the one to subscribe' }]
      : [];
  }
  // A subscription to any other topic would deliver messages the verifier refuses.
  return allowed.includes(topicArn)
    ? []
    : [{ key: 'options', message: `topicArn must be one of snsTopicArns, got "${topicArn}"` }];
}

/**
 * The block with the defaults the configuration documents: Amazon SES subscribes the one topic of `snsTopicArns`
 * when `options.topicArn` is left out.
 */
export function withManagedDefaults(
  provider: ProviderId,
  account: ManagedAccount,
  context: ManagedProviderContext = {},
): ManagedAccount {
  const topics = context.snsTopicArns ?? [];
  if (provider !== 'amazon-ses' || account.options?.topicArn !== undefined || topics.length !== 1) return account;
  return { ...account, options: { ...account.options, topicArn: topics[0] as string } };
}

/**
 * The SNS topics whose subscriptions a managed `amazon-ses` manages, from its block after
 * {@link withManagedDefaults}: `options.topicArn`. The rotation function may manage subscriptions of these only.
 */
export function managedSnsTopics(account: ManagedAccount): string[] {
  const topicArn = account.options?.topicArn;
  return topicArn === undefined ? [] : [topicArn];
}
