// Preloaded (node --import) into a benchmarked process: writes its peak resident set size in KB to $BENCH_RSS_FILE at exit.
//
// On Linux it reads VmHWM, the peak of this process's own memory. process.resourceUsage().maxRSS is not
// that: Linux carries ru_maxrss across exec, so a child spawned by a large parent (the bench holds the
// 100 MiB input to pipe it) reports the parent's size (349 MB for a 5 MB render, measured).
import { readFileSync, writeFileSync } from 'node:fs';

function peakKb() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {
    // Not Linux: the kernel's figure is the best there is.
  }
  return process.resourceUsage().maxRSS;
}

process.on('exit', () => writeFileSync(process.env.BENCH_RSS_FILE, String(peakKb())));
