import net from 'node:net';

/**
 * A TCP proxy in front of RabbitMQ or PostgreSQL that a test can cut (every connection dropped,
 * the port refusing new ones) and restore (listening again on the same port), or freeze and
 * thaw: an outage that the server itself does not see, for the tests of what a service does
 * while it lasts.
 */
export interface CuttableProxy {
  url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  /**
   * Stops forwarding bytes in both directions, keeping every socket open, and forwards none on
   * connections opened meanwhile (accepted, then silent): a server whose process is stopped, or
   * a network that drops packets while the connections stay up. What is sent meanwhile waits
   * in the sockets' buffers.
   */
  freeze(): void;
  /** Forwards again, what waited first (the stopped server continued, the network healed). */
  thaw(): void;
  close(): Promise<void>;
}

interface Link {
  client: net.Socket;
  upstream: net.Socket;
}

export async function startProxy(targetUrl: string): Promise<CuttableProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || 5672);
  /** Each accepted connection and its own to the target. */
  const links = new Set<Link>();
  let frozen = false;
  const forward = ({ client, upstream }: Link): void => {
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const hold = ({ client, upstream }: Link): void => {
    client.unpipe(upstream);
    upstream.unpipe(client);
    // Paused, a socket reads nothing more: bytes, and an end or reset from its peer, wait in the kernel's buffer.
    client.pause();
    upstream.pause();
  };
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.hostname, port: targetPort });
    const link = { client, upstream };
    links.add(link);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      links.delete(link);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
    if (frozen) hold(link);
    else forward(link);
  });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  let listening = true;
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);

  const cut = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const { client, upstream } of links) {
      client.destroy();
      upstream.destroy();
    }
    links.clear();
    await closed;
  };
  return {
    url: url.toString(),
    cut,
    async restore() {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    freeze() {
      if (frozen) return;
      frozen = true;
      for (const link of links) hold(link);
    },
    thaw() {
      if (!frozen) return;
      frozen = false;
      for (const link of links) forward(link);
    },
    close: cut,
  };
}
