// One-off: CPU-profile the driver's isattached and unmountdevice call-outs (not committed).
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedInstances, startTestEmulator } from '../test/helpers/alicloud.js';
import { addDisk, ensureBundle, opts, writeConfig } from '../test/flexvolume/harness.js';
ensureBundle();
const work = mkdtempSync(join(tmpdir(), 'p6prof-'));
const t = await startTestEmulator();
const vsw = Object.values(t.emu.state.vswitches)[0]!.VSwitchId;
const [host] = seedInstances(t.emu, 1, () => ({ VSwitchId: vsw })).instanceIds;
const zone = t.emu.state.instances[host!]!.ZoneId;
const central = writeConfig(work, 'central', { mode: 'central', regionId: t.emu.state.regionId, ecsEndpoint: t.url, accessKeyId: t.accessKeyId, accessKeySecret: t.accessKeySecret, stateDir: join(work, 'state'), logFile: '' });
const disk = addDisk(t, zone);
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ALICLOUD_FLEXVOLUME_CONFIG: central };
const node = join(process.cwd(), 'node_modules/.bin/node');
const run = (args: string[]) => new Promise<void>((res) => { const c = spawn(node, args, { env, stdio: 'ignore' }); c.on('close', () => res()); });
for (const [name, call] of [['isattached', ['isattached', opts(disk, 'pv'), host!]], ['unmountdevice', ['unmountdevice', join(work, 'never')]], ['init', ['init']]] as const) {
  const dir = join('/tmp/p6-prof', name);
  for (let i = 0; i < 10; i++) await run(['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100', 'dist/flexvolume/driver.mjs', ...call]);
  for (let i = 0; i < 10; i++) await run(['--cpu-prof', `--cpu-prof-dir=${dir}-base`, '--cpu-prof-interval=100', '-e', '0']);
  console.log(name, readdirSync(dir).length);
}
await t.close();
