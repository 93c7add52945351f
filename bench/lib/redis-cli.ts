import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * One command to a Redis of the bench's own (a private server) through redis-cli, so the bench
 * needs no client library of its own; the answer's lines (`--raw`: values as they are).
 */
export async function redisCommand(url: string, ...args: string[]): Promise<string[]> {
  const { stdout } = await run('redis-cli', ['-u', url, '--raw', ...args], { timeout: 10_000 });
  return stdout.split('\n').filter((line) => line !== '');
}
