import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chunk } from '../../src/util/chunk.js';
import { collectByPageNumber, collectByToken } from '../../src/cloud/pagination.js';

function numbered(total: number, reportTotal = true) {
  const all = Array.from({ length: total }, (_, i) => i);
  const calls: number[] = [];
  const fetchPage = async (page: number, size: number) => {
    calls.push(page);
    return {
      items: all.slice((page - 1) * size, page * size),
      ...(reportTotal ? { totalCount: total } : {}),
    };
  };
  return { all, calls, fetchPage };
}

describe('pagination', () => {
  it('walks PageNumber pages until TotalCount is reached (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.boolean(),
        async (total, size, reportTotal) => {
          const p = numbered(total, reportTotal);
          const got = await collectByPageNumber(p.fetchPage, { pageSize: size });
          assert.deepEqual(got, p.all);
          const expectedCalls = reportTotal
            ? Math.max(1, Math.ceil(total / size))
            : Math.floor(total / size) + 1;
          assert.equal(p.calls.length, expectedCalls);
        },
      ),
    );
  });

  it('stops on an empty page even if TotalCount over-reports', async () => {
    const got = await collectByPageNumber(
      async (page) => ({ items: page === 1 ? [1, 2] : [], totalCount: 99 }),
      { pageSize: 2 },
    );
    assert.deepEqual(got, [1, 2]);
  });

  it('refuses to loop forever', async () => {
    await assert.rejects(
      collectByPageNumber(async () => ({ items: [1], totalCount: 1e9 }), { pageSize: 1, maxPages: 5 }),
      /5 pages/,
    );
  });

  it('follows NextToken until it is empty', async () => {
    const pages: Record<string, { items: number[]; nextToken?: string }> = {
      '': { items: [1, 2], nextToken: 'a' },
      a: { items: [3], nextToken: 'b' },
      b: { items: [4] },
    };
    const seen: (string | undefined)[] = [];
    const got = await collectByToken(async (token) => {
      seen.push(token);
      return pages[token ?? '']!;
    });
    assert.deepEqual(got, [1, 2, 3, 4]);
    assert.deepEqual(seen, [undefined, 'a', 'b']);
  });

  it('detects a server that repeats a NextToken', async () => {
    await assert.rejects(
      collectByToken(async () => ({ items: [1], nextToken: 'same' })),
      /repeated/,
    );
  });

  it('chunks id lists', () => {
    assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(chunk([], 100), []);
  });
});
