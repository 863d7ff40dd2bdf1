import type { Mapping } from '../mapping.ts';

/**
 * Maven Analytics' "CRM Sales Opportunities" sample (four files). Its quirks are reported by the
 * import, never fixed here: the pipeline spells a product "GTXPro" where products.csv says
 * "GTX Pro"; 1,425 deals have no account; deals in Prospecting carry no date at all.
 */
export const mavenMapping: Mapping = {
  name: 'maven',
  label: 'Maven CRM sample',
  description:
    "Maven Analytics' CRM Sales Opportunities: sales_teams.csv, accounts.csv, products.csv, sales_pipeline.csv.",
  dateFormat: 'YYYY-MM-DD',
  currency: 'USD',
  // Maven's data dictionary: "Prospecting > Engaging > Won / Lost".
  stages: [
    { name: 'Prospecting', category: 'open', probability: 10 },
    { name: 'Engaging', category: 'open', probability: 40 },
    { name: 'Won', category: 'won', probability: 100 },
    { name: 'Lost', category: 'lost', probability: 0 },
  ],
  files: [
    {
      entity: 'people',
      label: 'Sales teams (sales_teams.csv)',
      requiredColumns: ['sales_agent', 'manager', 'regional_office'],
      columns: {
        person_key: 'sales_agent',
        name: 'sales_agent',
        manager_key: 'manager',
        region: 'regional_office',
        team: 'manager',
      },
      constants: { role: 'rep', title: 'Sales Agent' },
      // Each agent row also names their manager, who has no row of their own: emit the manager
      // once, as a person holding a manager position in the same office.
      expand(row, context) {
        const rows = [];
        const manager = row.manager_key;
        if (manager && !context.seen.has(manager)) {
          context.seen.add(manager);
          rows.push({
            person_key: manager,
            name: manager,
            role: 'manager',
            title: 'Sales Manager',
            region: row.region ?? '',
            team: manager,
            manager_key: '',
          });
        }
        rows.push(row);
        return rows;
      },
    },
    {
      entity: 'accounts',
      label: 'Accounts (accounts.csv)',
      requiredColumns: ['account', 'sector', 'year_established', 'revenue', 'employees', 'office_location'],
      columns: {
        account_key: 'account',
        name: 'account',
        industry: 'sector',
        year_established: 'year_established',
        annual_revenue: 'revenue',
        employees: 'employees',
        country: 'office_location',
        parent_name: 'subsidiary_of',
      },
      // Maven's data dictionary: revenue is in millions of USD.
      moneyScale: { annual_revenue: 6 },
    },
    {
      entity: 'products',
      label: 'Products (products.csv)',
      requiredColumns: ['product', 'series', 'sales_price'],
      columns: { product_key: 'product', name: 'product', family: 'series', list_price: 'sales_price' },
    },
    {
      entity: 'opportunities',
      label: 'Sales pipeline (sales_pipeline.csv)',
      requiredColumns: [
        'opportunity_id',
        'sales_agent',
        'product',
        'account',
        'deal_stage',
        'engage_date',
        'close_date',
        'close_value',
      ],
      columns: {
        opportunity_key: 'opportunity_id',
        owner_key: 'sales_agent',
        product_key: 'product',
        account_key: 'account',
        stage: 'deal_stage',
        // Maven has no creation date: the engage date is the earliest it records.
        created_on: 'engage_date',
        engaged_on: 'engage_date',
        close_on: 'close_date',
        closed_on: 'close_date',
        amount: 'close_value',
      },
      inferHistory: 'maven_dates',
    },
  ],
};
