/**
 * Sentences and arithmetic for ledger lines (docs/plans.md "The ledger"): what a rep reads on the
 * statement next to a draw, a recovery, a clawback, a hold or an adjustment. Pure text built from
 * exact minor units; the amounts are formatted once, here, for people.
 */
import { formatMoney, minorToDecimal } from './exact-money.ts';

/** How amounts are written: the currency and its minor-unit digits. */
export type LedgerMoney = { digits: number; currency: string };

/** "$1,800.00" */
export function money(m: LedgerMoney, minor: number): string {
  return formatMoney(minor, m.digits, m.currency);
}

/** "1800.00" for arithmetic strings (machine-readable, no symbol or grouping). */
export function decimal(m: LedgerMoney, minor: number): string {
  return minorToDecimal(minor, m.digits);
}

/** A minus sign people read (U+2212) in arithmetic strings. */
function signed(m: LedgerMoney, minor: number): string {
  return minor < 0 ? `−${decimal(m, -minor)}` : decimal(m, minor);
}

export function periodAdjective(period: 'month' | 'quarter'): string {
  return period === 'month' ? 'monthly' : 'quarterly';
}

export function explainDraw(
  m: LedgerMoney,
  args: {
    recoverable: boolean;
    earnedMinor: number;
    /** Earnings paid this period (earned − held + released); the draw tops this up. */
    paidEarningsMinor: number;
    drawMinor: number;
    topUpMinor: number;
    period: 'month' | 'quarter';
    balanceAfterMinor: number;
  },
): { arithmetic: string; explanation: string } {
  const arithmetic = `${decimal(m, args.drawMinor)} − ${signed(m, args.paidEarningsMinor)} = ${decimal(m, args.topUpMinor)}`;
  const earned =
    args.paidEarningsMinor === args.earnedMinor
      ? `you earned ${money(m, args.earnedMinor)}`
      : `you earned ${money(m, args.earnedMinor)}, of which ${money(m, args.paidEarningsMinor)} is paid this period after holds and releases,`;
  const head = `${earned} against a ${money(m, args.drawMinor)} ${periodAdjective(args.period)} draw`;
  const explanation = args.recoverable
    ? `Draw advance: ${head}, so ${money(m, args.topUpMinor)} is advanced; it is recoverable from later earnings (balance owed now ${money(m, args.balanceAfterMinor)}).`
    : `Draw top-up: ${head}, so ${money(m, args.topUpMinor)} is added; it is not recoverable.`;
  return { arithmetic, explanation };
}

export function explainDrawRecovery(
  m: LedgerMoney,
  args: {
    recoveredMinor: number;
    balanceBeforeMinor: number;
    earnedMinor: number;
    limitedBy?: 'max_share' | 'min_net_pay' | undefined;
    maxShare: string;
    minNetPayMinor: number;
  },
): { arithmetic: string; explanation: string } {
  const remaining = args.balanceBeforeMinor - args.recoveredMinor;
  const arithmetic = `${decimal(m, args.balanceBeforeMinor)} − ${decimal(m, args.recoveredMinor)} = ${decimal(m, remaining)} still owed`;
  const limit =
    args.limitedBy === 'max_share'
      ? ` (the plan takes at most ${args.maxShare} of a period's earnings)`
      : args.limitedBy === 'min_net_pay'
        ? ` (the plan keeps your net pay at or above ${money(m, args.minNetPayMinor)})`
        : '';
  const explanation =
    `Draw recovery: ${money(m, args.recoveredMinor)} of the ${money(m, args.balanceBeforeMinor)} draw advanced earlier ` +
    `is recovered from this period's earnings of ${money(m, args.earnedMinor)}${limit}; ` +
    `${money(m, remaining)} is still owed.`;
  return { arithmetic, explanation };
}

export function explainBalanceRecovery(
  m: LedgerMoney,
  args: { recoveredMinor: number; balanceBeforeMinor: number; fromPeriod: string },
): { arithmetic: string; explanation: string } {
  const remaining = args.balanceBeforeMinor - args.recoveredMinor;
  return {
    arithmetic: `${decimal(m, args.balanceBeforeMinor)} − ${decimal(m, args.recoveredMinor)} = ${decimal(m, remaining)} still owed`,
    explanation:
      `Balance recovery: ${money(m, args.recoveredMinor)} of the ${money(m, args.balanceBeforeMinor)} carried since ${args.fromPeriod} ` +
      `(a clawback or adjustment larger than that period's pay) is taken from this period's pay; ` +
      `${money(m, remaining)} is still owed.`,
  };
}

export function explainClawback(
  m: LedgerMoney,
  args: {
    dealName: string;
    dealDate: string;
    cancelledOn: string;
    elapsedDays: number;
    windowDays: number;
    method: 'full' | 'prorated';
    paidMinor: number;
    clawedMinor: number;
    paidIn: string[];
  },
): { arithmetic: string; explanation: string } {
  const remainingDays = args.windowDays - args.elapsedDays;
  const arithmetic =
    args.method === 'full'
      ? `−(${decimal(m, args.paidMinor)}) = −${decimal(m, args.clawedMinor)}`
      : `−(${decimal(m, args.paidMinor)} × ${remainingDays} / ${args.windowDays}) = −${decimal(m, args.clawedMinor)}`;
  const when =
    `${args.dealName} (closed ${args.dealDate}) was cancelled on ${args.cancelledOn}, ` +
    `${args.elapsedDays} day${args.elapsedDays === 1 ? '' : 's'} later, within the ${args.windowDays}-day clawback window`;
  const paidIn = args.paidIn.length > 0 ? ` in ${args.paidIn.join(', ')}` : '';
  const explanation =
    args.method === 'full'
      ? `Clawback: ${when}; the ${money(m, args.paidMinor)} it paid${paidIn} is taken back.`
      : `Clawback: ${when}; ${remainingDays} of the ${args.windowDays} days had not yet elapsed, ` +
        `so ${money(m, args.clawedMinor)} of the ${money(m, args.paidMinor)} it paid${paidIn} is taken back.`;
  return { arithmetic, explanation };
}

export function explainHoldCollected(
  m: LedgerMoney,
  args: {
    dealName: string;
    earnedMinor: number;
    heldMinor: number;
    heldBeforeMinor: number;
    heldNowMinor: number;
    collectedMinor: number;
    dealAmountMinor: number;
  },
): { arithmetic: string; explanation: string } {
  return {
    arithmetic:
      `held now = ${decimal(m, args.earnedMinor)} − ${decimal(m, args.earnedMinor)} × ${decimal(m, args.collectedMinor)} / ${decimal(m, args.dealAmountMinor)} = ${decimal(m, args.heldNowMinor)}; ` +
      `${decimal(m, args.heldNowMinor)} − ${decimal(m, args.heldBeforeMinor)} held before = ${decimal(m, args.heldMinor)}`,
    explanation:
      `Held until collected: ${args.dealName} has earned ${money(m, args.earnedMinor)} so far; ` +
      `${money(m, args.collectedMinor)} of its ${money(m, args.dealAmountMinor)} has been collected, ` +
      `so ${money(m, args.heldMinor)} is held and paid as the cash arrives.`,
  };
}

export function explainReleaseCollected(
  m: LedgerMoney,
  args: {
    dealName: string;
    releasedMinor: number;
    heldBeforeMinor: number;
    collectedMinor: number;
    dealAmountMinor: number;
    stillHeldMinor: number;
  },
): { arithmetic: string; explanation: string } {
  return {
    arithmetic: `${decimal(m, args.heldBeforeMinor)} held before − ${decimal(m, args.heldBeforeMinor - args.releasedMinor)} still held on earlier earnings (${decimal(m, args.collectedMinor)} of ${decimal(m, args.dealAmountMinor)} collected) = ${decimal(m, args.releasedMinor)}`,
    explanation:
      `Released: ${money(m, args.collectedMinor)} of ${args.dealName}'s ${money(m, args.dealAmountMinor)} has now been collected, ` +
      `so ${money(m, args.releasedMinor)} of its held pay is paid; ${money(m, args.stillHeldMinor)} stays held.`,
  };
}

export function explainHoldDays(
  m: LedgerMoney,
  args: { dealName: string; dealDate: string; days: number; heldMinor: number; releaseOn: string },
): { arithmetic: string; explanation: string } {
  return {
    arithmetic: `${args.dealDate} + ${args.days} days = ${args.releaseOn}; held ${decimal(m, args.heldMinor)}`,
    explanation:
      `Held for ${args.days} days: ${args.dealName} (closed ${args.dealDate}) earned ${money(m, args.heldMinor)}, ` +
      `which is paid once the hold ends on ${args.releaseOn}.`,
  };
}

export function explainReleaseDays(
  m: LedgerMoney,
  args: { dealName: string; days: number; releasedMinor: number; releaseOn: string },
): { arithmetic: string; explanation: string } {
  return {
    arithmetic: `released ${decimal(m, args.releasedMinor)} on ${args.releaseOn}`,
    explanation: `Released: the ${args.days}-day hold on ${args.dealName} ended on ${args.releaseOn}, so the ${money(m, args.releasedMinor)} held is paid.`,
  };
}

export function explainReleaseCancelled(
  m: LedgerMoney,
  args: { dealName: string; releasedMinor: number },
): { arithmetic: string; explanation: string } {
  return {
    arithmetic: `${decimal(m, args.releasedMinor)} held → released`,
    explanation:
      `Released: ${args.dealName} was cancelled, so the ${money(m, args.releasedMinor)} still held for it is released ` +
      `and settled by the clawback on this statement.`,
  };
}

export function explainAdjustment(
  m: LedgerMoney,
  args: { amountMinor: number; reason: string; approver: string },
): { arithmetic: string; explanation: string } {
  const sign = args.amountMinor < 0 ? '' : '+';
  return {
    arithmetic: `${sign}${signed(m, args.amountMinor)}`,
    explanation: `Adjustment of ${args.amountMinor < 0 ? '' : '+'}${money(m, args.amountMinor)} approved by ${args.approver}: ${args.reason}`,
  };
}

export function explainPriorPeriod(
  m: LedgerMoney,
  args: {
    period: string;
    recomputedMinor: number;
    lockedMinor: number;
    changes: { lineId: string; beforeMinor?: number | undefined; afterMinor?: number | undefined }[];
  },
): { arithmetic: string; explanation: string } {
  const difference = args.recomputedMinor - args.lockedMinor;
  const shown = args.changes.slice(0, 5).map((c) => {
    if (c.beforeMinor === undefined) return `${c.lineId} added (${money(m, c.afterMinor ?? 0)})`;
    if (c.afterMinor === undefined) return `${c.lineId} removed (was ${money(m, c.beforeMinor)})`;
    return `${c.lineId} ${money(m, c.beforeMinor)} → ${money(m, c.afterMinor)}`;
  });
  const more = args.changes.length > shown.length ? `, and ${args.changes.length - shown.length} more` : '';
  const lines = shown.length > 0 ? ` Changed lines: ${shown.join('; ')}${more}.` : '';
  return {
    arithmetic: `${signed(m, args.recomputedMinor)} − ${signed(m, args.lockedMinor)} = ${signed(m, difference)}`,
    explanation:
      `Correction to ${args.period} (closed): recalculated earnings are ${money(m, args.recomputedMinor)} against ` +
      `${money(m, args.lockedMinor)} paid when it closed, so ${money(m, Math.abs(difference))} is ` +
      `${difference >= 0 ? 'added' : 'deducted'} here.${lines}`,
  };
}
