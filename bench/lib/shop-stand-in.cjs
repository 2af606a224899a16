'use strict';
// Local stand-ins of the five shop platforms' push and listing APIs (and the seller's webhook) on
// one loopback HTTP server, for whole-bot tests and `npm run bench:shop-sync`. Each platform keeps a
// catalogue (merchant code → its ids, price, stock), answers in its documented shape
// (reference/shop-push-apis.md), enforces a calls-per-second limit with its own throttling answer,
// and records every call. A platform can be taken down (503) or made to refuse prices.
//
//   const s = await startShopStandIn({ rates: { douyin: 10, … } });
//   s.seed('douyin', [{ code: 'LAMP-01', price: '899.00', stock: 100 }]);
//   bot env: DOUYIN_API_URL=s.url('douyin'), TAOBAO_API_URL=…, PDD_API_URL=…, JD_API_URL=…, SHOPIFY_API_URL=…
const http = require('node:http');

const PLATFORMS = ['douyin', 'taobao', 'pinduoduo', 'jd', 'shopify', 'webhook'];

function startShopStandIn(opts = {}) {
  const rates = opts.rates || {};
  const pageSize = opts.pageSize || 100;
  const state = {};
  for (const p of PLATFORMS) state[p] = { byCode: new Map(), byId: new Map(), mode: 'ok', refusePrice: null, calls: [], bucket: { at: 0, n: 0 }, throttled: 0 };
  let nextId = 100000000;

  function seed(platform, items) {
    const s = state[platform];
    for (const it of items) {
      const n = nextId++;
      const l = { code: it.code, price: it.price, stock: it.stock, single: it.single || it.price, productId: String(n), skuId: String(n + 500000000) };
      s.byCode.set(l.code, l);
      s.byId.set(l.skuId, l);
    }
  }
  function listings(platform) {
    return [...state[platform].byCode.values()];
  }
  /** One second's window per platform: more calls than its rate → the platform's throttling answer. */
  function overLimit(platform) {
    const rate = rates[platform];
    if (!rate) return false;
    const s = state[platform];
    const sec = Math.floor(Date.now() / 1000);
    if (s.bucket.at !== sec) s.bucket = { at: sec, n: 0 };
    s.bucket.n++;
    if (s.bucket.n > Math.max(1, Math.floor(rate)) + (opts.burst || 0)) {
      s.throttled++;
      return true;
    }
    return false;
  }
  const yuan = (fen) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
  const fen = (y) => Math.round(Number(y) * 100);
  const page = (list, n) => list.slice((n - 1) * pageSize, n * pageSize);

  const handlers = {
    douyin(method, p) {
      if (method === 'product.listV2') {
        const all = listings('douyin');
        return { code: 10000, msg: 'success', data: { data: page(all, p.page).map((l) => ({ product_id: Number(l.productId) })), total: all.length, page: p.page, size: p.size } };
      }
      if (method === 'product.detail') {
        const l = [...state.douyin.byCode.values()].find((x) => x.productId === String(p.product_id));
        return { code: 10000, msg: 'success', data: { product_id: p.product_id, spec_prices: l ? [{ sku_id: Number(l.skuId), code: l.code, price: fen(l.price), stock_num: l.stock }] : [] } };
      }
      const l = state.douyin.byId.get(String(p.sku_id)) || state.douyin.byCode.get(p.code);
      if (!l) return { code: 40004, msg: '参数错误', sub_code: 'isv.invalid-parameter', sub_msg: 'sku不存在' };
      if (method === 'sku.editPrice') {
        if (state.douyin.refusePrice) return { code: 40004, msg: '参数错误', sub_code: 'isv.invalid-parameter', sub_msg: state.douyin.refusePrice };
        l.price = yuan(p.price);
      } else if (method === 'sku.syncStock') l.stock = p.stock_num;
      return { code: 10000, msg: 'success', data: {} };
    },
    taobao(p) {
      const m = p.method;
      if (m === 'taobao.items.onsale.get') {
        const all = listings('taobao');
        return { items_onsale_get_response: { total_results: all.length, items: { item: page(all, Number(p.page_no)).map((l) => ({ num_iid: Number(l.productId) })) } } };
      }
      if (m === 'taobao.item.seller.get') {
        const l = [...state.taobao.byCode.values()].find((x) => x.productId === p.num_iid);
        return { item_seller_get_response: { item: { num_iid: Number(p.num_iid), skus: { sku: l ? [{ sku_id: Number(l.skuId), outer_id: l.code, properties: `1627207:${l.skuId}`, price: l.price, quantity: l.stock }] : [] } } } };
      }
      const l = [...state.taobao.byCode.values()].find((x) => x.productId === p.num_iid && (!p.properties || p.properties === `1627207:${x.skuId}`) && (!p.sku_id || p.sku_id === x.skuId));
      if (!l) return { error_response: { code: 15, msg: 'Remote service error', sub_code: 'isv.item-not-exist', sub_msg: '商品不存在' } };
      if (m === 'taobao.item.sku.price.update') {
        if (state.taobao.refusePrice) return { error_response: { code: 15, msg: 'Remote service error', sub_code: 'isv.item-sku-price-update-error', sub_msg: state.taobao.refusePrice } };
        l.price = p.price;
        return { item_sku_price_update_response: { sku: { num_iid: Number(l.productId) } } };
      }
      l.stock = Number(p.quantity);
      return { item_quantity_update_response: { item: { num_iid: Number(l.productId), num: l.stock } } };
    },
    pinduoduo(p) {
      const t = p.type;
      if (t === 'pdd.goods.list.get') {
        const all = listings('pinduoduo');
        return { goods_list_get_response: { total_count: all.length, goods_list: page(all, Number(p.page)).map((l) => ({ goods_id: Number(l.productId) })) } };
      }
      if (t === 'pdd.goods.detail.get') {
        const l = [...state.pinduoduo.byCode.values()].find((x) => x.productId === p.goods_id);
        return { goods_detail_get_response: { goods_id: Number(p.goods_id), sku_list: l ? [{ sku_id: Number(l.skuId), out_sku_sn: l.code, multi_price: fen(l.price), price: fen(l.single), quantity: l.stock }] : [] } };
      }
      if (t === 'pdd.goods.sku.price.update') {
        if (state.pinduoduo.refusePrice) return { error_response: { error_code: 10000, error_msg: '参数错误', sub_msg: state.pinduoduo.refusePrice } };
        for (const s of JSON.parse(p.sku_price_list)) {
          const l = state.pinduoduo.byId.get(String(s.sku_id));
          if (!l) return { error_response: { error_code: 10000, error_msg: 'sku不存在' } };
          l.price = yuan(s.group_price);
          l.single = yuan(s.single_price);
        }
        return { goods_update_sku_price_response: { is_success: true } };
      }
      const l = state.pinduoduo.byId.get(p.sku_id);
      if (!l) return { error_response: { error_code: 10000, error_msg: 'sku不存在' } };
      l.stock = Number(p.quantity);
      return { goods_quantity_update_response: { is_success: true } };
    },
    jd(p) {
      const m = p.method;
      const b = JSON.parse(p['360buy_param_json'] || '{}');
      if (m === 'jingdong.sku.read.searchSkuList') {
        const all = listings('jd');
        return { jingdong_sku_read_searchSkuList_responce: { code: '0', page: { totalItem: all.length, pageNo: b.pageNo, data: page(all, b.pageNo).map((l) => ({ skuId: Number(l.skuId), wareId: Number(l.productId), outerId: l.code, jdPrice: l.price, stockNum: l.stock })) } } };
      }
      const l = state.jd.byId.get(String(b.skuId));
      const key = `${m.replace(/\./g, '_')}_responce`;
      if (!l) return { [key]: { code: '0', success: false, message: 'sku不存在' } };
      if (m === 'jingdong.price.write.updateSkuJdPrice') {
        if (state.jd.refusePrice) return { [key]: { code: '0', success: false, message: state.jd.refusePrice } };
        l.price = String(b.jdPrice);
      } else l.stock = Number(b.stockNum);
      return { [key]: { code: '0', success: true } };
    },
    shopify(body) {
      const q = body.query || '';
      const v = body.variables || {};
      if (q.includes('productVariants(first')) {
        const all = listings('shopify');
        const start = v.after ? Number(v.after) : 0;
        const nodes = all.slice(start, start + v.first).map((l) => ({
          id: `gid://shopify/ProductVariant/${l.skuId}`, sku: l.code, price: l.price, inventoryQuantity: l.stock, product: { id: `gid://shopify/Product/${l.productId}` },
          inventoryItem: { id: `gid://shopify/InventoryItem/${l.skuId}`, inventoryLevels: { nodes: [{ location: { id: 'gid://shopify/Location/1' } }] } },
        }));
        const more = start + v.first < all.length;
        return { data: { productVariants: { pageInfo: { hasNextPage: more, endCursor: more ? String(start + v.first) : null }, nodes } } };
      }
      const idOf = (gid) => String(gid || '').split('/').pop();
      if (q.includes('productVariantsBulkUpdate')) {
        if (state.shopify.refusePrice) return { data: { productVariantsBulkUpdate: { productVariants: [], userErrors: [{ field: ['price'], message: state.shopify.refusePrice, code: 'INVALID' }] } } };
        for (const x of v.variants) {
          const l = state.shopify.byId.get(idOf(x.id));
          if (l) l.price = String(x.price);
        }
        return { data: { productVariantsBulkUpdate: { productVariants: [], userErrors: [] } } };
      }
      if (q.includes('inventorySetQuantities')) {
        for (const x of v.input.quantities) {
          const l = state.shopify.byId.get(idOf(x.inventoryItemId));
          if (!l) continue;
          if (x.compareQuantity !== undefined && x.compareQuantity !== l.stock) {
            return { data: { inventorySetQuantities: { inventoryAdjustmentGroup: null, userErrors: [{ field: ['input'], message: 'The compareQuantity value does not match', code: 'COMPARE_QUANTITY_STALE' }] } } };
          }
          l.stock = x.quantity;
        }
        return { data: { inventorySetQuantities: { inventoryAdjustmentGroup: { reason: 'correction' }, userErrors: [] } } };
      }
      if (q.includes('productVariant(id')) {
        const l = state.shopify.byId.get(idOf(v.id));
        return { data: { productVariant: { inventoryQuantity: l ? l.stock : 0 } } };
      }
      return { errors: [{ message: 'unknown query', extensions: { code: 'BAD_REQUEST' } }] };
    },
  };

  const THROTTLED = {
    douyin: () => ({ code: 50002, msg: '服务繁忙', sub_code: 'isp.too-many-requests', sub_msg: '访问太频繁，触发限流' }),
    taobao: () => ({ error_response: { code: 7, msg: 'App Call Limited', sub_code: 'accesscontrol.limited-by-app-access-count', sub_msg: 'This ban will last for 1 more seconds' } }),
    pinduoduo: () => ({ error_response: { error_code: 70031, error_msg: '调用过于频繁，请调整调用频率' } }),
    jd: () => ({ error_response: { code: '19', zh_desc: '调用频率超限（限流）', en_desc: 'call limited' } }),
    shopify: () => ({ errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }], extensions: { cost: { requestedQueryCost: 10, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 0, restoreRate: 50 } } } }),
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const u = new URL(req.url, 'http://x');
      const send = (status, body) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (req.method === 'GET' && u.pathname === '/calls') return send(200, Object.fromEntries(PLATFORMS.map((p) => [p, state[p].calls])));
      const platform = PLATFORMS.find((p) => u.pathname === `/${p}` || u.pathname.startsWith(`/${p}/`));
      if (!platform) return send(404, { error: 'no such stand-in' });
      const s = state[platform];
      let op = '';
      let params = {};
      try {
        if (platform === 'douyin') {
          op = u.searchParams.get('method');
          params = JSON.parse(raw || '{}');
        } else if (platform === 'shopify' || platform === 'webhook') {
          params = JSON.parse(raw || '{}');
          op = platform === 'webhook' ? params.type : /productVariantsBulkUpdate|inventorySetQuantities|productVariants\(first|productVariant\(id/.exec(params.query || '')?.[0] || 'graphql';
        } else {
          params = Object.fromEntries(new URLSearchParams(raw));
          op = params.method || params.type;
        }
      } catch {
        return send(400, { error: 'bad body' });
      }
      const call = { at: Date.now(), op, params, status: 200, headers: { signature: req.headers['x-orderops-signature'] || null } };
      s.calls.push(call);
      if (s.mode === 'down') {
        call.status = 503;
        return send(503, 'service unavailable');
      }
      if (platform !== 'webhook' && overLimit(platform)) {
        call.status = 429;
        call.throttled = true;
        return send(200, THROTTLED[platform]());
      }
      if (platform === 'webhook') return send(200, { ok: true });
      const out = platform === 'douyin' ? handlers.douyin(op, params) : handlers[platform](params);
      call.answer = out;
      return send(200, out);
    });
  });
  return new Promise((resolve) => {
    server.listen(opts.port || 0, '127.0.0.1', () => {
      const port = server.address().port;
      const base = `http://127.0.0.1:${port}`;
      resolve({
        port,
        state,
        seed,
        listings,
        url: (p) => (p === 'shopify' ? `${base}/shopify` : `${base}/${p}`),
        env: () => ({
          DOUYIN_API_URL: `${base}/douyin`, TAOBAO_API_URL: `${base}/taobao`, PDD_API_URL: `${base}/pinduoduo`, JD_API_URL: `${base}/jd`, SHOPIFY_API_URL: `${base}/shopify`,
        }),
        setMode(p, mode) {
          state[p].mode = mode;
        },
        refusePrices(p, message) {
          state[p].refusePrice = message;
        },
        /** Calls a platform answered with success and that changed something (price or stock set). */
        applied(p, opMatch) {
          return state[p].calls.filter((c) => c.status === 200 && !c.throttled && opMatch.test(c.op || ''));
        },
        close: () => new Promise((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
      });
    });
  });
}

module.exports = { startShopStandIn, PLATFORMS };
