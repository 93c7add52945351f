import { describe, expect, it } from 'vitest';
import { decodeLiveDelivery, encodeLiveDelivery } from '../src/live.ts';

describe('live delivery encoding', () => {
  it('round-trips recipients and the frame, whatever the frame holds', () => {
    const frame = JSON.stringify({ type: 'message.created', data: { message: { body: 'two\nlines, and commas' } } });
    const recipients = ['0190a0a0-0000-7000-8000-000000000001', '0190a0a0-0000-7000-8000-000000000002'];
    expect(decodeLiveDelivery(encodeLiveDelivery({ recipients, frame }))).toEqual({ recipients, frame });
    expect(decodeLiveDelivery(encodeLiveDelivery({ recipients: [], frame }))).toEqual({ recipients: [], frame });
  });

  it('ignores what is not a live delivery', () => {
    expect(decodeLiveDelivery('no newline')).toBeUndefined();
    expect(decodeLiveDelivery('a,b\nnot a frame')).toBeUndefined();
  });
});
