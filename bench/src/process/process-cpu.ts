import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type CpuTime } from './protocol';

/** Reads a process's CPU time so far; undefined where it cannot be read. */
export type ProcessCpuReader = () => CpuTime | undefined;

/**
 * CPU time of another process (the nats-server) from Linux's `/proc/<pid>/stat`, in clock ticks
 * (usually 10 ms — coarse, but a window of seconds makes it precise enough). Elsewhere it reports
 * nothing rather than guessing.
 */
export function procCpuReader(pid: number): ProcessCpuReader {
  return () => readProcCpu(pid);
}

let ticksPerSecond: number | undefined;

/** CPU time of process `pid` so far, from `/proc/<pid>/stat`; undefined where it cannot be read. */
export function readProcCpu(pid: number): CpuTime | undefined {
  ticksPerSecond ??= clockTicksPerSecond();
  const perSecond = ticksPerSecond;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const toUs = (ticks: string): number => (Number(ticks) / perSecond) * 1e6;
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    return { userUs: toUs(fields[11] ?? '0'), systemUs: toUs(fields[12] ?? '0') };
  } catch {
    return undefined;
  }
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    // getconf missing: 100 Hz is Linux's USER_HZ almost everywhere.
    return 100;
  }
}
