import { strict as assert } from 'node:assert';
import { GroupWrite } from '../../server/store/group-write';

describe('store: group write', () => {
  it('sends the first call at once and the calls made while it is in flight together in one batch', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const g = new GroupWrite(async (items: number[]) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items.map((x) => x * 10);
    });
    const first = g.add(1);
    const rest = [g.add(2), g.add(3), g.add(4)];
    assert.deepEqual(batches, [[1]], 'the first call is not held back');
    release();
    assert.deepEqual(await Promise.all([first, ...rest]), [10, 20, 30, 40], 'each caller gets its own result');
    assert.deepEqual(batches, [[1], [2, 3, 4]]);
  });

  it('fails every call of a failed batch and goes on with the next one', async () => {
    let n = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const g = new GroupWrite(async (items: string[]) => {
      n++;
      if (n === 1) {
        await gate;
        throw new Error('store away');
      }
      return items.map((x) => x.toUpperCase());
    });
    const failed = g.add('a');
    const later = g.add('b');
    release();
    await assert.rejects(failed, /store away/);
    assert.equal(await later, 'B');
    assert.equal(await g.add('c'), 'C', 'a write after the queue emptied starts a new drain');
  });

  it('splits a long queue into batches of at most maxBatch', async () => {
    const sizes: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const g = new GroupWrite(async (items: number[]) => {
      sizes.push(items.length);
      if (sizes.length === 1) await gate;
      return items;
    }, { maxBatch: 3 });
    const all = Array.from({ length: 8 }, (_, i) => g.add(i));
    release();
    assert.deepEqual(await Promise.all(all), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(sizes, [1, 3, 3, 1]);
  });

  it('with lingerMs, holds the first call of an idle writer back so that the calls of that time go with it', async () => {
    const batches: number[][] = [];
    const g = new GroupWrite(async (items: number[]) => (batches.push(items), items), { lingerMs: 30 });
    const first = g.add(1);
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(batches, [], 'nothing sent before the linger ends');
    const second = g.add(2);
    assert.deepEqual(await Promise.all([first, second]), [1, 2]);
    assert.deepEqual(batches, [[1, 2]]);
    assert.equal(await g.add(3), 3, 'an idle writer lingers again');
    assert.deepEqual(batches, [[1, 2], [3]]);
  });
});
