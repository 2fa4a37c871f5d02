// Entry point of bin/alicloud-flexvolume-install (the installer DaemonSet's command). Installs, prints
// one JSON line saying what changed, then — with --wait — stays up until SIGTERM so the DaemonSet Pod
// stays Running (a Pod that exits would be restarted and re-install in a loop).
import { Command } from 'commander';
import {
  DEFAULT_PLUGIN_DIR,
  defaultBundle,
  defaultLauncher,
  install,
  InstallError,
  runtimeLibraries,
  uninstall,
} from './install.js';

// Read before anything loads more shared objects: these are what node itself needed to start.
const LIBRARIES = runtimeLibraries();

interface Cli {
  pluginDir: string;
  driverBundle: string;
  nodeBinary: string;
  launcher: string;
  configFrom?: string;
  alias: boolean;
  wait: boolean;
  uninstall: boolean;
}

function parse(argv: readonly string[]): Cli {
  const cmd = new Command('alicloud-flexvolume-install')
    .description(
      'place the alicloud FlexVolume driver, its static launcher and a self-contained Node.js runtime in the kubelet plugin directory',
    )
    .option(
      '--plugin-dir <dir>',
      'kubelet volume plugin dir (as mounted in this container)',
      DEFAULT_PLUGIN_DIR,
    )
    .option('--driver-bundle <path>', 'bundled driver', defaultBundle())
    .option(
      '--node-binary <path>',
      'Node.js runtime to ship (its libraries are taken from this process)',
      process.execPath,
    )
    .option('--launcher <path>', 'static launcher installed as the driver', defaultLauncher())
    .option('--config-from <path>', 'driver config.json to install (skipped when the file is absent)')
    .option('--no-alias', 'do not install the kube-aliyun alias aliyun~flexv/flexv')
    .option('--wait', 'stay running after installing (DaemonSet mode)', false)
    .option('--uninstall', 'remove the driver, its alias and the runtime, then exit', false)
    .exitOverride()
    .allowExcessArguments(false);
  cmd.parse([...argv], { from: 'user' });
  return cmd.opts<Cli>();
}

function main(argv: readonly string[]): number {
  let cli: Cli;
  try {
    cli = parse(argv);
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode;
    return code ?? 1;
  }
  try {
    if (cli.uninstall) {
      process.stdout.write(
        JSON.stringify({ event: 'uninstalled', removed: uninstall(cli.pluginDir) }) + '\n',
      );
      return 0;
    }
    const r = install({
      pluginDir: cli.pluginDir,
      driverBundle: cli.driverBundle,
      nodeBinary: cli.nodeBinary,
      launcher: cli.launcher,
      libraries: LIBRARIES,
      configFrom: cli.configFrom,
      alias: cli.alias,
    });
    process.stdout.write(JSON.stringify({ event: 'installed', pluginDir: cli.pluginDir, ...r }) + '\n');
  } catch (err) {
    const msg =
      err instanceof InstallError
        ? err.message
        : err instanceof Error
          ? `${err.name}: ${err.message}`
          : String(err);
    process.stderr.write(`error: ${msg}\n`);
    return 1;
  }
  if (cli.wait) {
    const timer = setInterval(() => undefined, 1 << 30);
    const stop = () => {
      clearInterval(timer);
      process.exit(0);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return -1;
  }
  return 0;
}

const code = main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
