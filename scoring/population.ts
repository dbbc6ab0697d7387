// Population scoring: facts of N applicants derived once into columns, then scored under any number of points tables.

export {
  breakdownOf,
  compilePopulationScorer,
  type PopulationScorer,
  type PopulationScores,
  scorePopulation,
} from './population/score.ts'
export {
  columnKey,
  columnsOf,
  derivePopulation,
  PopulationBuilder,
  type PopulationFacts,
} from './population/store.ts'
