/**
 * {@link IpSetPort} over AWS WAF (wafv2): GetIPSet returns the set and a lock token; UpdateIPSet replaces every
 * address and must carry that token. WAF refuses an update whose token is stale with WAFOptimisticLockException
 * ("perform another get, and use the new token"), which this adapter turns into {@link IpSetLockConflictError} so
 * that the core re-reads and retries. UpdateIPSet "completely replaces the mutable specifications" of the set, the
 * description included, so the description read is sent back unchanged.
 * Sources: AWS WAF API reference, GetIPSet (LockToken) and UpdateIPSet
 * (https://docs.aws.amazon.com/waf/latest/APIReference/API_UpdateIPSet.html).
 */
import { GetIPSetCommand, UpdateIPSetCommand, type WAFV2Client, WAFOptimisticLockException } from '@aws-sdk/client-wafv2';
import { type IpSetPort, type IpSetRef, type IpSetState, IpSetLockConflictError } from '../core/ip-ranges';

/** Options of {@link WafIpSets}. */
export interface WafIpSetsOptions {
  readonly client: WAFV2Client;
  /**
   * The sets' scope.
   * @default 'REGIONAL' (Hookguard's web ACL protects an API Gateway stage)
   */
  readonly scope?: 'REGIONAL' | 'CLOUDFRONT';
}

/** Reads and replaces WAF IP sets with their lock tokens. */
export class WafIpSets implements IpSetPort {
  private readonly descriptions = new Map<string, string | undefined>();

  constructor(private readonly options: WafIpSetsOptions) {}

  async get(ref: IpSetRef): Promise<IpSetState> {
    const output = await this.options.client.send(
      new GetIPSetCommand({ Name: ref.name, Id: ref.id, Scope: this.options.scope ?? 'REGIONAL' }),
    );
    if (output.IPSet === undefined || output.LockToken === undefined) {
      throw new Error(`GetIPSet answered without the set or its lock token for ${ref.name}`);
    }
    this.descriptions.set(ref.id, output.IPSet.Description);
    return { addresses: output.IPSet.Addresses ?? [], lockToken: output.LockToken };
  }

  async update(ref: IpSetRef, addresses: readonly string[], lockToken: string): Promise<void> {
    try {
      await this.options.client.send(
        new UpdateIPSetCommand({
          Name: ref.name,
          Id: ref.id,
          Scope: this.options.scope ?? 'REGIONAL',
          Addresses: [...addresses],
          LockToken: lockToken,
          Description: this.descriptions.get(ref.id),
        }),
      );
    } catch (error) {
      if (error instanceof WAFOptimisticLockException) throw new IpSetLockConflictError(`${ref.name}: ${error.message}`);
      throw error;
    }
  }
}
