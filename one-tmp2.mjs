import { readFileSync } from 'node:fs';
const rss = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status','utf8'))[1])/1024);
console.log('bare', rss());
await import('@electric-sql/pglite');
console.log('pglite imported', rss());
