import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface OccupiedPort {
  port: number;
  close(): Promise<void>;
}

/** A loopback port held by a listening server, to see what a process does when its port is taken. */
export async function occupyPort(): Promise<OccupiedPort> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
