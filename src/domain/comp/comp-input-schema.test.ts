import { describe, expect, it } from 'vitest';
import { validateCompInput } from './comp-input-schema.ts';

describe('validateCompInput', () => {
  it('accepts a full input and normalises JSON-number amounts to decimal text', () => {
    const { input, problems } = validateCompInput(
      {
        currency: 'USD',
        periods: ['2026-06', '2026-Q2'],
        payees: [{ id: 'alice', name: 'Alice' }],
        reporting: [{ payee: 'alice', manager: null, from: '2026-01-01' }],
        transactions: [
          {
            id: 'D-1',
            date: '2026-06-15',
            owner: 'alice',
            amount: 120000.5,
            margin_pct: 42,
            splits: [
              { payee: 'alice', share: '50%' },
              { payee: 'bob', share: 0.5 },
            ],
            collections: [{ date: '2026-07-01', amount: '60000' }],
            attributes: { channel: 'partner', seats: 12 },
          },
        ],
        quotas: [{ payee: 'alice', period: '2026-Q2', measure: 'revenue', amount: '375000' }],
        scores: [{ payee: 'alice', period: '2026-Q2', component: 'mbo', score: '80%' }],
        adjustments: [{ payee: 'alice', period: '2026-06', amount: -250, reason: 'r', approver: 'dana' }],
        locked: [{ payee: 'alice', period: '2026-05', earnings: '1200.00', lines: { 'c:D-0': '10' } }],
      },
      'USD',
    );
    expect(problems).toEqual([]);
    expect(input?.transactions[0]?.amount).toBe('120000.5');
    expect(input?.adjustments?.[0]?.amount).toBe('-250');
  });

  it('names every bad field with its path, at once', () => {
    const { input, problems } = validateCompInput({
      transactions: [
        { id: 'T1', date: '2026-02-30', owner: 'alice', amount: '1,000' },
        { id: '', date: '2026-01-01', owner: 'bob', amount: '5', splits: [{ payee: 'x', share: 'half' }] },
        { id: 'T3', date: '2026-01-01', owner: 'bob', amount: '5', colour: 'red' },
      ],
      quotas: [{ payee: 'alice', period: '2026-13', measure: 'revenue', amount: '1' }],
      adjustments: [{ payee: 'alice', period: '2026-01', amount: '1', reason: ' ', approver: 'x' }],
      extra: true,
    });
    expect(input).toBeUndefined();
    expect(problems.map((p) => p.field).sort()).toEqual(
      [
        'extra',
        'transactions[0].date',
        'transactions[0].amount',
        'transactions[1].id',
        'transactions[1].splits[0].share',
        'transactions[2].colour',
        'quotas[0].period',
        'adjustments[0].reason',
      ].sort(),
    );
    expect(problems.find((p) => p.field === 'transactions[2].colour')?.message).toBe(
      'unknown field "colour" (extra fields go in attributes)',
    );
  });

  it('checks amounts against the currency, duplicate ids, cancellations and ranges', () => {
    const { problems } = validateCompInput(
      {
        currency: 'JPY',
        transactions: [
          { id: 'T1', date: '2026-03-01', owner: 'a', amount: '100.5', cancelled_on: '2026-02-01' },
          { id: 'T1', date: '2026-03-01', owner: 'a', amount: '100' },
        ],
        reporting: [{ payee: 'a', manager: 'm', from: '2026-01-01', to: '2026-01-01' }],
      },
      'USD',
    );
    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['currency', 'the plan pays in USD; the input must be in the same currency'],
      ['transactions[0].amount', 'JPY amounts have at most 0 decimal places'],
      ['transactions[0].cancelled_on', "is before the transaction's date (2026-03-01)"],
      ['transactions[1].id', 'duplicate transaction id (also transactions[0])'],
      ['reporting[0].to', 'must be after from (2026-01-01); it is exclusive'],
    ]);
  });

  it('checks opening balances: amounts, not negative, one per payee', () => {
    const { problems } = validateCompInput(
      {
        transactions: [],
        opening: [
          { payee: 'alice', draw_owed: '500.00', since: '2025-12' },
          { payee: 'bob', balance_owed: '-20' },
          { payee: 'alice', balance_owed: '1.005' },
        ],
      },
      'USD',
    );
    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['opening[1].balance_owed', 'a balance owed is not negative'],
      ['opening[2].balance_owed', expect.stringContaining('')],
      ['opening[2].payee', 'a second opening balance for this payee (also opening[0])'],
    ]);
  });

  it('needs transactions (an empty list is fine)', () => {
    expect(validateCompInput({}).problems).toEqual([
      { field: 'transactions', message: expect.stringMatching(/expected array/) },
    ]);
    expect(validateCompInput({ transactions: [] }).problems).toEqual([]);
  });
});
