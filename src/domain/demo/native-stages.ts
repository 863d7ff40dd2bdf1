import type { StageDefinition } from '../records.ts';

/** Attain's default pipeline (docs/import-native-format.md): six open stages, then won or lost. */
export const nativeStages: StageDefinition[] = [
  { name: 'Prospecting', category: 'open', probability: 10 },
  { name: 'Qualification', category: 'open', probability: 20 },
  { name: 'Discovery', category: 'open', probability: 30 },
  { name: 'Demo', category: 'open', probability: 45 },
  { name: 'Proposal', category: 'open', probability: 60 },
  { name: 'Negotiation', category: 'open', probability: 80 },
  { name: 'Closed Won', category: 'won', probability: 100 },
  { name: 'Closed Lost', category: 'lost', probability: 0 },
];

/** Index of the first non-open stage in `nativeStages`: the number of open stages. */
export const openStageCount = 6;
export const closedWonStage = 'Closed Won';
export const closedLostStage = 'Closed Lost';
