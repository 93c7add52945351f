// Container health check: GET http://127.0.0.1:<port><path> (path: argv[2], default /healthz)
// with node's fetch; exit 0 on a 2xx answer, 1 otherwise.
//
// The port is $PORT when set (compose and the Kubernetes manifests always set it), else the
// default port of the process this image runs, named by $PARLEY_PROCESS (each target of
// deploy/docker/Dockerfile sets it). These defaults mirror each service's config.ts
// (deploy/test/manifests.test.ts checks them).
/* global fetch, AbortSignal */
import process from 'node:process';

const DEFAULT_PORTS = { accounts: 4001, groups: 4002, messages: 4003, notifications: 4004, gateway: 8080 };

const path = process.argv[2] ?? '/healthz';
const name = process.env.PARLEY_PROCESS ?? 'gateway';

if (name.endsWith('-worker')) {
  // Workers serve no HTTP; they are alive as long as their process (PID 1) is, and this check
  // only runs while it is.
  process.stdout.write(`${name}: no HTTP endpoint, process running\n`);
  process.exit(0);
}
const port = process.env.PORT || DEFAULT_PORTS[name] || 8080;

try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) });
  if (!response.ok) process.stdout.write(`${path} on :${port} answered ${response.status}\n`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  process.stdout.write(`${path} on :${port}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
