import { nativeStages } from '../../domain/demo/native-stages.ts';
import type { FileSpec, Mapping } from '../mapping.ts';

/** Attain's default pipeline stages (docs/import-native-format.md), shared with the demo generator. */
export const defaultStages = nativeStages;

/** Identity columns: the native field names are the source column names. */
function native(entity: FileSpec['entity'], label: string, required: string[], optional: string[]): FileSpec {
  const columns: Record<string, string> = {};
  for (const c of [...required, ...optional]) columns[c] = c;
  return { entity, label, columns, requiredColumns: required };
}

export const nativeMapping: Mapping = {
  name: 'attain',
  label: 'Attain native CSV',
  description: "Attain's own layout (docs/import-native-format.md): what the generator and exports write.",
  dateFormat: 'YYYY-MM-DD',
  currency: 'USD',
  stages: [...defaultStages],
  files: [
    native(
      'people',
      'People',
      ['person_key', 'name', 'role'],
      ['email', 'title', 'manager_key', 'team', 'region', 'hired_on', 'left_on'],
    ),
    native(
      'accounts',
      'Accounts',
      ['account_key', 'name'],
      [
        'segment',
        'industry',
        'region',
        'country',
        'employees',
        'annual_revenue',
        'currency',
        'year_established',
        'parent_name',
      ],
    ),
    native('products', 'Products', ['product_key', 'name'], ['family', 'list_price', 'cost', 'currency']),
    native(
      'opportunities',
      'Opportunities',
      ['opportunity_key', 'stage', 'created_on'],
      [
        'name',
        'account_key',
        'owner_key',
        'product_key',
        'forecast_category',
        'probability',
        'amount',
        'currency',
        'deal_type',
        'lead_source',
        'engaged_on',
        'close_on',
        'closed_on',
        'cancelled_on',
        'lost_reason',
        'competitor',
        'discount_percent',
        'gross_margin_percent',
        'contact_count',
      ],
    ),
    native(
      'opportunity_history',
      'Opportunity history',
      ['opportunity_key', 'changed_at'],
      ['stage', 'amount', 'close_on', 'probability', 'owner_key'],
    ),
    native(
      'activities',
      'Activities',
      ['activity_key', 'type', 'occurred_at'],
      ['person_key', 'account_key', 'opportunity_key', 'duration_minutes', 'outcome', 'subject'],
    ),
    native(
      'leads',
      'Leads',
      ['lead_key', 'created_at'],
      [
        'source',
        'owner_key',
        'account_key',
        'first_response_at',
        'converted_at',
        'opportunity_key',
        'status',
      ],
    ),
    native(
      'subscriptions',
      'Subscriptions',
      ['subscription_key', 'mrr', 'started_on'],
      ['account_key', 'product_key', 'plan', 'currency', 'ended_on', 'churn_reason'],
    ),
    native(
      'invoices',
      'Invoices',
      ['invoice_key', 'issued_on', 'amount'],
      ['account_key', 'subscription_key', 'opportunity_key', 'due_on', 'currency'],
    ),
    native('payments', 'Payments', ['payment_key', 'paid_on', 'amount'], ['invoice_key', 'currency']),
    native('spend', 'Spend', ['starts_on', 'ends_on', 'channel', 'category', 'amount'], ['currency']),
    native(
      'quotas',
      'Quotas',
      ['person_key', 'period_kind', 'period_starts_on', 'measure', 'target'],
      ['currency'],
    ),
  ],
};
