import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { parse as parseYaml } from 'yaml';
import { startPlatform, type Platform } from '../src/platform.ts';
import { metricNamesOf } from './promql.ts';

const root = new URL('../../../', import.meta.url).pathname;
const observabilityDir = join(root, 'deploy', 'observability');

/** Every log line of the platform, parsed. */
const lines: Record<string, unknown>[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

async function call(base: string, method: string, path: string, options: { body?: unknown; token?: string; requestId?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.requestId) headers['x-request-id'] = options.requestId;
  const response = await fetch(`${base}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

/** A socket authenticated as the token's user, collecting its frames. */
async function openSocket(base: string, token: string) {
  const socket = new WebSocket(`${base.replace('http', 'ws')}/ws`);
  const frames: { type: string; data: any }[] = [];
  socket.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString('utf8')) as { type: string; data: any }));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'auth', token }));
  await vi.waitFor(() => expect(frames.some((f) => f.type === 'ready')).toBe(true), { timeout: 10_000 });
  return { socket, frames };
}

/** Family names (from `# TYPE`) and the names of the samples present, of a Prometheus text scrape. */
function parseScrape(text: string) {
  const families = new Map<string, string>();
  const samples = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) families.set(type[1]!, type[2]!);
    else if (line && !line.startsWith('#')) samples.add(/^[^{ ]+/.exec(line)![0]);
  }
  return { families, samples };
}

/** The family a sample name belongs to (`x_bucket` → `x` for a histogram `x`). */
function familyOf(name: string, families: Map<string, string>): string | undefined {
  if (families.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return families.get(base) === 'histogram' ? base : undefined;
}

interface Rule {
  alert: string;
  expr: string;
  annotations?: { summary?: string; runbook?: string };
}

const dashboards = readdirSync(join(observabilityDir, 'grafana')).filter((file) => file.endsWith('.json'));
const ruleFiles = readdirSync(join(observabilityDir, 'prometheus')).filter((file) => /\.ya?ml$/.test(file));

/** Every PromQL expression of the dashboards (targets of every panel, rows included). */
function dashboardExpressions(): { where: string; expr: string }[] {
  const found: { where: string; expr: string }[] = [];
  const walk = (value: unknown, where: string): void => {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${where}[${i}]`));
    else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'expr' && typeof inner === 'string') found.push({ where, expr: inner });
        else walk(inner, `${where}.${key}`);
      }
    }
  };
  for (const file of dashboards) walk(JSON.parse(readFileSync(join(observabilityDir, 'grafana', file), 'utf8')), file);
  return found;
}

function rules(): (Rule & { file: string })[] {
  return ruleFiles.flatMap((file) => {
    const doc = parseYaml(readFileSync(join(observabilityDir, 'prometheus', file), 'utf8')) as { groups: { rules: Rule[] }[] };
    return doc.groups.flatMap((group) => group.rules.map((rule) => ({ ...rule, file })));
  });
}

// Embedded adapters only: the platform as `npm start` runs it, in this process so its logs can be read.
describe.skipIf(process.env.PARLEY_TEST_INFRA === 'only')('observability of the running platform', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-observability-'));
  const requestId = `trace-${Date.now().toString(36)}`;
  let platform: Platform;
  let scrape: ReturnType<typeof parseScrape>;
  let scrapeText: string;

  beforeAll(async () => {
    platform = await startPlatform({ PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'debug' }, { logDestination: logSink });
    const base = platform.url;

    // Exercise every part once, so that the lazily made series exist: HTTP, gRPC, caches, the
    // outbox and the bus, jobs, sockets and their frames, a drop.
    const alice = await call(base, 'POST', '/api/v1/auth/register', { body: { username: 'alice', email: 'alice@example.test', password: 'alice-password' } });
    const bob = await call(base, 'POST', '/api/v1/auth/register', { body: { username: 'bob', email: 'bob@example.test', password: 'bob-password' } });
    expect([alice.status, bob.status]).toEqual([201, 201]);
    const aliceToken = alice.body!.accessToken as string;
    const bobId = bob.body!.user.id as string;
    const bobSocket = await openSocket(base, bob.body!.accessToken as string);

    const group = await call(base, 'POST', '/api/v1/groups', { body: { name: 'Ops', memberIds: [bobId] }, token: aliceToken });
    expect(group.status).toBe(201);
    const sent = await call(base, 'POST', `/api/v1/conversations/${group.body!.id as string}/messages`, {
      // The mention makes the stored-notifications consumer handle the event (under the same request id).
      body: { body: 'traced hello @bob', clientMessageId: 'trace-1' },
      token: aliceToken,
      requestId,
    });
    expect(sent.status).toBe(201);
    await vi.waitFor(() => expect(bobSocket.frames.some((f) => f.type === 'message.created' && f.data.message?.body === 'traced hello @bob')).toBe(true), {
      timeout: 15_000,
    });
    // A socket whose first frame is not auth is closed (4001): one drop.
    const rude = new WebSocket(`${base.replace('http', 'ws')}/ws`);
    await new Promise((resolve, reject) => rude.once('open', resolve).once('error', reject));
    rude.send(JSON.stringify({ type: 'ping' }));
    await new Promise((resolve) => rude.once('close', resolve));
    await call(base, 'GET', '/api/v1/users/me', { token: aliceToken });
    expect((await call(base, 'GET', '/api/v1/notifications', { token: bob.body!.accessToken as string })).status).toBe(200);

    await vi.waitFor(
      async () => {
        scrapeText = await (await fetch(platform.metricsUrl)).text();
        scrape = parseScrape(scrapeText);
        expect(scrape.samples).toContain('parley_jobs_run_total');
        expect(lines.some((line) => line.requestId === requestId && line.msg === 'frame delivered')).toBe(true);
        // The broker's copy goes after the live frame: the relay gathers new messages' events for
        // OUTBOX_NEW_MESSAGE_LINGER_MS first.
        expect(lines.some((line) => line.requestId === requestId && line.service === 'notifications' && line.msg === 'event handled')).toBe(true);
      },
      { timeout: 15_000, interval: 200 },
    );
    bobSocket.socket.close();
    // Five embedded databases start here: minutes on a loaded machine.
  }, 600_000);

  afterAll(async () => {
    await platform?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('one request id sent to the gateway is in the log lines of messages (HTTP), the notifications consumer and the WebSocket delivery', () => {
    const traced = lines.filter((line) => line.requestId === requestId);
    expect(traced.some((line) => line.service === 'gateway')).toBe(true);
    expect(traced.some((line) => line.service === 'messages')).toBe(true);
    // New messages reach sockets by the live path; the broker carries the event to the stored-notifications consumer.
    expect(traced.some((line) => line.service === 'notifications' && line.msg === 'event handled')).toBe(true);
    expect(traced.some((line) => line.service === 'notifications' && line.msg === 'frame delivered')).toBe(true);
  });

  it('serves every family on the metrics port, by service, and none on the public port', async () => {
    expect((await fetch(`${platform.url}/metrics`)).status).toBe(404);
    for (const service of ['gateway', 'accounts', 'groups', 'messages', 'notifications']) {
      expect(scrapeText).toContain(`http_request_duration_seconds_count{service="${service}"`);
    }
    // Nothing unbounded in a label: no ids, no raw paths.
    expect(scrapeText).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(scrapeText).toMatch(/parley_ws_drops_total\{service="notifications",reason="unauthorized"\} 1/);
  });

  it('every metric the dashboards and the alert rules use is exported, with samples after a little traffic', () => {
    const used = [...dashboardExpressions(), ...rules().map((rule) => ({ where: `${rule.file}: ${rule.alert}`, expr: rule.expr }))];
    expect(used.length).toBeGreaterThan(10);
    // Counted only on failures: declared, with no series until the first one.
    const onlyOnFailure = new Set(['parley_events_retried_total', 'parley_events_dead_lettered_total', 'parley_jobs_failed_total']);
    const missing: string[] = [];
    const empty: string[] = [];
    for (const { where, expr } of used) {
      const names = metricNamesOf(expr);
      expect(names.length, `${where}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) {
        const family = familyOf(name, scrape.families);
        if (!family) missing.push(`${where}: ${name}`);
        else if (!scrape.samples.has(name) && !onlyOnFailure.has(family)) empty.push(`${where}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
    expect(empty).toEqual([]);
  });

  it('every alert has a summary and a runbook line that exists in docs/operations.md', () => {
    const operations = readFileSync(join(root, 'docs', 'operations.md'), 'utf8');
    const alerts = rules();
    expect(alerts.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining(['ParleyOutboxStuck', 'ParleyEventsDeadLettered', 'ParleyHttpErrorRate', 'ParleyHttpLatencyP99', 'ParleyWebSocketDrops']),
    );
    for (const rule of alerts) {
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      const anchor = /docs\/operations\.md#([\w-]+)/.exec(rule.annotations?.runbook ?? '')?.[1];
      expect(anchor, `${rule.alert} runbook`).toBeTruthy();
      // GitHub's anchor of a "### ParleyOutboxStuck" heading is its lowercase text.
      expect(operations.toLowerCase().includes(`### ${anchor}`), `${rule.alert}: no "### ${rule.alert}" section in docs/operations.md`).toBe(true);
    }
  });
});
