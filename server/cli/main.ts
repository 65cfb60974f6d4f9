// `routerllm <command>`: each command lives in its own module under commands/ and is loaded
// only when asked for, so `routerllm fleet` never pays for onnxruntime or the evaluation.
import { CliError } from '../command-line/errors';

type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  serve: { summary: 'run the routing daemon (--stdio | --ws <port>)', load: () => import('../daemon/serve-command') },
  fleet: { summary: 'run the recorded fleet, an OpenAI-compatible server of recorded outputs', load: () => import('./commands/fleet') },
  discover: { summary: 'find model engines on this machine (Ollama, LM Studio, llama.cpp, vLLM, TGI) and their models; --write-config', load: () => import('./commands/discover') },
  implement: { summary: 'implement the function at <file>:<line> through the daemon', load: () => import('./commands/implement') },
  stats: { summary: 'energy, carbon and cost from the ledger', load: () => import('./commands/stats') },
  users: { summary: "the team's users and their tokens (add, list, revoke, rotate) in the configured store", load: () => import('./commands/users') },
  eval: { summary: 'evaluate every routing strategy on a recorded fleet (HumanEval or MBPP) against the baselines', load: () => import('./commands/eval') },
  coverage: { summary: 'how many benchmark tasks have tests the extractors find', load: () => import('./commands/coverage') },
  calibrate: { summary: 'record, judge and train on your own model servers (--config), resumable', load: () => import('./commands/calibrate') },
  train: { summary: 'train every learned router for a fleet and write a router bundle (k-fold scores in its card)', load: () => import('./commands/train') },
  robustness: { summary: 'train and score every sub-fleet of an observed fleet k-fold on itself', load: () => import('./commands/robustness') },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: routerllm <command> [options]\n\ncommands:\n${rows.join('\n')}\n\nrouterllm <command> --help for its options`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`routerllm: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  try {
    return await (await command.load()).run(rest);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`routerllm ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`routerllm: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
