import { createECDH, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { checkPushEndpoint, checkResolvedHost, isPublicAddress, publicOnlyLookup, type Resolver } from './push-endpoint.ts';
import { sendWebPush } from './push-transport.ts';

/** A resolver that answers from a table, as a DNS name an attacker controls would. */
const resolverOf =
  (table: Record<string, string[]>): Resolver =>
  (hostname, callback) => {
    const addresses = table[hostname];
    if (!addresses) callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), []);
    else
      callback(
        null,
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      );
  };

describe('push endpoints', () => {
  it('tells public addresses from loopback, private, link-local, unique-local, CGNAT, multicast and unspecified ones', () => {
    for (const address of ['8.8.8.8', '142.250.74.46', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
    for (const address of [
      '127.0.0.1',
      '10.0.0.8',
      '172.20.1.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      'fe80::1%eth0',
      'ff02::1',
      'localhost',
      'not-an-ip',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('sees through every IPv4-in-IPv6 form: mapped, compatible, translated, NAT64 (both prefixes) and 6to4', () => {
    for (const address of [
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe', // mapped
      '::127.0.0.1',
      '::7f00:1',
      '::a00:1', // compatible
      '::ffff:0:127.0.0.1',
      '::ffff:0:7f00:1', // translated
      '64:ff9b::127.0.0.1',
      '64:ff9b::7f00:1',
      '64:ff9b::a9fe:a9fe',
      '64:ff9b:1::808:808', // NAT64, local-use prefix as a whole
      '2002:7f00:1::1',
      '2002:a00:1::',
      '2002:c0a8:101::1', // 6to4 of loopback and private
      '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('accepts https on public hosts, and allow-listed origins whatever their scheme or host', () => {
    expect(checkPushEndpoint('https://fcm.googleapis.com/fcm/send/abc', [])).toMatchObject({ ok: true, allowListed: false });
    expect(checkPushEndpoint('https://updates.push.services.mozilla.com./wpush/v2/x', [])).toMatchObject({ ok: true, host: 'updates.push.services.mozilla.com' });
    expect(checkPushEndpoint('https://[2606:4700:4700::1111]/x', []).ok).toBe(true);
    expect(checkPushEndpoint('http://127.0.0.1:9999/push/1', ['http://127.0.0.1:9999'])).toMatchObject({ ok: true, allowListed: true });
  });

  it('refuses plain http, credentials, internal hosts in every spelling, local names and non-URLs', () => {
    for (const endpoint of [
      'http://push.example.com/x',
      'https://user:pw@push.example.com/x',
      'file:///etc/passwd',
      'nope',
      'https://127.0.0.1/x',
      'https://[::1]/x',
      'https://169.254.169.254/latest',
      'https://100.100.100.200/x',
      'https://localhost/x',
      'https://localhost./x',
      'https://LOCALHOST../x',
      'https://a.localhost/x',
      'https://a.localhost./x',
      'https://metadata/x',
      'https://printer.local/x',
      'https://db.internal/x',
      'https://nas.home.arpa/x',
      // decimal, octal, hex and short IPv4 forms (the URL parser normalises them)
      'https://2130706433/x',
      'https://017700000001/x',
      'https://0x7f000001/x',
      'https://0x7f.1/x',
      'https://127.1/x',
      'https://0177.0.0.1/x',
      // IPv4 in IPv6
      'https://[::ffff:127.0.0.1]/x',
      'https://[::ffff:7f00:1]/x',
      'https://[::7f00:1]/x',
      'https://[::127.0.0.1]/x',
      'https://[64:ff9b::7f00:1]/x',
      'https://[64:ff9b::127.0.0.1]/x',
      'https://[64:ff9b:1::a00:1]/x',
      'https://[2002:7f00:1::]/x',
      'https://[::ffff:169.254.169.254]/latest',
      'https://[fd00::1]/x',
      'https://[fe80::1]/x',
    ]) {
      expect(checkPushEndpoint(endpoint, []).ok, endpoint).toBe(false);
    }
    expect(checkPushEndpoint('http://127.0.0.1:9999/push/1', ['http://127.0.0.1:9998']).ok).toBe(false);
  });

  it('refuses at subscription a name that resolves to any internal address; accepts public and unresolvable ones', async () => {
    const resolve = resolverOf({
      'rebind.example': ['127.0.0.1'],
      'mixed.example': ['8.8.8.8', '10.0.0.1'],
      'v6.example': ['::ffff:7f00:1'],
      'push.example': ['8.8.8.8', '2606:4700:4700::1111'],
    });
    for (const host of ['rebind.example', 'mixed.example', 'v6.example']) expect(await checkResolvedHost(host, resolve), host).toMatch(/public/);
    expect(await checkResolvedHost('push.example', resolve)).toBeUndefined();
    expect(await checkResolvedHost('nowhere.example', resolve)).toBeUndefined();
  });

  it('at send time checks every resolved address and connects only to checked ones: a name resolving to loopback never reaches it', async () => {
    let reached = 0;
    const server = createServer((_req, res) => {
      reached += 1;
      res.writeHead(201).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const vapid = { ...webpush.generateVAPIDKeys(), subject: 'mailto:test@example.com' };
      const browserKey = createECDH('prime256v1');
      browserKey.generateKeys();
      const target = {
        endpoint: `https://rebind.example:${port}/push`,
        p256dh: browserKey.getPublicKey().toString('base64url'),
        auth: randomBytes(16).toString('base64url'),
      };
      const options = { vapid, allowList: [], timeoutMs: 2000, ttlSeconds: 60, urgency: 'normal' as const };
      const resolve = resolverOf({ 'rebind.example': ['127.0.0.1'] });
      const outcome = await sendWebPush(target, '{}', { ...options, resolve });
      expect(outcome).toMatchObject({ outcome: 'failed', detail: expect.stringContaining('public') });
      const mixed = await sendWebPush(target, '{}', { ...options, resolve: resolverOf({ 'rebind.example': ['8.8.8.8', '127.0.0.1'] }) });
      expect(mixed.outcome).toBe('failed');
      expect(reached).toBe(0);
    } finally {
      server.close();
    }
  });

  it('the lookup hands the connection the very addresses it checked, of the family asked for', async () => {
    const lookup = publicOnlyLookup(resolverOf({ 'push.example': ['8.8.8.8', '2606:4700:4700::1111'] }));
    const all = await new Promise((resolve) => lookup('push.example', { all: true }, (_error, addresses) => resolve(addresses)));
    expect(all).toEqual([
      { address: '8.8.8.8', family: 4 },
      { address: '2606:4700:4700::1111', family: 6 },
    ]);
    const v6 = await new Promise((resolve) => lookup('push.example', { family: 6 }, (_error, address, family) => resolve([address, family])));
    expect(v6).toEqual(['2606:4700:4700::1111', 6]);
  });
});
