// A request that ends in an error or a cancel after some of its model calls returned still spent
// what those calls cost. Its ledger row is committed (no answer: passed null, named after the last
// call) and its budget reservation settled at that, before the error goes to the client. Without
// this, a cancel during an escalation dropped the earlier calls' energy, carbon and cost from the
// ledger, the session's totals and the budgets.
import { randomUUID } from 'node:crypto';
import type { RequestTab } from '../accounting/accountant';
import type { RequestContext } from '../routing/types';
import { settleAdmission } from './admission';
import type { Services } from './services';
import type { Session } from './session';

export async function chargedEvenIfUnanswered<T>(
  services: Pick<Services, 'commit' | 'settleReservation'>,
  session: Pick<Session, 'id' | 'user' | 'live'>,
  strategy: string,
  tab: RequestTab,
  request: RequestContext,
  work: Promise<T>,
): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (tab.attempts.length) {
      try {
        const { row, committed } = services.commit(tab, { id: randomUUID(), sessionId: session.id, user: session.user, strategy, passed: null });
        settleAdmission(request, row.footprint);
        await committed;
        session.live.add(row);
      } catch {
        // The ledger could not take the row (its own failure is logged where it happened): the
        // client still gets the error the request ended with, not this one.
      }
    }
    throw e;
  }
}
