// Runs inside the demo's network namespace (`ip netns exec <ns> node forwarder.mjs <unix socket>`,
// bundled from this file). A namespace cannot reach 127.0.0.1 of the root namespace, but it can open a
// Unix socket by path: this listens on the namespace's own 127.0.0.1 and forwards every
// connection to the socket, where the demo forwards it on to the Kubernetes API emulator. So the
// agent in the namespace talks to the apiserver without any link or route in the root namespace.
// Prints {"event":"listening","port":N} once ready.
import net from 'node:net';

const socketPath = process.argv[2];
if (!socketPath) {
  process.stderr.write('usage: forwarder.mjs <unix socket path>\n');
  process.exit(2);
}
const server = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as net.AddressInfo;
  process.stdout.write(`${JSON.stringify({ event: 'listening', port })}\n`);
});
for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, () => process.exit(0));
