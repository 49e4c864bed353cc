/** Statistics for comparing configurations across replicates (mean, stddev, CV, Welch's t-test). */
export * from './stats.js';
export * from './rows.js';
export * from './format.js';
