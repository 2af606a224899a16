// What a fault must not break, checked against the database and the stand-ins' logs:
//   orders       every acknowledged order stored exactly once; processing caught up
//   cards        every open exception's card posted exactly once (stand-in channel log) and
//                recorded once in chat_messages with the same message ts
//   escalations  every exception past its claim / resolve deadline has fired level 1 / level 2
//                exactly once (level*_sent = 1, one notification row per planned recipient and
//                channel), and each delivered notification reached the outside once
import pg from 'pg';

export async function withPg(url, fn) {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** The cheap "has it caught up?" probe, polled while waiting for recovery. */
export async function progress(url) {
  return withPg(url, async (c) => {
    const { rows } = await c.query(`SELECT
      (SELECT count(*) FROM orders)::int AS orders,
      (SELECT count(*) FROM orders WHERE processed_revision < revision)::int AS unprocessed,
      (SELECT count(*) FROM exceptions)::int AS exceptions,
      ((SELECT count(*) FROM exceptions e WHERE e.status <> 'resolved' AND e.card_mode IS DISTINCT FROM 'digest' AND NOT EXISTS
         (SELECT 1 FROM chat_messages m WHERE m.state = 'posted' AND m.card_key = 'exception:' || e.id))
       -- a storm digest's line: shown once its digest is posted and rendered at its current version
       + (SELECT count(*) FROM exceptions e JOIN exception_digests d ON d.id = e.digest_id WHERE e.card_mode = 'digest' AND NOT EXISTS
         (SELECT 1 FROM chat_messages m WHERE m.state = 'posted' AND m.card_key = 'digest:' || d.id
            AND m.rendered_version >= d.version + (SELECT coalesce(sum(x.version - 1), 0) FROM exceptions x WHERE x.digest_id = d.id))))::int AS cards_missing,
      (SELECT count(*) FROM exceptions e WHERE e.assignee IS NULL AND e.status <> 'resolved' AND e.claim_due_at <= now() AND e.level1_sent = 0)::int AS l1_missing,
      (SELECT count(*) FROM exceptions e WHERE e.status <> 'resolved' AND e.resolve_due_at <= now() AND e.level2_sent = 0)::int AS l2_missing,
      (SELECT count(*) FROM notifications WHERE status = 'pending')::int AS notifications_pending,
      (SELECT count(*) FROM exceptions e JOIN chat_messages m ON m.card_key = 'exception:' || e.id
         WHERE m.state = 'posted' AND m.rendered_version < e.version)::int AS cards_behind`);
    return rows[0];
  });
}

export const caughtUp = (p, { escalations = true } = {}) =>
  p.unprocessed === 0 && p.cards_missing === 0 && (!escalations || (p.l1_missing === 0 && p.l2_missing === 0 && p.notifications_pending === 0));

/** Every acknowledged id stored exactly once; nothing stored that was never sent. */
export async function checkOrders(url, sender, idPrefix) {
  const acked = sender.ackedIds();
  const sentIds = new Set(sender.log.keys());
  return withPg(url, async (c) => {
    const present = await c.query(
      `SELECT count(o.external_id)::int AS present FROM unnest($1::text[]) a(id) LEFT JOIN orders o ON o.source = 'generic' AND o.external_id = a.id`,
      [acked],
    );
    const stored = await c.query(
      `SELECT external_id FROM orders WHERE source = 'generic' AND external_id LIKE $1`,
      [`${idPrefix}%`],
    );
    const dup = await c.query(`SELECT count(*)::int AS rows, count(DISTINCT (source, external_id))::int AS keys FROM orders`);
    const unprocessed = await c.query('SELECT count(*)::int AS n FROM orders WHERE processed_revision < revision');
    const storedIds = stored.rows.map((r) => r.external_id);
    const phantom = storedIds.filter((id) => !sentIds.has(id)).length;
    const storedNotAcked = storedIds.filter((id) => !(sender.log.get(id)?.acks > 0)).length;
    const lost = acked.length - present.rows[0].present;
    const duplicated = dup.rows[0].rows - dup.rows[0].keys;
    return {
      sent: sentIds.size,
      acked: acked.length,
      notAcked: sentIds.size - acked.length,
      stored: storedIds.length,
      lost,
      duplicated,
      phantom,
      storedNotAcked,
      unprocessed: unprocessed.rows[0].n,
      ok: lost === 0 && duplicated === 0 && phantom === 0,
    };
  });
}

async function loadExceptions(c) {
  const { rows } = await c.query(
    `SELECT e.id::int, e.type, e.team, e.status, e.assignee, e.version, e.level1_sent AS l1, e.level2_sent AS l2,
            e.claim_due_at <= now() AS claim_due, e.resolve_due_at <= now() AS resolve_due,
            extract(epoch FROM e.created_at) * 1000 AS created_ms, o.external_id,
            e.card_mode, e.digest_id::int AS digest_id, e.digest_seq
       FROM exceptions e JOIN orders o ON o.id = e.order_id ORDER BY e.id`,
  );
  return rows;
}

/** Cards: posted once in the stand-in's channels, recorded once in chat_messages, same ts. */
export async function checkCards(url, standIn) {
  return withPg(url, async (c) => {
    const exceptions = await loadExceptions(c);
    const msgs = await c.query(
      `SELECT card_key, platform, state, channel, message_id, rendered_version, count(*) OVER (PARTITION BY card_key, platform)::int AS n FROM chat_messages`,
    );
    const rowByKey = new Map(msgs.rows.filter((m) => m.platform === 'slack').map((m) => [m.card_key, m]));
    const posts = standIn.cardPosts();
    let missing = 0;
    let doubled = 0;
    let mismatched = 0;
    let behind = 0;
    const doubledKeys = [];
    const digestCover = digestCoverage(standIn);
    let inDigest = 0;
    for (const e of exceptions) {
      const key = `exception:${e.id}`;
      const p = posts.get(key) ?? [];
      const row = rowByKey.get(key);
      if (e.card_mode === 'digest') {
        // A storm digest line: shown once its digest rendered at least this many members.
        inDigest++;
        if (p.length > 0) doubledKeys.push({ key, order: e.external_id, posts: p.length, note: 'a digest member with a card of its own' });
        if (coveredAt(digestCover, e) === undefined) missing++;
        continue;
      }
      if (p.length === 0 && e.status !== 'resolved') missing++;
      if (p.length > 1) {
        doubled++;
        doubledKeys.push({ key, order: e.external_id, posts: p.map((x) => ({ at: Math.round(x.at), ts: x.ts, status: x.status, fault: x.fault })) });
      }
      if (p.length === 1 && (!row || row.state !== 'posted' || row.message_id !== p[0].ts)) mismatched++;
      if (row && row.state === 'posted' && row.rendered_version < e.version) behind++;
    }
    // Any other card (backlog, inventory …) posted twice counts too.
    for (const [key, p] of posts) if (!key.startsWith('exception:') && p.length > 1) doubledKeys.push({ key, posts: p.length });
    const rowsDoubled = msgs.rows.filter((m) => m.n > 1).length;
    return {
      exceptions: exceptions.length,
      posted: exceptions.filter((e) => (posts.get(`exception:${e.id}`) ?? []).length > 0).length,
      inDigest,
      missing,
      doubled: doubled + doubledKeys.filter((d) => !d.key.startsWith('exception:')).length,
      doubledKeys,
      rowsDoubled,
      mismatched,
      behind,
      ok: missing === 0 && doubled === 0 && rowsDoubled === 0 && mismatched === 0 && doubledKeys.length === 0,
    };
  });
}

/**
 * Escalations. `staff` is the configured list; `kills` the times (ms) the bot was killed and
 * `outages` the intervals ({from, to} ms) a store was down: they explain a delivery repeated
 * because its outcome could not be recorded (at-least-once delivery).
 */
export async function checkEscalations(url, { standIn, smtp, staff, kills = [], outages = [] }) {
  return withPg(url, async (c) => {
    const exceptions = await loadExceptions(c);
    const notes = (await c.query(`SELECT id::int, exception_id::int AS exception_id, kind, channel, recipient, status, detail FROM notifications`)).rows;
    const cards = new Map((await c.query(`SELECT card_key, channel, message_id FROM chat_messages WHERE platform = 'slack' AND state = 'posted'`)).rows.map((r) => [r.card_key, r]));
    const byException = new Map();
    for (const n of notes) {
      if (!byException.has(n.exception_id)) byException.set(n.exception_id, []);
      byException.get(n.exception_id).push(n);
    }
    const supervisorsOf = (team) => staff.filter((s) => s.role === 'supervisor' && s.team === team);
    const managersOf = (team) => staff.filter((s) => s.role === 'manager' && (!s.team || s.team === team));
    const r = { due1: 0, due2: 0, missing1: 0, missing2: 0, doubled1: 0, doubled2: 0, rowsMissing: 0, rowsExtra: 0, statuses: {}, details: [] };
    for (const e of exceptions) {
      const mine = byException.get(e.id) ?? [];
      for (const n of mine) r.statuses[`${n.kind}:${n.channel}:${n.status}`] = (r.statuses[`${n.kind}:${n.channel}:${n.status}`] ?? 0) + 1;
      if (e.status === 'resolved') continue;
      const sup = supervisorsOf(e.team);
      const mgr = managersOf(e.team);
      if (e.claim_due && !e.assignee) {
        r.due1++;
        const want = sup.length > 0 ? 1 + sup.length : 1; // a card mention + a DM each (or one unrouted record)
        const got = mine.filter((n) => n.kind === 'sla_level1').length;
        if (e.l1 === 0) r.missing1++;
        if (e.l1 > 1) r.doubled1++;
        if (got < want) r.rowsMissing += want - got;
        if (got > want) r.rowsExtra += got - want;
        if (e.l1 !== 1 || got !== want) r.details.push({ exception: e.id, order: e.external_id, level: 1, sent: e.l1, rows: got, want });
      }
      if (e.resolve_due) {
        r.due2++;
        const want = mgr.length > 0 ? 3 * mgr.length : 1; // DM + email + SMS per manager
        const got = mine.filter((n) => n.kind === 'sla_level2').length;
        if (e.l2 === 0) r.missing2++;
        if (e.l2 > 1) r.doubled2++;
        if (got < want) r.rowsMissing += want - got;
        if (got > want) r.rowsExtra += got - want;
        if (e.l2 !== 1 || got !== want) r.details.push({ exception: e.id, order: e.external_id, level: 2, sent: e.l2, rows: got, want });
      }
    }

    // What reached the outside, per notification.
    const dmCalls = new Map(); // channel|order|level → calls
    const mentionCalls = new Map(); // thread ts → calls
    for (const call of standIn.calls) {
      if (call.method !== 'chat.postMessage' || !call.applied) continue;
      if (call.threadTs) {
        if (!mentionCalls.has(call.threadTs)) mentionCalls.set(call.threadTs, []);
        mentionCalls.get(call.threadTs).push(call);
      } else if (call.channel?.startsWith('D')) {
        const order = /order (\S+?) (?:has|is)/.exec(call.text ?? '')?.[1];
        const level = /\(level 2\)/.test(call.text ?? '') ? 2 : 1;
        const k = `${call.channel}|${order}|${level}`;
        if (!dmCalls.has(k)) dmCalls.set(k, []);
        dmCalls.get(k).push(call);
      }
    }
    const staffById = new Map(staff.map((s) => [s.id, s]));
    const exById = new Map(exceptions.map((e) => [e.id, e]));
    const delivery = { sent: 0, seen: 0, notSeen: 0, duplicated: 0, explained: 0, reasons: {}, repeats: [], unexplained: [], byChannel: {} };
    const explain = (copies) => {
      // A repeat is explained when the copy before it was answered with an error (the bot could not
      // know it took effect), the bot was killed between the two copies, or a store was down just
      // after the copy (so the bot could not record that it was sent).
      const why = [];
      for (let i = 1; i < copies.length; i++) {
        const prev = copies[i - 1];
        if (prev.ok === false) why.push('answered with an error');
        else if (kills.some((k) => k >= prev.at - 50 && k <= copies[i].at)) why.push('bot killed before recording it');
        else if (outages.some((o) => prev.at >= o.from - 2000 && prev.at <= o.to + 1000)) why.push('store down when recording it');
        else return null;
      }
      return why.join(', ');
    };
    for (const n of notes) {
      if (n.status !== 'sent') continue;
      const e = exById.get(n.exception_id);
      if (!e) continue;
      delivery.sent++;
      const level = n.kind === 'sla_level2' ? 2 : 1;
      let copies = [];
      const ch = n.channel.replace(/^slack_/, '');
      if (ch === 'chat_dm') {
        const s = staffById.get(n.recipient);
        copies = s?.slack ? dmCalls.get(`D${s.slack.replace(/^U/, '')}|${e.external_id}|${level}`) ?? [] : [];
      } else if (ch === 'card_mention') {
        // A storm digest's line is mentioned under its digest, with the order named in the text.
        const digest = e.card_mode === 'digest' && e.digest_id ? cards.get(`digest:${e.digest_id}`) : undefined;
        const card = digest ?? cards.get(`exception:${e.id}`);
        copies = card ? mentionCalls.get(card.message_id) ?? [] : [];
        if (digest) copies = copies.filter((c) => (c.text ?? '').includes(e.external_id));
      } else if (ch === 'email') {
        copies = smtp.mails.filter((m) => m.exception === String(e.id)).map((m) => ({ ...m, ok: true }));
      } else if (ch === 'sms') {
        copies = standIn.sms.filter((m) => m.params?.order === e.external_id).map((m) => ({ ...m, ok: true }));
      }
      const b = (delivery.byChannel[ch] ??= { sent: 0, seen: 0, duplicated: 0 });
      b.sent++;
      if (copies.length === 0) delivery.notSeen++;
      else {
        delivery.seen++;
        b.seen++;
      }
      if (copies.length > 1) {
        delivery.duplicated++;
        b.duplicated++;
        const why = explain(copies);
        const item = { notification: n.id, channel: ch, level, order: e.external_id, copies: copies.map((x) => ({ at: Math.round(x.at), ok: x.ok, status: x.status, fault: x.fault })), why };
        delivery.repeats.push(item);
        if (why) {
          delivery.explained++;
          delivery.reasons[`${ch}: ${why}`] = (delivery.reasons[`${ch}: ${why}`] ?? 0) + 1;
        } else delivery.unexplained.push(item);
      }
    }
    r.delivery = delivery;
    r.ok = r.missing1 === 0 && r.missing2 === 0 && r.doubled1 === 0 && r.doubled2 === 0 && r.rowsMissing === 0 && r.rowsExtra === 0 && delivery.unexplained.length === 0 && delivery.notSeen === 0;
    return r;
  });
}

/** Latency of each exception's card: order pushed → card posted (successful chat.postMessage). */
export async function cardLatencies(url, sender, standIn) {
  return withPg(url, async (c) => {
    const exceptions = await loadExceptions(c);
    const posts = standIn.cardPosts();
    const firstCall = new Map();
    for (const call of standIn.calls) {
      if (call.method === 'chat.postMessage' && call.cardKey && !call.threadTs && !firstCall.has(call.cardKey)) firstCall.set(call.cardKey, call);
    }
    const digestCover = digestCoverage(standIn);
    return exceptions.map((e) => {
      const key = `exception:${e.id}`;
      const sent = sender.log.get(e.external_id)?.firstSentAt;
      const acked = sender.log.get(e.external_id)?.ackedAt;
      const post = (posts.get(key) ?? [])[0];
      const digestAt = e.card_mode === 'digest' ? coveredAt(digestCover, e) : undefined;
      // Shown: its own card posted, or (storm) its digest rendered with it counted.
      const shownAt = post?.at ?? digestAt;
      return {
        via: post ? 'card' : digestAt !== undefined ? 'digest' : undefined,
        shownMs: shownAt !== undefined && sent !== undefined ? shownAt - sent : undefined,
        exception: e.id,
        type: e.type,
        team: e.team,
        order: e.external_id,
        sentAt: sent,
        ackMs: acked !== undefined && sent !== undefined ? acked - sent : undefined,
        createdMs: sent !== undefined ? Number(e.created_ms) - sent : undefined,
        firstCallMs: firstCall.get(key) && sent !== undefined ? firstCall.get(key).at - sent : undefined,
        postedMs: post && sent !== undefined ? post.at - sent : undefined,
        answeredMs: post?.answeredAt !== undefined && sent !== undefined ? post.answeredAt - sent : undefined,
        channel: post?.channel,
      };
    });
  });
}

/** Per digest card, its applied posts and updates in time order with the member count each showed. */
function digestCoverage(standIn) {
  const byKey = new Map();
  for (const c of standIn.calls) {
    if (!c.applied || c.threadTs || !c.cardKey?.startsWith('digest:') || !['chat.postMessage', 'chat.update'].includes(c.method)) continue;
    if (!byKey.has(c.cardKey)) byKey.set(c.cardKey, []);
    byKey.get(c.cardKey).push({ at: c.at, members: Number(c.members ?? 0) });
  }
  return byKey;
}

/** When a digest member was first shown: the first render of its digest counting at least its place. */
function coveredAt(cover, e) {
  return (cover.get(`digest:${e.digest_id}`) ?? []).find((r) => r.members >= e.digest_seq)?.at;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
