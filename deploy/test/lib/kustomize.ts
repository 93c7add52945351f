/**
 * A small kustomize renderer, for the tests: no npm package renders kustomizations offline, and
 * the manifests use few of its features. Supported, with kustomize's meaning:
 *
 *   resources   files (every YAML document) and folders holding a kustomization.yaml
 *   namespace   set on every namespaced object (cluster-scoped kinds are left alone)
 *   labels      pairs added to metadata.labels, and to pod templates with includeTemplates
 *               (includeSelectors: true is refused)
 *   images      name → newName / newTag on the containers of pod templates
 *   patches     strategic-merge patches from a file (`path`), each document applied to the
 *               object of the same kind and name; lists of containers, env, ports, volumes and
 *               volumeMounts merge by their key, other lists are replaced
 *
 * Anything else in a kustomization.yaml makes render() throw, so a feature the renderer does not
 * implement cannot be silently ignored.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export type KObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};
type Obj = Record<string, unknown>;

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'labels', 'resources', 'images', 'patches']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'PriorityClass']);
/** Strategic-merge keys of the lists the patches touch (Kubernetes' patchMergeKey). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
};
const POD_TEMPLATE_PATHS: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

export function readYamlDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((error) => error.message).join('; ')}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

function asObject(value: unknown, where: string): KObject {
  if (!isObj(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || !isObj(value.metadata) || typeof value.metadata.name !== 'string') {
    throw new Error(`${where}: not a Kubernetes object (apiVersion, kind, metadata.name)`);
  }
  return value as KObject;
}

/** Renders the kustomization in dir, as `kustomize build dir` would for the features above. */
export function render(dir: string): KObject[] {
  const file = join(dir, 'kustomization.yaml');
  const kustomization = readYamlDocuments(file)[0];
  if (!isObj(kustomization)) throw new Error(`${file}: empty`);
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) throw new Error(`${file}: ${unsupported.join(', ')} not supported by deploy/test/lib/kustomize.ts`);

  let objects: KObject[] = [];
  for (const resource of (kustomization.resources as string[] | undefined) ?? []) {
    const path = join(dir, resource);
    if (statSync(path).isDirectory()) objects.push(...render(path));
    else objects.push(...readYamlDocuments(path).map((doc) => asObject(doc, path)));
  }

  for (const patch of (kustomization.patches as { path?: string }[] | undefined) ?? []) {
    if (!patch.path || Object.keys(patch).length !== 1) throw new Error(`${file}: only patches with a path are supported`);
    for (const doc of readYamlDocuments(join(dir, patch.path))) {
      const change = asObject(doc, patch.path);
      const index = objects.findIndex((object) => object.kind === change.kind && object.metadata.name === change.metadata.name);
      if (index < 0) throw new Error(`${patch.path}: no ${change.kind} ${change.metadata.name} to patch`);
      objects[index] = strategicMerge(objects[index], change) as KObject;
    }
  }

  if (typeof kustomization.namespace === 'string') {
    const namespace = kustomization.namespace;
    objects = objects.map((object) => (CLUSTER_SCOPED.has(object.kind) ? object : { ...object, metadata: { ...object.metadata, namespace } }));
  }

  for (const entry of (kustomization.labels as { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[] | undefined) ?? []) {
    if (entry.includeSelectors) throw new Error(`${file}: labels with includeSelectors are not supported`);
    for (const object of objects) {
      object.metadata.labels = { ...object.metadata.labels, ...entry.pairs };
      const template = entry.includeTemplates ? podTemplateOf(object) : undefined;
      if (template) {
        const metadata = isObj(template.metadata) ? template.metadata : (template.metadata = {});
        metadata.labels = { ...(isObj(metadata.labels) ? metadata.labels : {}), ...entry.pairs };
      }
    }
  }

  for (const image of (kustomization.images as { name: string; newName?: string; newTag?: string }[] | undefined) ?? []) {
    for (const object of objects) {
      const spec = podTemplateOf(object)?.spec;
      if (!isObj(spec)) continue;
      for (const container of [...((spec.containers as Obj[] | undefined) ?? []), ...((spec.initContainers as Obj[] | undefined) ?? [])]) {
        const [name, tag] = splitImage(String(container.image));
        if (name !== image.name) continue;
        container.image = `${image.newName ?? name}${image.newTag ? `:${image.newTag}` : tag ? `:${tag}` : ''}`;
      }
    }
  }
  return objects;
}

export function podTemplateOf(object: Obj): Obj | undefined {
  const path = POD_TEMPLATE_PATHS[String(object.kind)];
  let current: unknown = object;
  for (const key of path ?? []) current = isObj(current) ? current[key] : undefined;
  return path && isObj(current) ? current : undefined;
}

function splitImage(image: string): [string, string | undefined] {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, undefined];
}

/** Kubernetes' strategic merge patch, for the list keys of MERGE_KEYS; a copy, the inputs untouched. */
export function strategicMerge(target: unknown, patch: unknown, key?: string): unknown {
  if (isObj(target) && isObj(patch)) {
    const merged: Obj = { ...target };
    for (const [name, value] of Object.entries(patch)) merged[name] = value === null ? undefined : strategicMerge(target[name], value, name);
    return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
  }
  const mergeKey = key ? MERGE_KEYS[key] : undefined;
  if (Array.isArray(target) && Array.isArray(patch) && mergeKey) {
    const merged = target.map((item: unknown) => {
      const change = (patch as unknown[]).find((candidate) => isObj(candidate) && isObj(item) && candidate[mergeKey] === item[mergeKey]);
      return change === undefined ? item : strategicMerge(item, change);
    });
    for (const item of patch as unknown[]) {
      if (!target.some((existing: unknown) => isObj(existing) && isObj(item) && existing[mergeKey] === item[mergeKey])) merged.push(item);
    }
    return merged;
  }
  return structuredClone(patch);
}

/** Is an object of this path a kustomization folder? (dirname for callers that hold a file.) */
export const kustomizationDir = (file: string) => dirname(file);
