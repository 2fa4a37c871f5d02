// Resolving named route tables: a missing table is a configuration error that names the table,
// but a credentials or region failure must surface as itself (both arrive as `…NotFound` codes).
import assert from 'node:assert/strict';
import { resolveRouteTables, RouteTableConfigError } from '../../../src/controllers/route/inputs.js';
import type { RouteCloudPort } from '../../../src/controllers/route/cloudport/port.js';

function portFailingWith(code: string | undefined): RouteCloudPort {
  const fail = () => Promise.reject(Object.assign(new Error(`cloud said ${code}`), code ? { code } : {}));
  return new Proxy(
    {},
    { get: (_t, name) => (name === 'describeRouteTables' ? fail : () => fail()) },
  ) as RouteCloudPort;
}

describe('route tables: resolving named tables', () => {
  it('a table the cloud does not know is a configuration error naming it', async () => {
    await assert.rejects(
      resolveRouteTables(portFailingWith('InvalidRouteTableId.NotFound'), { routeTableIds: 'vtb-x' }),
      (e: Error) => e instanceof RouteTableConfigError && /vtb-x does not exist/.test(e.message),
    );
  });

  for (const code of ['InvalidAccessKeyId.NotFound', 'InvalidRegionId.NotFound']) {
    it(`${code} surfaces as itself, not as a missing table`, async () => {
      await assert.rejects(
        resolveRouteTables(portFailingWith(code), { routeTableIds: 'vtb-x' }),
        (e: Error) => !(e instanceof RouteTableConfigError) && e.message.includes(code),
      );
    });
  }
});
