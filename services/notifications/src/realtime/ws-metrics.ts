import type { Metrics } from '@parley/kit';

/** Why the server closed a socket: a bounded label. */
export type DropReason =
  'unauthorized' | 'flood' | 'too_big' | 'protocol_error' | 'internal_error' | 'restart' | 'slow_reader' | 'unavailable' | 'heartbeat_timeout';

/** The reason a close code stands for, where one code has one reason (1013 has two: the caller says). */
export function dropReasonOf(code: number): DropReason {
  switch (code) {
    case 4001:
      return 'unauthorized';
    case 1008:
      return 'flood';
    case 1009:
      return 'too_big';
    case 1012:
      return 'restart';
    case 1013:
      return 'unavailable';
    default:
      return 'internal_error';
  }
}

/**
 * What the WebSocket side records. Frames are counted as plain numbers on the hot path (one
 * increment per frame) and read when Prometheus scrapes; drops and delivery latencies go
 * straight to their families, with label objects made once.
 */
export interface WsMetrics {
  framesIn: number;
  framesOut: number;
  dropped(reason: DropReason): void;
  /** A frame of an event committed at committedAtMs (ms since the epoch) was written to a user's sockets. */
  delivered(committedAtMs: number): void;
  /** Where the open sockets are counted from (read at scrape). */
  countSockets(count: () => number): void;
}

export function createWsMetrics(metrics: Metrics): WsMetrics {
  const { wsFramesReceived, wsFramesSent, wsSocketsOpen, wsDrops, wsDeliveryLatency } = metrics.families;
  const labels = { service: metrics.service };
  const dropLabels = new Map<DropReason, { service: string; reason: DropReason }>();
  let sockets: () => number = () => 0;
  const ws: WsMetrics = {
    framesIn: 0,
    framesOut: 0,
    dropped(reason) {
      let byReason = dropLabels.get(reason);
      if (!byReason) {
        byReason = { service: metrics.service, reason };
        dropLabels.set(reason, byReason);
      }
      wsDrops.inc(byReason);
    },
    delivered(committedAtMs) {
      if (!Number.isFinite(committedAtMs)) return;
      wsDeliveryLatency.observe(labels, Math.max(0, Date.now() - committedAtMs) / 1000);
    },
    countSockets(count) {
      sockets = count;
    },
  };
  metrics.onScrape('wsSockets', () => wsSocketsOpen.set(labels, sockets()));
  metrics.onScrape('wsFramesIn', () => wsFramesReceived.inc(labels, ws.framesIn));
  metrics.onScrape('wsFramesOut', () => wsFramesSent.inc(labels, ws.framesOut));
  return ws;
}
