/**
 * CIDR arithmetic for the published IP ranges: parse an address or CIDR, write it in one canonical form (so that a
 * list fetched from a provider, the embedded seed and what AWS WAF hands back compare equal however each spells
 * IPv6), and classify addresses that can never be a provider's public webhook source.
 */
import { isIP } from 'node:net';

/** A parsed CIDR block. */
export interface Cidr {
  readonly version: 4 | 6;
  /** The network address as an integer. */
  readonly value: bigint;
  readonly prefix: number;
}

/** A dotted IPv4 address as an integer (the address must already be valid: `isIP(address) === 4`). */
export function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
}

/** An IPv6 address as an integer, `::` and embedded IPv4 included (the address must be valid: `isIP(address) === 6`). */
export function ipv6ToBigInt(address: string): bigint {
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
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) + BigInt(Number.parseInt(group, 16)), 0n);
}

/** IPv6 text in RFC 5952 form: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, index) => Number((value >> BigInt(112 - 16 * index)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 8; ) {
    if (groups[start] !== 0) {
      start += 1;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end += 1;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/**
 * Parses `address` or `address/prefix` (IPv4 or IPv6). A bare address is a single host (/32, /128).
 *
 * @returns the block, or a phrase saying what is wrong (host bits set beyond the prefix are wrong: AWS WAF refuses
 *   them, and they usually mean a typo in the source).
 */
export function parseCidr(text: string): Cidr | string {
  const [address = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return 'is not a CIDR (address/prefix)';
  const version = isIP(address);
  if (version === 0) return 'has an invalid IP address';
  const bits = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return 'is not a CIDR (address/prefix)';
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return `has a prefix longer than ${bits}`;
  const value = version === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((value & hostMask) !== 0n) return `has host bits set beyond /${prefix}`;
  return { version: version === 4 ? 4 : 6, value, prefix };
}

/** The canonical text of a block: `a.b.c.d/n`, or RFC 5952 IPv6 with its prefix. */
export function formatCidr(cidr: Cidr): string {
  return `${cidr.version === 4 ? formatIpv4(cidr.value) : formatIpv6(cidr.value)}/${cidr.prefix}`;
}

/**
 * The canonical text of `text`, or undefined when it is not a valid CIDR or address.
 *
 * @example
 * canonicalCidr('2600:1F24:0064:8000:0:0:0:0/52'); // '2600:1f24:64:8000::/52'
 * canonicalCidr('3.134.147.250'); // '3.134.147.250/32'
 */
export function canonicalCidr(text: string): string | undefined {
  const parsed = parseCidr(text);
  return typeof parsed === 'string' ? undefined : formatCidr(parsed);
}

/** Whether `inner` lies within `outer` (same version, longer or equal prefix, same network bits). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.version !== inner.version || inner.prefix < outer.prefix) return false;
  const bits = outer.version === 4 ? 32 : 128;
  const shift = BigInt(bits - outer.prefix);
  return inner.value >> shift === outer.value >> shift;
}

/**
 * Blocks that are never a provider's public source: private, loopback, link-local, shared, documentation,
 * multicast and reserved space (IANA special-purpose registries, RFC 6890). A published list that contains one is
 * either broken or not the list it claims to be.
 */
const NON_PUBLIC = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/3',
  '::/8',
  '64:ff9b::/96',
  '2001:db8::/32',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
].map((text) => parseCidr(text) as Cidr);

/** Whether `cidr` overlaps space that is never a public source (see {@link NON_PUBLIC}). */
export function isNonPublic(cidr: Cidr): boolean {
  return NON_PUBLIC.some((block) => cidrContains(block, cidr) || cidrContains(cidr, block));
}

/** Sorts canonical CIDR texts: IPv4 before IPv6, then by address and prefix. */
export function sortCidrs(cidrs: Iterable<string>): string[] {
  const parsed = [...new Set(cidrs)].map((text) => ({ text, cidr: parseCidr(text) }));
  return parsed
    .sort((a, b) => {
      if (typeof a.cidr === 'string' || typeof b.cidr === 'string') return a.text.localeCompare(b.text);
      if (a.cidr.version !== b.cidr.version) return a.cidr.version - b.cidr.version;
      if (a.cidr.value !== b.cidr.value) return a.cidr.value < b.cidr.value ? -1 : 1;
      return a.cidr.prefix - b.cidr.prefix;
    })
    .map((entry) => entry.text);
}
