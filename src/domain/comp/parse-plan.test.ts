import { describe, expect, it } from 'vitest';
import { parsePlanPath, parsePlanText, readDataText, readPlanText } from './parse-plan.ts';

const valid = `id: flat-rate
name: Flat rate
period: month
effective_from: 2026-01-01
credit:
  types:
    - { id: revenue, amount: amount }
components:
  - id: commission
    kind: commission
    credit: revenue
    rate: 8%
`;

describe('parsePlanText', () => {
  it('reads a YAML plan and normalises its numbers', () => {
    const { plan, problems } = parsePlanText(valid, 'flat.yaml');
    expect(problems).toEqual([]);
    expect(plan?.id).toBe('flat-rate');
    expect(plan?.currency).toBe('USD');
    const component = plan?.components[0];
    expect(component?.kind === 'commission' && component.rate).toBe(80_000);
    expect(plan?.credit.rules).toEqual(['owner', 'splits']);
  });

  it('reads the same plan written as JSON, with line numbers for its problems', () => {
    const json = JSON.stringify(
      {
        id: 'flat-rate',
        name: 'Flat rate',
        period: 'month',
        effective_from: '2026-01-01',
        credit: { types: [{ id: 'revenue', amount: 'amount' }] },
        components: [{ id: 'commission', kind: 'commission', credit: 'revenue', rate: '8 percent' }],
      },
      null,
      2,
    );
    const { plan, problems } = parsePlanText(json, 'flat.json');
    expect(plan).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'flat.json', field: 'components[0].rate' });
    const rateLine = json.split('\n').findIndex((l) => l.includes('"rate"')) + 1;
    expect(problems[0]?.line).toBe(rateLine);
  });

  it('reads tab-indented and single-line JSON, and refuses a document that is not an object', () => {
    const value = {
      id: 'x',
      name: 'X',
      period: 'month',
      effective_from: '2026-01-01',
      credit: { types: [{ id: 'revenue', amount: 'amount' }] },
      components: [{ id: 'c', kind: 'commission', credit: 'revenue', rate: 0.08 }],
    };
    expect(parsePlanText(JSON.stringify(value, null, '\t')).plan?.id).toBe('x');
    expect(parsePlanText(JSON.stringify(value)).problems).toEqual([]);
    expect(parsePlanText('[1, 2]').problems).toEqual([
      { line: 1, field: '(plan)', message: 'Invalid input: expected object, received array' },
    ]);
  });

  it('reports a YAML syntax error with its line and column', () => {
    const { plan, problems } = parsePlanText('id: x\nname: [unclosed\nperiod: month\n', 'bad.yaml');
    expect(plan).toBeUndefined();
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ file: 'bad.yaml', field: '(syntax)' });
    expect(problems[0]?.line).toBeGreaterThanOrEqual(2);
    expect(problems[0]?.message).toMatch(/column \d+/);
  });

  it('refuses a duplicate key', () => {
    const { problems } = parsePlanText(`${valid}period: quarter\n`);
    expect(problems[0]?.message).toMatch(/unique/i);
    expect(problems[0]?.line).toBe(13);
  });

  it('reports every schema problem at once, each on the line of its node', () => {
    const text = `id: Bad Id
name: Plan
period: week
effective_from: 2026-01-01
credit:
  types:
    - { id: revenue, amount: amount }
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
        - { to: 125%, rate: eight }
        - { rate: 12% }
    multiplers: []
`;
    const { plan, problems } = parsePlanText(text, 'p.yaml');
    expect(plan).toBeUndefined();
    const byField = Object.fromEntries(problems.map((p) => [p.field, p]));
    expect(byField.id?.line).toBe(1);
    expect(byField.period?.line).toBe(3);
    expect(byField['components[0].tiers.bands[1].rate']?.line).toBe(18);
    expect(byField['components[0].tiers.bands[1].rate']?.message).toMatch(/expected a rate/);
    expect(byField['components[0].multiplers']).toMatchObject({
      line: 20,
      message: 'unknown field "multiplers"',
    });
    expect(problems).toHaveLength(4);
  });

  it('puts a missing required field on the object that lacks it', () => {
    const text = valid.replace('    credit: revenue\n', '');
    const { problems } = parsePlanText(text);
    expect(problems).toEqual([expect.objectContaining({ field: 'components[0].credit', line: 9 })]);
  });

  it('reports an empty document', () => {
    expect(parsePlanText('').problems).toEqual([{ line: 1, field: '(plan)', message: 'the plan is empty' }]);
  });
});

describe('readPlanText', () => {
  it('adds the cross-reference problems of checkPlan with their lines', () => {
    const text = valid.replace('    credit: revenue\n', '    credit: revenu\n');
    const { plan, problems } = readPlanText(text, 'p.yaml');
    expect(plan).toBeUndefined();
    expect(problems).toEqual([
      expect.objectContaining({ file: 'p.yaml', line: 11, field: 'components[0].credit' }),
    ]);
    expect(problems[0]?.message).toMatch(/no credit type "revenu"/);
  });

  it('returns the plan when there is no problem', () => {
    expect(readPlanText(valid).plan?.id).toBe('flat-rate');
  });
});

describe('helpers', () => {
  it('parses a problem path back into keys', () => {
    expect(parsePlanPath('components[0].multipliers[12].when')).toEqual([
      'components',
      0,
      'multipliers',
      12,
      'when',
    ]);
    expect(parsePlanPath('(plan)')).toEqual([]);
  });

  it('reads data text with a line for each path', () => {
    const data = readDataText('{\n  "transactions": [\n    { "id": "T1" },\n    { "id": "T2" }\n  ]\n}');
    expect(data.problems).toEqual([]);
    expect(data.lineOfPath(['transactions', 1, 'id'])).toBe(4);
    expect(data.lineOfPath(['transactions', 1, 'amount'])).toBe(4);
  });
});
