/**
 * Static checks of everything under deploy/: nothing here starts a container or talks to a
 * cluster. It parses the YAML, renders each Kubernetes overlay (lib/kustomize.ts), then holds
 * the Dockerfile, the compose file and the rendered objects to the code they deploy:
 *
 * - every rendered object validates against the schema of its kind (lib/k8s-schemas.ts);
 * - every environment variable a container gets is defined by its service's config schema
 *   (services/<name>/src/config.ts), every variable the schema defines is set (save the few
 *   in NOT_SET_ON_PURPOSE), and the values pass the schema;
 * - addresses of other services (ACCOUNTS_URL, *_GRPC_ADDRESS, ...) point at a port that
 *   service really listens on;
 * - Deployments probe /healthz and /readyz on a declared containerPort, set resources, spread,
 *   stop gracefully; autoscalers, budgets, NetworkPolicies, ServiceMonitors, migration Jobs and
 *   the Ingress select and name what exists, and the policies admit exactly the callers the
 *   settings name;
 * - the Dockerfile copies what exists, and each target runs its process's compiled entry;
 * - the databases and roles of the compose URLs are those deploy/compose/initdb.sql creates.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parseDocument } from 'yaml';
import { parseDockerfile, resolveTarget } from './lib/dockerfile.ts';
import { validateObject } from './lib/k8s-schemas.ts';
import { podTemplateOf, render } from './lib/kustomize.ts';
import { IMAGE_PROCESSES } from './lib/repo.ts';

const deployDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(deployDir, '..');
const k8sDir = join(deployDir, 'k8s');
const composeFile = join(deployDir, 'compose', 'docker-compose.yml');
const OVERLAYS = ['dev', 'prod'];
/** The gauge of open WebSockets notifications exports, which its autoscaler follows. */
const SOCKET_METRIC = 'parley_ws_sockets_open';
/** The targets of deploy/docker/Dockerfile that are images (not build stages). */
const dockerTargets = parseDockerfile(join(deployDir, 'docker', 'Dockerfile'))
  .stages.map((stage) => stage.name)
  .filter((name) => (IMAGE_PROCESSES as readonly string[]).includes(name));

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

/** The compiled entry a Dockerfile target runs, as its TypeScript source: services/x/src/main.ts. */
function entryFile(target: string): string {
  const entry = resolveTarget(parseDockerfile(join(deployDir, 'docker', 'Dockerfile')).stages, target).cmd[1] ?? '';
  return entry.replace('/dist/', '/src/').replace(/\.js$/, '.ts');
}
/** The services/<dir> whose config a process name uses: accounts-worker → accounts. */
const serviceDirOf = (name: string) => (name.endsWith('-worker') ? name.slice(0, -'-worker'.length) : name);

/** Problems of one process's environment against its service's schema; [] when all is well. */
function envProblems(serviceDir: string, env: Map<string, string>, alsoExempt: readonly string[] = []): string[] {
  const schema = schemas.get(serviceDir);
  if (!schema) return [`services/${serviceDir}/src/config.ts has no *ConfigSchema export`];
  const problems: string[] = [];
  const known = Object.keys(schema.shape);
  for (const name of env.keys()) {
    if (!known.includes(name)) problems.push(`${name} is not defined in services/${serviceDir}/src/config.ts`);
  }
  const exempt = [...(NOT_SET_ON_PURPOSE[serviceDir] ?? []), ...alsoExempt];
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
      expect.arrayContaining([
        'deploy/compose/docker-compose.yml',
        'deploy/k8s/base/kustomization.yaml',
        'deploy/k8s/overlays/prod/kustomization.yaml',
        'deploy/k8s/base/ingress.yaml',
      ]),
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
  const healthcheck = readFileSync(join(deployDir, 'docker', 'healthcheck.mjs'), 'utf8');
  const ignored = readFileSync(join(deployDir, 'docker', 'Dockerfile.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  /** Is a context path excluded by Dockerfile.dockerignore? (its patterns: globs, `!` re-includes, last match wins) */
  const excluded = (path: string) => {
    let result = false;
    for (const pattern of ignored) {
      const negated = pattern.startsWith('!');
      const glob = (negated ? pattern.slice(1) : pattern).replace(/^\//, '');
      const source = glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '<ANY_DIRS>')
        .replace(/\*\*/g, '<ANY>')
        .replace(/\*/g, '[^/]*')
        .replace(/<ANY_DIRS>/g, '(.*/)?')
        .replace(/<ANY>/g, '.*');
      const regex = new RegExp(`^${source}(/.*)?$`);
      if (regex.test(path)) result = !negated;
    }
    return result;
  };
  const { stages } = parseDockerfile(join(deployDir, 'docker', 'Dockerfile'));

  it('has one target per process, each non-root, with a HEALTHCHECK, OCI labels and a `node <dist file>` command', () => {
    expect(dockerTargets.sort()).toEqual([...IMAGE_PROCESSES].sort());
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-bookworm-slim$/m);
    for (const name of IMAGE_PROCESSES) {
      const target = resolveTarget(stages, name);
      expect(target.user, name).toBe('1000:1000');
      expect(target.healthcheck, name).toEqual(['node', '/app/deploy/docker/healthcheck.mjs', '/healthz']);
      expect(target.labels['org.opencontainers.image.source'], name).toBe('${SOURCE_URL}');
      expect(target.labels['org.opencontainers.image.revision'], name).toBe('${REVISION}');
      expect(target.env.HOST, `${name} listens on every interface`).toBe('0.0.0.0');
      expect(target.env.PARLEY_PROCESS, name).toBe(name);
      const [node, entry = ''] = target.cmd;
      expect(node).toBe('node');
      // The compiled file comes from the TypeScript entry point beside it.
      expect(existsSync(join(repoRoot, entry.replace('/dist/', '/src/').replace(/\.js$/, '.ts'))), `${name}: ${entry}'s source`).toBe(true);
    }
  });

  it('every path a COPY takes from the build context exists and is not excluded by Dockerfile.dockerignore', () => {
    const problems: string[] = [];
    for (const stage of stages) {
      for (const { op, args } of stage.instructions) {
        if (op !== 'COPY' || args.includes('--from=')) continue;
        const sources = args
          .split(/\s+/)
          .filter((word) => !word.startsWith('--'))
          .slice(0, -1);
        for (const source of sources) {
          if (source === '.') continue;
          if (!existsSync(join(repoRoot, source))) problems.push(`${stage.name}: COPY ${source} does not exist`);
          if (excluded(source)) problems.push(`${stage.name}: COPY ${source} is excluded by Dockerfile.dockerignore`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the build context keeps what the build stage needs and drops local state', () => {
    for (const path of [
      'package.json',
      'package-lock.json',
      'tsconfig.build.json',
      'tsconfig.build-base.json',
      'tsconfig.base.json',
      'scripts/copy-build-assets.mjs',
      'packages/kit/src/index.ts',
      'services/accounts/src/db/migrations/0001_accounts.sql',
      'bench/package.json',
    ]) {
      expect(excluded(path), path).toBe(false);
    }
    for (const path of ['node_modules', 'services/accounts/node_modules', 'services/accounts/dist', 'data', '.env', '.git', 'bench/results'])
      expect(excluded(path), path).toBe(true);
  });

  it('every `COPY --from=build` takes a dist/ folder the build produces: a package of tsconfig.build.json, or the web app', () => {
    const built = list(get(JSON.parse(readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')), 'references'), 'references').map(
      (reference) => dirname(str(get(reference, 'path'), 'path')).replace(/^\.\//, ''),
    );
    for (const name of IMAGE_PROCESSES) {
      for (const copy of resolveTarget(stages, name).copies.filter((candidate) => candidate.from === 'build')) {
        for (const source of copy.sources) {
          const dir = source.replace(/^\/app\//, '').replace(/\/dist$/, '');
          expect([...built, 'apps/web'], `${name}: ${source}`).toContain(dir);
        }
      }
    }
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
    .map(([name, spec]) => ({ name, spec: obj(spec, name), process: str(get(spec, 'build.target'), `${name}.build.target`) }));

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

  it('has postgres 15, redis 7, rabbitmq 3-management, every process from its own Dockerfile target, 2 replicas of each stateless one, the edge on 8080', () => {
    expect(get(services, 'postgres.image')).toBe('postgres:15');
    expect(get(services, 'redis.image')).toBe('redis:7');
    expect(get(services, 'rabbitmq.image')).toBe('rabbitmq:3-management');
    expect(parley.map((container) => container.process).sort()).toEqual([...IMAGE_PROCESSES].sort());
    for (const { name, spec, process } of parley) {
      expect(name, 'the compose service is named after its process').toBe(process);
      expect(dockerTargets, `${name}: a Dockerfile target`).toContain(process);
      expect(get(spec, 'deploy.replicas') ?? 1, `${name} replicas`).toBe(process.endsWith('-worker') ? 1 : 2);
      expect(get(spec, 'ports'), `${name}: replicas publish no host port`).toBeUndefined();
      expect(get(spec, 'read_only'), `${name}: read-only root filesystem`).toBe(true);
      expect(envs.get(name)?.get('HOST'), `${name} listens on the container's address`).toBe('0.0.0.0');
    }
    expect(list(get(services, 'edge.ports'), 'edge.ports').map((port) => interpolate(str(port, 'port'), 'port'))).toEqual(['8080:8080']);
    expect(readFileSync(join(deployDir, 'compose', 'nginx.conf'), 'utf8')).toMatch(/set \$gateway gateway:8080;/);
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
        if (listens !== target.port)
          problems.push(`${name}.${variable}=${value}: ${target.host} listens on ${portVariableFor(variable)}=${listens ?? '(no such service)'}`);
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
    const passwordVarOfRole = new Map(
      [...sql.matchAll(/^CREATE ROLE (\w+) LOGIN PASSWORD :'(\w+)';$/gm)].map((match) => [match[1], envOfPsqlVar.get(match[2] ?? '')]),
    );
    const ownerOfDb = new Map([...sql.matchAll(/^CREATE DATABASE (\w+) OWNER (\w+);$/gm)].map((match) => [match[1], match[2]]));
    const postgresEnv = obj(get(services, 'postgres.environment'), 'postgres.environment');
    const problems: string[] = [];
    let urls = 0;
    for (const match of raw.matchAll(/^\s+(\w+_DATABASE_URL): postgres:\/\/(\w+):\$\{(\w+):-[^}]*\}@postgres:5432\/(\w+)$/gm)) {
      const [, variable, role = '', passwordVar = '', db = ''] = match;
      urls += 1;
      if (ownerOfDb.get(db) !== role) problems.push(`${String(variable)}: database ${db} is not created with owner ${role}`);
      if (passwordVarOfRole.get(role) !== passwordVar)
        problems.push(`${String(variable)}: role ${role} gets its password from ${String(passwordVarOfRole.get(role))}, the URL from ${passwordVar}`);
      if (!(passwordVar in postgresEnv)) problems.push(`postgres does not pass ${passwordVar} to initdb.sql`);
    }
    const databaseUrlsSet = [...envs.values()].flatMap((env) => [...env.keys()].filter((key) => key.endsWith('_DATABASE_URL')));
    expect(urls).toBeGreaterThanOrEqual(new Set(databaseUrlsSet).size);
    expect(problems).toEqual([]);
  });
});

// --- Kubernetes -------------------------------------------------------------------------------

describe.each(OVERLAYS)('deploy/k8s/overlays/%s, rendered', (overlay) => {
  const objects = render(join(k8sDir, 'overlays', overlay)).map((doc) => ({ file: `${overlay}: ${doc.kind} ${doc.metadata.name}`, doc: doc }));
  const named = (kind: string) => objects.filter(({ doc }) => doc.kind === kind).map(({ doc, file }) => ({ name: str(get(doc, 'metadata.name'), file), doc, file }));
  const deployments = named('Deployment');
  const jobs = named('Job');
  const workloads = [...deployments, ...jobs];
  const k8sServices = named('Service');
  const hpas = named('HorizontalPodAutoscaler');
  const configMaps = new Map(named('ConfigMap').map(({ name, doc }) => [name, obj(doc.data ?? {}, `ConfigMap ${name}`)]));
  const secrets = new Map<string, Obj>(
    named('Secret').map(({ name, doc }) => {
      const values: Obj = { ...obj(doc.stringData ?? {}, `Secret ${name}`) };
      for (const [key, value] of Object.entries(obj(doc.data ?? {}, `Secret ${name}`))) values[key] = Buffer.from(str(value, key), 'base64').toString('utf8');
      return [name, values] as const;
    }),
  );
  // The Secret CloudNativePG writes for each Cluster: <cluster>-app, whose uri names the
  // database and owner of bootstrap.initdb and the primary's Service <cluster>-rw.
  for (const { name, doc } of named('Cluster')) {
    const database = str(get(doc, 'spec.bootstrap.initdb.database'), name);
    const owner = str(get(doc, 'spec.bootstrap.initdb.owner'), name);
    secrets.set(`${name}-app`, { uri: `postgresql://${owner}:generated@${name}-rw.parley:5432/${database}` });
  }

  const containersOf = (workload: Obj, where: string) =>
    list(get(podTemplateOf(workload), 'spec.containers'), `${where} containers`).map((container) => obj(container, where));
  const portsOf = (container: Obj, where: string) =>
    list(container.ports, `${where} ports`).map((port) => ({ name: get(port, 'name'), number: Number(get(port, 'containerPort')) }));
  const labelsMatch = (selector: unknown, labels: unknown) =>
    isObj(selector) && isObj(labels) && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);
  /** The process an image name runs: parley-accounts-worker → accounts-worker (a Dockerfile target). */
  const processOfImage = (image: string) => /^(?:.*\/)?parley-?([\w-]+?)(?::[\w.-]+)?$/.exec(image.replace(/^parley\//, 'parley-'))?.[1] ?? '';
  const hpaOf = (deployment: string) =>
    hpas.find(({ doc }) => get(doc, 'spec.scaleTargetRef.name') === deployment && get(doc, 'spec.scaleTargetRef.kind') === 'Deployment');

  /** A container's environment as the kubelet assembles it from env and envFrom. */
  function containerEnv(container: Obj, where: string): { env: Map<string, string>; problems: string[] } {
    const env = new Map<string, string>();
    const problems: string[] = [];
    for (const source of list(container.envFrom, `${where} envFrom`)) {
      const mapName = get(source, 'configMapRef.name');
      const secretName = get(source, 'secretRef.name');
      const values = typeof mapName === 'string' ? configMaps.get(mapName) : typeof secretName === 'string' ? secrets.get(secretName) : undefined;
      if (!values) problems.push(`${where}: envFrom ${JSON.stringify(source)} names no ConfigMap or Secret of the overlay`);
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
      else problems.push(`${where}: env ${name} refers to nothing in the overlay`);
    }
    return { env, problems };
  }

  it('every object validates against its schema (Kubernetes 1.36, CloudNativePG, Prometheus Operator, RabbitMQ and Redis operators)', async () => {
    const problems: string[] = [];
    for (const { file, doc } of objects) problems.push(...(await validateObject(doc)).map((problem) => `${file}: ${problem}`));
    expect(objects.length).toBeGreaterThan(40);
    expect(problems).toEqual([]);
  });

  it('names every object once per kind, and puts every namespaced object in the overlay namespace', () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    const namespace = named('Namespace')[0]?.name;
    for (const { file, doc } of objects) {
      const key = `${String(doc.kind)}/${str(get(doc, 'metadata.name'), file)}`;
      if (seen.has(key)) problems.push(`${key} twice`);
      seen.add(key);
      if (doc.kind !== 'Namespace' && get(doc, 'metadata.namespace') !== namespace) problems.push(`${file}: namespace ${String(get(doc, 'metadata.namespace'))}`);
    }
    expect(namespace).toBeDefined();
    expect(problems).toEqual([]);
  });

  it('base/kustomization.yaml lists every manifest file of base/, and only those', () => {
    const base = join(k8sDir, 'base');
    const files = readdirSync(base)
      .filter((file) => /\.ya?ml$/.test(file) && file !== 'kustomization.yaml')
      .sort();
    const kustomization = obj(parseYaml(join(base, 'kustomization.yaml')).docs[0], 'kustomization');
    expect(
      list(kustomization.resources, 'resources')
        .map((resource) => str(resource, 'resource'))
        .sort(),
    ).toEqual(files);
  });

  it('runs one Deployment per image of deploy/docker/Dockerfile, each with that image, mapped to a tagged registry name', () => {
    expect(deployments.map(({ name }) => name).sort()).toEqual([...IMAGE_PROCESSES].sort());
    for (const { name, doc } of deployments) {
      const image = str(containersOf(doc, name)[0]?.image, name);
      expect(image, `${name} image`).toMatch(/^[\w.-]+(\/[\w.-]+)+:[\w.-]+$/);
      expect(processOfImage(image), `${name} runs its own image`).toBe(name);
      expect(dockerTargets, `${name} is a Dockerfile target`).toContain(name);
    }
  });

  for (const { name, doc } of deployments) {
    it(`Deployment ${name}: probes on declared ports, resources, security, spread, graceful stop, replicas owned by its autoscaler`, () => {
      expect(labelsMatch(get(doc, 'spec.selector.matchLabels'), get(doc, 'spec.template.metadata.labels'))).toBe(true);
      expect(get(doc, 'spec.template.spec.securityContext.runAsNonRoot')).toBe(true);
      const isWorker = name.endsWith('-worker');
      for (const container of containersOf(doc, name)) {
        const where = `${name}/${String(container.name)}`;
        const ports = portsOf(container, where);
        const declared = (port: unknown) => ports.some((p) => p.name === port || p.number === port);
        for (const resource of ['cpu', 'memory']) expect(get(container, `resources.requests.${resource}`), `${where} requests.${resource}`).toBeDefined();
        expect(get(container, 'resources.limits.memory'), `${where} limits.memory`).toBeDefined();
        expect(get(container, 'securityContext.readOnlyRootFilesystem'), `${where} read-only root`).toBe(true);
        expect(
          list(container.volumeMounts, where).map((mount) => get(mount, 'mountPath')),
          `${where} /tmp volume`,
        ).toContain('/tmp');
        const { env } = containerEnv(container, where);
        const metricsPort = env.get(isWorker ? 'WORKER_METRICS_PORT' : 'METRICS_PORT');
        expect(String(ports.find((p) => p.name === 'metrics')?.number), `${where} containerPort metrics = its metrics port`).toBe(metricsPort);
        if (isWorker) {
          for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) expect(get(container, `${probe}.httpGet`), `${where} ${probe}`).toBeUndefined();
          expect(get(doc, 'spec.replicas')).toBe(1);
          expect(hpaOf(name)).toBeUndefined();
          continue;
        }
        expect(get(container, 'livenessProbe.httpGet.path')).toBe('/healthz');
        expect(get(container, 'readinessProbe.httpGet.path')).toBe('/readyz');
        expect(get(container, 'startupProbe.httpGet.path')).toBe('/healthz');
        for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
          expect(declared(get(container, `${probe}.httpGet.port`)), `${where} ${probe} port is a declared containerPort`).toBe(true);
        }
        expect(get(container, 'lifecycle.preStop.exec.command'), `${where} preStop`).toEqual(['sleep', '5']);
        expect(Number(get(doc, 'spec.template.spec.terminationGracePeriodSeconds')), `${where} grace > preStop + 15 s drain`).toBeGreaterThan(20);
        expect(String(ports.find((p) => p.name === 'http')?.number), `${where} containerPort http = PORT`).toBe(env.get('PORT'));
        const grpc = ports.find((p) => p.name === 'grpc');
        if (grpc) expect(String(grpc.number), `${where} containerPort grpc = GRPC_PORT`).toBe(env.get('GRPC_PORT'));
      }
      if (isWorker) return;
      const keys = list(get(doc, 'spec.template.spec.topologySpreadConstraints'), name).map((constraint) => get(constraint, 'topologyKey'));
      expect(keys, `${name} spreads over zones and nodes`).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      expect(get(doc, 'spec.replicas'), `${name}: replicas left to the autoscaler`).toBeUndefined();
      expect(Number(get(hpaOf(name)?.doc, 'spec.minReplicas')), `${name}: an autoscaler`).toBeGreaterThanOrEqual(1);
    });
  }

  for (const { name, doc } of workloads) {
    for (const container of containersOf(doc, name)) {
      const process = processOfImage(str(container.image, name));
      const dir = serviceDirOf(process);
      it(`${String(doc.kind)} ${name}: environment matches services/${dir}/src/config.ts`, () => {
        const { env, problems } = containerEnv(container, name);
        // A migration Job talks to its database only.
        const exempt = doc.kind === 'Job' ? ['REDIS_URL', 'AMQP_URL'] : [];
        expect([...problems, ...envProblems(dir, env, exempt)]).toEqual([]);
        expect(env.get('HOST'), 'containers listen on the pod address').toBe('0.0.0.0');
      });
    }
  }

  it('addresses of other services point at a Service port that reaches the right container port', () => {
    const problems: string[] = [];
    for (const { name, doc } of deployments) {
      for (const container of containersOf(doc, name)) {
        for (const [variable, value] of containerEnv(container, name).env) {
          if (/^(REDIS_URL|AMQP_URL|\w+_DATABASE_URL)$/.test(variable)) {
            const host = new URL(value).hostname.split('.')[0] ?? '';
            const known = [
              ...k8sServices.map((service) => service.name),
              ...named('Cluster').map((cluster) => `${cluster.name}-rw`),
              'parley-redis-master',
              ...named('RabbitmqCluster').map((cluster) => cluster.name),
            ];
            if (!known.includes(host)) problems.push(`${name}.${variable}: no Service ${host} (nor one an operator creates)`);
            continue;
          }
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
          const containerPort = backendContainer
            ? portsOf(backendContainer, '').find((p) => p.name === get(port, 'targetPort') || p.number === get(port, 'targetPort'))
            : undefined;
          if (String(containerPort?.number) !== listens)
            problems.push(
              `${name}.${variable}: ${target.host}:${target.port} reaches container port ${String(containerPort?.number)}, the process listens on ${String(listens)}`,
            );
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
        if (!ports.some((p) => p.name === target || p.number === target))
          problems.push(`Service ${name}: targetPort ${String(target)} is not a containerPort of ${backend.name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('autoscales every stateless service: CPU for the HTTP ones, open sockets (and CPU) for notifications', () => {
    const stateless = deployments.filter(({ name }) => !name.endsWith('-worker')).map(({ name }) => name);
    expect(hpas.map(({ doc }) => str(get(doc, 'spec.scaleTargetRef.name'), 'hpa')).sort()).toEqual([...stateless].sort());
    for (const { name, doc } of hpas) {
      const metrics = list(get(doc, 'spec.metrics'), name);
      expect(
        metrics.some((metric) => get(metric, 'resource.name') === 'cpu'),
        `${name} scales on CPU`,
      ).toBe(true);
      expect(Number(get(doc, 'spec.maxReplicas'))).toBeGreaterThanOrEqual(Number(get(doc, 'spec.minReplicas')));
    }
    const sockets = list(get(hpaOf('notifications')?.doc, 'spec.metrics'), 'notifications').find((metric) => get(metric, 'type') === 'Pods');
    expect(get(sockets, 'pods.metric.name')).toBe(SOCKET_METRIC);
  });

  it('the socket metric the autoscaler uses is exported by notifications and named by the Prometheus Adapter rule', () => {
    const exported = readFileSync(join(repoRoot, 'packages/kit/src/metrics.ts'), 'utf8');
    expect(exported).toContain(`'${SOCKET_METRIC}'`);
    const adapter = parseYaml(join(k8sDir, 'prometheus-adapter', 'rules.yaml')).docs[0];
    const rules = list(get(parseDocument(str(obj(get(adapter, 'data'), 'adapter data')['config.yaml'], 'adapter')).toJS(), 'rules'), 'rules');
    expect(rules.map((rule) => get(rule, 'name.as'))).toContain(SOCKET_METRIC);
    expect(rules.map((rule) => str(get(rule, 'seriesQuery'), 'rule')).join()).toContain(SOCKET_METRIC);
  });

  it('a PodDisruptionBudget covers every autoscaled Deployment, none the single-replica worker', () => {
    const covered = named('PodDisruptionBudget').map(({ name, doc }) => {
      const target = deployments.find((deployment) => labelsMatch(get(doc, 'spec.selector.matchLabels'), get(deployment.doc, 'spec.template.metadata.labels')));
      expect(target, `PodDisruptionBudget ${name} selects a Deployment`).toBeDefined();
      return target?.name;
    });
    expect([...covered].sort()).toEqual(hpas.map(({ doc }) => get(doc, 'spec.scaleTargetRef.name')).sort());
  });

  it('a migration Job per service database, with the service image, running its migrate-main', () => {
    const clusters = named('Cluster').map(({ name }) => name);
    const migrated = jobs.map(({ name, doc }) => {
      const container = containersOf(doc, name)[0] ?? {};
      const process = processOfImage(str(container.image, name));
      const command = list(container.command, name).map((part) => str(part, name));
      expect(command.join(' '), name).toBe(`node services/${process}/dist/migrate-main.js`);
      expect(existsSync(join(repoRoot, `services/${process}/src/migrate-main.ts`)), `${name}: services/${process}/src/migrate-main.ts`).toBe(true);
      expect(obj(get(doc, 'metadata.labels'), name)['parley.dev/phase']).toBeUndefined();
      expect(get(doc, 'metadata.labels')).toMatchObject({ 'app.kubernetes.io/component': 'migration' });
      return `parley-${process}-db`;
    });
    expect(migrated.sort()).toEqual(clusters.sort());
    // The pipeline's last apply selects the rollout phase: every Deployment, nothing else.
    const rollout = objects.filter(({ doc }) => get(doc, 'metadata.labels') && (get(doc, 'metadata.labels') as Obj)['parley.dev/phase'] === 'rollout');
    expect(rollout.map(({ doc }) => doc.kind)).toEqual(deployments.map(() => 'Deployment'));
  });

  it('backs every database up to object storage daily, and runs the stateful parts through their operators', () => {
    for (const { name, doc } of named('Cluster')) {
      expect(get(doc, 'spec.backup.barmanObjectStore.destinationPath'), name).toMatch(/^s3:\/\//);
      expect(
        named('ScheduledBackup').some(({ doc: backup }) => get(backup, 'spec.cluster.name') === name),
        `${name} ScheduledBackup`,
      ).toBe(true);
    }
    expect(named('StatefulSet')).toEqual([]);
    expect(named('RabbitmqCluster')).toHaveLength(1);
    expect(str(get(named('RabbitmqCluster')[0]?.doc, 'spec.rabbitmq.additionalConfig'), 'rabbitmq')).toMatch(/^default_queue_type = quorum$/m);
    expect(named('RedisReplication')).toHaveLength(1);
    expect(named('RedisSentinel')).toHaveLength(1);
  });

  describe('NetworkPolicies', () => {
    const policies = named('NetworkPolicy');
    /** Label sets of the pods a policy's podSelector picks, among the given candidates. */
    const selects = (selector: unknown, labels: Obj) => {
      const matchLabels = get(selector, 'matchLabels');
      const expressions = list(get(selector, 'matchExpressions'), 'matchExpressions');
      if (!isObj(matchLabels) && expressions.length === 0) return true;
      if (isObj(matchLabels) && !Object.entries(matchLabels).every(([key, value]) => labels[key] === value)) return false;
      return expressions.every(
        (expression) => get(expression, 'operator') === 'In' && list(get(expression, 'values'), 'values').includes(labels[str(get(expression, 'key'), 'key')]),
      );
    };
    /** The app names a set of pods (by labels) admits from the namespace, and the namespaces it admits. */
    function admitted(labels: Obj): { apps: Set<string>; namespaces: Set<string>; ownPods: boolean } {
      const apps = new Set<string>();
      const namespaces = new Set<string>();
      let ownPods = false;
      for (const { doc } of policies.filter(({ doc }) => selects(get(doc, 'spec.podSelector'), labels))) {
        for (const rule of list(get(doc, 'spec.ingress'), 'ingress')) {
          for (const peer of list(get(rule, 'from'), 'from')) {
            const namespaceLabels = get(peer, 'namespaceSelector.matchLabels');
            if (isObj(namespaceLabels)) namespaces.add(str(namespaceLabels['kubernetes.io/metadata.name'], 'namespaceSelector'));
            const selector = get(peer, 'podSelector');
            if (!isObj(selector)) continue;
            if (selects(selector, labels)) ownPods = true;
            for (const app of [...IMAGE_PROCESSES, ...jobs.map((job) => job.name)]) if (selects(selector, { 'app.kubernetes.io/name': app })) apps.add(app);
          }
        }
      }
      return { apps, namespaces, ownPods };
    }

    it('deny by default, and the ingress controller reaches the gateway only', () => {
      expect(
        policies.some(
          ({ doc }) =>
            isObj(get(doc, 'spec.podSelector')) &&
            Object.keys(get(doc, 'spec.podSelector') as Obj).length === 0 &&
            list(get(doc, 'spec.ingress'), 'ingress').length === 0,
        ),
      ).toBe(true);
      for (const { name } of deployments) {
        const { namespaces } = admitted({ 'app.kubernetes.io/name': name });
        expect(namespaces.has('ingress-nginx'), `${name} reachable from ingress-nginx`).toBe(name === 'gateway');
      }
    });

    it('each database is reachable only from its own service (the workloads that read its Secret), its instances and the operator', () => {
      for (const { name } of named('Cluster')) {
        const readers = workloads.filter(({ doc, name: workload }) =>
          containersOf(doc, workload).some((container) =>
            list(container.env, workload).some((entry) => get(entry, 'valueFrom.secretKeyRef.name') === `${name}-app`),
          ),
        );
        const { apps, namespaces, ownPods } = admitted({ 'cnpg.io/cluster': name });
        expect([...apps].sort(), name).toEqual(readers.map((reader) => reader.name).sort());
        expect(ownPods, `${name} replication`).toBe(true);
        expect([...namespaces].sort(), name).toEqual(['cnpg-system', 'monitoring']);
      }
    });

    it('Redis and RabbitMQ are reachable only from the services whose settings name them', () => {
      const users = (variable: string) =>
        deployments
          .filter(({ doc, name }) => containersOf(doc, name).some((container) => containerEnv(container, name).env.get(variable)))
          .map(({ name }) => name)
          .sort();
      expect([...admitted({ app: 'parley-redis' }).apps].sort()).toEqual(users('REDIS_URL'));
      expect([...admitted({ 'app.kubernetes.io/name': 'parley-rabbitmq' }).apps].sort()).toEqual(users('AMQP_URL'));
    });

    it('each service is reachable from the services that name it, and its metrics port from the monitoring namespace', () => {
      for (const { name } of deployments) {
        if (name.endsWith('-worker')) continue;
        const callers = deployments
          .filter(({ doc, name: caller }) =>
            containersOf(doc, caller).some((container) =>
              [...containerEnv(container, caller).env].some(([variable, value]) => hostPort(variable, value)?.host === name),
            ),
          )
          .map(({ name: caller }) => caller);
        expect([...admitted({ 'app.kubernetes.io/name': name }).apps].sort(), name).toEqual(callers.sort());
      }
      for (const { name } of deployments) expect(admitted({ 'app.kubernetes.io/name': name }).namespaces.has('monitoring'), name).toBe(true);
    });
  });

  it('a ServiceMonitor per process scrapes the metrics port of a Service that selects it', () => {
    const monitors = named('ServiceMonitor');
    for (const { name, doc } of deployments) {
      const services = k8sServices.filter(({ doc: service }) => labelsMatch(get(service, 'spec.selector'), get(doc, 'spec.template.metadata.labels')));
      const monitor = monitors.find(({ doc: candidate }) =>
        services.some(({ doc: service }) => labelsMatch(get(candidate, 'spec.selector.matchLabels'), get(service, 'metadata.labels'))),
      );
      expect(monitor, `${name} ServiceMonitor`).toBeDefined();
      const ports = list(get(monitor?.doc, 'spec.endpoints'), 'endpoints').map((endpoint) => get(endpoint, 'port'));
      expect(ports, name).toEqual(['metrics']);
      expect(
        services.some(({ doc: service }) => list(get(service, 'spec.ports'), 'ports').some((port) => get(port, 'name') === 'metrics')),
        `${name} Service has a metrics port`,
      ).toBe(true);
    }
  });

  it("mounts the messages-files claim at messages' FILES_DIR, ReadWriteMany while messages may run several replicas", () => {
    const messages = deployments.find(({ name }) => name === 'messages');
    expect(messages).toBeDefined();
    if (!messages) return;
    const container = containersOf(messages.doc, 'messages')[0] ?? {};
    const filesDir = containerEnv(container, 'messages').env.get('FILES_DIR');
    const mount = list(container.volumeMounts, 'volumeMounts').find((candidate) => get(candidate, 'mountPath') === filesDir);
    const volume = list(get(messages.doc, 'spec.template.spec.volumes'), 'volumes').find((candidate) => get(candidate, 'name') === get(mount, 'name'));
    const claim = named('PersistentVolumeClaim').find(({ name }) => name === get(volume, 'persistentVolumeClaim.claimName'));
    expect(claim, `a PersistentVolumeClaim mounted at ${String(filesDir)}`).toBeDefined();
    if (Number(get(hpaOf('messages')?.doc, 'spec.maxReplicas')) > 1) expect(get(claim?.doc, 'spec.accessModes')).toContain('ReadWriteMany');
  });

  it('the Ingresses send everything to the gateway, /ws with websocket-friendly timeouts', () => {
    const paths = named('Ingress').flatMap(({ name, doc }) =>
      list(get(doc, 'spec.rules'), name).flatMap((rule) =>
        list(get(rule, 'http.paths'), name).map((path) => ({
          ingress: name,
          annotations: obj(get(doc, 'metadata.annotations') ?? {}, name),
          path: get(path, 'path'),
          pathType: get(path, 'pathType'),
          service: get(path, 'backend.service.name'),
          port: get(path, 'backend.service.port.name'),
        })),
      ),
    );
    expect(paths.map((path) => path.path).sort()).toEqual(['/', '/ws']);
    for (const path of paths) expect([path.service, path.port, path.pathType]).toEqual(['gateway', 'http', 'Prefix']);
    const ws = paths.find((path) => path.path === '/ws');
    for (const annotation of ['nginx.ingress.kubernetes.io/proxy-read-timeout', 'nginx.ingress.kubernetes.io/proxy-send-timeout']) {
      expect(Number(ws?.annotations[annotation]), annotation).toBeGreaterThanOrEqual(3600);
    }
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
