import { runService } from '@parley/kit';
import { accountsWorkerService } from './service.ts';

// The accounts worker as its own process (distributed mode): BullMQ jobs off the request path.
await runService(accountsWorkerService);
