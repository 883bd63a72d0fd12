// The state of one list screen: page, page size, sort, search and filters,
// turned into the query parameters every list endpoint takes.
import { computed, reactive } from 'vue';
import type { Page, QueryValue } from './http';

export interface ListQuery {
  page: number;
  pageSize: number;
  /** `field` or `-field` */
  sort: string;
  q: string;
  filters: Record<string, string>;
}

export interface ListParams {
  page: number;
  pageSize: number;
  sort?: string;
  q?: string;
  filters?: Record<string, QueryValue>;
}

/** The query parameters of a list call, empty values left out. */
export function listQueryParams(params: ListParams): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = { page: params.page, pageSize: params.pageSize };
  if (params.sort) query['sort'] = params.sort;
  if (params.q) query['q'] = params.q;
  for (const [key, value] of Object.entries(params.filters ?? {})) {
    if (value !== '' && value !== null && value !== undefined) query[key] = value;
  }
  return query;
}

export function useListQuery(defaults: {
  pageSize: number;
  sort?: string;
  filters?: Record<string, string>;
}) {
  const state = reactive<ListQuery>({
    page: 1,
    pageSize: defaults.pageSize,
    sort: defaults.sort ?? '',
    q: '',
    filters: { ...defaults.filters },
  });

  /** Sort by `field`: a second click on the same field flips the direction. */
  function toggleSort(field: string): void {
    state.sort = state.sort === field ? `-${field}` : field;
    state.page = 1;
  }

  /** 'ascending' | 'descending' | 'none', for aria-sort on a header. */
  function sortDirection(field: string): 'ascending' | 'descending' | 'none' {
    if (state.sort === field) return 'ascending';
    if (state.sort === `-${field}`) return 'descending';
    return 'none';
  }

  const params = computed<ListParams>(() => ({
    page: state.page,
    pageSize: state.pageSize,
    sort: state.sort,
    q: state.q,
    filters: { ...state.filters },
  }));

  return { state, params, toggleSort, sortDirection };
}

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / Math.max(1, pageSize)));
}

/** Pages read at most when a metric must count rows in the browser. */
export const COUNT_PAGE_LIMIT = 20;

/**
 * How many rows match: the list total when the list filters say it all, else
 * the rows of every page that `keep` accepts (up to COUNT_PAGE_LIMIT pages of
 * 100). Either way the server's read rules decide which rows are seen.
 */
export async function countRows<T>(
  fetchPage: (params: ListParams) => Promise<Page<T>>,
  filters: Record<string, QueryValue>,
  keep?: (row: T) => boolean,
): Promise<number> {
  if (keep === undefined) return (await fetchPage({ page: 1, pageSize: 1, filters })).total;
  let count = 0;
  for (let page = 1; page <= COUNT_PAGE_LIMIT; page++) {
    const answer = await fetchPage({ page, pageSize: 100, filters });
    count += answer.items.filter(keep).length;
    if (page * 100 >= answer.total) break;
  }
  return count;
}
