// Command-line options of a bench: --help prints the help and exits 0; `fail` says what is wrong
// and exits 2; URLs of the stores must be on loopback (a bench never touches another machine).
import os from 'node:os';
import { parseArgs } from 'node:util';

export function benchOptions(name, help, options) {
  const fail = (m) => {
    console.error(`${name}: ${m}`);
    process.exit(2);
  };
  let values;
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h', default: false } } }));
  } catch (e) {
    fail(e.message);
  }
  if (values.help) {
    console.log(help);
    process.exit(0);
  }
  /** A whole number ≥ 1 from option `k`. */
  const whole = (k) => {
    const n = Number(values[k]);
    if (!Number.isInteger(n) || n < 1) fail(`--${k} must be a positive whole number, got "${values[k]}"`);
    return n;
  };
  /** A Postgres base URL on loopback, with a user name (PGUSER, USER or the OS user) when it has none. */
  const loopbackPg = (k) => {
    let u;
    try {
      u = new URL(values[k]);
    } catch {
      fail(`--${k} is not a URL`);
    }
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) fail(`--${k} must be on loopback; got ${u.hostname}`);
    if (u.hostname === 'localhost') u.hostname = '127.0.0.1';
    if (!u.username) u.username = process.env.PGUSER || process.env.USER || os.userInfo().username;
    return u;
  };
  return { opt: values, fail, whole, loopbackPg };
}
