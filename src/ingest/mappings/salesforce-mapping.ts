import type { Mapping } from '../mapping.ts';

const dealTypes = {
  'New Customer': 'new_business',
  'New Business': 'new_business',
  'Existing Customer - Upgrade': 'expansion',
  'Existing Business': 'expansion',
  'Existing Customer - Replacement': 'renewal',
  'Existing Customer - Downgrade': 'renewal',
  Renewal: 'renewal',
};

const forecastCategories = {
  Pipeline: 'pipeline',
  'Best Case': 'best_case',
  Commit: 'commit',
  Closed: 'closed',
  Omitted: 'omitted',
};

/**
 * Salesforce report exports ("Details only", CSV or XLSX) with the record ID columns added to the
 * report, and OpportunityHistory as exported by Data Loader (API field names). People are keyed by
 * full name because opportunity reports show the owner's name, not the user ID. Salesforce writes
 * dates in the exporting user's locale: M/D/YYYY for en_US (override with --date-format).
 */
export const salesforceMapping: Mapping = {
  name: 'salesforce',
  label: 'Salesforce report exports',
  description:
    'Opportunities, Opportunity History (Data Loader), Activities/Tasks, Accounts and Users reports.',
  dateFormat: 'MM/DD/YYYY',
  currency: 'USD',
  // Salesforce's default sales process.
  stages: [
    { name: 'Prospecting', category: 'open', probability: 10 },
    { name: 'Qualification', category: 'open', probability: 10 },
    { name: 'Needs Analysis', category: 'open', probability: 20 },
    { name: 'Value Proposition', category: 'open', probability: 50 },
    { name: 'Id. Decision Makers', category: 'open', probability: 60 },
    { name: 'Perception Analysis', category: 'open', probability: 70 },
    { name: 'Proposal/Price Quote', category: 'open', probability: 75 },
    { name: 'Negotiation/Review', category: 'open', probability: 90 },
    { name: 'Closed Won', category: 'won', probability: 100 },
    { name: 'Closed Lost', category: 'lost', probability: 0 },
  ],
  files: [
    {
      entity: 'people',
      label: 'Users report',
      requiredColumns: ['User ID', 'Full Name'],
      columns: {
        person_key: 'Full Name',
        name: 'Full Name',
        email: 'Email',
        title: 'Title',
        manager_key: 'Manager',
        team: 'Role',
        region: 'Division',
      },
      constants: { role: 'rep' },
    },
    {
      entity: 'accounts',
      label: 'Accounts report',
      requiredColumns: ['Account ID', 'Account Name'],
      columns: {
        account_key: 'Account ID',
        name: 'Account Name',
        industry: 'Industry',
        segment: 'Type',
        country: 'Billing Country',
        region: 'Billing State/Province',
        employees: 'Employees',
        annual_revenue: 'Annual Revenue',
        parent_name: 'Parent Account',
      },
    },
    {
      entity: 'opportunities',
      label: 'Opportunities report',
      requiredColumns: ['Opportunity ID', 'Opportunity Name', 'Stage', 'Close Date', 'Created Date'],
      columns: {
        opportunity_key: 'Opportunity ID',
        name: 'Opportunity Name',
        account_key: 'Account ID',
        owner_key: 'Opportunity Owner',
        stage: 'Stage',
        amount: 'Amount',
        probability: 'Probability (%)',
        close_on: 'Close Date',
        created_on: 'Created Date',
        deal_type: 'Type',
        lead_source: 'Lead Source',
        forecast_category: 'Forecast Category',
        lost_reason: 'Loss Reason',
        competitor: 'Main Competitor',
        product_key: 'Product Name',
      },
      values: { deal_type: dealTypes, forecast_category: forecastCategories },
    },
    {
      entity: 'opportunity_history',
      label: 'OpportunityHistory (Data Loader)',
      // The API, so Data Loader, writes ISO dates whatever the user's locale.
      dateFormat: 'YYYY-MM-DD',
      requiredColumns: ['OpportunityId', 'StageName', 'CreatedDate'],
      columns: {
        opportunity_key: 'OpportunityId',
        stage: 'StageName',
        amount: 'Amount',
        probability: 'Probability',
        close_on: 'CloseDate',
        changed_at: 'CreatedDate',
      },
    },
    {
      entity: 'activities',
      label: 'Activities / Tasks report',
      requiredColumns: ['Activity ID', 'Subject', 'Date', 'Assigned'],
      columns: {
        activity_key: 'Activity ID',
        subject: 'Subject',
        occurred_at: 'Date',
        person_key: 'Assigned',
        account_key: 'Account ID',
        opportunity_key: 'Opportunity ID',
        type: 'Type',
        duration_minutes: 'Duration',
        outcome: 'Call Result',
      },
      values: {
        type: {
          Call: 'call',
          Email: 'email',
          Meeting: 'meeting',
          Demo: 'demo',
          Quote: 'quote',
          Task: 'follow_up',
          'Follow-up': 'follow_up',
          Other: 'other',
          '': 'other',
        },
      },
    },
  ],
};
