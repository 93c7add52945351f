import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeTextFrame } from './text-frame.ts';

describe('encodeTextFrame', () => {
  it('writes frames a ws client reads as the same text, for each length encoding', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const texts = ['', 'é', 'x'.repeat(125), 'y'.repeat(126), `{"a":"${'ü'.repeat(40_000)}"}`, 'z'.repeat(70_000)];
    const server = new Promise<Socket>((resolve) => wss.on('connection', (_ws, request) => resolve(request.socket)));
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    const received: string[] = [];
    client.on('message', (data, isBinary) => {
      expect(isBinary).toBe(false);
      received.push((data as Buffer).toString('utf8'));
    });
    await once(client, 'open');
    const socket = await server;
    for (const text of texts) socket.write(encodeTextFrame(text));
    await expect.poll(() => received.length).toBe(texts.length);
    expect(received).toEqual(texts);
    client.close();
    wss.close();
  });
});
