const year = new Date().getUTCFullYear();

/** The starting point of a new plan: small, valid, with one test case to show how tests read. */
export const newPlanTemplate = `id: new-plan
name: New plan
currency: USD
period: month
effective_from: ${year}-01-01
credit:
  rules: [owner, splits]
  types:
    - { id: revenue, amount: amount }
measures:
  - id: revenue_qtd
    credit: revenue
    window: quarter_to_date
    quota: revenue
components:
  - id: commission
    kind: commission
    credit: revenue
    tiers:
      basis: attainment
      measure: revenue_qtd
      method: marginal
      bands:
        - { to: 100%, rate: 6% }
        - { to: 125%, rate: 8% }
        - { rate: 12% }
tests:
  - name: a $100,000 deal on a $300,000 quarter pays 6%
    input:
      periods: ["${year}-01"]
      transactions:
        - { id: D-1, date: "${year}-01-15", owner: alice, amount: "100000" }
      quotas:
        - { payee: alice, period: "${year}-Q1", measure: revenue, amount: "300000" }
    expect:
      - { payee: alice, period: "${year}-01", earnings: "6000.00" }
`;

/** The plan id written in a YAML or JSON source (`id: ...` at the top level), if any. */
export function planIdOf(source: string): string | null {
  const yaml = /^id:\s*["']?([\w.-]+)["']?\s*$/m.exec(source);
  if (yaml) return yaml[1]!;
  const json = /"id"\s*:\s*"([\w.-]+)"/.exec(source);
  return json ? json[1]! : null;
}
