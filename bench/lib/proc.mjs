// Reading /proc (Linux): memory of one process, CPU time of processes and of the whole machine.
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // 100 on every Linux this runs on
}

/** { rssKb, hwmKb } of a live process, or undefined. */
export function memoryOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

function statOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, close);
    const f = s.slice(close + 2).split(' ');
    // fields after comm: state(0) ppid(1) … utime(11) stime(12)
    return { comm, ppid: Number(f[1]), cpuSec: (Number(f[11]) + Number(f[12])) / clkTck };
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by one process. */
export function cpuOfPid(pid) {
  return statOf(pid)?.cpuSec ?? 0;
}

/** CPU seconds used so far by every live process whose name is one of `names` (e.g. postgres). */
export function cpuOfNamed(names) {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = statOf(d);
    if (st && names.some((n) => st.comm === n || st.comm.startsWith(n))) total += st.cpuSec;
  }
  return total;
}

/** { busySec, totalSec } of the whole machine since boot (all cores). */
export function machineCpu() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  const busy = user + nice + system + irq + softirq + steal;
  return { busySec: busy / clkTck, totalSec: (busy + idle + iowait) / clkTck };
}

export function loadAverage() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

/**
 * CPU seconds used so far by Postgres on behalf of database `db`: its client backends plus the
 * shared background processes (WAL writer, checkpointer …), leaving out other databases' backends
 * (other test runs on the same machine).
 */
export function cpuOfPostgres(db) {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = statOf(d);
    if (!st || st.comm !== 'postgres') continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    const clientBackend = /\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]|::1\(\d+\)/.test(cmd);
    if (!clientBackend || cmd.includes(` ${db} `)) total += st.cpuSec;
  }
  return total;
}

/**
 * The main thread (the event loop) of `pid`: seconds on a CPU and seconds runnable but waiting for
 * one (from /proc/<pid>/task/<pid>/schedstat), or undefined.
 */
export function mainThreadSched(pid) {
  try {
    const [onCpuNs, waitNs] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { onCpuSec: onCpuNs / 1e9, waitSec: waitNs / 1e9 };
  } catch {
    return undefined;
  }
}
