// Entry point of bin/alicloud-controller-manager: parse, resolve, run. Configuration errors are
// one line on stderr (`error: <culprit>: <why>`) and exit code 1; lost leadership exits 1;
// SIGTERM/SIGINT stop work, release the lease and exit 0.
import { MetadataClient } from '../cloud/metadata.js';
import { KubeConfigError } from '../kube/config.js';
import { createLogger } from '../util/log.js';
import { redactSecrets } from '../util/secrets.js';
import { CloudConfigError } from './cloudconfig.js';
import { ConfigError, describeConfig, resolveConfig } from './config.js';
import { FlagError, parseFlags } from './flags.js';
import { createProbeController, PROBE_ENV, PROBE_NAME } from './probe.js';
import { controllerFactories, PRODUCT_CONTROLLERS, type ControllerFactory } from './registry.js';
import { startManager } from './run.js';
import { errorText } from '../util/errors.js';

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const factories: Record<string, ControllerFactory> = { ...controllerFactories };
  if (env[PROBE_ENV] === '1') factories[PROBE_NAME] = createProbeController;
  let config;
  try {
    const parsed = parseFlags(argv);
    if (parsed.help !== undefined) {
      process.stdout.write(parsed.help);
      return 0;
    }
    if (parsed.version !== undefined) {
      process.stdout.write(parsed.version);
      return 0;
    }
    const metadata = new MetadataClient({
      endpoint: env.METADATA_ENDPOINT,
      timeoutMs: 2000,
      attempts: 2,
      imdsv2: parsed.flags!.enableImdsv2,
    });
    config = await resolveConfig(parsed.flags!, {
      env,
      available: Object.keys(factories),
      known: PRODUCT_CONTROLLERS,
      metadata,
    });
  } catch (err) {
    if (
      err instanceof FlagError ||
      err instanceof ConfigError ||
      err instanceof CloudConfigError ||
      err instanceof KubeConfigError
    ) {
      process.stderr.write(`error: ${redactSecrets(err.message)}\n`);
      return 1;
    }
    throw err;
  }
  const logger = createLogger('alicloud-controller-manager', { level: config.logLevel });
  for (const line of config.warnings) logger.warn(line);
  logger.info({ config: describeConfig(config) }, 'configuration');
  if (config.test) {
    logger.info('--test: configuration is valid; exiting without starting');
    return 0;
  }
  let handle;
  try {
    handle = await startManager(config, { logger, factories, env });
  } catch (err) {
    const msg = errorText(err);
    process.stderr.write(`error: ${redactSecrets(msg.split('\n')[0] ?? msg)}\n`);
    return 1;
  }
  const onSignal = (sig: string) => {
    logger.info({ signal: sig }, 'shutting down');
    handle.stop();
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  const code = await handle.done;
  logger.info({ code }, 'exiting');
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${redactSecrets(errorText(err))}\n`);
    process.exit(1);
  },
);
