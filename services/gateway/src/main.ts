import { runService } from '@parley/kit';
import { gatewayService } from './service.ts';

// The one public origin as its own process (distributed mode).
await runService(gatewayService);
