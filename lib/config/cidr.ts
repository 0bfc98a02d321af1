import { isIP } from 'node:net';
import { ipv4ToBigInt, ipv6ToBigInt } from '../../lambda/core/ip-ranges-cidr';

/**
 * Checks a CIDR: an IPv4 or IPv6 address, a prefix length in range, and no host bits set (WAF IP sets reject those,
 * and a set host bit usually means a typo in the prefix).
 *
 * @returns what is wrong, phrased to follow the quoted CIDR, or undefined when it is valid.
 */
export function cidrProblem(cidr: string): string | undefined {
  const [address, prefixText, extra] = cidr.split('/');
  if (address === undefined || prefixText === undefined || extra !== undefined || !/^\d{1,3}$/.test(prefixText)) {
    return 'is not a CIDR (address/prefix)';
  }
  const version = isIP(address);
  if (version === 0) return 'has an invalid IP address';
  const bits = version === 4 ? 32 : 128;
  const prefix = Number(prefixText);
  if (prefix > bits) return `has a prefix longer than ${bits}`;
  const value = version === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((value & hostMask) !== 0n) return `has host bits set beyond /${prefix}`;
  return undefined;
}
