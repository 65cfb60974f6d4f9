import { benchRouting, formatBench } from '/work/main/server/routing/bench';
(async () => { console.log(formatBench(await benchRouting(5000))); })();
