import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (scripts/ensure-chromium.sh installs it); no browser is downloaded. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const launchBrowser = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });

export type Language = 'en' | 'ru';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** What a page did that the app must never make it do: violate its CSP, open a dialog, throw. */
export interface Guard {
  cspViolations: { directive: string; blocked: string; sample: string; page: string }[];
  /** Chromium's own console line for each refusal: a second count the listener cannot miss. */
  cspConsoleMessages: string[];
  dialogs: string[];
  pageErrors: string[];
  consoleErrors: string[];
}

/** Everything the guard saw that must not happen; [] when all is well. */
export const guardProblems = (guard: Guard): string[] => [
  ...guard.cspViolations.map((v) => `CSP ${v.directive} blocked ${v.blocked} (${v.sample}) on ${v.page}`),
  ...guard.cspConsoleMessages.map((text) => `console: ${text}`),
  ...guard.dialogs.map((text) => `dialog ${text}`),
  ...guard.pageErrors.map((text) => `page error: ${text}`),
];

export interface UserContext {
  context: BrowserContext;
  page: Page;
  guard: Guard;
}

/**
 * A browser context (a user's own profile: storage, IndexedDB, cookies) in one language, its
 * pages watched: a `securitypolicyviolation` listener installed before any of the app's script
 * (addInitScript) reports to the test through a binding, and dialogs (alert/confirm/prompt,
 * what an injected script would open) are recorded and dismissed.
 */
export async function newUserContext(browser: Browser, baseUrl: string, language: Language, viewport = DESKTOP): Promise<UserContext> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    locale: language === 'ru' ? 'ru-RU' : 'en-US',
    viewport,
    timezoneId: 'Europe/Moscow',
    colorScheme: 'light',
    reducedMotion: 'reduce',
  });
  const guard: Guard = { cspViolations: [], cspConsoleMessages: [], dialogs: [], pageErrors: [], consoleErrors: [] };
  await context.exposeBinding('__parleyCspViolation', ({ page }, violation: Omit<Guard['cspViolations'][number], 'page'>) => {
    guard.cspViolations.push({ ...violation, page: page.url() });
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __parleyCspViolation?: (v: object) => void }).__parleyCspViolation;
      report?.({ directive: event.violatedDirective, blocked: event.blockedURI, sample: event.sample });
    });
  });
  context.on('page', (page) => watch(page, guard));
  const page = await context.newPage();
  return { context, page, guard };
}

function watch(page: Page, guard: Guard): void {
  page.on('dialog', (dialog) => {
    guard.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
  page.on('pageerror', (error) => guard.pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    guard.consoleErrors.push(text);
    if (/Content Security Policy/i.test(text)) guard.cspConsoleMessages.push(text);
  });
}

// --- axe-core ------------------------------------------------------------------------------------

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core's serious and critical violations on the page as it is now. The script goes in
 * through the DevTools protocol (page.evaluate), which the page's CSP does not apply to:
 * a <script> tag would be refused, rightly.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(context: Document, options: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** After a failed test, what each page showed: <tmp>/parley-e2e-failures/<test>-<page>.png (the path is printed). */
export async function screenshotOnFailure(context: { task: { name: string; result?: { state: string } } }, pages: Record<string, Page>): Promise<void> {
  if (context.task.result?.state !== 'fail') return;
  const dir = join(tmpdir(), 'parley-e2e-failures');
  mkdirSync(dir, { recursive: true });
  const slug = context.task.name.replace(/[^\w]+/g, '-').slice(0, 60);
  for (const [name, page] of Object.entries(pages)) {
    const path = join(dir, `${slug}-${name}.png`);
    await page.screenshot({ path }).catch(() => undefined);
    process.stderr.write(`screenshot of ${name}'s page: ${path}\n`);
  }
}
