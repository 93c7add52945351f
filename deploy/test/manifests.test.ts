/**
 * Static checks of everything under deploy/: nothing here starts a container or talks to a
 * cluster. It parses the YAML, then holds the compose file and the Kubernetes manifests to the
 * code they deploy:
 *
 * - every environment variable a container gets is defined by its service's config schema
 *   (services/<name>/src/config.ts), every variable the schema defines is set (save the few
 *   in NOT_SET_ON_PURPOSE), and the values pass the schema;
 * - addresses of other services (ACCOUNTS_URL, *_GRPC_ADDRESS, ...) point at a port that
 *   service really listens on;
 * - Deployments probe /healthz and /readyz on a declared containerPort, set resources, and
 *   Services, PodDisruptionBudgets and the Ingress select and name what exists;
 * - the Ingress routes exactly the prefixes of the gateway's routeTable(), to the same
 *   services, plus /ws to notifications and / to the gateway;
 * - the databases and roles of the compose URLs are those deploy/compose/initdb.sql creates.
 *
 * A service whose src/config.ts does not exist yet is skipped, and the test says so.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { routeTable, type Upstreams } from '../../services/gateway/src/routes.ts';

const deployDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(deployDir, '..');
const k8sDir = join(deployDir, 'k8s');
const composeFile = join(deployDir, 'compose', 'docker-compose.yml');

/** Schema variables a process gets on purpose no value for in the deployments. */
const NOT_SET_ON_PURPOSE: Record<string, readonly string[]> = {
  // The gateway keeps no state: base-schema settings it never reads. WEB_DIST_DIR's default
  // is the image's own /app/apps/web/dist.
  gateway: ['REDIS_URL', 'AMQP_URL', 'WEB_DIST_DIR'],
};

// --- small typed accessors for parsed YAML ----------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

function obj(value: unknown, where: string): Obj {
  if (!isObj(value)) throw new Error(`${where}: expected a mapping, got ${JSON.stringify(value)}`);
  return value;
}
function list(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list, got ${JSON.stringify(value)}`);
  return value as unknown[];
}
function str(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${where}: expected a scalar, got ${JSON.stringify(value)}`);
}
/** Walks a dotted path of mapping keys; undefined where one is missing. */
function get(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (!isObj(current)) return undefined;
    current = current[key];
  }
  return current;
}

// --- YAML ---------------------------------------------------------------------------------------

function filesUnder(dir: string, match: (file: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path, match));
    else if (match(path)) found.push(path);
  }
  return found.sort();
}

interface Parsed {
  docs: unknown[];
  problems: string[];
}
/** Every document of a YAML file, with `<<` merge keys resolved (compose uses them). */
function parseYaml(file: string): Parsed {
  const problems: string[] = [];
  const docs: unknown[] = [];
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'), { merge: true })) {
    for (const error of [...doc.errors, ...doc.warnings]) problems.push(error.message);
    const value: unknown = doc.toJS({ maxAliasCount: -1 });
    if (value !== null && value !== undefined) docs.push(value);
  }
  return { docs, problems };
}

const yamlFiles = filesUnder(deployDir, (file) => /\.ya?ml$/.test(file));
const rel = (file: string) => relative(repoRoot, file);

// --- the services' config schemas ---------------------------------------------------------------

interface ConfigSchema {
  shape: Record<string, { safeParse(input: unknown): { success: boolean; data?: unknown } }>;
  safeParse(input: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } };
}
const isConfigSchema = (value: unknown): value is ConfigSchema =>
  typeof value === 'object' && value !== null && 'shape' in value && 'safeParse' in value && isObj((value as Obj).shape);

/** services/<dir> → its exported *ConfigSchema, for every service that has a src/config.ts. */
const schemas = new Map<string, ConfigSchema>();
for (const dir of readdirSync(join(repoRoot, 'services'))) {
  const file = join(repoRoot, 'services', dir, 'src', 'config.ts');
  if (!existsSync(file)) continue;
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const schema = Object.entries(module).find(([name, value]) => name.endsWith('ConfigSchema') && isConfigSchema(value))?.[1];
  if (isConfigSchema(schema)) schemas.set(dir, schema);
}

/** The process names of deploy/docker/entrypoint.sh, resolved the same way. */
function entryFile(name: string): string {
  if (name.endsWith('.ts')) return name;
  if (name === 'standalone') return 'apps/standalone/src/main.ts';
  if (name.endsWith('-worker')) return `services/${name.slice(0, -'-worker'.length)}/src/worker-main.ts`;
  return `services/${name}/src/main.ts`;
}
/** The services/<dir> whose config a process name uses: accounts-worker → accounts. */
const serviceDirOf = (name: string) => (name.endsWith('-worker') ? name.slice(0, -'-worker'.length) : name);

/** Problems of one process's environment against its service's schema; [] when all is well. */
function envProblems(serviceDir: string, env: Map<string, string>): string[] {
  const schema = schemas.get(serviceDir);
  if (!schema) return [`services/${serviceDir}/src/config.ts has no *ConfigSchema export`];
  const problems: string[] = [];
  const known = Object.keys(schema.shape);
  for (const name of env.keys()) {
    if (!known.includes(name)) problems.push(`${name} is not defined in services/${serviceDir}/src/config.ts`);
  }
  const exempt = NOT_SET_ON_PURPOSE[serviceDir] ?? [];
  for (const name of known) {
    if (!env.has(name) && !exempt.includes(name)) problems.push(`${name} (services/${serviceDir}/src/config.ts) is not set`);
  }
  const result = schema.safeParse(Object.fromEntries(env));
  for (const issue of result.error?.issues ?? []) problems.push(`${issue.path.map(String).join('.')}: ${issue.message}`);
  return problems;
}

/** The default PORT of a service's config schema. */
function defaultPort(serviceDir: string): number | undefined {
  const parsed = schemas.get(serviceDir)?.shape.PORT?.safeParse(undefined);
  return parsed?.success ? Number(parsed.data) : undefined;
}

/** `host:port` of an address variable's value (http URL or gRPC address), else undefined. */
function hostPort(name: string, value: string): { host: string; port: string } | undefined {
  if (name.endsWith('_GRPC_ADDRESS')) {
    const match = /^([\w.-]+):(\d+)$/.exec(value);
    return match ? { host: match[1] ?? '', port: match[2] ?? '' } : undefined;
  }
  if (name.endsWith('_URL') && /^https?:\/\//.test(value)) {
    const url = new URL(value);
    return { host: url.hostname, port: url.port || (url.protocol === 'https:' ? '443' : '80') };
  }
  return undefined;
}
/** ACCOUNTS_GRPC_ADDRESS → GRPC_PORT of the target; ACCOUNTS_URL → its PORT. */
const portVariableFor = (name: string) => (name.endsWith('_GRPC_ADDRESS') ? 'GRPC_PORT' : 'PORT');

// =================================================================================================

describe('YAML under deploy/', () => {
  it('finds the compose file, the Kubernetes manifests and the kustomization', () => {
    expect(yamlFiles.map(rel)).toEqual(
      expect.arrayContaining(['deploy/compose/docker-compose.yml', 'deploy/k8s/kustomization.yaml', 'deploy/k8s/ingress.yaml']),
    );
  });
  it.each(yamlFiles.map(rel))('%s parses without errors or warnings', (file) => {
    const parsed = parseYaml(join(repoRoot, file));
    expect(parsed.problems).toEqual([]);
    expect(parsed.docs.length).toBeGreaterThan(0);
  });
});

// --- image ----------------------------------------------------------------------------------------

describe('deploy/docker', () => {
  const dockerfile = readFileSync(join(deployDir, 'docker', 'Dockerfile'), 'utf8');
  const entrypoint = join(deployDir, 'docker', 'entrypoint.sh');
  const healthcheck = readFileSync(join(deployDir, 'docker', 'healthcheck.mjs'), 'utf8');

  it('runs on node:22-bookworm-slim as a non-root user, with a /healthz HEALTHCHECK', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-bookworm-slim$/m);
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((match) => match[1]);
    expect(users.at(-1)).toBeDefined();
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(dockerfile).toMatch(/^HEALTHCHECK [^\n]*\\\n\s+CMD \["node", "\/app\/deploy\/docker\/healthcheck\.mjs", "\/healthz"\]/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/app\/deploy\/docker\/entrypoint\.sh"\]$/m);
  });

  it('entrypoint.sh is executable and resolves process names as this test does', () => {
    expect(statSync(entrypoint).mode & 0o111).not.toBe(0);
    const script = readFileSync(entrypoint, 'utf8');
    expect(script).toContain('standalone) entry="apps/standalone/src/main.ts"');
    expect(script).toContain('*-worker) entry="services/${name%-worker}/src/worker-main.ts"');
    expect(script).toContain('*) entry="services/$name/src/main.ts"');
    expect(script).toContain('exec node --import tsx "$entry"');
  });

  it("healthcheck.mjs's default ports are the services' PORT defaults", () => {
    const table = /const DEFAULT_PORTS = \{([^}]*)\}/.exec(healthcheck)?.[1] ?? '';
    const ports = Object.fromEntries([...table.matchAll(/([\w-]+):\s*(\d+)/g)].map((match) => [match[1], Number(match[2])]));
    for (const dir of schemas.keys()) expect(ports[dir], `DEFAULT_PORTS.${dir}`).toBe(defaultPort(dir));
  });
});

// --- compose ------------------------------------------------------------------------------------

describe('deploy/compose/docker-compose.yml', () => {
  const raw = readFileSync(composeFile, 'utf8');
  const compose = obj(parseYaml(composeFile).docs[0], 'compose');
  const services = obj(compose.services, 'services');
  /** Parley containers: those built from the image of deploy/docker. */
  const parley = Object.entries(services)
    .filter(([, spec]) => get(spec, 'build.dockerfile') === 'deploy/docker/Dockerfile')
    .map(([name, spec]) => {
      const command = list(get(spec, 'command'), `${name}.command`).map((part) => str(part, `${name}.command`));
      return { name, spec: obj(spec, name), process: command[0] ?? '' };
    });

  /** Compose interpolation: ${NAME:-default} → default. Every variable needs a default. */
  function interpolate(value: string, where: string): string {
    return value.replace(/\$\{(\w+)(?:(:?-)([^}]*))?\}/g, (_match, name: string, dash: string | undefined, fallback: string | undefined) => {
      if (dash === undefined) throw new Error(`${where}: \${${name}} has no default, so \`docker compose up\` fails without it`);
      return fallback ?? '';
    });
  }
  function environmentOf(spec: Obj, where: string): Map<string, string> {
    const env = new Map<string, string>();
    const environment = spec.environment;
    if (Array.isArray(environment)) {
      for (const entry of environment) {
        const [name = '', ...rest] = str(entry, where).split('=');
        env.set(name, interpolate(rest.join('='), `${where}.${name}`));
      }
    } else if (environment !== undefined) {
      for (const [name, value] of Object.entries(obj(environment, where))) env.set(name, interpolate(str(value ?? '', where), `${where}.${name}`));
    }
    return env;
  }
  const envs = new Map(parley.map(({ name, spec }) => [name, environmentOf(spec, `${name}.environment`)]));
  const byProcess = (process: string) => parley.find((container) => container.process === process);

  it('has postgres 15, redis 7, rabbitmq 3-management and every process: accounts, its worker, groups, messages, 2× notifications, gateway on 8080', () => {
    expect(get(services, 'postgres.image')).toBe('postgres:15');
    expect(get(services, 'redis.image')).toBe('redis:7');
    expect(get(services, 'rabbitmq.image')).toBe('rabbitmq:3-management');
    expect(parley.map((container) => container.process).sort()).toEqual(
      ['accounts', 'accounts-worker', 'gateway', 'groups', 'messages', 'notifications'].sort(),
    );
    expect(get(byProcess('notifications')?.spec, 'deploy.replicas')).toBe(2);
    expect(list(get(byProcess('gateway')?.spec, 'ports'), 'gateway.ports').map((port) => interpolate(str(port, 'port'), 'port'))).toContain('8080:8080');
  });

  it('uses one default per ${VARIABLE} throughout the file', () => {
    const defaults = new Map<string, Set<string>>();
    for (const match of raw.matchAll(/\$\{(\w+):?-([^}]*)\}/g)) {
      const name = match[1] ?? '';
      defaults.set(name, (defaults.get(name) ?? new Set()).add(match[2] ?? ''));
    }
    const inconsistent = [...defaults].filter(([, values]) => values.size > 1).map(([name, values]) => `${name}: ${[...values].join(' | ')}`);
    expect(inconsistent).toEqual([]);
  });

  for (const { name, process } of parley) {
    const dir = serviceDirOf(process);
    if (!schemas.has(dir)) {
      it.skip(`${name}: environment (skipped: services/${dir}/src/config.ts does not exist yet)`, () => {});
      continue;
    }
    it(`${name} runs ${entryFile(process)}, and its environment matches services/${dir}/src/config.ts`, () => {
      expect(existsSync(join(repoRoot, entryFile(process)))).toBe(true);
      expect(envProblems(dir, envs.get(name) ?? new Map())).toEqual([]);
    });
  }

  it('every address points at a service and a port it listens on', () => {
    const problems: string[] = [];
    for (const { name } of parley) {
      for (const [variable, value] of envs.get(name) ?? []) {
        if (/^(REDIS_URL|AMQP_URL|\w+_DATABASE_URL)$/.test(variable) && value) {
          const host = new URL(value).hostname;
          if (!(host in services)) problems.push(`${name}.${variable}: no compose service "${host}"`);
          continue;
        }
        const target = hostPort(variable, value);
        if (!target) continue;
        const listens = envs.get(target.host)?.get(portVariableFor(variable));
        if (listens !== target.port) problems.push(`${name}.${variable}=${value}: ${target.host} listens on ${portVariableFor(variable)}=${listens ?? '(no such service)'}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('has a healthcheck on every container (the worker has no HTTP: disabled), and depends_on waits for health', () => {
    const problems: string[] = [];
    for (const [name, spec] of Object.entries(services)) {
      const disabled = get(spec, 'healthcheck.disable') === true;
      const test = list(get(spec, 'healthcheck.test'), `${name}.healthcheck.test`).map((part) => str(part, name));
      if (disabled !== name.endsWith('-worker')) problems.push(`${name}: healthcheck ${disabled ? 'disabled' : 'enabled'}`);
      if (!disabled && test.length === 0) problems.push(`${name}: no healthcheck test`);
      const parleyContainer = parley.some((container) => container.name === name);
      if (parleyContainer && !disabled && !test.join(' ').includes('healthcheck.mjs /readyz')) problems.push(`${name}: healthcheck is not /readyz`);
      const dependsOn = get(spec, 'depends_on');
      for (const [target, condition] of Object.entries(isObj(dependsOn) ? dependsOn : {})) {
        const wanted = get(condition, 'condition');
        if (!(target in services)) problems.push(`${name}: depends on unknown ${target}`);
        else if (wanted !== 'service_healthy') problems.push(`${name} → ${target}: condition ${String(wanted)}`);
        else if (get(services[target], 'healthcheck.disable') === true) problems.push(`${name} waits for ${target}, which has no healthcheck`);
      }
      if (parleyContainer && !isObj(dependsOn)) problems.push(`${name}: no depends_on`);
    }
    expect(problems).toEqual([]);
  });

  it("mounts a named volume at messages' FILES_DIR", () => {
    const messages = byProcess('messages');
    const filesDir = envs.get(messages?.name ?? '')?.get('FILES_DIR');
    expect(filesDir).toBeTruthy();
    const mounts = list(get(messages?.spec, 'volumes'), 'messages.volumes').map((mount) => str(mount, 'mount').split(':'));
    const volume = mounts.find(([, target]) => target === filesDir)?.[0];
    expect(volume, `a volume mounted at ${String(filesDir)}`).toBeDefined();
    expect(Object.keys(obj(compose.volumes, 'volumes'))).toContain(volume);
  });

  it('connects each service to the database and role that initdb.sql creates for it, with the same password variable', () => {
    const sql = readFileSync(join(deployDir, 'compose', 'initdb.sql'), 'utf8');
    const envOfPsqlVar = new Map([...sql.matchAll(/^\\getenv (\w+) (\w+)$/gm)].map((match) => [match[1], match[2]]));
    const passwordVarOfRole = new Map([...sql.matchAll(/^CREATE ROLE (\w+) LOGIN PASSWORD :'(\w+)';$/gm)].map((match) => [match[1], envOfPsqlVar.get(match[2] ?? '')]));
    const ownerOfDb = new Map([...sql.matchAll(/^CREATE DATABASE (\w+) OWNER (\w+);$/gm)].map((match) => [match[1], match[2]]));
    const postgresEnv = obj(get(services, 'postgres.environment'), 'postgres.environment');
    const problems: string[] = [];
    let urls = 0;
    for (const match of raw.matchAll(/^\s+(\w+_DATABASE_URL): postgres:\/\/(\w+):\$\{(\w+):-[^}]*\}@postgres:5432\/(\w+)$/gm)) {
      const [, variable, role = '', passwordVar = '', db = ''] = match;
      urls += 1;
      if (ownerOfDb.get(db) !== role) problems.push(`${String(variable)}: database ${db} is not created with owner ${role}`);
      if (passwordVarOfRole.get(role) !== passwordVar) problems.push(`${String(variable)}: role ${role} gets its password from ${String(passwordVarOfRole.get(role))}, the URL from ${passwordVar}`);
      if (!(passwordVar in postgresEnv)) problems.push(`postgres does not pass ${passwordVar} to initdb.sql`);
    }
    const databaseUrlsSet = [...envs.values()].flatMap((env) => [...env.keys()].filter((key) => key.endsWith('_DATABASE_URL')));
    expect(urls).toBeGreaterThanOrEqual(new Set(databaseUrlsSet).size);
    expect(problems).toEqual([]);
  });
});

// --- Kubernetes -------------------------------------------------------------------------------

describe('deploy/k8s', () => {
  const manifestFiles = readdirSync(k8sDir).filter((file) => /\.ya?ml$/.test(file) && file !== 'kustomization.yaml').sort();
  const objects = manifestFiles.flatMap((file) => parseYaml(join(k8sDir, file)).docs.map((doc) => ({ file, doc: obj(doc, file) })));
  const named = (kind: string) =>
    objects.filter(({ doc }) => doc.kind === kind).map(({ doc, file }) => ({ name: str(get(doc, 'metadata.name'), file), doc, file }));
  const deployments = named('Deployment');
  const k8sServices = named('Service');
  const configMaps = new Map(named('ConfigMap').map(({ name, doc }) => [name, obj(doc.data ?? {}, `ConfigMap ${name}`)]));
  const secrets = new Map(
    named('Secret').map(({ name, doc }) => {
      const values: Obj = { ...obj(doc.stringData ?? {}, `Secret ${name}`) };
      for (const [key, value] of Object.entries(obj(doc.data ?? {}, `Secret ${name}`))) values[key] = Buffer.from(str(value, key), 'base64').toString('utf8');
      return [name, values] as const;
    }),
  );

  const containersOf = (deployment: Obj, where: string) =>
    list(get(deployment, 'spec.template.spec.containers'), `${where} containers`).map((container) => obj(container, where));
  const portsOf = (container: Obj, where: string) =>
    list(container.ports, `${where} ports`).map((port) => ({ name: get(port, 'name'), number: Number(get(port, 'containerPort')) }));
  const labelsMatch = (selector: unknown, labels: unknown) =>
    isObj(selector) && isObj(labels) && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);

  /** A container's environment as the kubelet assembles it from env and envFrom. */
  function containerEnv(container: Obj, where: string): { env: Map<string, string>; problems: string[] } {
    const env = new Map<string, string>();
    const problems: string[] = [];
    for (const source of list(container.envFrom, `${where} envFrom`)) {
      const mapName = get(source, 'configMapRef.name');
      const secretName = get(source, 'secretRef.name');
      const values = typeof mapName === 'string' ? configMaps.get(mapName) : typeof secretName === 'string' ? secrets.get(secretName) : undefined;
      if (!values) problems.push(`${where}: envFrom ${JSON.stringify(source)} names no ConfigMap or Secret of deploy/k8s`);
      for (const [key, value] of Object.entries(values ?? {})) env.set(key, str(value ?? '', key));
    }
    for (const entry of list(container.env, `${where} env`)) {
      const name = str(get(entry, 'name'), `${where} env`);
      const value = get(entry, 'value');
      const mapRef = get(entry, 'valueFrom.configMapKeyRef');
      const secretRef = get(entry, 'valueFrom.secretKeyRef');
      const from = isObj(mapRef) ? configMaps.get(str(mapRef.name, name)) : isObj(secretRef) ? secrets.get(str(secretRef.name, name)) : undefined;
      const key = get(isObj(mapRef) ? mapRef : secretRef, 'key');
      if (value !== undefined) env.set(name, str(value, name));
      else if (from && typeof key === 'string' && key in from) env.set(name, str(from[key] ?? '', name));
      else problems.push(`${where}: env ${name} refers to nothing in deploy/k8s`);
    }
    return { env, problems };
  }

  it('every object has apiVersion, kind and a DNS-1123 metadata.name, unique per kind', () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const { file, doc } of objects) {
      const name = get(doc, 'metadata.name');
      if (typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') problems.push(`${file}: apiVersion/kind missing`);
      if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) problems.push(`${file}: bad metadata.name ${String(name)}`);
      const key = `${String(doc.kind)}/${String(name)}`;
      if (seen.has(key)) problems.push(`${file}: ${key} twice`);
      seen.add(key);
    }
    expect(objects.length).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  });

  it('kustomization.yaml lists every manifest file, and only those', () => {
    const kustomization = obj(parseYaml(join(k8sDir, 'kustomization.yaml')).docs[0], 'kustomization');
    const resources = list(kustomization.resources, 'resources').map((resource) => str(resource, 'resource'));
    expect([...resources].sort()).toEqual(manifestFiles);
    expect(kustomization.namespace).toBe('parley');
  });

  it('has a Deployment and a Service per service, the worker without a Service', () => {
    expect(deployments.map(({ name }) => name).sort()).toEqual(['accounts', 'accounts-worker', 'gateway', 'groups', 'messages', 'notifications']);
    expect(k8sServices.map(({ name }) => name).sort()).toEqual(['accounts', 'gateway', 'groups', 'messages', 'notifications']);
  });

  for (const { name, doc } of deployments) {
    it(`Deployment ${name}: selector, probes on declared ports, resources, replicas`, () => {
      expect(labelsMatch(get(doc, 'spec.selector.matchLabels'), get(doc, 'spec.template.metadata.labels'))).toBe(true);
      const replicas = Number(get(doc, 'spec.replicas'));
      for (const container of containersOf(doc, name)) {
        const where = `${name}/${String(container.name)}`;
        const ports = portsOf(container, where);
        const declared = (port: unknown) => ports.some((p) => p.name === port || p.number === port);
        for (const kind of ['requests', 'limits']) {
          for (const resource of ['cpu', 'memory']) expect(get(container, `resources.${kind}.${resource}`), `${where} resources.${kind}.${resource}`).toBeDefined();
        }
        const args = list(container.args, `${where} args`).map((arg) => str(arg, where));
        expect(existsSync(join(repoRoot, entryFile(args[0] ?? ''))), `${where} runs ${entryFile(args[0] ?? '')}`).toBe(true);
        if (ports.length === 0) {
          // A worker: no HTTP server to probe, and one replica.
          expect(args[0]).toMatch(/-worker$/);
          for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) expect(get(container, `${probe}.httpGet`), `${where} ${probe}`).toBeUndefined();
          expect(replicas).toBe(1);
          continue;
        }
        expect(get(container, 'livenessProbe.httpGet.path')).toBe('/healthz');
        expect(get(container, 'readinessProbe.httpGet.path')).toBe('/readyz');
        for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
          const httpGet = get(container, `${probe}.httpGet`);
          if (httpGet === undefined && probe === 'startupProbe') continue;
          expect(['/healthz', '/readyz'], `${where} ${probe} path`).toContain(get(httpGet, 'path'));
          expect(declared(get(httpGet, 'port')), `${where} ${probe} port ${String(get(httpGet, 'port'))} is a declared containerPort`).toBe(true);
        }
        expect(replicas, `${name} is stateless: 2 replicas`).toBeGreaterThanOrEqual(2);
        // The ports the process listens on are the ports declared.
        const { env } = containerEnv(container, where);
        expect(String(ports.find((p) => p.name === 'http')?.number), `${where} containerPort http = PORT`).toBe(env.get('PORT'));
        const grpc = ports.find((p) => p.name === 'grpc');
        if (grpc) expect(String(grpc.number), `${where} containerPort grpc = GRPC_PORT`).toBe(env.get('GRPC_PORT'));
      }
    });

    for (const container of containersOf(doc, name)) {
      const process = str(list(container.args, `${name} args`)[0] ?? '', `${name} args`);
      const dir = serviceDirOf(process);
      if (!schemas.has(dir)) {
        it.skip(`Deployment ${name}: environment (skipped: services/${dir}/src/config.ts does not exist yet)`, () => {});
        continue;
      }
      it(`Deployment ${name}: environment matches services/${dir}/src/config.ts`, () => {
        const { env, problems } = containerEnv(container, name);
        expect([...problems, ...envProblems(dir, env)]).toEqual([]);
      });
    }
  }

  it('addresses of other services point at a Service port that reaches the right container port', () => {
    const problems: string[] = [];
    for (const { name, doc } of deployments) {
      for (const container of containersOf(doc, name)) {
        for (const [variable, value] of containerEnv(container, name).env) {
          const target = hostPort(variable, value);
          if (!target) continue;
          const service = k8sServices.find((candidate) => candidate.name === target.host);
          const port = list(get(service?.doc, 'spec.ports'), 'ports').find((candidate) => String(get(candidate, 'port')) === target.port);
          if (!port) {
            problems.push(`${name}.${variable}=${value}: no Service ${target.host} with port ${target.port}`);
            continue;
          }
          const backend = deployments.find((candidate) => labelsMatch(get(service?.doc, 'spec.selector'), get(candidate.doc, 'spec.template.metadata.labels')));
          const backendContainer = backend ? containersOf(backend.doc, backend.name)[0] : undefined;
          const listens = backendContainer ? containerEnv(backendContainer, backend?.name ?? '').env.get(portVariableFor(variable)) : undefined;
          const containerPort = backendContainer ? portsOf(backendContainer, '').find((p) => p.name === get(port, 'targetPort') || p.number === get(port, 'targetPort')) : undefined;
          if (String(containerPort?.number) !== listens) problems.push(`${name}.${variable}: ${target.host}:${target.port} reaches container port ${String(containerPort?.number)}, the process listens on ${String(listens)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('every Service selects a Deployment and targets its named container ports', () => {
    const problems: string[] = [];
    for (const { name, doc } of k8sServices) {
      const backend = deployments.find((deployment) => labelsMatch(get(doc, 'spec.selector'), get(deployment.doc, 'spec.template.metadata.labels')));
      if (!backend) {
        problems.push(`Service ${name} selects no Deployment`);
        continue;
      }
      const ports = containersOf(backend.doc, backend.name).flatMap((container) => portsOf(container, name));
      for (const port of list(get(doc, 'spec.ports'), `${name} ports`)) {
        const target = get(port, 'targetPort');
        if (!ports.some((p) => p.name === target || p.number === target)) problems.push(`Service ${name}: targetPort ${String(target)} is not a containerPort of ${backend.name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('a PodDisruptionBudget covers every replicated Deployment, none the single-replica worker', () => {
    const covered = named('PodDisruptionBudget').map(({ name, doc }) => {
      const target = deployments.find((deployment) => labelsMatch(get(doc, 'spec.selector.matchLabels'), get(deployment.doc, 'spec.template.metadata.labels')));
      expect(target, `PodDisruptionBudget ${name} selects a Deployment`).toBeDefined();
      return target?.name;
    });
    const replicated = deployments.filter(({ doc }) => Number(get(doc, 'spec.replicas')) > 1).map(({ name }) => name);
    expect([...covered].sort()).toEqual([...replicated].sort());
  });

  it("mounts the messages-files claim at messages' FILES_DIR, ReadWriteMany while messages has several replicas", () => {
    const messages = deployments.find(({ name }) => name === 'messages');
    expect(messages).toBeDefined();
    if (!messages) return;
    const container = containersOf(messages.doc, 'messages')[0] ?? {};
    const filesDir = containerEnv(container, 'messages').env.get('FILES_DIR');
    const mount = list(container.volumeMounts, 'volumeMounts').find((candidate) => get(candidate, 'mountPath') === filesDir);
    const volume = list(get(messages.doc, 'spec.template.spec.volumes'), 'volumes').find((candidate) => get(candidate, 'name') === get(mount, 'name'));
    const claimName = get(volume, 'persistentVolumeClaim.claimName');
    const claim = named('PersistentVolumeClaim').find(({ name }) => name === claimName);
    expect(claim, `a PersistentVolumeClaim mounted at ${String(filesDir)}`).toBeDefined();
    if (Number(get(messages.doc, 'spec.replicas')) > 1) expect(get(claim?.doc, 'spec.accessModes')).toContain('ReadWriteMany');
  });

  describe('Ingress', () => {
    const ingresses = named('Ingress');
    const paths = ingresses.flatMap(({ name, doc }) =>
      list(get(doc, 'spec.rules'), `${name} rules`).flatMap((rule) =>
        list(get(rule, 'http.paths'), `${name} paths`).map((path) => ({
          ingress: name,
          annotations: obj(get(doc, 'metadata.annotations') ?? {}, `${name} annotations`),
          path: str(get(path, 'path'), name),
          pathType: get(path, 'pathType'),
          service: str(get(path, 'backend.service.name'), name),
          port: get(path, 'backend.service.port.name') ?? get(path, 'backend.service.port.number'),
        })),
      ),
    );

    it("routes exactly the gateway's routeTable() prefixes to the same services, plus /ws to notifications and / to the gateway", () => {
      // Each upstream URL names its Upstreams key, which is the service's name.
      const upstreams = new Proxy({}, { get: (_target, key) => `http://${String(key)}` }) as unknown as Upstreams;
      const expected = new Map(routeTable(upstreams).map((route) => [route.prefix, new URL(route.upstream).hostname]));
      expected.set('/ws', 'notifications');
      expected.set('/', 'gateway');
      const actual = new Map(paths.map((path) => [path.path, path.service]));
      expect(paths.length, 'no prefix routed twice').toBe(actual.size);
      expect(Object.fromEntries([...actual].sort())).toEqual(Object.fromEntries([...expected].sort()));
    });

    it('uses Prefix paths to existing Service ports', () => {
      for (const path of paths) {
        expect(path.pathType, path.path).toBe('Prefix');
        const service = k8sServices.find(({ name }) => name === path.service);
        const ports = list(get(service?.doc, 'spec.ports'), 'ports').map((port) => [get(port, 'name'), get(port, 'port')]).flat();
        expect(ports, `${path.path} → ${path.service}:${String(path.port)}`).toContain(path.port);
      }
    });

    it('gives /ws websocket-friendly ingress-nginx timeouts, and only /ws', () => {
      const ws = paths.find((path) => path.path === '/ws');
      for (const annotation of ['nginx.ingress.kubernetes.io/proxy-read-timeout', 'nginx.ingress.kubernetes.io/proxy-send-timeout']) {
        expect(Number(ws?.annotations[annotation]), annotation).toBeGreaterThanOrEqual(3600);
      }
      expect(paths.filter((path) => path.ingress === ws?.ingress).map((path) => path.path)).toEqual(['/ws']);
    });
  });
});

describe('the configuration reference', () => {
  const variables = [...new Set([...schemas.values()].flatMap((schema) => Object.keys(schema.shape)))].sort();
  // Read by accounts/src/main.ts itself, outside the schema.
  variables.push('ACCOUNTS_RUN_WORKER');

  it('.env.example names every variable of every service config', () => {
    const example = readFileSync(join(repoRoot, '.env.example'), 'utf8');
    const named = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]));
    expect(variables.filter((name) => !named.has(name))).toEqual([]);
  });

  it("the README's configuration table names every variable of every service config", () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Layout'));
    expect(variables.filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
  });
});
