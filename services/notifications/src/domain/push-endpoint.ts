import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Push endpoints come from browsers, i.e. from users: the server POSTs to whatever URL it is
 * given. To keep that from reaching inside the network (SSRF), an endpoint must be https:// on a
 * public host, and at send time its name must resolve to a public address. Origins on the
 * configured allow-list skip both checks (a push service inside the network, a test double).
 */

const reserved = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  reserved.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  reserved.addSubnet(network, prefix, 'ipv6');
}

/** False for loopback, private, link-local, multicast and other non-public addresses. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !reserved.check(address, 'ipv4');
  if (family !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return !reserved.check(mapped[1], 'ipv4');
  return !reserved.check(address, 'ipv6');
}

export type EndpointCheck = { ok: true; url: URL; allowListed: boolean } | { ok: false; reason: string };

export const MAX_ENDPOINT_LENGTH = 2048;

export function checkPushEndpoint(endpoint: string, allowList: readonly string[]): EndpointCheck {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { ok: false, reason: 'must be an absolute URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not carry credentials' };
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'must be an https:// URL' };
  if (allowList.includes('*') || allowList.includes(url.origin)) return { ok: true, url, allowListed: true };
  if (url.protocol !== 'https:') return { ok: false, reason: 'must be an https:// URL' };
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && !isPublicAddress(host))) {
    return { ok: false, reason: 'must be on a public host' };
  }
  return { ok: true, url, allowListed: false };
}

/** A DNS lookup for outgoing push requests that only ever yields public addresses. */
export const lookupPublicOnly: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) {
      callback(error, '');
      return;
    }
    const usable = addresses.filter((entry) => isPublicAddress(entry.address));
    const first = usable[0];
    if (!first) {
      callback(Object.assign(new Error(`${hostname} does not resolve to a public address`), { code: 'ENOTPUBLIC' }), '');
      return;
    }
    if (options.all) callback(null, usable);
    else callback(null, first.address, first.family);
  });
};
