// `alicloud-emulator` entry point: flags → emulator on loopback → one "listening" line on stdout.
import { Command } from 'commander';
import { startAlicloudEmulator } from './index.js';
import { registerSecret } from '../secrets.js';
import { createLogger } from '../log.js';
import { announceAndCloseOnSignal } from '../serve.js';

const log = createLogger('alicloud-emulator');

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('alicloud-emulator')
    .description('Local Alibaba Cloud (ECS, VPC, SLB, metadata) emulator for tests')
    .requiredOption('--access-key-id <id>', 'AccessKey id the API accepts')
    .requiredOption('--access-key-secret <secret>', 'AccessKey secret the API accepts')
    .option('--port <port>', 'TCP port (0 = ephemeral)', '0')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--region <region>', 'region of the emulated cloud', 'cn-hangzhou')
    .option('--state <file>', 'load the cloud from this JSON file if present, and persist to it')
    .parse(argv);
  const o = program.opts<{
    accessKeyId: string;
    accessKeySecret: string;
    port: string;
    host: string;
    region: string;
    state?: string;
  }>();
  registerSecret(o.accessKeySecret);
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${o.port}`);
  const emu = await startAlicloudEmulator({
    port,
    host: o.host,
    accessKeyId: o.accessKeyId,
    accessKeySecret: o.accessKeySecret,
    region: o.region,
    logger: log,
    ...(o.state ? { stateFile: o.state } : {}),
  });
  announceAndCloseOnSignal(emu.url, () => emu.close(), log);
}

main(process.argv).catch((err: unknown) => {
  log.error({ err: String(err instanceof Error ? err.message : err) }, 'alicloud-emulator failed to start');
  process.exit(1);
});
