// Turns what the daemon's process said (its stderr) and what the Node probe found into ONE
// problem for the user: a short cause, the fix, and the action a button runs. Pure: no `vscode`
// import, so plain mocha tests every rule.

/** What a problem's button does (extension/problems.ts runs it). */
export type FixAction =
  | { kind: 'chooseNode' } // pick a Node executable: writes routerllm.daemon.nodePath
  | { kind: 'openSetting'; key: string }
  | { kind: 'startFleet' } // RouterLLM: Start the Recorded Fleet (the demo fleet)
  | { kind: 'chooseConfig' } // pick a configuration file: writes routerllm.daemon.configFile
  | { kind: 'openDemoWorkspace' } // RouterLLM: Open the Demo Workspace
  | { kind: 'setToken' } // RouterLLM: Set Shared Daemon Token
  | { kind: 'restartDaemon' }
  | { kind: 'showLog' }
  | { kind: 'openUrl'; url: string; label: string };

export interface Problem {
  /** Stable id: the same problem is shown once, however often it is found. */
  id: string;
  message: string;
  actions: FixAction[];
}

export const NODE_DOWNLOAD_URL = 'https://nodejs.org/en/download';

/** How to log a daemon stderr line: its own "[routerllm <time>] ..." lines are info, or warnings
 * when they report a failure (a server down); anything else (a stack trace) is an error. */
export function stderrLevel(line: string): 'info' | 'warn' | 'error' {
  const own = /^\[routerllm [^\]]*\]\s*(.*)$/.exec(line);
  if (own) return /\b(error|failed|cannot|unhealthy|crash|refused|ignored)/i.test(own[1]!) ? 'warn' : 'info';
  if (/^\s*$/.test(line)) return 'info';
  return 'error';
}

/** Why a daemon process that died said so on stderr, as a problem; undefined when nothing in its
 * last lines is recognised (the caller then says "the daemon stopped" with its log). */
export function diagnoseCrash(stderrTail: string, nodePath: string): Problem | undefined {
  // better-sqlite3 built for another Node: "was compiled against a different Node.js version using
  // NODE_MODULE_VERSION 115. This version of Node.js requires NODE_MODULE_VERSION 137."
  const abi = /NODE_MODULE_VERSION (\d+)\. This version of Node\.js requires\s+NODE_MODULE_VERSION (\d+)/.exec(stderrTail);
  if (abi) {
    return nodeAbiProblem(nodePath, abi[1]!, `ABI ${abi[2]}`);
  }
  const missing = /Cannot find module '([^']+)'/.exec(stderrTail);
  if (missing) {
    return {
      id: `missing-module:${missing[1]}`,
      message: `RouterLLM: the daemon cannot load ${missing[1]}; this installation is incomplete. Reinstall the extension, or point routerllm.daemon.serverPath at a RouterLLM installation.`,
      actions: [{ kind: 'openSetting', key: 'routerllm.daemon.serverPath' }, { kind: 'showLog' }],
    };
  }
  if (/ENOENT/.test(stderrTail) && /spawn/.test(stderrTail)) return nodeMissingProblem(nodePath);
  return undefined;
}

export function nodeMissingProblem(nodePath: string): Problem {
  return {
    id: 'node-missing',
    message: `RouterLLM needs Node.js 20 or later to run its daemon, and \`${nodePath}\` was not found. Install Node.js or choose the node executable.`,
    actions: [{ kind: 'chooseNode' }, { kind: 'openUrl', url: NODE_DOWNLOAD_URL, label: 'Get Node.js' }],
  };
}

export function nodeAbiProblem(nodePath: string, builtAbi: string, found: string): Problem {
  return {
    id: `node-abi:${nodePath}`,
    message: `RouterLLM's daemon was packaged for Node.js ABI ${builtAbi} (Node 20), but \`${nodePath}\` is ${found}. Choose a Node 20 executable.`,
    actions: [{ kind: 'chooseNode' }, { kind: 'openUrl', url: NODE_DOWNLOAD_URL, label: 'Get Node.js' }],
  };
}

export function nodeTooOldProblem(nodePath: string, version: string): Problem {
  return {
    id: `node-old:${nodePath}`,
    message: `RouterLLM's daemon needs Node.js 20 or later; \`${nodePath}\` is ${version}. Choose a newer node executable.`,
    actions: [{ kind: 'chooseNode' }, { kind: 'openUrl', url: NODE_DOWNLOAD_URL, label: 'Get Node.js' }],
  };
}

/** What `node -p` printed about itself. */
export interface NodeProbe {
  version: string;
  abi: string;
}

/** The packaged binaries' manifest (scripts/stage-daemon-modules.mjs). */
export interface NativesManifest {
  platform: string;
  arch: string;
  nodeAbi: string;
  builtWith: string;
}

/** Whether the probed Node can run the packaged daemon; a problem when it cannot. */
export function checkNode(nodePath: string, probe: NodeProbe | 'missing', manifest: NativesManifest | undefined, here: { platform: string; arch: string }): Problem | undefined {
  if (probe === 'missing') return nodeMissingProblem(nodePath);
  const major = Number(/^v?(\d+)/.exec(probe.version)?.[1] ?? 0);
  if (major < 20) return nodeTooOldProblem(nodePath, probe.version);
  if (!manifest) return undefined; // a development tree: natives come from its node_modules
  if (manifest.platform !== here.platform || manifest.arch !== here.arch) {
    return {
      id: 'platform',
      message: `This RouterLLM package holds the daemon for ${manifest.platform}-${manifest.arch}, not ${here.platform}-${here.arch}. Install the package for this platform, or point routerllm.daemon.serverPath at a RouterLLM installation.`,
      actions: [{ kind: 'openSetting', key: 'routerllm.daemon.serverPath' }],
    };
  }
  if (probe.abi !== manifest.nodeAbi) return nodeAbiProblem(nodePath, manifest.nodeAbi, `${probe.version} (ABI ${probe.abi})`);
  return undefined;
}
