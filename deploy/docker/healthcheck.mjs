// Container health check: GET http://127.0.0.1:<port><path> (path: argv[2], default /healthz)
// with node's fetch; exit 0 on a 2xx answer, 1 otherwise.
//
// The port is $PORT when set (compose and the Kubernetes manifests always set it), else the
// default of the process that runs in this container, found from its command line: the image
// runs any of the services, and `docker run parley:local accounts` must not be probed on 8080.
// These defaults mirror each service's config.ts (deploy/test/manifests.test.ts checks them).
/* global fetch, AbortSignal */
import { readdirSync, readFileSync } from 'node:fs';
import process from 'node:process';

const DEFAULT_PORTS = { accounts: 4001, groups: 4002, messages: 4003, notifications: 4004, gateway: 8080, standalone: 8080 };

const path = process.argv[2] ?? '/healthz';

/** The entry file of the Parley process in this container, from /proc (pid 1 may be an init). */
function runningEntry() {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const entry = args.find((arg) => /(^|\/)(services\/[\w-]+|apps\/standalone)\/src\/[\w-]+\.ts$/.test(arg));
      if (entry) return entry;
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}

const entry = runningEntry() ?? '';
if (entry.endsWith('/worker-main.ts')) {
  // Workers serve no HTTP; they are alive as long as their process is.
  process.stdout.write(`${entry}: no HTTP endpoint, process running\n`);
  process.exit(0);
}
const service = entry.includes('apps/standalone/') ? 'standalone' : (/services\/([\w-]+)\//.exec(entry)?.[1] ?? process.env.SERVICE ?? 'gateway');
const port = process.env.PORT || DEFAULT_PORTS[service] || 8080;

try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) });
  if (!response.ok) process.stdout.write(`${path} on :${port} answered ${response.status}\n`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  process.stdout.write(`${path} on :${port}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
