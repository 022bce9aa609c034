import net from 'node:net';

// A loopback TCP proxy in front of a server, to make it fail the ways networks do: `down()` refuses
// connections and drops the open ones; `swallowReplies()` lets requests through but loses what comes
// back (the request was applied, the caller never learns it: an unknown outcome); `up()` heals.

export interface TcpProxy {
  port: number;
  up(): void;
  down(): void;
  swallowReplies(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let mode: 'up' | 'down' | 'swallow' = 'up';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (mode === 'down') return void client.destroy();
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    const forget = () => {
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (mode !== 'swallow') client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dropAll = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    up() {
      // Connections that lost bytes are beyond repair: drop them so clients reconnect cleanly.
      if (mode === 'swallow') dropAll();
      mode = 'up';
    },
    down() {
      mode = 'down';
      dropAll();
    },
    swallowReplies() {
      mode = 'swallow';
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropAll();
        server.close(() => resolve());
      }),
  };
}
