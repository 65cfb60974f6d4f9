// Offline analysis (not shipped): extracted-test and hidden verdicts for every recorded answer.
import * as fs from 'node:fs';
import { loadRecordings } from './server/fleet';
import { RECORDED_MODEL_IDS, CATALOGUE } from './server/config/catalogue';
import { extractCode, functionAt, candidateProgram } from './server/context';
import { extractTests, checkCandidate, CheckCache } from './server/checks';
import { HiddenTests } from './server/eval/hidden';
import { loadTasks } from './server/eval/tasks';
import { loadConfig } from './server/config/load';

(async () => {
  const cfg = loadConfig(null).config;
  const rec = loadRecordings();
  const tasks = loadTasks('humaneval');
  const hidden = new HiddenTests({ cacheDir: 'out/eval/cache', dataset: 'humaneval', parallel: 2 });
  const cache = new CheckCache({ dir: '/tmp/simcache' });
  const models = ['deepseek-coder-1.3b', 'deepseek-coder-6.7b', 'llama-3-8b', 'deepseek-coder-33b', 'llama-3.1-70b'];
  const out: any[] = [];
  let n = 0;
  await Promise.all([0, 1].map(async (lane) => {
    for (let i = lane; i < tasks.length; i += 2) {
      const t = tasks[i]!;
      const line = t.prompt.split('\n').findIndex((l) => l.startsWith(`def ${t.entryPoint}(`));
      const fn = functionAt(t.prompt, line, 'python')!;
      const tests = extractTests({ language: 'python', uri: 'file:///t.py', text: t.prompt, functionName: t.entryPoint, related: [] });
      for (const m of models) {
        const r = rec.recordings.find((x) => x.model === RECORDED_MODEL_IDS[m] && x.task_id === t.id);
        if (!r) continue;
        const text = (r as any).response || r.completion;
        const code = extractCode(text, 'python', t.entryPoint);
        const ext = tests.length ? await checkCandidate({ language: 'python', code: candidateProgram(fn, code), tests, limits: cfg.sandbox, cache }) : null;
        const hid = await hidden.verdicts(t, code);
        const cat = CATALOGUE.find((c) => c.id === m)!;
        const ctoks = (r as any).completion_tokens ?? Math.ceil(text.length / 4);
        out.push({ task: t.id, model: m, ext: ext ? ext.failed === 0 && ext.passed > 0 : null, extFound: tests.length, hid: hid.base.passed, plus: hid.plus?.passed ?? null, j: ctoks * cat.energy.jPerOutputToken.value + 150 * cat.energy.jPerPromptToken.value });
      }
      if (++n % 20 === 0) console.error(n);
    }
  }));
  fs.writeFileSync('/tmp/sim.json', JSON.stringify(out));
})();
