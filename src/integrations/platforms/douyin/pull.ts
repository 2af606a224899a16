import { splitWindow, unixSeconds, windowIso, type TimeWindow } from '../common/china-time';
import { arr, int, mapPage, type PullPage } from '../common/platform-order';
import { callDouyin, type DouyinApiOptions } from './api-client';
import { mapDouyinOrder } from './order-map';

export interface DouyinPullOptions extends DouyinApiOptions {
  /** ≤ 100. */
  pageSize?: number;
  /** Sub-window length; short windows keep pages shallow (§1.6 chooses 30 min). */
  maxSpanMs?: number;
}

/**
 * Every order updated in the window, via `order.searchList` by update_time ascending, pages from 0
 * until (page + 1) × size ≥ total. Yields one page at a time with its sub-window, so a caller can
 * checkpoint and resume after an error without losing or repeating a window.
 */
export async function* pullDouyinOrders(window: TimeWindow, opts: DouyinPullOptions): AsyncGenerator<PullPage> {
  const size = Math.min(opts.pageSize ?? 100, 100);
  for (const w of splitWindow(window, opts.maxSpanMs ?? 30 * 60_000)) {
    for (let page = 0; ; page++) {
      const data = await callDouyin(opts, 'order.searchList', {
        update_time_start: unixSeconds(w.since),
        update_time_end: unixSeconds(w.until),
        order_by: 'update_time',
        order_asc: true,
        page,
        size,
      });
      const list = arr(data.shop_order_list);
      const total = int(data.total) ?? 0;
      const last = list.length === 0 || (page + 1) * size >= total;
      yield { window: windowIso(w), page, lastOfWindow: last, total, ...mapPage(list, mapDouyinOrder) };
      if (last) break;
    }
  }
}
