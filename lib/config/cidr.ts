import { isIP } from 'node:net';

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

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    // Embedded IPv4 (::ffff:192.0.2.1): turn its 32 bits into two hex groups.
    const v4 = ipv4ToBigInt(tail);
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) + BigInt(Number.parseInt(group, 16)), 0n);
}
