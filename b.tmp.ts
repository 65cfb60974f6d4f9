import { benchRouting, formatBench } from './server/routing/bench';
(async () => { console.log(formatBench(await benchRouting(2000))); })();
