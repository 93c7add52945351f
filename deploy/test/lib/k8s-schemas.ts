/**
 * Validation of one rendered Kubernetes object against the schema of its kind:
 *
 *   - Kubernetes' own kinds: `kubernetes-models` (Kubernetes 1.36 OpenAPI, compiled to ajv
 *     validators), module path = apiVersion/kind;
 *   - CloudNativePG and the Prometheus Operator: their @kubernetes-models packages (CRD schemas);
 *   - the RabbitMQ and Redis operators: the hand-transcribed subsets in ../schemas (ajv).
 *
 * A kind with no schema is a problem, not a pass.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';

type Obj = Record<string, unknown>;
interface Model {
  validate(): void;
}
type ModelClass = new (data: Obj) => Model;

const SCHEMA_FILES: Record<string, string> = {
  'rabbitmq.com/v1beta1/RabbitmqCluster': 'rabbitmqcluster.schema.json',
  'rabbitmq.com/v1beta1/User': 'rabbitmq-user.schema.json',
  'rabbitmq.com/v1beta1/Permission': 'rabbitmq-permission.schema.json',
  'redis.redis.opstreelabs.in/v1beta2/RedisReplication': 'redisreplication.schema.json',
  'redis.redis.opstreelabs.in/v1beta2/RedisSentinel': 'redissentinel.schema.json',
};
const CRD_PACKAGES: Record<string, string> = {
  'postgresql.cnpg.io': '@kubernetes-models/cloudnative-pg',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

const ajv = new Ajv({ allErrors: true, strict: false });
const schemaDir = join(import.meta.dirname, '..', 'schemas');

async function modelOf(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
  const module = group in CRD_PACKAGES ? `${CRD_PACKAGES[group]}/${apiVersion}/${kind}` : `kubernetes-models/${apiVersion}/${kind}`;
  try {
    const loaded = (await import(module)) as Record<string, unknown>;
    return loaded[kind] as ModelClass | undefined;
  } catch {
    return undefined;
  }
}

export async function validateObject(object: Obj): Promise<string[]> {
  const apiVersion = String(object.apiVersion);
  const kind = String(object.kind);
  const file = SCHEMA_FILES[`${apiVersion}/${kind}`];
  if (file) {
    const validate = ajv.getSchema(file) ?? (ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, file), 'utf8')) as Obj, file), ajv.getSchema(file));
    if (!validate) return [`cannot compile ${file}`];
    return validate(object) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
  }
  const Model = await modelOf(apiVersion, kind);
  if (!Model) return [`no schema for ${apiVersion} ${kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}
