import { runService } from '@parley/kit';
import { messagesService } from './service.ts';

// The messages API as its own process (distributed mode).
await runService(messagesService);
