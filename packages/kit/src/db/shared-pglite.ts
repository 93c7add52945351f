import type { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable } from '../ports.ts';
import { busyCounter, startPglite, wrapPglite } from './pglite.ts';

/** One embedded database for every service of the process, each confined to its own schema. */
export interface SharedPglite {
  /**
   * The service's database: its own schema (named after it) and role, created on first open.
   * Its statements see only its schema (search_path) and may touch nothing outside it (the
   * role's privileges), as if it had a database of its own.
   */
  open(service: string): Promise<Db>;
  /** Creates the service's schema and role if missing (open does it too), for work on them as the owner. */
  ensureSchema(service: string): Promise<void>;
  /**
   * Runs fn as the database's owner (a superuser, nothing confined) with the one connection to
   * itself: for work across schemas, such as importing the data folders of earlier versions.
   */
  asOwner<T>(fn: (lite: PGlite) => Promise<T>): Promise<T>;
  /** Closes the instance now (it also closes by itself once every service's Db is closed). */
  close(): Promise<void>;
}

/** Lower-case identifiers only, so a name goes into SQL as it is; never PostgreSQL's own schemas and roles. */
const SERVICE_NAME = /^[a-z][a-z0-9_]{0,40}$/;
const RESERVED = new Set(['public', 'extensions', 'information_schema', 'postgres']);

/** Where extensions live, readable by every service (a second CREATE EXTENSION elsewhere is a no-op, not a copy). */
const SETUP = `
  CREATE SCHEMA IF NOT EXISTS extensions;
  CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA extensions;
  GRANT USAGE ON SCHEMA extensions TO PUBLIC;
  REVOKE CREATE ON SCHEMA public FROM PUBLIC`;

const schemaAndRole = (service: string) => `
  DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${service}') THEN CREATE ROLE ${service} NOLOGIN; END IF;
  END $$;
  CREATE SCHEMA IF NOT EXISTS ${service} AUTHORIZATION ${service}`;

/** Runs work one after another, in the order asked. */
function serialQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * `npm start`'s database: one PGlite instance (a data folder, or memory when dataDir is
 * undefined) holding one schema per service, instead of one instance per service. Each PGlite
 * instance costs ~190 MB of WASM memory however little it holds; four were most of standalone
 * mode's memory (bench/RESULTS.md, "Standalone memory").
 *
 * Confinement: every service has a role of its own that owns its schema and nothing else (no
 * CREATE on the database or on `public`, no USAGE on other schemas). Before a service's
 * statement or transaction the one connection takes that role and `search_path = <service>,
 * extensions`, so unqualified names resolve in its schema (its migrations' tables, its own
 * `schema_migrations`, its functions and types), and a qualified name of another service's
 * table fails with "permission denied". It guards against mistakes, not against code that runs
 * `RESET ROLE` on purpose: every service runs in the same process anyway.
 *
 * PGlite has one connection: every service's statements and transactions take turns through
 * one queue, and a transaction holds it from BEGIN to COMMIT, so transactions of different
 * services never interleave and the role switch always happens between them. What that asks
 * of the services: a transaction must not wait on another service (a gRPC call, an event
 * handler's completion), or the two wait on each other. None does: remote calls come before or
 * after the transaction, and the outbox relay's publish returns before delivery.
 */
export async function createSharedPglite(dataDir?: string): Promise<SharedPglite> {
  const lite = await startPglite(dataDir);
  await lite.exec(SETUP);
  const serial = serialQueue();
  const busy = busyCounter();
  /** Whose role and search_path the connection has now: a service, or undefined for the owner. */
  let current: string | undefined;
  let openDbs = 0;

  const become = async (service: string | undefined) => {
    if (current === service) return;
    // On its own, outside any transaction: set with the statement it precedes, an error in
    // that statement would undo it.
    await lite.exec(service ? `SET ROLE ${service}; SET search_path TO ${service}, extensions` : 'RESET ROLE; RESET search_path');
    current = service;
  };
  const as = <T>(service: string | undefined, work: () => Promise<T>): Promise<T> =>
    busy.counted(() =>
      serial(async () => {
        if (lite.closed) throw new Error('the embedded database is closed');
        await become(service);
        return work();
      }),
    );
  const close = () => serial(async () => (lite.closed ? undefined : lite.close()));
  const ensureSchema = async (service: string) => {
    if (!SERVICE_NAME.test(service) || RESERVED.has(service) || service.startsWith('pg_')) {
      throw new Error(`"${service}" cannot name a schema: lower-case letters, digits and _ only, not a PostgreSQL name`);
    }
    await as(undefined, () => lite.exec(schemaAndRole(service)));
  };

  return {
    ensureSchema,
    async open(service) {
      await ensureSchema(service);
      openDbs++;
      let closed = false;
      const direct = wrapPglite(lite);
      const whileOpen = <T>(work: () => Promise<T>): Promise<T> => (closed ? Promise.reject(new Error(`${service}'s database is closed`)) : as(service, work));
      return {
        kind: 'pglite',
        query: <Row>(sql: string, params?: readonly unknown[]) => whileOpen(() => direct.query<Row>(sql, params)),
        transaction: <T>(fn: (tx: Queryable) => Promise<T>) => whileOpen(() => lite.transaction<T>((tx) => fn(wrapPglite(tx)))),
        // The one connection's figures: the services wait for it together.
        poolStats: busy.stats,
        async ping() {
          return !closed && !lite.closed;
        },
        async close() {
          if (closed) return;
          closed = true;
          if (--openDbs === 0) await close();
        },
      };
    },
    asOwner: (fn) => as(undefined, () => fn(lite)),
    close,
  };
}
