// Loaded with NODE_OPTIONS="--import <this file>" (Node 20 refuses --cpu-prof there): each
// SIGUSR2 toggles the inspector's CPU profiler; stopping writes <pid>-<n>.cpuprofile into
// BENCH_CPU_PROFILE_DIR, so a benchmark can profile just its measured windows.
// Summarise with bench/lib/cpuprofile.ts.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  let running = false;
  let count = 0;
  process.on('SIGUSR2', () => {
    if (!running) {
      session.post('Profiler.start');
      running = true;
      return;
    }
    running = false;
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `${process.pid}-${++count}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
