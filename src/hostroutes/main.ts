// `alicloud-hostroutes` entry point: flags → agent → one "listening" line on stdout. SIGTERM stops
// the agent but leaves every route in place: removing them would cut cross-node pod traffic for
// the whole restart gap of a rolling update.
import { errorText } from '../util/errors.js';
import { createLogger } from '../util/log.js';
import { startAgent } from './agent.js';
import { OptionsError, parseOptions } from './options.js';

async function main(): Promise<void> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    // commander already printed help/usage for its own errors.
    if (err instanceof OptionsError) process.stderr.write(`alicloud-hostroutes: ${err.message}\n`);
    const code = (err as { exitCode?: number }).exitCode;
    process.exit(typeof code === 'number' ? code : 2);
  }
  const log = createLogger('hostroutes', { level: options.logLevel });
  log.info(
    {
      event: 'starting',
      node: options.nodeName,
      protocol: options.protocol,
      table: options.table,
      resyncMs: options.resyncMs,
    },
    'hostroutes agent starting',
  );
  const agent = await startAgent(options, { log });
  process.stdout.write(JSON.stringify({ event: 'listening', url: agent.status.url }) + '\n');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'stopping', signal }, 'stopping; routes are left in place');
    agent.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: errorText(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  createLogger('hostroutes').error({ err: errorText(err) }, 'hostroutes failed to start');
  process.exit(1);
});
