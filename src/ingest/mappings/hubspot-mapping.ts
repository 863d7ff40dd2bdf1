import type { Mapping } from '../mapping.ts';

/**
 * HubSpot CRM exports (deals, companies, activities) with their default column labels. Deals name
 * their owner by full name and their company by record ID. HubSpot writes dates as
 * `YYYY-MM-DD HH:mm`.
 */
export const hubspotMapping: Mapping = {
  name: 'hubspot',
  label: 'HubSpot exports',
  description: 'Deals, companies and activities (engagements) exported from HubSpot.',
  dateFormat: 'YYYY-MM-DD',
  currency: 'USD',
  // HubSpot's default sales pipeline, with its default win probabilities.
  stages: [
    { name: 'Appointment Scheduled', category: 'open', probability: 20 },
    { name: 'Qualified To Buy', category: 'open', probability: 40 },
    { name: 'Presentation Scheduled', category: 'open', probability: 60 },
    { name: 'Decision Maker Bought-In', category: 'open', probability: 80 },
    { name: 'Contract Sent', category: 'open', probability: 90 },
    { name: 'Closed Won', category: 'won', probability: 100 },
    { name: 'Closed Lost', category: 'lost', probability: 0 },
  ],
  files: [
    {
      entity: 'accounts',
      label: 'Companies export',
      requiredColumns: ['Record ID', 'Company name'],
      columns: {
        account_key: 'Record ID',
        name: 'Company name',
        industry: 'Industry',
        country: 'Country/Region',
        region: 'State/Region',
        employees: 'Number of Employees',
        annual_revenue: 'Annual Revenue',
        segment: 'Type',
      },
    },
    {
      entity: 'opportunities',
      label: 'Deals export',
      requiredColumns: ['Record ID', 'Deal Name', 'Deal Stage', 'Create Date'],
      columns: {
        opportunity_key: 'Record ID',
        name: 'Deal Name',
        stage: 'Deal Stage',
        amount: 'Amount',
        close_on: 'Close Date',
        created_on: 'Create Date',
        owner_key: 'Deal owner',
        account_key: 'Associated Company IDs',
        deal_type: 'Deal Type',
        forecast_category: 'Forecast category',
        lost_reason: 'Closed Lost Reason',
        probability: 'Deal probability',
      },
      values: {
        deal_type: {
          'New Business': 'new_business',
          newbusiness: 'new_business',
          'Existing Business': 'expansion',
          existingbusiness: 'expansion',
          Renewal: 'renewal',
        },
        forecast_category: {
          Pipeline: 'pipeline',
          'Best case': 'best_case',
          Commit: 'commit',
          Closed: 'closed',
          'Not forecasted': 'omitted',
          Omit: 'omitted',
        },
      },
    },
    {
      entity: 'activities',
      label: 'Activities export',
      requiredColumns: ['Record ID', 'Activity type', 'Activity date'],
      columns: {
        activity_key: 'Record ID',
        type: 'Activity type',
        occurred_at: 'Activity date',
        person_key: 'Activity assigned to',
        account_key: 'Associated Company IDs',
        opportunity_key: 'Associated Deal IDs',
        subject: 'Subject',
        outcome: 'Call outcome',
        duration_minutes: 'Call duration (minutes)',
      },
      values: {
        type: {
          CALL: 'call',
          Call: 'call',
          EMAIL: 'email',
          Email: 'email',
          MEETING: 'meeting',
          Meeting: 'meeting',
          TASK: 'follow_up',
          Task: 'follow_up',
          NOTE: 'other',
          Note: 'other',
        },
      },
    },
  ],
};
