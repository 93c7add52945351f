/** The test-side kustomize renderer and schema validation: they must catch what they claim to. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateObject } from './lib/k8s-schemas.ts';
import { render, strategicMerge } from './lib/kustomize.ts';

const scratch = mkdtempSync(join(tmpdir(), 'parley-kustomize-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(join(scratch, path, '..'), { recursive: true });
  writeFileSync(join(scratch, path), text);
}

describe('render (deploy/test/lib/kustomize.ts)', () => {
  write('base/kustomization.yaml', 'resources: [app.yaml]\nlabels:\n  - pairs: { team: chat }\n    includeTemplates: true\n');
  write(
    'base/app.yaml',
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: web }',
      'spec:',
      '  selector: { matchLabels: { app: web } }',
      '  template:',
      '    metadata: { labels: { app: web } }',
      '    spec:',
      '      containers:',
      '        - { name: web, image: parley-web, env: [{ name: A, value: "1" }, { name: B, value: "2" }] }',
      '        - { name: side, image: busybox:1 }',
      '---',
      'apiVersion: v1',
      'kind: Namespace',
      'metadata: { name: ns }',
    ].join('\n'),
  );
  write(
    'overlay/kustomization.yaml',
    'namespace: prod\nresources: [../base]\nimages:\n  - { name: parley-web, newName: registry.example/web, newTag: abc123 }\npatches:\n  - path: patch.yaml\n',
  );
  write(
    'overlay/patch.yaml',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  template:\n    spec:\n      containers:\n        - { name: web, env: [{ name: B, value: "3" }, { name: C, value: "4" }] }\n',
  );

  const [deployment, namespace] = render(join(scratch, 'overlay'));

  it('sets the namespace on namespaced objects only, adds labels to objects and pod templates', () => {
    expect(deployment?.metadata.namespace).toBe('prod');
    expect(namespace?.metadata.namespace).toBeUndefined();
    expect(deployment?.metadata.labels).toEqual({ team: 'chat' });
    expect(deployment).toMatchObject({ spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', team: 'chat' } } } } });
  });

  it('maps image names and merges containers and env by name', () => {
    expect(deployment).toMatchObject({
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'web',
                image: 'registry.example/web:abc123',
                env: [
                  { name: 'A', value: '1' },
                  { name: 'B', value: '3' },
                  { name: 'C', value: '4' },
                ],
              },
              { name: 'side', image: 'busybox:1' },
            ],
          },
        },
      },
    });
  });

  it('replaces lists without a merge key, deletes keys patched to null', () => {
    expect(strategicMerge({ args: ['a', 'b'], keep: 1, drop: 2 }, { args: ['c'], drop: null })).toEqual({ args: ['c'], keep: 1 });
  });

  it('refuses what it does not implement, and patches of missing objects', () => {
    write('bad/kustomization.yaml', 'resources: []\nconfigMapGenerator: []\n');
    expect(() => render(join(scratch, 'bad'))).toThrow(/configMapGenerator not supported/);
    write('missing/kustomization.yaml', 'resources: [../base]\npatches:\n  - path: p.yaml\n');
    write('missing/p.yaml', 'apiVersion: v1\nkind: Service\nmetadata: { name: nope }\n');
    expect(() => render(join(scratch, 'missing'))).toThrow(/no Service nope/);
  });
});

describe('validateObject (deploy/test/lib/k8s-schemas.ts)', () => {
  it('rejects a wrong type in a Kubernetes kind, a CloudNativePG Cluster and a hand-kept CRD subset', async () => {
    expect(
      await validateObject({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'x' },
        spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 'ten' },
      }),
    ).not.toEqual([]);
    expect(await validateObject({ apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'db' }, spec: { instances: 'three' } })).not.toEqual([]);
    expect(await validateObject({ apiVersion: 'rabbitmq.com/v1beta1', kind: 'RabbitmqCluster', metadata: { name: 'mq' }, spec: { replicaz: 3 } })).not.toEqual([]);
  });

  it('accepts a valid object, and refuses a kind it has no schema for', async () => {
    expect(await validateObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { A: 'b' } })).toEqual([]);
    expect(await validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } })).toEqual(['no schema for example.com/v1 Widget']);
  });
});
