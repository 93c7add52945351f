import { runService } from '@parley/kit';
import { accountsService } from './service.ts';

// The accounts API as its own process (distributed mode). The worker runs as worker-main.ts,
// unless ACCOUNTS_RUN_WORKER=true asks for both in one process.
await runService(accountsService({ runWorker: process.env.ACCOUNTS_RUN_WORKER === 'true' }));
