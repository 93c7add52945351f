import { describe, expect, it } from 'vitest';
import { decodeLiveDelivery, encodeLiveDelivery } from '../src/live.ts';

describe('live delivery encoding', () => {
  it('round-trips recipients and the frame, whatever the frame holds', () => {
    const frame = JSON.stringify({ type: 'message.created', data: { message: { body: 'two\nlines, and commas' } } });
    const recipients = ['0190a0a0-0000-7000-8000-000000000001', '0190a0a0-0000-7000-8000-000000000002'];
    expect(decodeLiveDelivery(encodeLiveDelivery({ recipients, frame }))).toEqual({ recipients, frame });
    expect(decodeLiveDelivery(encodeLiveDelivery({ recipients: [], frame }))).toEqual({ recipients: [], frame });
  });

  it('carries the commit time and the request id when given, for the delivery latency and the logs', () => {
    const frame = JSON.stringify({ type: 'message.created', data: {} });
    const recipients = ['0190a0a0-0000-7000-8000-000000000001'];
    const traced = { recipients, frame, committedAt: 1_764_700_000_123, requestId: 'req-1.a:b' };
    expect(decodeLiveDelivery(encodeLiveDelivery(traced))).toEqual(traced);
    expect(decodeLiveDelivery(encodeLiveDelivery({ recipients, frame, committedAt: 5 }))).toEqual({ recipients, frame, committedAt: 5 });
  });

  it('ignores what is not a live delivery', () => {
    expect(decodeLiveDelivery('no newline')).toBeUndefined();
    expect(decodeLiveDelivery('a,b\nnot a frame')).toBeUndefined();
  });
});
