import { runService } from '@parley/kit';
import { groupsService } from './service.ts';

// The groups API as its own process (distributed mode).
await runService(groupsService);
