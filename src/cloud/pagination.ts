// Walk every page of a Describe*/List* call. Two styles exist in these APIs: PageNumber/PageSize
// with TotalCount, and NextToken with MaxResults/MaxResult. Both walkers are bounded so a
// server that never stops paging cannot spin a controller forever.

export interface NumberedPage<I> {
  items: I[];
  totalCount?: number;
}

export interface PageNumberOptions {
  pageSize: number;
  /** Safety bound; reaching it is an error rather than a silent truncation. */
  maxPages?: number;
}

export async function collectByPageNumber<I>(
  fetchPage: (pageNumber: number, pageSize: number) => Promise<NumberedPage<I>>,
  opts: PageNumberOptions,
): Promise<I[]> {
  const maxPages = opts.maxPages ?? 1000;
  const all: I[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const { items, totalCount } = await fetchPage(page, opts.pageSize);
    all.push(...items);
    const done =
      items.length === 0 ||
      (totalCount !== undefined ? all.length >= totalCount : items.length < opts.pageSize);
    if (done) return all;
  }
  throw new Error(`pagination did not finish within ${maxPages} pages`);
}

export interface TokenPage<I> {
  items: I[];
  nextToken?: string | undefined;
}

export async function collectByToken<I>(
  fetchPage: (nextToken: string | undefined) => Promise<TokenPage<I>>,
  opts: { maxPages?: number } = {},
): Promise<I[]> {
  const maxPages = opts.maxPages ?? 1000;
  const all: I[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 1; page <= maxPages; page++) {
    const res = await fetchPage(token);
    all.push(...res.items);
    const next = res.nextToken;
    if (!next) return all;
    // A repeated token means the server is looping; stopping is safer than duplicating forever.
    if (seen.has(next)) throw new Error('pagination token repeated');
    seen.add(next);
    token = next;
  }
  throw new Error(`pagination did not finish within ${maxPages} pages`);
}
