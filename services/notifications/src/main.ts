import { runService } from '@parley/kit';
import { notificationsService } from './service.ts';

// The notifications service as its own process (distributed mode).
await runService(notificationsService);
