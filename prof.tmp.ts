import { benchDaemonOverhead } from './server/bench/daemon';
benchDaemonOverhead({ requests1: 300, requests64: 640, strategy: 'always-deepseek-coder-1.3b' }).then((r) => console.log(JSON.stringify(r)));
