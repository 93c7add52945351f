/**
 * A reader of deploy/docker/Dockerfile for the tests: stages, their instructions, and what a
 * target image is made of (files copied, environment, command). Only the syntax that file uses:
 * `FROM x AS name`, line continuations, comments, JSON-form CMD/HEALTHCHECK, ENV KEY=value.
 */
import { readFileSync } from 'node:fs';

export interface Instruction {
  op: string;
  args: string;
}
export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}
/** `COPY [--from=stage] [--chmod=..] source... destination`. */
export interface Copy {
  from: string | undefined;
  sources: string[];
  destination: string;
}
export interface Target {
  name: string;
  /** This stage and the stages it is built FROM, base first. */
  chain: Stage[];
  env: Record<string, string>;
  copies: Copy[];
  cmd: string[];
  healthcheck: string[];
  user: string | undefined;
  labels: Record<string, string>;
}

export function parseDockerfile(file: string): { args: Record<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let current = '';
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && current === '')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [op = '', ...rest] = line.split(/\s+/);
    const body = rest.join(' ');
    if (op.toUpperCase() === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(body);
      if (!match) throw new Error(`Dockerfile: cannot read "${line}"`);
      const from = (match[1] ?? '').replace(/^\$\{(\w+)\}$/, (_all, name: string) => args[name] ?? '');
      stages.push({ name: match[2] ?? `stage-${stages.length}`, from, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) {
      if (op.toUpperCase() === 'ARG') Object.assign(args, keyValues(body));
      continue;
    }
    stage.instructions.push({ op: op.toUpperCase(), args: body });
  }
  return { args, stages };
}

/** `A=b C="d e"` → { A: 'b', C: 'd e' }; a bare `ARG NAME` gives ''. */
export function keyValues(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const match of text.matchAll(/([\w.-]+)(?:=("(?:[^"\\]|\\.)*"|\S*))?/g)) {
    const value = match[2] ?? '';
    values[match[1] ?? ''] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
  }
  return values;
}

function parseCopy(args: string): Copy {
  const words = args.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift() ?? '';
    if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
  }
  const destination = words.pop() ?? '';
  return { from, sources: words, destination };
}

export function stageNamed(stages: Stage[], name: string): Stage {
  const stage = stages.find((candidate) => candidate.name === name);
  if (!stage) throw new Error(`Dockerfile: no stage ${name}`);
  return stage;
}

export function resolveTarget(stages: Stage[], name: string): Target {
  const chain: Stage[] = [];
  for (let stage: Stage | undefined = stageNamed(stages, name); stage; stage = stages.find((candidate) => candidate.name === stage?.from)) chain.unshift(stage);
  const target: Target = { name, chain, env: {}, copies: [], cmd: [], healthcheck: [], user: undefined, labels: {} };
  for (const { op, args } of chain.flatMap((stage) => stage.instructions)) {
    if (op === 'ENV') Object.assign(target.env, keyValues(args));
    else if (op === 'LABEL') Object.assign(target.labels, keyValues(args));
    else if (op === 'COPY') target.copies.push(parseCopy(args));
    else if (op === 'CMD') target.cmd = JSON.parse(args) as string[];
    else if (op === 'USER') target.user = args;
    else if (op === 'HEALTHCHECK') target.healthcheck = JSON.parse(args.slice(args.indexOf('CMD ') + 4)) as string[];
  }
  return target;
}

/** The RUN instructions of a stage, as written. */
export const runsOf = (stage: Stage): string[] => stage.instructions.filter((instruction) => instruction.op === 'RUN').map((instruction) => instruction.args);

/** A RUN line without its BuildKit flags (`--mount=...`). */
export const withoutRunFlags = (run: string): string => run.replace(/^(--\S+\s+)+/, '');
