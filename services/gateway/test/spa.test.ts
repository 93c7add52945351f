import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLogger, loadConfig, type HttpServer } from '@parley/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../src/app.ts';
import { gatewayConfigSchema } from '../src/config.ts';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const INDEX = '<!doctype html><title>Parley</title><div id="root"></div><script type="module" src="/assets/index-Bq3x9.js"></script>';

/** A dist folder shaped like Vite's output. */
function buildDist(dir: string): void {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-Bq3x9.js'), 'console.log("app")');
  writeFileSync(join(dir, 'assets', 'index-C7d2k.css'), 'body{margin:0}');
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("push", () => {})');
  writeFileSync(join(dir, 'manifest.webmanifest'), '{"name":"Parley"}');
  writeFileSync(join(dir, '.env'), 'SECRET=1');
}

/** A gateway whose upstreams are never reached by these requests (nothing listens there). */
async function gatewayServing(distDir: string): Promise<HttpServer> {
  const config = loadConfig(gatewayConfigSchema, { LOG_LEVEL: 'silent', WEB_DIST_DIR: distDir });
  const nowhere = 'http://127.0.0.1:9';
  return createGateway(config, createLogger('gateway', 'silent'), { accounts: nowhere, groups: nowhere, messages: nowhere, notifications: nowhere });
}

describe('gateway: the web app', () => {
  const root = mkdtempSync(join(tmpdir(), 'parley-spa-'));
  const distDir = join(root, 'dist');
  let gateway: HttpServer;

  beforeAll(async () => {
    buildDist(distDir);
    gateway = await gatewayServing(distDir);
  });
  afterAll(async () => {
    await gateway.close();
    rmSync(root, { recursive: true, force: true });
  });

  const get = (url: string, headers: Record<string, string> = { accept: HTML }) =>
    gateway.inject({ method: 'GET', url, headers: { host: 'chat.example.org:8443', ...headers } });

  it('serves index.html at / with a strict Content-Security-Policy and the other security headers', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toBe(INDEX);
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = String(res.headers['content-security-policy']);
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives).toMatchObject({
      'default-src': "'self'",
      'script-src': "'self'",
      'connect-src': "'self' ws://chat.example.org:8443 wss://chat.example.org:8443",
      'img-src': "'self' blob: data:",
      'object-src': "'none'",
      'base-uri': "'none'",
      'form-action': "'self'",
      'frame-ancestors': "'none'",
    });
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['permissions-policy']).toContain('camera=()');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('answers a deep link or a reload of any client-side route with index.html and the same headers', async () => {
    for (const url of ['/chats', '/chats/0196f3a0-0000-7000-8000-000000000001?message=42', '/settings/profile/', '/search?q=%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(INDEX);
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    }
    expect((await gateway.inject({ method: 'HEAD', url: '/chats', headers: { accept: HTML } })).statusCode).toBe(200);
  });

  it('caches hashed assets for a year as immutable, and revalidates index.html, sw.js and the manifest', async () => {
    const script = await get('/assets/index-Bq3x9.js', { accept: '*/*' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.headers['x-content-type-options']).toBe('nosniff');
    const style = await get('/assets/index-C7d2k.css', { accept: 'text/css,*/*;q=0.1' });
    expect(style.headers['content-type']).toMatch(/^text\/css/);
    expect(style.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const url of ['/sw.js', '/manifest.webmanifest', '/index.html']) {
      const res = await get(url, { accept: '*/*' });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('no-cache');
    }
  });

  it('answers a revalidation of index.html with 304 when it has not changed', async () => {
    const first = await get('/');
    const etag = String(first.headers.etag);
    expect(etag).not.toBe('undefined');
    expect((await get('/', { accept: HTML, 'if-none-match': etag })).statusCode).toBe(304);
  });

  it('keeps unknown /api paths, /.well-known and the probes out of the app: JSON, never the HTML', async () => {
    for (const url of ['/api', '/api/', '/api/v1/nothing-here', '/api/v2/users/me', '/.well-known/security.txt', '/.well-known/']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/problem+json');
      expect(res.body, url).not.toContain('<div id="root">');
    }
    const health = await get('/healthz');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok' });
    // Metrics live on their own port, never the public one: here a JSON 404, not the page.
    const metrics = await get('/metrics');
    expect(metrics.statusCode).toBe(404);
    expect(metrics.headers['content-type']).toContain('application/problem+json');
  });

  it('answers 404, not the page, for a missing hashed asset or a request that does not accept HTML', async () => {
    const oldAsset = await get('/assets/index-OLD.js');
    expect(oldAsset.statusCode).toBe(404);
    expect(oldAsset.headers['content-type']).toContain('application/problem+json');
    const json = await get('/chats', { accept: 'application/json' });
    expect(json.statusCode).toBe(404);
    expect(json.headers['content-type']).toContain('application/problem+json');
    expect((await gateway.inject({ method: 'POST', url: '/chats', headers: { accept: HTML } })).statusCode).toBe(404);
  });

  it('never serves a file from outside the build or a dotfile', async () => {
    for (const url of ['/../package.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/.env', '/assets/%00.js', '/%E0%A4%A']) {
      const res = await get(url, { accept: '*/*' });
      expect([400, 404], url).toContain(res.statusCode);
      expect(res.body, url).not.toContain('SECRET');
      expect(res.body, url).not.toContain('"workspaces"');
    }
    // As a navigation, such a path is just a route the app does not know: the page, not the file.
    const navigation = await get('/.env');
    expect(navigation.body).toBe(INDEX);
  });

  it('leaves the WebSocket origins out of the policy when the Host header could change its meaning', async () => {
    const res = await get('/', { accept: HTML, host: "evil.example; script-src 'unsafe-inline'" });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('evil');
  });
});

describe('gateway: before the web app is built', () => {
  const root = mkdtempSync(join(tmpdir(), 'parley-spa-'));
  const distDir = join(root, 'dist');
  let gateway: HttpServer;

  beforeAll(async () => {
    gateway = await gatewayServing(distDir);
  });
  afterAll(async () => {
    await gateway.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('shows the status page, saying how to build the app, under the same policy (its one style allowed by hash)', async () => {
    const res = await gateway.inject({ method: 'GET', url: '/', headers: { accept: HTML } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('Parley is running');
    expect(res.body).toContain('npm run build:web');
    expect(res.body).not.toContain('<script');
    expect(res.headers['content-security-policy']).toMatch(/style-src 'self' 'sha256-[A-Za-z0-9+/]+=*';/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const unknownApi = await gateway.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: { accept: HTML } });
    expect(unknownApi.headers['content-type']).toContain('application/problem+json');
  });

  it('serves the app as soon as it is built, without a restart', async () => {
    buildDist(distDir);
    const res = await gateway.inject({ method: 'GET', url: '/chats', headers: { accept: HTML } });
    expect(res.body).toBe(INDEX);
  });
});

describe('gateway config: WEB_DIST_DIR', () => {
  it("defaults to the repository's apps/web/dist, and takes a relative path from the working directory", () => {
    const repoDist = resolve(import.meta.dirname, '../../../apps/web/dist');
    expect(loadConfig(gatewayConfigSchema, {}).WEB_DIST_DIR).toBe(repoDist);
    expect(loadConfig(gatewayConfigSchema, { WEB_DIST_DIR: 'web/dist' }).WEB_DIST_DIR).toBe(resolve('web/dist'));
    expect(() => loadConfig(gatewayConfigSchema, { WEB_DIST_DIR: '' })).toThrow(/WEB_DIST_DIR/);
  });
});
