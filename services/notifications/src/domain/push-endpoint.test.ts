import { describe, expect, it } from 'vitest';
import { checkPushEndpoint, isPublicAddress } from './push-endpoint.ts';

describe('push endpoints', () => {
  it('tells public addresses from loopback, private, link-local and mapped ones', () => {
    for (const address of ['8.8.8.8', '142.250.74.46', '2606:4700:4700::1111']) expect(isPublicAddress(address)).toBe(true);
    for (const address of ['127.0.0.1', '10.0.0.8', '172.20.1.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', 'localhost']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('accepts https on public hosts, and allow-listed origins whatever their scheme or host', () => {
    expect(checkPushEndpoint('https://fcm.googleapis.com/fcm/send/abc', [])).toMatchObject({ ok: true, allowListed: false });
    expect(checkPushEndpoint('http://127.0.0.1:9999/push/1', ['http://127.0.0.1:9999'])).toMatchObject({ ok: true, allowListed: true });
  });

  it('refuses plain http, credentials, internal hosts and non-URLs', () => {
    for (const endpoint of ['http://push.example.com/x', 'https://user:pw@push.example.com/x', 'https://127.0.0.1/x', 'https://[::1]/x', 'https://169.254.169.254/latest', 'https://localhost/x', 'https://a.localhost/x', 'file:///etc/passwd', 'nope']) {
      expect(checkPushEndpoint(endpoint, []).ok, endpoint).toBe(false);
    }
    expect(checkPushEndpoint('http://127.0.0.1:9999/push/1', ['http://127.0.0.1:9998']).ok).toBe(false);
  });
});
