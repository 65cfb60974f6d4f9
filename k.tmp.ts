import { scoreRouters } from './server/routing/kfold';
(async () => { const t0 = Date.now(); const r = await scoreRouters(5, 1); console.log(r.text); console.log(Date.now() - t0, 'ms'); })();
