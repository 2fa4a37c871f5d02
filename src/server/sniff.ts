// One port, two protocols: the official CCM's manifests probe `http://127.0.0.1:10258/healthz`
// while Prometheus scrapes `https://…:10258/metrics`. Every TLS connection opens with a
// handshake record (content type 22, 0x16); no HTTP request line can start with that byte, so
// the first byte of a connection decides which server gets it. The byte is put back before the
// chosen server sees the socket, so each server parses the stream from its start.
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';

const TLS_HANDSHAKE = 0x16;

/** A client that connects and says nothing holds a socket until this elapses. */
export const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 10_000;

export interface ProtocolTargets {
  /** Receives connections whose first byte opens a TLS handshake. */
  tls: NetServer;
  /** Receives everything else (plain HTTP). */
  plain: NetServer;
  firstByteTimeoutMs?: number;
}

export interface SniffingServer {
  server: NetServer;
  /** Ends every connection, sniffed or still waiting for its first byte. */
  destroyAll: () => void;
}

export function createSniffingServer(targets: ProtocolTargets): SniffingServer {
  const timeoutMs = targets.firstByteTimeoutMs ?? DEFAULT_FIRST_BYTE_TIMEOUT_MS;
  const open = new Set<Socket>();
  const server = createNetServer((socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    // Until a server owns the socket, a reset or a silent client must only cost this socket.
    const onError = () => socket.destroy();
    socket.on('error', onError);
    let sniffed = false;
    // After a long synchronous stretch (a large informer list at start-up) timers run before
    // pending socket reads, so an expired timer alone does not prove the client was silent: the
    // bytes may be waiting. Deciding one turn later lets the poll phase deliver them first; a
    // busy manager otherwise reset its own probes and scrapes.
    const timer = setTimeout(() => setImmediate(() => sniffed || socket.destroy()), timeoutMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.once('data', (chunk: Buffer) => {
      sniffed = true;
      clearTimeout(timer);
      socket.pause();
      socket.unshift(chunk);
      socket.off('error', onError);
      const target = chunk[0] === TLS_HANDSHAKE ? targets.tls : targets.plain;
      target.emit('connection', socket);
      // The chosen server attached its readers synchronously; resuming lets the put-back chunk reach them.
      process.nextTick(() => socket.resume());
    });
  });
  return {
    server,
    destroyAll: () => {
      for (const s of open) s.destroy();
    },
  };
}
