import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureWebBuilt, type WebBuildOptions } from '../src/web-build.ts';

/** A fake `vite build`: writes an index.html naming the build, counts its runs, can fail half-way. */
function fakeBuilder() {
  const runs: string[] = [];
  let failNext = false;
  const build = async (_webDir: string, outDir: string) => {
    runs.push(outDir);
    mkdirSync(join(outDir, 'assets'), { recursive: true });
    writeFileSync(join(outDir, 'assets', 'index-1.js'), 'x');
    if (failNext) {
      failNext = false;
      throw new Error('vite build exited with 1');
    }
    writeFileSync(join(outDir, 'index.html'), `build ${runs.length}`);
  };
  return { build, runs, failOnce: () => (failNext = true) };
}

describe('ensureWebBuilt (npm start builds the web app when needed)', () => {
  let root: string;
  let webDir: string;
  let distDir: string;
  let lines: string[];
  let builder: ReturnType<typeof fakeBuilder>;
  let options: WebBuildOptions;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'parley-web-build-'));
    webDir = join(root, 'web');
    distDir = join(webDir, 'dist');
    mkdirSync(join(webDir, 'src'), { recursive: true });
    writeFileSync(join(webDir, 'package.json'), '{}');
    writeFileSync(join(webDir, 'src', 'main.tsx'), 'v1');
    lines = [];
    builder = fakeBuilder();
    options = { webDir, distDir, extraSources: [], log: (line) => lines.push(line), build: builder.build };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const past = (path: string, secondsAgo: number) => {
    const when = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(path, when, when);
  };
  const leftovers = () => readdirSync(webDir).filter((name) => name.startsWith('.dist-'));

  it('builds when there is no build yet, says so, and then skips while the sources are unchanged', async () => {
    expect(await ensureWebBuilt(options)).toBe('built');
    expect(readFileSync(join(distDir, 'index.html'), 'utf8')).toBe('build 1');
    expect(lines[0]).toMatch(/Building the web app \(not built yet\)/);
    expect(lines[1]).toMatch(/Web app built in [\d.]+ s \(\d+ KB\)/);
    expect(await ensureWebBuilt(options)).toBe('up-to-date');
    expect(builder.runs).toHaveLength(1);
    expect(leftovers()).toEqual([]);
  });

  it('rebuilds when a source file is newer than the build, or a file was removed', async () => {
    past(join(webDir, 'src', 'main.tsx'), 60);
    past(join(webDir, 'src'), 60);
    past(webDir, 60);
    await ensureWebBuilt(options);
    writeFileSync(join(webDir, 'src', 'main.tsx'), 'v2');
    expect(await ensureWebBuilt(options)).toBe('built');
    expect(lines).toContainEqual(expect.stringMatching(/sources changed since the last build/));
    expect(readFileSync(join(distDir, 'index.html'), 'utf8')).toBe('build 2');

    past(join(webDir, 'src'), 60);
    await ensureWebBuilt({ ...options, force: true });
    rmSync(join(webDir, 'src', 'main.tsx'));
    expect(await ensureWebBuilt(options)).toBe('built');
  });

  it('does not count its outputs, dependencies or tests as sources', async () => {
    await ensureWebBuilt(options);
    mkdirSync(join(webDir, 'node_modules', 'x'), { recursive: true });
    mkdirSync(join(webDir, 'e2e'), { recursive: true });
    writeFileSync(join(webDir, 'e2e', 'chat.e2e.ts'), 'test');
    writeFileSync(join(distDir, 'extra.txt'), 'x');
    expect(await ensureWebBuilt(options)).toBe('up-to-date');
  });

  it('leaves the previous build in place, and no half-written folder, when a build fails', async () => {
    await ensureWebBuilt(options);
    builder.failOnce();
    expect(await ensureWebBuilt({ ...options, force: true })).toBe('failed');
    expect(readFileSync(join(distDir, 'index.html'), 'utf8')).toBe('build 1');
    expect(lines.at(-1)).toMatch(/could not be built \(vite build exited with 1\); the previous build is served/);
    expect(leftovers()).toEqual([]);
  });

  it('leaves no dist at all when the first build fails, so the gateway keeps its status page', async () => {
    builder.failOnce();
    expect(await ensureWebBuilt(options)).toBe('failed');
    expect(existsSync(distDir)).toBe(false);
    expect(lines.at(-1)).toMatch(/status page/);
    expect(leftovers()).toEqual([]);
  });

  it("takes a build made by the app's own npm run build (no stamp) as up to date until a source changes", async () => {
    for (const path of ['package.json', 'src/main.tsx', 'src']) past(join(webDir, path), 60);
    mkdirSync(distDir);
    writeFileSync(join(distDir, 'index.html'), 'own build');
    past(join(distDir, 'index.html'), 30);
    expect(await ensureWebBuilt(options)).toBe('up-to-date');
    writeFileSync(join(webDir, 'src', 'main.tsx'), 'v2');
    expect(await ensureWebBuilt(options)).toBe('built');
  });

  it('does nothing in a checkout without the web app', async () => {
    rmSync(join(webDir, 'package.json'));
    expect(await ensureWebBuilt(options)).toBe('no-app');
    expect(builder.runs).toEqual([]);
  });
});
