import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { genericOrder, postOrders, startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The local channel in a real browser: Debian's chromium driven by playwright-core (never a
 * downloaded browser; .ci/run installs the package when it is missing). A newcomer's setup: no
 * staff configured, so the demo staff are on the "act as" list.
 *
 * ORDEROPS_SCREENSHOT=docs/local-channel.png npx jest test/browser  — also saves a screenshot.
 */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const XSS = '<img src=x onerror=alert(1)>';
/** Order ids unique per test, short like a platform's. */
const uid = (prefix: string) => `${prefix}20260108-${randomUUID().slice(0, 8).toUpperCase()}`;

let app: TestApp;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
  }
  app = await startTestApp({ ORDEROPS_LOCAL_CHANNEL: '1' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  page.setDefaultTimeout(15_000);
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const card = (orderId: string, type: string): Locator => page.locator(`article.card[data-order="${orderId}"][data-type="${type}"]`);
const actAs = (staffId: string) => page.selectOption('#staff', staffId);

it('shows cards, takes clicks as the chosen staff member, denies without the role, fixes an address, and updates live', async () => {
  const vague = genericOrder({ id: uid('DY'), address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' }, remark: XSS });
  const review = genericOrder({ id: uid('JD'), total: '3594.00', paid: '3594.00', items: [{ sku: 'LAMP-01', qty: 6, price: '599.00' }] });
  expect((await postOrders(app.url, [vague, review])).status).toBe(200);

  await page.goto(`${app.url}/`);
  await page.locator('#live.on').waitFor();

  // The exception card is there, and the buyer's remark is shown as text, never as markup.
  const v = card(vague.id as string, 'vague_address');
  await v.waitFor();
  await expect(v.locator('.f-remark dd').textContent()).resolves.toBe(XSS);
  expect(await v.locator('img').count()).toBe(0);
  expect(await v.locator('.card-title').textContent()).toContain('地址模糊');

  // Claim it as 张三 (an agent of 客服组): the card changes in place, the reply is in the side panel.
  await actAs('demo.service.agent');
  await v.locator('button[data-action="exception.claim"]').click();
  await page.locator(`article.card[data-order="${vague.id}"][data-status="claimed"]`).waitFor();
  expect(await v.locator('.status').textContent()).toContain('张三');
  expect(await v.locator('button[data-action="exception.claim"]').count()).toBe(0);
  await page.locator('#messages li.msg.private', { hasText: '你已认领订单' }).waitFor();

  // An agent may not approve a held order: the denial shows on the card and in the panel; nothing changes.
  await actAs('demo.review.agent');
  await page.locator('#messages li.empty').waitFor(); // the panel now shows 孙丽's messages (none yet)
  const r = card(review.id as string, 'review');
  await r.locator('button[data-action="exception.approve"]').click();
  await r.locator('.reply.denied', { hasText: '只有主管、经理或管理员可以执行「审核通过」' }).waitFor();
  await page.locator('#messages li.msg', { hasText: '只有主管' }).waitFor();
  expect(await r.getAttribute('data-status')).toBe('open');

  // Fix the address as 张三: a vague one is refused field by field, a full one resolves the exception.
  await actAs('demo.service.agent');
  await v.locator('button[data-action="exception.fix_address"]').click();
  const form = v.locator('form.fix');
  await form.locator('input[name="province"]').fill('浙江省');
  await form.locator('input[name="city"]').fill('杭州市');
  await form.locator('input[name="district"]').fill('西湖区');
  await form.locator('input[name="detail"]').fill('菜鸟驿站');
  await form.locator('button[type="submit"]').click();
  await form.locator('.err[data-field="detail"]:not(:empty)').waitFor();
  expect(await form.locator('.err[data-field="detail"]').textContent()).toContain('驿站');
  expect(await v.getAttribute('data-status')).toBe('claimed');
  await form.locator('input[name="detail"]').fill('文三路90号3幢501室');
  await form.locator('button[type="submit"]').click();
  await page.locator(`article.card[data-order="${vague.id}"][data-status="resolved"]`).waitFor();
  expect(await v.locator('form.fix').count()).toBe(0);
  expect(await v.locator('.status').textContent()).toContain('已解决');
  expect(await v.locator('.f-address dd').textContent()).toContain('文三路');

  // Someone else acts (another page or the API): a new order's card appears and changes live.
  const other = genericOrder({ id: uid('PDD'), remark: '急！10号前送达' });
  expect((await postOrders(app.url, other)).status).toBe(200);
  const o = card(other.id as string, 'remark_urgent');
  await o.waitFor();
  const version = Number(await o.getAttribute('data-version'));
  const exceptionId = await page.evaluate((id) => {
    // Read back what the page holds, as another user's client would: the card's ids come from the state.
    return fetch('/local/state').then((res) => res.json()).then((s: { cards: { orderId: string; exceptionId: number }[] }) => s.cards.find((c) => c.orderId === id)!.exceptionId);
  }, other.id as string);
  const res = await fetch(`${app.url}/local/actions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'exception.claim', exceptionId, version, staff: 'demo.service.supervisor' }),
  });
  expect(res.status).toBe(200);
  await page.locator(`article.card[data-order="${other.id}"][data-status="claimed"]`).waitFor();
  expect(await o.locator('.status').textContent()).toContain('李四');

  expect(dialogs).toEqual([]);
  expect(pageErrors).toEqual([]);

  if (process.env.ORDEROPS_SCREENSHOT) {
    // A few more kinds of card, so the picture shows what a storm brings.
    const more = [
      genericOrder({ id: uid('DY'), remark: '需要开发票，抬头：杭州某某科技有限公司' }),
      genericOrder({ id: uid('DY'), status: 'partially_paid', paid: '299.00' }),
      genericOrder({ id: uid('DY'), logistics: { intercepted: true, carrier: '中通快递' } }),
    ];
    await postOrders(app.url, more);
    for (const m of more) await page.locator(`article.card[data-order="${m.id}"]`).first().waitFor();
    const out = path.resolve(process.env.ORDEROPS_SCREENSHOT);
    mkdirSync(path.dirname(out), { recursive: true });
    await page.locator('#channel-list button', { hasText: '全部频道' }).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: out });
  }
}, 60_000);
