import type { Server } from 'node:http';
import type { Socket } from 'node:net';

// Stopping lets requests in flight finish and closes every other connection at once. Node's own
// closeIdleConnections() leaves a connection that has not sent a request yet (a client's spare
// keep-alive socket, say) open until headersTimeout, a minute, so the server's close waited for it.

export function trackConnections(server: Server): { closeIdle(): void } {
  const sockets = new Set<Socket>();
  const inFlight = new Map<Socket, number>();
  let closing = false;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const left = (inFlight.get(socket) ?? 1) - 1;
      if (left > 0) return void inFlight.set(socket, left);
      inFlight.delete(socket);
      if (closing) socket.destroy();
    });
  });
  return {
    closeIdle() {
      closing = true;
      for (const socket of sockets) if (!inFlight.has(socket)) socket.destroy();
    },
  };
}
