// `kube-emulator` entry point: flags → emulator → kubeconfig file → one "listening" line on stdout.
import { Command } from 'commander';
import { startKubeEmulator } from './index.js';
import { createLogger } from '../log.js';
import { announceAndCloseOnSignal } from '../serve.js';

const log = createLogger('kube-emulator');

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('kube-emulator')
    .description('Local Kubernetes API emulator for tests (plain HTTP, any token accepted)')
    .option('--port <port>', 'TCP port (0 = ephemeral)', '0')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--kubeconfig-out <file>', 'write a kubeconfig pointing at the emulator here')
    .option('--state <file>', 'load objects from this JSON file if present, and persist to it')
    .option('--watch-cache-size <n>', 'changes a watch can resume across before 410 Gone', '10000')
    .parse(argv);
  const o = program.opts<{
    port: string;
    host: string;
    kubeconfigOut?: string;
    state?: string;
    watchCacheSize: string;
  }>();
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${o.port}`);
  const watchCacheSize = Number(o.watchCacheSize);
  if (!Number.isInteger(watchCacheSize) || watchCacheSize < 1)
    throw new Error(`invalid --watch-cache-size ${o.watchCacheSize}`);
  const emu = await startKubeEmulator({
    port,
    host: o.host,
    watchCacheSize,
    ...(o.state ? { stateFile: o.state } : {}),
  });
  if (o.kubeconfigOut) await emu.writeKubeconfig(o.kubeconfigOut);
  announceAndCloseOnSignal(emu.url, () => emu.close(), log);
}

main(process.argv).catch((err: unknown) => {
  log.error({ err: String(err instanceof Error ? err.message : err) }, 'kube-emulator failed to start');
  process.exit(1);
});
