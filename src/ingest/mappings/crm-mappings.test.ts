import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '../../store/testing/test-store.ts';
import { runImport } from '../run-import.ts';

// Files shaped like the CRMs' exports with their default column labels (docs/import.md). They are
// written here, not copied from a customer: real exports should be added as they are met.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-crm-'));
function write(name: string, content: string) {
  fs.writeFileSync(path.join(dir, name), content);
  return { path: path.join(dir, name), name };
}

describe('built-in CRM mappings, detected from the header', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore('pglite');
  });
  afterAll(async () => {
    await store.dispose();
  });
  const options = {
    mapping: 'detect' as const,
    dryRun: false,
    createUnknown: false,
    now: () => '2026-11-23T09:00:00.000Z',
  };

  it('reads Salesforce users, accounts, opportunities, opportunity history and tasks', async () => {
    const files = [
      write(
        'users.csv',
        'User ID,Full Name,Email,Title,Manager,Role\n005A,Dana Director,dana@example.com,VP Sales,,West\n005B,Sam Seller,sam@example.com,AE,Dana Director,West\n',
      ),
      write(
        'accounts.csv',
        'Account ID,Account Name,Industry,Type,Billing Country,Employees,Annual Revenue\n001A,Acme Corp,Retail,Customer,United States,"1,200","$5,000,000.00"\n',
      ),
      write(
        'opportunities.csv',
        'Opportunity Owner,Account ID,Opportunity Name,Stage,Amount,Probability (%),Close Date,Created Date,Type,Lead Source,Forecast Category,Opportunity ID\n' +
          'Sam Seller,001A,Acme - 200 seats,Negotiation/Review,"$48,000.00",90%,3/31/2025,1/15/2025,New Customer,Web,Commit,006A\n' +
          'Sam Seller,001A,Acme - renewal,Closed Won,"$12,500.50",100%,2/28/2025,1/2/2025,Existing Customer - Upgrade,Partner,Closed,006B\n',
      ),
      write(
        'history.csv',
        'OpportunityId,StageName,Amount,Probability,CloseDate,CreatedDate\n006A,Prospecting,40000,10,2025-03-31,2025-01-15T10:00:00.000Z\n006A,Negotiation/Review,48000,90,2025-03-31,2025-02-20T09:30:00.000Z\n',
      ),
      write(
        'tasks.csv',
        'Activity ID,Subject,Date,Assigned,Account ID,Opportunity ID,Type\n00TA,Discovery call,1/20/2025,Sam Seller,001A,006A,Call\n00TB,Send proposal,2/1/2025,Sam Seller,001A,006A,Email\n',
      ),
    ];
    const report = await runImport(store, files, options);
    expect(report.errors).toEqual([]);
    expect(report.status).toBe('succeeded');
    expect(report.mapping).toBe('salesforce');
    expect(report.files.map((f) => f.entity)).toEqual([
      'people',
      'accounts',
      'opportunities',
      'opportunity_history',
      'activities',
    ]);
    const opp = (
      await store.pool.query(
        "SELECT stage, amount_minor, probability, close_on, created_on, deal_type, forecast_category, owner_person_id IS NOT NULL AS owned FROM opportunities WHERE external_key = '006A'",
      )
    ).rows[0];
    expect(opp).toEqual({
      stage: 'Negotiation/Review',
      amount_minor: 4800000,
      probability: 90,
      close_on: '2025-03-31',
      created_on: '2025-01-15',
      deal_type: 'new_business',
      forecast_category: 'commit',
      owned: true,
    });
    const won = (
      await store.pool.query(
        "SELECT is_won, deal_type, amount_minor FROM opportunities WHERE external_key = '006B'",
      )
    ).rows[0];
    expect(won).toEqual({ is_won: true, deal_type: 'expansion', amount_minor: 1250050 });
    const history = await store.pool.query(
      "SELECT field, old_value, new_value FROM opportunity_changes c JOIN opportunities o ON o.id = c.opportunity_id WHERE o.external_key = '006A' AND field = 'stage' ORDER BY changed_at",
    );
    expect(history.rows).toEqual([
      { field: 'stage', old_value: null, new_value: 'Prospecting' },
      { field: 'stage', old_value: 'Prospecting', new_value: 'Negotiation/Review' },
    ]);
    const calls = await store.pool.query('SELECT type, occurred_at FROM activities ORDER BY occurred_at');
    expect(calls.rows).toEqual([
      { type: 'call', occurred_at: '2025-01-20T00:00:00.000Z' },
      { type: 'email', occurred_at: '2025-02-01T00:00:00.000Z' },
    ]);
  });

  it('reads HubSpot companies, deals and activities', async () => {
    const files = [
      write(
        'companies.csv',
        'Record ID,Company name,Industry,Country/Region,Number of Employees,Annual Revenue\n9001,Globex,Software,Germany,250,1000000\n',
      ),
      write(
        'deals.csv',
        'Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner,Associated Company IDs,Deal Type\n' +
          '7001,Globex platform,Contract Sent,25000,2025-04-30 00:00,2025-02-01 14:20,Sam Seller,9001,New Business\n',
      ),
      write(
        'activities.csv',
        'Record ID,Activity type,Activity date,Activity assigned to,Associated Company IDs,Associated Deal IDs\n5001,MEETING,2025-02-10 15:00,Sam Seller,9001,7001\n',
      ),
    ];
    const report = await runImport(store, files, options);
    expect(report.errors).toEqual([]);
    expect(report.mapping).toBe('hubspot');
    const deal = (
      await store.pool.query(
        "SELECT stage, probability, amount_minor, created_on, account_id IS NOT NULL AS linked FROM opportunities WHERE external_key = '7001'",
      )
    ).rows[0];
    expect(deal).toEqual({
      stage: 'Contract Sent',
      probability: 90,
      amount_minor: 2500000,
      created_on: '2025-02-01',
      linked: true,
    });
    const meeting = (
      await store.pool.query(
        "SELECT type, occurred_at, opportunity_id IS NOT NULL AS linked FROM activities WHERE external_key = '5001'",
      )
    ).rows[0];
    expect(meeting).toEqual({ type: 'meeting', occurred_at: '2025-02-10T15:00:00.000Z', linked: true });
  });
});
