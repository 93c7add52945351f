/**
 * The pipeline (.github/workflows/*.yml) and .ci/run, without a Git host:
 *
 *   - every workflow parses and validates against GitHub's own workflow schema
 *     (@actions/workflow-parser, the parser and schema of GitHub's Actions language services);
 *   - every command a `run:` step starts exists: `npm run X` / `npm test` name a script of the
 *     root package.json, `bash file` names a file of the repository, anything else is a tool the
 *     job installs or the runner has (listed below, with where it comes from);
 *   - .ci/run and the workflow run the same npm scripts, so they cannot drift apart;
 *   - pushes to main build one image per Dockerfile target and deploy through an environment.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IMAGE_PROCESSES } from './lib/repo.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const workflowsDir = join(repoRoot, '.github', 'workflows');
const workflows = readdirSync(workflowsDir).filter((file) => /\.ya?ml$/.test(file));
const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** Commands a step may start besides npm and bash <file>: what the runner image or an earlier step provides. */
const TOOLS: Record<string, string> = {
  kubectl: 'azure/setup-kubectl',
  kustomize: 'imranismail/setup-kustomize',
};

type Step = { run?: string; uses?: string; name?: string; with?: Record<string, string> };
type Job = { steps?: Step[]; needs?: string | string[]; environment?: string | { name: string }; if?: string; strategy?: { matrix?: Record<string, unknown> } };
const parsed = new Map(workflows.map((file) => [file, parse(readFileSync(join(workflowsDir, file), 'utf8')) as { jobs: Record<string, Job> }]));

/** The commands of a shell snippet: first word of each line, and after && / || / ; / |. */
function commandsOf(script: string): string[][] {
  return script
    .split('\n')
    .flatMap((line) => line.replace(/#.*$/, '').split(/&&|\|\||;|\|/))
    .map((part) => part.trim().split(/\s+/).filter(Boolean))
    .filter((words) => words.length > 0);
}
/** The npm scripts a snippet runs (`npm test` is the script test). */
const npmScriptsOf = (script: string) =>
  commandsOf(script)
    .filter(([command]) => command === 'npm')
    .map(([, verb, name]) => (verb === 'run' ? name : verb === 'test' ? 'test' : undefined))
    .filter((name): name is string => Boolean(name));

describe('.github/workflows', () => {
  it('has the pipeline', () => {
    expect(workflows).toContain('ci.yml');
  });

  async function schemaErrors(name: string, content: string): Promise<string[]> {
    const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
    if (!result.value) return result.context.errors.getErrors().map((error) => error.message);
    const template = await convertWorkflowTemplate(result.context, result.value);
    return [...result.context.errors.getErrors(), ...(template.errors ?? [])].map((error) => (error as { message?: string }).message ?? JSON.stringify(error));
  }

  it.each(workflows)('%s validates against the GitHub workflow schema', async (file) => {
    expect(await schemaErrors(file, readFileSync(join(workflowsDir, file), 'utf8'))).toEqual([]);
  });

  it('the schema check catches an unknown key and a job without runs-on', async () => {
    expect(await schemaErrors('bad.yml', 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    stepz: []\n')).not.toEqual([]);
    expect(await schemaErrors('bad.yml', 'on: push\njobs:\n  a:\n    steps:\n      - run: echo\n')).not.toEqual([]);
  });

  it('every run: step starts an npm script, a repository file or a tool that exists', () => {
    const problems: string[] = [];
    for (const [file, workflow] of parsed) {
      for (const [jobName, job] of Object.entries(workflow.jobs)) {
        for (const step of job.steps ?? []) {
          if (!step.run) continue;
          for (const [command = '', ...args] of commandsOf(step.run)) {
            const where = `${file} ${jobName}: ${command} ${args.join(' ')}`;
            if (command === 'npm') {
              const [verb, name] = args;
              if (verb === 'run' && !(name && name in scripts)) problems.push(`${where}: no script ${String(name)} in package.json`);
              else if (verb === 'test' && !('test' in scripts)) problems.push(`${where}: no test script`);
              else if (!['run', 'test', 'ci'].includes(verb ?? '')) problems.push(`${where}: unexpected npm ${String(verb)}`);
            } else if (command === 'bash') {
              if (!existsSync(join(repoRoot, args[0] ?? ''))) problems.push(`${where}: no file ${String(args[0])}`);
            } else if (!(command in TOOLS)) {
              problems.push(`${where}: ${command} is neither an npm script, a repository file nor a known tool`);
            } else if (!(job.steps ?? []).some((candidate) => candidate.uses?.startsWith(TOOLS[command] ?? ''))) {
              problems.push(`${where}: ${command} comes from ${String(TOOLS[command])}, which the job does not use`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the files the workflow runs run the same way: every command in them exists too', () => {
    const files = [...parsed.values()].flatMap((workflow) =>
      Object.values(workflow.jobs).flatMap((job) =>
        (job.steps ?? [])
          .flatMap((step) => commandsOf(step.run ?? ''))
          .filter(([command]) => command === 'bash')
          .map(([, file]) => file ?? ''),
      ),
    );
    for (const file of files) {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      expect(text.startsWith('#!/usr/bin/env bash'), file).toBe(true);
      expect(text, file).toContain('set -euo pipefail');
    }
  });

  it('.ci/run and the workflow run the same npm scripts', () => {
    const ciRun = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
    const fromCi = new Set(npmScriptsOf(ciRun));
    const fromWorkflow = new Set(
      [...parsed.values()].flatMap((workflow) => Object.values(workflow.jobs).flatMap((job) => (job.steps ?? []).flatMap((step) => npmScriptsOf(step.run ?? '')))),
    );
    expect([...fromWorkflow].sort()).toEqual([...fromCi].sort());
    for (const name of fromCi) expect(scripts, `.ci/run: npm script ${name}`).toHaveProperty(name);
    // Both install Chromium for the browser tests the same way.
    expect(ciRun).toContain('bash scripts/ensure-chromium.sh');
  });

  it('on main: one image per Dockerfile target tagged by commit, then a deploy gated on the production environment', () => {
    const { jobs } = parsed.get('ci.yml') ?? { jobs: {} };
    const images = jobs.images;
    expect(images?.if).toContain("github.ref == 'refs/heads/main'");
    expect(images?.strategy?.matrix?.process).toEqual([...IMAGE_PROCESSES]);
    const push = images?.steps?.find((step) => step.uses?.startsWith('docker/build-push-action'));
    expect(push?.with?.target).toBe('${{ matrix.process }}');
    expect(push?.with?.tags).toContain('${{ github.sha }}');
    expect(push?.with?.['build-args']).toContain('REVISION=${{ github.sha }}');
    expect([images?.needs].flat().sort()).toEqual(['build', 'e2e', 'real-servers', 'unit']);
    const deploy = jobs.deploy;
    expect(deploy?.needs).toEqual(['images']);
    expect(typeof deploy?.environment === 'object' ? deploy.environment.name : deploy?.environment).toBe('production');
    expect(deploy?.steps?.map((step) => step.run).join('\n')).toContain('bash deploy/k8s/apply.sh prod');
  });
});
