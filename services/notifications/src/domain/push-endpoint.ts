import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Push endpoints come from browsers, i.e. from users: the server POSTs to whatever URL it is
 * given. To keep that from reaching inside the network (SSRF), an endpoint must be https:// on a
 * public host: its name is checked when it is stored (a literal address, a local name, or a name
 * resolving to any non-public address is refused), and at send time the name is resolved once,
 * every address checked, and the connection made to those checked addresses (the lookup below is
 * the one the connection uses, so a second, rebound answer cannot slip in). Origins on the
 * configured allow-list skip both checks (a push service inside the network, a test double).
 */

const reservedV4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  reservedV4.addSubnet(network, prefix, 'ipv4');
}

const reservedV6 = new BlockList();
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible (their IPv4 part is checked first)
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments, Teredo among them
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  reservedV6.addSubnet(network, prefix, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped), or undefined if it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.split('%')[0] ?? '';
  if (isIP(text) !== 6) return undefined;
  const quad = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(2).map(Number) as [number, number, number, number];
    text = `${quad[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = Array.from({ length: 8 - headGroups.length - tailGroups.length }, () => '0');
  return [...headGroups, ...(tail === undefined ? [] : zeros), ...tailGroups].map((group) => Number.parseInt(group, 16));
}

const ipv4Of = (high: number, low: number): string => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/**
 * The IPv4 address an IPv6 one carries and routes to: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible (::a.b.c.d, so ::7f00:1 is 127.0.0.1), IPv4-translated (::ffff:0:a.b.c.d),
 * NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
 */
function embeddedIpv4(groups: readonly number[]): string | undefined {
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  const zeroTo = (end: number): boolean => groups.slice(0, end).every((group) => group === 0);
  if (zeroTo(5) && (g5 === 0xffff || g5 === 0)) return ipv4Of(g6, g7);
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return ipv4Of(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return ipv4Of(g6, g7);
  if (g0 === 0x2002) return ipv4Of(g1 ?? 0, g2 ?? 0);
  return undefined;
}

/** False for loopback, private, link-local, unique-local, CGNAT, multicast, unspecified and other non-public addresses, in any IPv4-in-IPv6 form. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !reservedV4.check(address, 'ipv4');
  const groups = ipv6Groups(address);
  if (!groups) return false;
  const ipv4 = embeddedIpv4(groups);
  if (ipv4 !== undefined && reservedV4.check(ipv4, 'ipv4')) return false;
  const canonical = groups.map((group) => group.toString(16)).join(':');
  return !reservedV6.check(canonical, 'ipv6');
}

/** Names that resolve inside the network by design: single labels (search domains), localhost, mDNS and private-use suffixes. */
const LOCAL_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa)$/;

export type EndpointCheck = { ok: true; url: URL; host: string; allowListed: boolean } | { ok: false; reason: string };

export const MAX_ENDPOINT_LENGTH = 2048;

/**
 * The checks that need no DNS. The WHATWG URL parser already turns decimal, octal and hex IPv4
 * forms (https://2130706433/, https://0x7f.1/) into dotted ones, and IPv6 into compressed hex.
 */
export function checkPushEndpoint(endpoint: string, allowList: readonly string[]): EndpointCheck {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { ok: false, reason: 'must be an absolute URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not carry credentials' };
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'must be an https:// URL' };
  // A fully qualified name may end in dots ("localhost."): the same host for DNS.
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.+$/, '')
    .toLowerCase();
  if (allowList.includes('*') || allowList.includes(url.origin)) return { ok: true, url, host, allowListed: true };
  if (url.protocol !== 'https:') return { ok: false, reason: 'must be an https:// URL' };
  if (isIP(host) !== 0) return isPublicAddress(host) ? { ok: true, url, host, allowListed: false } : { ok: false, reason: 'must be on a public host' };
  if (!host.includes('.') || LOCAL_NAME.test(host)) return { ok: false, reason: 'must be on a public host' };
  return { ok: true, url, host, allowListed: false };
}

export type Resolver = (hostname: string, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/** The system resolver (getaddrinfo, as connections use it), every address. */
export const systemResolver: Resolver = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

/**
 * At subscription: a name that resolves must resolve to public addresses only. A name that does
 * not resolve now (or a resolver that is down) is accepted: it cannot be sent to until it does,
 * and every send checks again.
 */
export async function checkResolvedHost(host: string, resolve: Resolver = systemResolver): Promise<string | undefined> {
  if (isIP(host) !== 0) return undefined;
  const addresses = await new Promise<LookupAddress[]>((done) => resolve(host, (error, found) => done(error ? [] : found)));
  return addresses.every((entry) => isPublicAddress(entry.address)) ? undefined : 'must be on a host that resolves to public addresses only';
}

/**
 * The DNS lookup for outgoing push requests: resolves once, refuses the name if ANY address is
 * not public (a name mixing public and internal answers is an attack, not a push service), and
 * hands the connection exactly the addresses it checked.
 */
export function publicOnlyLookup(resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, (error, addresses) => {
      if (error) {
        callback(error, '');
        return;
      }
      const wanted = options.family === 4 || options.family === 6 ? addresses.filter((entry) => entry.family === options.family) : addresses;
      const first = wanted[0];
      if (!first || addresses.some((entry) => !isPublicAddress(entry.address))) {
        callback(Object.assign(new Error(`${hostname} does not resolve to public addresses only`), { code: 'ENOTPUBLIC' }), '');
        return;
      }
      if (options.all) callback(null, wanted);
      else callback(null, first.address, first.family);
    });
  };
}

export const lookupPublicOnly = publicOnlyLookup();
