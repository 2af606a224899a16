import { parseArgs } from 'node:util';
import { readConfig, type Role } from '../config';
import { OrderopsError } from '../domain/errors';
import { migrate } from '../db/migrate';
import { start } from './start';
import { rulesTest } from './rules-test';
import { demoCommand } from './demo';
import { importCommand } from './import-skus';
import { reportConsistencyCommand } from './report-consistency';
import { reconcileCommand } from './reconcile';
import { poolCommandCli } from './pool';
import { listingsCommand } from './listings';
import { rejectedCommand } from './rejected';
import { calendarCommand } from './calendar';

const HELP = `orderops — order operations in chat

Usage:
  orderops start [--role all|intake|worker]   apply pending migrations, then run the bot
  orderops migrate                            create the database if missing and apply migrations
  orderops rules test <order.json> [--stock SKU=n ...]
                                              show which rules fire on a sample order, and why
  orderops demo [--url URL] [--speed N] [--orders 500]
                                              replay the live-stream storm against the running bot
  orderops import skus <file.csv|file.jsonl> [--strict]
                                              load the SKU master record (stock, price, owner, threshold)
  orderops import orders <file.jsonl> [--cards]
                                              load order history (generic format): deduped, classified,
                                              no cards unless --cards (for orders still in flight)
  orderops report consistency [--date YYYY-MM-DD]
                                              the multi-platform stock/price consistency report
  orderops reconcile --source <s> [--shop <id>] --since <t> [--until <t>] [--dry-run]
                                              pull a shop's order list, ingest what is missing
  orderops pool set <sku> <channel> <units|off> --as <staff id>
                                              reserve a SKU's stock for a channel (pushed to the shops)
  orderops listings pull [--shop <id>]        read each shop's listings (price, stock, ids) at its rate
  orderops rejected list|show <id>|replay <id…>|replay --all [--since <t>] [--source <s>] [--reason <r>]
                                              payloads the intake refused (400/422): see why, then
                                              replay them through the normal path once fixed
  orderops calendar check <YYYY-MM-DD> [--team ID] [--json]
  orderops calendar due --team ID --from <ISO> --minutes N [--json]
                                              what the work calendar thinks of a day, a due time

Environment: DATABASE_URL, REDIS_URL, PORT, ORDER_WEBHOOK_SECRET, ORDEROPS_API_TOKEN,
ORDEROPS_CONFIG (path of orderops.yml), LOG_LEVEL. See README.md.`;

export async function main(argv: string[]): Promise<number> {
  // The demo has options of its own (--url, --speed …); see DEMO_HELP.
  if (argv[0] === 'demo') return demoCommand(argv.slice(1));
  // Inventory commands parse their own options (see IMPORT_HELP, REPORT_HELP).
  if (argv[0] === 'import') return importCommand(argv.slice(1));
  if (argv[0] === 'report' && argv[1] === 'consistency') return reportConsistencyCommand(argv.slice(2));
  // Reconciliation parses its own options (see RECONCILE_HELP).
  if (argv[0] === 'reconcile') return reconcileCommand(argv.slice(1));
  if (argv[0] === 'pool') return poolCommandCli(argv.slice(1));
  if (argv[0] === 'listings') return listingsCommand(argv.slice(1));
  // The rejected store parses its own options (see REJECTED_HELP).
  if (argv[0] === 'rejected') return rejectedCommand(argv.slice(1));
  // The work calendar parses its own options (see CALENDAR_HELP).
  if (argv[0] === 'calendar') return calendarCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string', default: 'all' },
      stock: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return command || values.help ? 0 : 1;
  }
  switch (command) {
    case 'start': {
      const role = values.role as Role;
      if (!['all', 'intake', 'worker'].includes(role)) {
        console.error(`--role must be all, intake or worker (got "${role}")`);
        return 2;
      }
      await start(role);
      return -1; // keeps running
    }
    case 'migrate': {
      const config = readConfig();
      const applied = await migrate(config.databaseUrl, () => undefined);
      console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'database is up to date');
      return 0;
    }
    case 'rules': {
      if (rest[0] !== 'test' || !rest[1]) {
        console.error('usage: orderops rules test <order.json> [--stock SKU=n ...]');
        return 2;
      }
      const r = rulesTest(rest[1], readConfig().settings, values.stock ?? []);
      (r.ok ? console.log : console.error)(r.text);
      return r.ok ? 0 : 1;
    }
    default:
      console.error(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

export function run(argv = process.argv.slice(2)): void {
  main(argv).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (err: unknown) => {
      // One place turns failures into advice instead of a stack trace.
      if (err instanceof OrderopsError) console.error(err.message);
      else if ((err as { code?: string }).code === 'ECONNREFUSED') {
        console.error(`cannot reach a store: ${(err as Error).message}. Is Postgres (DATABASE_URL) / Redis (REDIS_URL) running?`);
      } else console.error(err);
      process.exit(1);
    },
  );
}
