#!/usr/bin/env node
// Start-up cost: CPU time (user + system) of each command, median of many runs, the commands
// interleaved so a busy machine slows them alike. CPU time moves less than wall time on a
// busy machine; it is read with wait4() (microseconds), through python3. Linux and macOS.
//   node scripts/startup.mjs [runs] [-- 'cmd a' 'cmd b' ...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TIMER = `
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp('sh', ['sh', '-c', sys.argv[1]])
_, _, ru = os.wait4(pid, 0)
print(ru.ru_utime + ru.ru_stime)
`;
const argv = process.argv.slice(2);
const dd = argv.indexOf('--');
const runs = Number(argv[0] && argv[0] !== '--' ? argv[0] : 41);
const dir = mkdtempSync(join(tmpdir(), 'spylog-startup-'));
const log = join(dir, 'one-kb.log');
// The first 1 KB of the console capture, cut at a line end.
const text = readFileSync('fixtures/w2k-console.log', 'latin1').slice(0, 1024);
writeFileSync(log, text.slice(0, text.lastIndexOf('\n') + 1), 'latin1');
const commands =
  dd >= 0
    ? argv.slice(dd + 1)
    : [
        'node -e 0',
        `node bin/spylog.js ${log}`,
        `node bin/spylog.js -f json ${log}`,
        'node bin/spylog.js --version',
        `node bin/spylog.js check ${log} --unresolved allow --max-leaks 9`,
      ];
const cpu = commands.map(() => []);
for (let r = 0; r < runs; r++) {
  commands.forEach((cmd, i) => {
    const r = spawnSync('python3', ['-c', TIMER, `${cmd} > /dev/null 2>&1`], { encoding: 'utf8' });
    cpu[i].push(Number(r.stdout) * 1000);
  });
}
rmSync(dir, { recursive: true, force: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(cpu[0]);
for (const [i, cmd] of commands.entries()) {
  const m = median(cpu[i]);
  console.log(
    `${String(Math.round(m)).padStart(5)} ms CPU  ${i === 0 ? '      ' : `+${String(Math.round(m - base)).padStart(4)} `}  ${cmd.replace(log, '1KB.log')}`,
  );
}
